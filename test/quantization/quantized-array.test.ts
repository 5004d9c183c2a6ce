import test from 'ava';
import { Tensor } from '../../lib/tensor';
import {
  MinMaxQuantizationStats,
  QuantizationOptions,
  QuantizedArray,
  UniformQuantizationParameters,
} from '../../lib/quantization';

const ints = (tensor: Tensor) => Array.from(tensor.data as Int32Array);

test('float values: statistics and parameters computed, values quantized', (t) => {
  const array = new QuantizedArray(8, [[-1, 0], [0.5, 1.55]]);
  t.is(array.nBits, 8);
  t.deepEqual([array.quantizer.stats?.rmin, array.quantizer.stats?.rmax], [-1, 1.55]);
  t.is(array.quantizer.zeroPoint, 100);
  t.deepEqual([...array.qvalues.shape], [2, 2]);
  t.deepEqual(ints(array.qvalues), [0, 100, 150, 255]);
  t.is(array.values.dtype, 'float64');
});

test('flat fields fill the option, statistics and parameter structs', (t) => {
  const array = new QuantizedArray(4, [0.1, 0.2], { isSigned: true, isSymmetric: true, rmin: -2, rmax: 1 });
  t.true(array.quantizer.options.equals(new QuantizationOptions(4, { isSigned: true, isSymmetric: true })));
  t.is(array.quantizer.scale, 2 / 7);
  const given = new QuantizedArray(8, [1, 2, 3], { scale: 0.5, zeroPoint: 4, offset: 0 });
  t.deepEqual(ints(given.qvalues), [6, 8, 10]);
  t.deepEqual([given.quantizer.stats?.rmin, given.quantizer.stats?.rmax], [1, 3]); // computed anyway, as in the reference
});

test('a flat field overrides the same member of a struct passed with it', (t) => {
  const stats = new MinMaxQuantizationStats({ rmin: -1, rmax: 1 });
  const array = new QuantizedArray(8, [0], { stats, rmax: 3 });
  t.deepEqual([array.quantizer.stats?.rmin, array.quantizer.stats?.rmax], [-1, 3]);
  const params = new UniformQuantizationParameters({ scale: 1, zeroPoint: 0, offset: 0 });
  t.is(new QuantizedArray(8, [5], { params, zeroPoint: 2 }).quantizer.zeroPoint, 2);
  const options = new QuantizationOptions(3, { isSigned: true });
  const fromOptions = new QuantizedArray(6, [0, 1], { options, isNarrow: true });
  t.is(fromOptions.quantizer.nBits, 6); // the array's nBits wins, as in the reference
  t.true(fromOptions.quantizer.options.isNarrow && fromOptions.quantizer.options.isSigned);
});

test('partly filled structs and unknown fields are errors naming the problem', (t) => {
  t.throws(() => new QuantizedArray(8, [1, 2], { rmin: 0 }), {
    instanceOf: TypeError, message: /partly filled statistics: rmin given but rmax missing/,
  });
  t.throws(() => new QuantizedArray(8, [1, 2], { scale: 0.5 }), {
    instanceOf: TypeError, message: /partly filled quantization parameters: scale given but zeroPoint missing/,
  });
  t.throws(() => new QuantizedArray(8, [1, 2], { offset: 0 }), { message: /offset given but scale, zeroPoint missing/ });
  t.throws(() => new QuantizedArray(8, [1, 2], { zero_point: 1 } as never), {
    instanceOf: TypeError, message: /unknown QuantizedArray field\(s\) zero_point/,
  });
  t.throws(() => new QuantizedArray(8, [1, 2], { noClipping: true } as never), { message: /unknown QuantizedArray field\(s\) noClipping/ });
  t.throws(() => new QuantizedArray(8, [1, 2], { stats: { rmin: 0, rmax: 1 } } as never), { message: /stats must be a MinMaxQuantizationStats/ });
});

test('invalid options, bit widths and values are clear errors', (t) => {
  t.throws(() => new QuantizedArray(25, [1]), { instanceOf: RangeError, message: /nBits must be an integer in \[1, 24\]/ });
  t.throws(() => new QuantizedArray(0, [1]), { instanceOf: RangeError });
  t.throws(() => new QuantizedArray(8, [1, 2], { isSymmetric: true }), { message: /symmetric quantization is signed/ });
  t.throws(() => new QuantizedArray(8, [1, 2], { isSymmetric: true, isSigned: true, isQat: true }), { message: /never symmetric/ });
  t.throws(() => new QuantizedArray(8, []), { instanceOf: RangeError, message: /values is empty/ });
  t.throws(() => new QuantizedArray(8, [1, NaN]), { instanceOf: RangeError, message: /element 1 is NaN/ });
  t.throws(() => new QuantizedArray(8, new Float32Array([Infinity])), { instanceOf: RangeError, message: /Infinity/ });
  t.throws(() => new QuantizedArray(8, new Int32Array([1, 2])), { instanceOf: TypeError, message: /must be float32 or float64/ });
});

