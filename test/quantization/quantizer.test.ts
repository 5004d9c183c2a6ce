import test from 'ava';
import { Tensor } from '../../lib/tensor';
import {
  QuantizationOptions,
  UniformQuantizationParameters,
  UniformQuantizer,
} from '../../lib/quantization';

const quantizer = (
  nBits: number,
  flags: ConstructorParameters<typeof QuantizationOptions>[1],
  params: ConstructorParameters<typeof UniformQuantizationParameters>[0],
  noClipping = false,
) =>
  new UniformQuantizer({
    options: new QuantizationOptions(nBits, flags),
    params: new UniformQuantizationParameters(params),
    noClipping,
  });

const ints = (tensor: Tensor) => Array.from(tensor.data as Int32Array);

test('clipping range: [-offset, 2^n - 1 - offset], one higher at the bottom in narrow range', (t) => {
  const signed = quantizer(8, { isSigned: true }, { scale: 1, zeroPoint: 0, offset: 128 });
  t.deepEqual([signed.qmin, signed.qmax], [-128, 127]);
  t.deepEqual(ints(signed.quant([-1000, -128.4, 126.6, 1000])), [-128, -128, 127, 127]);
  const narrow = quantizer(8, { isSigned: true, isNarrow: true }, { scale: 1, zeroPoint: 0, offset: 128 });
  t.deepEqual([narrow.qmin, narrow.qmax], [-127, 127]);
  t.deepEqual(ints(narrow.quant([-1000, 1000])), [-127, 127]);
  const unsigned = quantizer(1, {}, { scale: 1, zeroPoint: 0, offset: 0 });
  t.deepEqual(ints(unsigned.quant([-3, 0.5, 1.5, 7])), [0, 0, 1, 1]);
});

test('quant rounds half to even after the shift; dequant is scale * (q - zeroPoint)', (t) => {
  const q = quantizer(8, {}, { scale: 0.5, zeroPoint: 3, offset: 0 });
  // x / 0.5 + 3 = 3.5, 4.5, 5.5, 2.5
  t.deepEqual(ints(q.quant([0.25, 0.75, 1.25, -0.25])), [4, 4, 6, 2]);
  t.deepEqual(Array.from(q.dequant(new Int32Array([0, 3, 255])).data), [-1.5, 0, 126]);
});

test('float32 tensors: numpy 1.26 widths (values checked against Concrete ML 1.9)', (t) => {
  // x / scale + zeroPoint lands 2^-12 below a .5: float64 rounds down; float32 (ulp 2^-8 near
  // 65535) lands on the tie and rounds to even.
  const below = (k: number) => (k - 2 ** -12) * 2 ** -10;
  const at65535 = quantizer(20, {}, { scale: 2 ** -10, zeroPoint: 65535, offset: 0 });
  t.deepEqual(ints(at65535.quant(new Float32Array([below(0.5)]))), [65536]); // shifted in float32
  t.deepEqual(ints(at65535.quant(new Float64Array([below(0.5)]))), [65535]);
  // a zero point beyond uint16 promotes the shift to float64 even for float32 data
  const at65536 = quantizer(20, {}, { scale: 2 ** -10, zeroPoint: 65536, offset: 0 });
  t.deepEqual(ints(at65536.quant(new Float32Array([below(1.5)]))), [65537]);
});

test('noClipping keeps integers beyond the n-bit range, but not beyond int32', (t) => {
  const q = quantizer(4, {}, { scale: 0.5, zeroPoint: 3, offset: 0 }, true);
  t.deepEqual(ints(q.quant([-3.2, 40, 1000])), [-3, 83, 2003]);
  t.throws(() => q.quant([1e12]), { instanceOf: RangeError, message: /does not fit int32 \(noClipping is set\)/ });
});

test('NaN, infinities and empty tensors are errors', (t) => {
  const q = quantizer(8, {}, { scale: 1, zeroPoint: 0, offset: 0 });
  t.throws(() => q.quant([0, NaN]), { instanceOf: RangeError, message: /element 1 is NaN/ });
  t.throws(() => q.quant(new Float32Array([Infinity])), { instanceOf: RangeError, message: /element 0 is Infinity/ });
  t.throws(() => q.quant(new Float64Array(0)), { instanceOf: RangeError, message: /empty/ });
  t.throws(() => q.dequant(new Int32Array(0)), { instanceOf: RangeError, message: /empty/ });
  t.throws(() => q.quant(new BigInt64Array(2)), { instanceOf: TypeError, message: /int64/ });
  // the general loop (no clipping, per-channel zero point, wide float32 zero point) checks too
  const general = quantizer(8, {}, { scale: 1, zeroPoint: [0, 1], offset: 0 }, true);
  t.throws(() => general.quant([NaN, 0]), { instanceOf: RangeError, message: /element 0 is NaN/ });
  const wide = quantizer(20, {}, { scale: 1, zeroPoint: 70000, offset: 0 });
  t.throws(() => wide.quant(new Float32Array([1, -Infinity])), { instanceOf: RangeError, message: /element 1 is -Infinity/ });
});

