import test from 'ava';
import { Tensor } from '../../lib/tensor';
import { runOp, f32, f64, i64, values } from './run-op';

test('QuantizeLinear rounds half to even and saturates; DequantizeLinear works per axis', (t) => {
  const x = f32([0.5, 1.5, 2.5, -0.5, -1.5, 300, -300]);
  const [q] = runOp('QuantizeLinear', [x, f32([1], []), new Tensor(Int8Array.of(0), [])]);
  t.is(q.dtype, 'int8');
  t.deepEqual(values(q), [0, 2, 2, 0, -2, 127, -128]);
  const [u] = runOp('QuantizeLinear', [f32([-1, 0, 1]), f32([0.5], [])]);
  t.is(u.dtype, 'uint8', 'no zero point means uint8');
  t.deepEqual(values(u), [0, 0, 2]);
  const codes = new Tensor(Uint8Array.of(10, 20, 30, 40), [2, 2]);
  const [d] = runOp('DequantizeLinear', [codes, f32([0.5, 2]), new Tensor(Uint8Array.of(10, 0))], { attributes: { axis: 0 } });
  t.deepEqual(values(d), [0, 5, 60, 80]);
});

test('onnx.brevitas Quant follows QONNX: signed, narrow, unsigned ranges and rounding modes', (t) => {
  const x = f32([-9, -2.5, -0.4, 0.5, 1.5, 9]);
  const quant = (signed: number, narrow: number, mode = 'ROUND') =>
    values(runOp('Quant', [x, f32([1], []), f32([0], []), f32([3], [])], {
      domain: 'onnx.brevitas', attributes: { signed, narrow, rounding_mode: mode },
    })[0]).map((v) => (v as number) + 0); // -0 and 0 are the same code
  t.deepEqual(quant(1, 0), [-4, -2, 0, 0, 2, 3]); // 3 bits signed: [-4, 3], half to even
  t.deepEqual(quant(1, 1), [-3, -2, 0, 0, 2, 3]); // narrow: [-3, 3]
  t.deepEqual(quant(0, 0), [0, 0, 0, 0, 2, 7]); // unsigned: [0, 7]
  t.deepEqual(quant(0, 1), [0, 0, 0, 0, 2, 6]); // unsigned narrow: [0, 6]
  t.deepEqual(quant(1, 0, 'FLOOR'), [-4, -3, -1, 0, 1, 3]);
  // Scale and zero point: y = (clip(round(x / s + z)) - z) * s.
  const [scaled] = runOp('Quant', [f32([0.26, -1]), f32([0.5], []), f32([2], []), f32([4], [])], { domain: 'onnx.brevitas', attributes: { signed: 0 } });
  t.deepEqual(values(scaled), [0.5, -1]);
  t.throws(() => runOp('Quant', [x, f32([1], []), f32([0], []), f32([3], [])], { domain: 'onnx.brevitas', attributes: { rounding_mode: 'STOCHASTIC' } }), { message: /rounding_mode 'STOCHASTIC'/ });
});

test('Unfold is im2col with torch.nn.Unfold row order', (t) => {
  const x = f64([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18], [1, 2, 3, 3]);
  const [y] = runOp('Unfold', [x], { attributes: { kernel_shape: [2, 2] } });
  t.deepEqual(y.shape, [1, 8, 4]);
  // Row (c, kh, kw), column = window; channel 0 first.
  t.deepEqual(values(y).slice(0, 16), [1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9]);
  t.deepEqual(values(y).slice(16, 20), [10, 11, 13, 14]);
});

test('global pools reduce every spatial axis', (t) => {
  const x = f64([1, 2, 3, 6, -1, -2, -3, -6], [1, 2, 2, 2]);
  const [avg] = runOp('GlobalAveragePool', [x]);
  t.deepEqual(avg.shape, [1, 2, 1, 1]);
  t.deepEqual(values(avg), [3, -3]);
  t.deepEqual(values(runOp('GlobalMaxPool', [x])[0]), [6, -1]);
});

test('Softmax and LogSoftmax along an inner axis, and the legacy 2-D coercion before opset 13', (t) => {
  const x = f64([0, 1, 2, 3], [2, 2]);
  const [s] = runOp('Softmax', [x], { attributes: { axis: 0 } });
  const e = 1 / (1 + Math.exp(2));
  // Each column [0, 2] and [1, 3] becomes [e, 1 - e].
  const expected = [e, e, 1 - e, 1 - e];
  values(s).forEach((v, i) => t.true(Math.abs((v as number) - expected[i]) < 1e-15));
  const [legacy] = runOp('Softmax', [f64([0, 0, 0, 0], [1, 2, 2])], { opset: 12 });
  t.deepEqual(values(legacy), [0.25, 0.25, 0.25, 0.25], 'axis 1 coerces [2, 2] into one row of 4');
  const [log] = runOp('LogSoftmax', [f64([1, 1])]);
  values(log).forEach((v) => t.true(Math.abs((v as number) + Math.LN2) < 1e-15));
});

test('Split, Slice with negative steps, reflect Pad, Gather with negative indices', (t) => {
  const x = f64([0, 1, 2, 3, 4, 5], [6]);
  const parts = runOp('Split', [x, i64([1, 2, 3])], { outputs: 3 });
  t.deepEqual(parts.map(values), [[0], [1, 2], [3, 4, 5]]);
  t.deepEqual(runOp('Split', [x], { outputs: 3, opset: 18, attributes: { num_outputs: 3 } }).map(values), [[0, 1], [2, 3], [4, 5]]);
  t.deepEqual(values(runOp('Slice', [x, i64([-1]), i64([-100]), i64([0]), i64([-2])])[0]), [5, 3, 1]);
  t.deepEqual(values(runOp('Pad', [f64([1, 2, 3]), i64([2, 1])], { attributes: { mode: 'reflect' } })[0]), [3, 2, 1, 2, 3, 2]);
  t.deepEqual(values(runOp('Pad', [f64([1, 2]), i64([1, 2]), f64([9], [])])[0]), [9, 1, 2, 9, 9]);
  t.deepEqual(values(runOp('Gather', [f64([10, 20, 30, 40, 50, 60], [3, 2]), i64([-1, 0])])[0]), [50, 60, 10, 20]);
  t.throws(() => runOp('Gather', [x, i64([6])]), { message: /index 6 is out of range for axis 0 of size 6/ });
});

test('LinearRegressor computes X @ coefficients^T + intercepts', (t) => {
  const [y] = runOp('LinearRegressor', [f32([1, 2, 3, 4], [2, 2])], {
    domain: 'ai.onnx.ml', attributes: { coefficients: { floats: [1, 10, -1, 0] }, intercepts: { floats: [0.5, 2] }, targets: 2 },
  });
  t.deepEqual(y.shape, [2, 2]);
  t.deepEqual(values(y), [21.5, 1, 43.5, -1]);
});