test('integers from an encrypted run: valueIsFloat false, scale and zeroPoint required, offset derived', (t) => {
  const array = new QuantizedArray(8, new Int32Array([-128, 0, 127]), {
    valueIsFloat: false, scale: 0.5, zeroPoint: -2, isSigned: true,
  });
  t.is(array.quantizer.offset, 128);
  t.deepEqual(Array.from(array.dequant().data), [-63, 1, 64.5]);
  t.deepEqual(Array.from(array.values.data), [-63, 1, 64.5]);
  t.is(array.quantizer.stats, null);
  const unsigned = new QuantizedArray(8, [[3, 4]], { valueIsFloat: false, scale: 2, zeroPoint: 3 });
  t.is(unsigned.quantizer.offset, 0);
  t.is(unsigned.qvalues.dtype, 'int32');
  t.deepEqual(Array.from(unsigned.values.data), [0, 2]);
  const int64 = new QuantizedArray(16, new BigInt64Array([70000n]), { valueIsFloat: false, scale: 1, zeroPoint: 0.5 });
  t.is(int64.qvalues.dtype, 'int64');
  t.deepEqual(Array.from(int64.values.data), [69999.5]);
  t.throws(() => new QuantizedArray(8, new Int32Array([1]), { valueIsFloat: false }), {
    instanceOf: TypeError, message: /valueIsFloat: false needs the quantization parameters/,
  });
  t.throws(() => new QuantizedArray(8, new Float32Array([1]), { valueIsFloat: false, scale: 1, zeroPoint: 0 }), {
    instanceOf: TypeError, message: /must be an integer tensor, got float32/,
  });
  t.throws(() => new QuantizedArray(8, [1.5], { valueIsFloat: false, scale: 1, zeroPoint: 0 }), { message: /integers in the int32 range/ });
});

test('updateValues and updateQuantizedValues keep the quantizer and sync the other side', (t) => {
  const array = new QuantizedArray(4, [0, 1.5], {});
  const quantizer = array.quantizer;
  t.deepEqual(ints(array.updateValues([0.1, 3])), [1, 15]); // 3 is out of range: clipped
  t.is(array.quantizer, quantizer);
  t.deepEqual(Array.from(array.updateQuantizedValues(new Int32Array([2, 4])).data), [0.2, 0.4]);
  t.deepEqual(ints(array.quant()), [2, 4]);
  t.throws(() => array.updateValues([NaN]), { instanceOf: RangeError });
});

test('inputs are copied: changing them later does not change the array', (t) => {
  const data = new Float32Array([0, 1, 2]);
  const array = new QuantizedArray(8, data);
  data[0] = 100;
  t.is(array.values.data[0], 0);
  const q = new Int32Array([1, 2]);
  array.updateQuantizedValues(q);
  q[0] = 7;
  t.is(array.qvalues.data[0], 1);
});

test('equals compares nBits, quantizer, values and qvalues', (t) => {
  const a = new QuantizedArray(8, [0, 0.5, 1]);
  t.true(a.equals(new QuantizedArray(8, [0, 0.5, 1])));
  const wide = new QuantizedArray(8, [0, 127, 255]);
  t.true(wide.equals(new QuantizedArray(8, new Float32Array([0, 127, 255])))); // same numbers, other width
  t.false(a.equals(new QuantizedArray(7, [0, 0.5, 1])));
  t.false(a.equals(new QuantizedArray(8, [0, 0.5, 1], { isSigned: true })));
  t.false(a.equals(new QuantizedArray(8, [[0, 0.5, 1]])));
  const b = new QuantizedArray(8, [0, 0.5, 1]);
  b.updateValues([0, 0.5, 0.999]);
  t.false(a.equals(b));
});

test('JSON round trip keeps everything: widths, shapes, -0, per-channel zero points', (t) => {
  const arrays = [
    new QuantizedArray(8, new Tensor(new Float32Array([-0, 0.1, 7.25, -3.5, 1e-30, 2]), [2, 3]), { isSigned: true }),
    new QuantizedArray(16, [-2.5, -2.5], {}), // constant negative: scale -2.5, dequant gives -0
    new QuantizedArray(12, new BigInt64Array([1n, -2n]), { valueIsFloat: false, scale: 1 / 3, zeroPoint: [0.5, -0] }),
    new QuantizedArray(3, [0.3, 0.1, 0.2], { isQat: true, isNarrow: true, isSigned: true, isPrecomputedQat: true }),
  ];
  arrays[1].updateQuantizedValues(new Int32Array([0, 0]));
  t.true(Object.is(arrays[1].values.data[0], -0));
  for (const array of arrays) {
    const text = JSON.stringify(array);
    const loaded = QuantizedArray.fromJSON(JSON.parse(text));
    t.true(loaded.equals(array));
    t.is(JSON.stringify(loaded), text);
    t.is(loaded.values.dtype, array.values.dtype);
    t.is(loaded.qvalues.dtype, array.qvalues.dtype);
    t.true(Object.is(loaded.quantizer.scale, array.quantizer.scale));
  }
});

test('fromJSON is strict', (t) => {
  const json = new QuantizedArray(8, [0, 1]).toJSON();
  t.throws(() => QuantizedArray.fromJSON({ ...json, extra: true }), { message: /unknown field\(s\) extra/ });
  t.throws(() => QuantizedArray.fromJSON({ ...json, values: { ...json.values, dtype: 'int32' } }), { message: /values must be float32 or float64/ });
  t.throws(() => QuantizedArray.fromJSON({ ...json, qvalues: { ...json.qvalues, dtype: 'float64' } }), { message: /qvalues must be integers/ });
  t.throws(() => QuantizedArray.fromJSON({ ...json, qvalues: { dtype: 'int32', shape: [1, 2], data: [0, 255] } }), { message: /differ in shape/ });
  t.throws(() => QuantizedArray.fromJSON({ ...json, qvalues: { dtype: 'int8', shape: [2], data: [0, 255] } }), { message: /does not fit int8/ });
  t.throws(() => QuantizedArray.fromJSON({ ...json, values: { dtype: 'float64', shape: [2], data: [0] } }), { message: /2 elements/ });
  t.throws(() => QuantizedArray.fromJSON({ ...json, values: { dtype: 'float64', shape: [2], data: [0, 'NaN'] } }), { message: /finite JSON number/ });
});
