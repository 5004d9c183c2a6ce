import test from 'ava';
import { Tensor } from '../../lib/tensor';
import {
  MinMaxQuantizationStats,
  QuantizationOptions,
  UniformQuantizationParameters,
  roundHalfToEven,
} from '../../lib/quantization';

const compute = (nBits: number, flags: ConstructorParameters<typeof QuantizationOptions>[1], rmin: number, rmax: number) =>
  UniformQuantizationParameters.computeQuantizationParameters(
    new QuantizationOptions(nBits, flags),
    new MinMaxQuantizationStats({ rmin, rmax }),
  );

test('asymmetric unsigned: scale = range / (2^n - 1), zero point maps rmin to 0', (t) => {
  const p = compute(8, {}, -1, 1.55);
  t.is(p.scale, 2.55 / 255);
  t.is(p.zeroPoint, 100);
  t.is(p.offset, 0);
});

test('asymmetric signed: offset 2^(n-1), zero point maps rmin to -offset', (t) => {
  const p = compute(8, { isSigned: true }, 0, 2.55);
  t.is(p.offset, 128);
  t.is(p.zeroPoint, -128);
});

test('symmetric: zero point 0, scale = max|x| / (2^(n-1) - 1)', (t) => {
  const p = compute(4, { isSigned: true, isSymmetric: true }, -3.5, 1);
  t.is(p.zeroPoint, 0);
  t.is(p.scale, 3.5 / 7);
  t.is(p.offset, 8);
});

test('QAT: zero point 0 whatever the range', (t) => {
  const p = compute(3, { isQat: true, isSigned: true }, -0.4, 0.3);
  t.is(p.zeroPoint, 0);
  t.is(p.scale, (0.3 - -0.4) / 7);
});

test('the zero point rounds half to even (rmin = -0.5, range 3, 2 bits: 0.5 -> 0; rmin = -1.5: 1.5 -> 2)', (t) => {
  t.is(compute(2, {}, -0.5, 2.5).zeroPoint, 0);
  t.is(compute(2, {}, -1.5, 1.5).zeroPoint, 2);
  t.is(compute(2, {}, -2.5, 0.5).zeroPoint, 2);
});

test('the zero point follows the source formula, which can differ from round(-rmin / scale)', (t) => {
  const p = compute(4, {}, -15.625, 15.625);
  t.is(p.zeroPoint, 8); // Concrete ML 1.9 gives 8 too
  t.is(roundHalfToEven(15.625 / p.scale), 7); // 7.499999999999999
});

test('constant tensors: offset 0; zero -> scale 1 and zp rint(-rmin); otherwise scale = the value', (t) => {
  const zero = compute(8, { isSigned: true }, -4e-7, 3e-7);
  t.deepEqual([zero.scale, zero.zeroPoint, zero.offset], [1, 0, 0]);
  t.false(Object.is(zero.zeroPoint, -0));
  const value = compute(8, { isSigned: true, isSymmetric: true }, 0.7, 0.7);
  t.deepEqual([value.scale, value.zeroPoint, value.offset], [0.7, 0, 0]);
  const negative = compute(8, {}, -2.5, -2.5);
  t.is(negative.scale, -2.5); // so the value still quantizes to 1
  const near = compute(8, {}, 1, 1 + 5e-7);
  t.is(near.scale, 1 + 5e-7);
});

test('float32 statistics take rmax - rmin in float32 (as numpy does) and the rest in float64', (t) => {
  const rmin = Math.fround(-1.2345678);
  const rmax = Math.fround(3.1234567);
  const options = new QuantizationOptions(8, { isSigned: true });
  const f32 = UniformQuantizationParameters.computeQuantizationParameters(options, new MinMaxQuantizationStats({ rmin, rmax, dtype: 'float32' }));
  const f64 = UniformQuantizationParameters.computeQuantizationParameters(options, new MinMaxQuantizationStats({ rmin, rmax }));
  t.is(f32.scale, 0.017090292537913603); // Concrete ML 1.9 on the same float32 tensor
  t.is(f32.scale, Math.fround(rmax - rmin) / 255);
  t.not(f32.scale, f64.scale);
});

test('a range that overflows float64 is a clear error', (t) => {
  t.throws(() => compute(8, {}, -1e308, 1e308), { instanceOf: RangeError, message: /overflows float64/ });
});

