import test from 'ava';
import { Tensor } from '../../lib/tensor';
import { runOp, f32, f64, i64, bool, values } from './run-op';

test('float maths ops agree with Math, rounded once to float32', (t) => {
  const xs = [-0.9, -0.3, 0, 0.4, 0.8];
  const cases: Record<string, (x: number) => number> = {
    Acos: Math.acos, Asin: Math.asin, Atan: Math.atan, Atanh: Math.atanh, Cos: Math.cos, Cosh: Math.cosh,
    Sin: Math.sin, Sinh: Math.sinh, Tan: Math.tan, Asinh: Math.asinh, Softsign: (x) => x / (1 + Math.abs(x)),
    Softplus: (x) => Math.log(1 + Math.exp(x)), Mish: (x) => x * Math.tanh(Math.log(1 + Math.exp(x))),
  };
  for (const [op, fn] of Object.entries(cases)) {
    const x = f32(xs);
    const [y] = runOp(op, [x]);
    const expected = Array.from(x.data as Float32Array, (v) => Math.fround(fn(v)));
    values(y).forEach((v, i) => t.true(Math.abs((v as number) - expected[i]) <= 1e-7 * Math.max(1, Math.abs(expected[i])), `${op}(${xs[i]})`));
  }
  t.deepEqual(values(runOp('Acosh', [f64([1, 2])])[0]), [0, Math.acosh(2)]);
});

test('activations with attributes use their defaults and overrides', (t) => {
  const x = f64([-2, -0.5, 0, 0.5, 3]);
  t.deepEqual(values(runOp('ThresholdedRelu', [x])[0]), [0, 0, 0, 0, 3]);
  t.deepEqual(values(runOp('ThresholdedRelu', [x], { attributes: { alpha: { float: 0.25 } } })[0]), [0, 0, 0, 0.5, 3]);
  const alpha = 1.67326319217681884765625;
  const gamma = 1.05070102214813232421875;
  t.deepEqual(values(runOp('Selu', [x])[0]), [-2, -0.5, 0, 0.5, 3].map((v) => gamma * (v > 0 ? v : alpha * Math.expm1(v))));
  t.deepEqual(values(runOp('Celu', [x], { attributes: { alpha: { float: 2 } } })[0]), [-2, -0.5, 0, 0.5, 3].map((v) => Math.max(0, v) + Math.min(0, 2 * Math.expm1(v / 2))));
  // HardSwish(x) = x * relu6(x + 3) / 6: -2 -> -1/3, -0.5 -> -5/24, 0.5 -> 7/24, 3 -> 3.
  const hardSwish = values(runOp('HardSwish', [x])[0]) as number[];
  [-1 / 3, -5 / 24, 0, 7 / 24, 3].forEach((v, i) => t.true(Math.abs(hardSwish[i] - v) < 1e-15, `HardSwish ${i}`));
});

test('logic ops follow their truth tables', (t) => {
  const a = bool([0, 0, 1, 1]);
  const b = bool([0, 1, 0, 1]);
  t.deepEqual(values(runOp('And', [a, b])[0]), [0, 0, 0, 1]);
  t.deepEqual(values(runOp('Or', [a, b])[0]), [0, 1, 1, 1]);
  t.deepEqual(values(runOp('Xor', [a, b])[0]), [0, 1, 1, 0]);
  const [not] = runOp('Not', [a]);
  t.is(not.dtype, 'bool');
  t.deepEqual(values(not), [1, 1, 0, 0]);
});

test('multidirectional broadcasting: [2, 1, 3] + [4, 1] -> [2, 4, 3]', (t) => {
  const a = f64([0, 1, 2, 10, 11, 12], [2, 1, 3]);
  const b = f64([100, 200, 300, 400], [4, 1]);
  const [y] = runOp('Add', [a, b]);
  t.deepEqual(y.shape, [2, 4, 3]);
  const expected: number[] = [];
  for (const i of [0, 10]) for (const j of [100, 200, 300, 400]) for (const k of [0, 1, 2]) expected.push(i + j + k);
  t.deepEqual(values(y), expected);
});

test('integer arithmetic is exact on int64 and truncates division toward zero', (t) => {
  const big = 2 ** 60;
  t.deepEqual(values(runOp('Add', [i64([big, -7]), i64([1, 2])])[0]), [BigInt(big) + 1n, -5n]);
  t.deepEqual(values(runOp('Div', [i64([7, -7]), i64([2, 2])])[0]), [3n, -3n]);
  t.deepEqual(values(runOp('Div', [new Tensor(Int32Array.of(7, -7)), new Tensor(Int32Array.of(2, 2))])[0]), [3, -3]);
  t.deepEqual(values(runOp('Mul', [new Tensor(Uint8Array.of(200)), new Tensor(Uint8Array.of(2))])[0]), [144], 'uint8 wraps');
  t.throws(() => runOp('Div', [i64([1]), i64([0])]), { message: /node 'Div_under_test' \(Div\): Division by zero/ });
});

test('Clip takes tensor bounds, either side optional', (t) => {
  const x = f32([-5, -1, 0, 1, 5]);
  t.deepEqual(values(runOp('Clip', [x, f32([-2], []), f32([2], [])])[0]), [-2, -1, 0, 1, 2]);
  t.deepEqual(values(runOp('Clip', [x, undefined, f32([0.5], [])])[0]), [-5, -1, 0, 0.5, 0.5]);
  t.deepEqual(values(runOp('Clip', [x, f32([0], [])])[0]), [0, 0, 0, 1, 5]);
  t.deepEqual(values(runOp('Clip', [i64([-5, 9]), i64([0], []), i64([4], [])])[0]), [0n, 4n]);
});

test('Where broadcasts condition, x and y', (t) => {
  const [y] = runOp('Where', [bool([1, 0], [2, 1]), f32([1, 2, 3], [3]), f32([-1], [])]);
  t.deepEqual(y.shape, [2, 3]);
  t.deepEqual(values(y), [1, 2, 3, -1, -1, -1]);
});

test('Max, Min, Sum and Mean are variadic and broadcast', (t) => {
  const a = f64([1, 5], [2, 1]);
  const b = f64([3, 0, 4], [3]);
  t.deepEqual(values(runOp('Max', [a, b])[0]), [3, 1, 4, 5, 5, 5]);
  t.deepEqual(values(runOp('Min', [a, b, f64([2], [])])[0]), [1, 0, 1, 2, 0, 2]);
  t.deepEqual(values(runOp('Mean', [f64([1, 2]), f64([3, 6])])[0]), [2, 4]);
});