test('dequant takes any integer tensor; floats must hold integers; int64 beyond 2^53 is an error', (t) => {
  const q = quantizer(8, { isSigned: true }, { scale: 0.25, zeroPoint: -1, offset: 128 });
  t.deepEqual(Array.from(q.dequant(new Int8Array([-128, 0, 127])).data), [-31.75, 0.25, 32]);
  t.deepEqual(Array.from(q.dequant(new BigInt64Array([3n, -5n])).data), [1, -1]);
  t.deepEqual(Array.from(q.dequant([[1, 2]]).data), [0.5, 0.75]);
  t.throws(() => q.dequant([1.5]), { instanceOf: RangeError, message: /integers, but element 0 is 1.5/ });
  t.throws(() => q.dequant(new BigInt64Array([2n ** 60n])), { instanceOf: RangeError, message: /beyond 2\^53/ });
});

test('shapes are kept; onnxruntime tensors, nested arrays and bare typed arrays are accepted', (t) => {
  const q = quantizer(8, {}, { scale: 1, zeroPoint: 0, offset: 0 });
  t.deepEqual([...q.quant({ type: 'float32', data: new Float32Array(6), dims: [2, 3] }).shape], [2, 3]);
  t.deepEqual([...q.quant([[[1], [2]]]).shape], [1, 2, 1]);
  t.deepEqual([...q.quant(new Float64Array(4)).shape], [4]);
  t.deepEqual([...q.dequant(new Tensor(new Int32Array(6), [3, 2])).shape], [3, 2]);
});

test('quant and dequant can write into preallocated buffers', (t) => {
  const q = quantizer(8, {}, { scale: 0.5, zeroPoint: 0, offset: 0 });
  const out = new Int32Array(3);
  const result = q.quant(new Float32Array([0.5, 1, 1.5]), out);
  t.is(result.data, out);
  t.deepEqual(Array.from(out), [1, 2, 3]);
  const floats = new Float64Array(3);
  t.is(q.dequant(out, floats).data, floats);
  t.throws(() => q.quant([1, 2, 3], new Int32Array(2)), { instanceOf: TypeError, message: /Int32Array of length 3/ });
  t.throws(() => q.dequant(out, new Float32Array(3) as never), { instanceOf: TypeError });
});

test('per-channel zero points broadcast like numpy (trailing dimensions)', (t) => {
  const q = quantizer(16, {}, { scale: 1, zeroPoint: [[10, 20, 30]], offset: 0 });
  const values = new Tensor(new Float64Array([0, 0, 0, 1, 2, 3]), [2, 3]);
  t.deepEqual(ints(q.quant(values)), [10, 20, 30, 11, 22, 33]);
  t.deepEqual(Array.from(q.dequant(new Tensor(new Int32Array([10, 20, 30, 0, 0, 0]), [2, 3])).data), [0, 0, 0, -10, -20, -30]);
  const column = quantizer(16, {}, { scale: 1, zeroPoint: [[1], [2]], offset: 0 });
  t.deepEqual(ints(column.quant(new Tensor(new Float64Array(6), [2, 3]))), [1, 1, 1, 2, 2, 2]);
  t.throws(() => q.quant(new Tensor(new Float64Array(4), [2, 2])), {
    instanceOf: RangeError, message: /zero point of shape \[1, 3\] does not broadcast to values of shape \[2, 2\]/,
  });
  t.throws(() => q.quant([1, 2, 3]), { message: /does not broadcast/ }); // would enlarge the values
});

test('float zero points (graph outputs) shift before rounding', (t) => {
  const q = quantizer(8, {}, { scale: 1, zeroPoint: 0.25, offset: 0 });
  t.deepEqual(ints(q.quant([0.25, 1.3, 2.2])), [0, 2, 2]);
  t.deepEqual(Array.from(q.dequant([0, 2]).data), [-0.25, 1.75]);
});

test('construction is strict', (t) => {
  const options = new QuantizationOptions(8);
  const params = new UniformQuantizationParameters({ scale: 1, zeroPoint: 0, offset: 0 });
  t.throws(() => new UniformQuantizer({ options } as never), { message: /params must be a UniformQuantizationParameters/ });
  t.throws(() => new UniformQuantizer({ params } as never), { message: /options must be a QuantizationOptions/ });
  t.throws(() => new UniformQuantizer({ options, params, clip: false } as never), { message: /unknown UniformQuantizer field\(s\) clip/ });
  t.throws(() => new UniformQuantizer({ options, params, stats: { rmin: 0, rmax: 1 } } as never), { message: /stats must be/ });
});

test('equality covers options, statistics, parameters and noClipping; JSON round trip is exact', (t) => {
  const a = quantizer(8, { isSigned: true }, { scale: 0.1, zeroPoint: [[0.5, -0]], offset: 0 }, true);
  const loaded = UniformQuantizer.fromJSON(JSON.parse(JSON.stringify(a)));
  t.true(loaded.equals(a));
  t.is(JSON.stringify(loaded), JSON.stringify(a));
  t.false(a.equals(quantizer(8, { isSigned: true }, { scale: 0.1, zeroPoint: [[0.5, 0]], offset: 0 }, false)));
  t.false(a.equals(quantizer(8, { isSigned: true, isNarrow: true }, { scale: 0.1, zeroPoint: [[0.5, 0]], offset: 0 }, true)));
  t.throws(() => UniformQuantizer.fromJSON({ ...a.toJSON(), noClipping: 'no' }), { message: /noClipping must be a boolean/ });
});
