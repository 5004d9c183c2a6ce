import test from 'ava';
import { Tensor } from '../../lib/tensor';
import { MinMaxQuantizationStats } from '../../lib/quantization';

test('min and max over the whole tensor, whatever its shape', (t) => {
  const stats = MinMaxQuantizationStats.computeQuantizationStats([[3, -1], [0.5, 7]]);
  t.is(stats.rmin, -1);
  t.is(stats.rmax, 7);
  t.is(stats.dtype, 'float64');
});

test('float32 tensors give float32 statistics, which changes rmax - rmin downstream', (t) => {
  const stats = MinMaxQuantizationStats.computeQuantizationStats(new Float32Array([0.1, -0.7]));
  t.is(stats.dtype, 'float32');
  t.is(stats.rmin, Math.fround(-0.7));
  t.is(stats.rmax, Math.fround(0.1));
});

test('onnxruntime tensors and bare typed arrays are accepted', (t) => {
  const ort = { type: 'float32', data: new Float32Array([1, 2, 3, 4]), dims: [2, 2] };
  t.is(MinMaxQuantizationStats.computeQuantizationStats(ort).rmax, 4);
  t.is(MinMaxQuantizationStats.computeQuantizationStats(new Int16Array([-5, 9])).rmin, -5);
});

test('empty tensors, NaN and infinities are errors naming the problem', (t) => {
  t.throws(() => MinMaxQuantizationStats.computeQuantizationStats(new Float64Array(0)), {
    instanceOf: RangeError, message: /empty/,
  });
  t.throws(() => MinMaxQuantizationStats.computeQuantizationStats(Tensor.zeros('float32', [3, 0])), {
    message: /empty \(shape \[3, 0\]\)/,
  });
  t.throws(() => MinMaxQuantizationStats.computeQuantizationStats([1, NaN, 2]), {
    instanceOf: RangeError, message: /element 1 is NaN/,
  });
  t.throws(() => MinMaxQuantizationStats.computeQuantizationStats(new Float32Array([-Infinity])), {
    message: /element 0 is -Infinity/,
  });
});

test('constructed statistics are validated', (t) => {
  t.throws(() => new MinMaxQuantizationStats({ rmin: 2, rmax: 1 }), { instanceOf: RangeError, message: /must not exceed/ });
  t.throws(() => new MinMaxQuantizationStats({ rmin: NaN, rmax: 1 }), { instanceOf: RangeError, message: /rmin must be finite/ });
  t.throws(() => new MinMaxQuantizationStats({ rmin: 0 } as never), { instanceOf: TypeError, message: /rmax must be a number/ });
  t.throws(() => new MinMaxQuantizationStats({ rmin: 0, rmax: 1, rmean: 0.5 } as never), { message: /unknown statistics field\(s\) rmean/ });
  t.throws(() => new MinMaxQuantizationStats({ rmin: 0, rmax: 0.1, dtype: 'float32' }), { message: /float32 numbers/ });
  t.throws(() => new MinMaxQuantizationStats({ rmin: 0, rmax: 1, dtype: 'float16' as never }), { message: /dtype/ });
});

test('equality compares the numbers; JSON keeps the width and the sign of zero', (t) => {
  const a = new MinMaxQuantizationStats({ rmin: -0, rmax: 0.5, dtype: 'float32' });
  t.true(a.equals(new MinMaxQuantizationStats({ rmin: 0, rmax: 0.5 })));
  const loaded = MinMaxQuantizationStats.fromJSON(JSON.parse(JSON.stringify(a)));
  t.true(Object.is(loaded.rmin, -0));
  t.is(loaded.dtype, 'float32');
  t.throws(() => MinMaxQuantizationStats.fromJSON({ rmin: 0, rmax: 1 }), { message: /missing field\(s\) dtype/ });
  t.throws(() => MinMaxQuantizationStats.fromJSON({ rmin: 0, rmax: null, dtype: 'float64' }), { message: /rmax must be a finite/ });
});