test('constructed parameters are validated', (t) => {
  const ok = { scale: 0.5, zeroPoint: 3, offset: 0 };
  t.notThrows(() => new UniformQuantizationParameters(ok));
  t.throws(() => new UniformQuantizationParameters({ ...ok, scale: 0 }), { instanceOf: RangeError, message: /scale must be finite and non-zero/ });
  t.throws(() => new UniformQuantizationParameters({ ...ok, scale: Infinity }), { instanceOf: RangeError });
  t.throws(() => new UniformQuantizationParameters({ ...ok, zeroPoint: NaN }), { instanceOf: RangeError, message: /zeroPoint must be finite/ });
  t.throws(() => new UniformQuantizationParameters({ ...ok, offset: -1 }), { instanceOf: RangeError, message: /offset/ });
  t.throws(() => new UniformQuantizationParameters({ ...ok, offset: 0.5 }), { instanceOf: RangeError, message: /offset/ });
  t.throws(() => new UniformQuantizationParameters({ scale: 1, zeroPoint: 0 } as never), { instanceOf: TypeError, message: /missing quantization parameter\(s\) offset/ });
  t.throws(() => new UniformQuantizationParameters({ ...ok, zero_point: 1 } as never), { instanceOf: TypeError, message: /unknown quantization parameter\(s\) zero_point/ });
  t.throws(() => new UniformQuantizationParameters({ ...ok, zeroPoint: [] }), { instanceOf: RangeError, message: /empty/ });
});

test('zero points may be floats or per-channel tensors (graph outputs of mixing ops)', (t) => {
  const float = new UniformQuantizationParameters({ scale: 0.1, zeroPoint: 2.37, offset: 0 });
  t.is(float.zeroPoint, 2.37);
  const perChannel = new UniformQuantizationParameters({ scale: 0.1, zeroPoint: [[1.5, -2, 0.25]], offset: 0 });
  t.true(perChannel.zeroPoint instanceof Tensor);
  t.deepEqual([...(perChannel.zeroPoint as Tensor).shape], [1, 3]);
  const scalarTensor = new UniformQuantizationParameters({ scale: 0.1, zeroPoint: new Tensor(new Float64Array([4]), []), offset: 0 });
  t.is(scalarTensor.zeroPoint, 4); // 0-d becomes a number
});

test('equality is elementwise for per-channel zero points', (t) => {
  const make = (zeroPoint: number | number[]) => new UniformQuantizationParameters({ scale: 0.25, zeroPoint, offset: 0 });
  t.true(make([1, 2]).equals(make([1, 2])));
  t.false(make([1, 2]).equals(make([1, 3])));
  t.false(make([1, 2]).equals(make(1)));
  t.true(make(1).equals(make(1)));
  t.false(make(1).equals(new UniformQuantizationParameters({ scale: 0.25, zeroPoint: 1, offset: 128 })));
});

test('JSON round trip is exact: float64 scale bits, float and per-channel zero points, -0', (t) => {
  for (const params of [
    new UniformQuantizationParameters({ scale: 0.1 + 0.2, zeroPoint: -0, offset: 0 }),
    new UniformQuantizationParameters({ scale: 5e-324, zeroPoint: 12.625, offset: 0 }),
    new UniformQuantizationParameters({ scale: -2.5, zeroPoint: 0, offset: 0 }),
    new UniformQuantizationParameters({ scale: 1 / 3, zeroPoint: [[0.1, -0, 1e300]], offset: 0 }),
  ]) {
    const loaded = UniformQuantizationParameters.fromJSON(JSON.parse(JSON.stringify(params)));
    t.true(Object.is(loaded.scale, params.scale));
    t.true(loaded.equals(params));
    t.is(JSON.stringify(loaded), JSON.stringify(params));
  }
  const withNegativeZero = UniformQuantizationParameters.fromJSON(JSON.parse(JSON.stringify(new UniformQuantizationParameters({ scale: 1, zeroPoint: [-0], offset: 0 }))));
  t.true(Object.is((withNegativeZero.zeroPoint as Tensor<'float64'>).data[0], -0));
  t.throws(() => UniformQuantizationParameters.fromJSON({ scale: '0.5', zeroPoint: 0, offset: 0 }), { message: /scale must be a finite JSON number/ });
});
