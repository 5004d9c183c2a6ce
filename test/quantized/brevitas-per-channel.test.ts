// Brevitas Quant nodes with a per-channel scale on constant weights (Brevitas' per-channel weight
// quantizers; Concrete ML 1.9 fails on them with a broadcast error in its Gemm): the integers are
// folded once and used per output channel, like per-channel QDQ weights. Power-of-two scales
// keep the float steps exact, so integers are checked by hand and against the float interpreter.
import test from 'ava';
import { OnnxModel } from '../../lib/onnx';
import { roundHalfToEven } from '../../lib/quantization';
import { buildQuantizedModule } from '../../lib/quantized';
import { Tensor } from '../../lib/tensor';
import { buildModel } from '../onnx/build-model';

const scalar = (v: number) => new Tensor(new Float32Array([v]), []);
const quant = (inputs: string[], output: string, name: string, signed: number, narrow: number) => ({
  op: 'Quant', domain: 'onnx.brevitas', inputs, outputs: [output], name, attributes: { signed, narrow, rounding_mode: 'ROUND' },
});

// 4-bit weights [3 out, 5 in] on a grid 64x apart between channels; two values past the range
// clip: to 7, and to -7 (narrow) or -8 (signed = 0, narrow = 1, read as signed over the full
// range as Concrete ML does; the float interpreter follows QONNX there and clips at 0)
const W_INTEGERS = [7, -7, 3, 0, -2, 1, 5, -4, 6, -1, -6, 2, 2, 7, -3];
const W_SCALES = [0.5, 2 ** -3, 2 ** -6];
const CLIPPED = new Map([[0, 40], [1, -25]]);

function model(signed: number): OnnxModel {
  const weights = Float32Array.from(W_INTEGERS, (q, i) => (CLIPPED.get(i) ?? q) * W_SCALES[Math.floor(i / 5)]);
  return OnnxModel.load(buildModel({
    opset: 14,
    extraOpsets: [{ domain: 'onnx.brevitas', version: 1 }],
    inputs: [{ name: 'x', dtype: 'float32', shape: ['n', 5] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['n', 3] }],
    initializers: [
      { name: 'xs', tensor: scalar(0.25) },
      { name: 'zero', tensor: scalar(0) },
      { name: 'bits8', tensor: scalar(8) },
      { name: 'bits4', tensor: scalar(4) },
      { name: 'w', tensor: new Tensor(weights, [3, 5]) },
      { name: 'ws', tensor: new Tensor(Float32Array.from(W_SCALES), [3, 1]) },
      { name: 'ys', tensor: scalar(0.5) },
    ],
    nodes: [
      quant(['x', 'xs', 'zero', 'bits8'], 'xq', 'quant_x', 1, 0),
      quant(['w', 'ws', 'zero', 'bits4'], 'wq', 'quant_w', signed, 1),
      { op: 'Gemm', inputs: ['xq', 'wq'], outputs: ['g'], name: 'gemm', attributes: { transB: 1 } },
      quant(['g', 'ys', 'zero', 'bits8'], 'y', 'quant_y', 1, 0),
    ],
  }));
}

const XQ = [-9, 4, 17, -3, 0, 12, -20, 5, 8, 1, 0, 0, -1, 30, -7, 3, 3, 3, -3, 3];
const X = new Tensor(Float32Array.from(XQ, (q) => q * 0.25), [4, 5]) as Tensor<'float32'>;

/** rint(sx * sw[j] * (qx @ qw^T)[j] / sy), clipped to 8 bits. */
function expectedIntegers(weights: readonly number[]): number[] {
  const expected: number[] = [];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 3; j++) {
      let acc = 0;
      for (let p = 0; p < 5; p++) acc += XQ[i * 5 + p] * weights[j * 5 + p];
      expected.push(Math.max(-128, Math.min(127, roundHalfToEven((0.25 * W_SCALES[j] * acc) / 0.5))) + 0); // + 0: no -0
    }
  }
  return expected;
}

test('per-channel Brevitas weights: integers = rint(sx * sw[j] * (qx @ qw^T)[j] / sy), == the float interpreter', async (t) => {
  const graph = model(1);
  const module = await buildQuantizedModule(graph, X, { importQat: true });
  const [q] = module.quantizeInput(X);
  t.deepEqual(Array.from(q.data), XQ);
  const [y] = await module.quantizedForward(q);
  const expected = expectedIntegers(W_INTEGERS);
  t.deepEqual(Array.from(y.data), expected);
  t.true(new Set(expected).size > 6, 'varied integers');
  const [forward] = await module.forward(X);
  t.deepEqual(Array.from(forward.data), Array.from(graph.run({ x: X })['y'].data as Float32Array, Number));
});

test('per-channel Brevitas weights exported as signed = 0, narrow = 1 keep their negative integers', async (t) => {
  const module = await buildQuantizedModule(model(0), X, { importQat: true });
  const [y] = await module.quantizedForward(module.quantizeInput(X)[0]);
  t.deepEqual(Array.from(y.data), expectedIntegers(W_INTEGERS.map((q, i) => (i === 1 ? -8 : q))));
});

test('a per-channel scale that varies along two axes is refused, naming the node and the shapes', async (t) => {
  const onnx = buildModel({
    opset: 14,
    extraOpsets: [{ domain: 'onnx.brevitas', version: 1 }],
    inputs: [{ name: 'x', dtype: 'float32', shape: ['n', 2] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['n', 2] }],
    initializers: [
      { name: 'xs', tensor: scalar(0.25) },
      { name: 'zero', tensor: scalar(0) },
      { name: 'bits', tensor: scalar(4) },
      { name: 'w', tensor: new Tensor(new Float32Array([1, 2, 3, 4]), [2, 2]) },
      { name: 'ws', tensor: new Tensor(new Float32Array([1, 0.5, 0.25, 0.125]), [2, 2]) },
    ],
    nodes: [
      quant(['x', 'xs', 'zero', 'bits'], 'xq', 'quant_x', 1, 0),
      quant(['w', 'ws', 'zero', 'bits'], 'wq', 'quant_w', 1, 0),
      { op: 'MatMul', inputs: ['xq', 'wq'], outputs: ['y'], name: 'matmul' },
    ],
  });
  const x = new Tensor(new Float32Array([1, -1, 0.5, 2]), [2, 2]);
  await t.throwsAsync(buildQuantizedModule(OnnxModel.load(onnx), x, { importQat: true }), {
    message: "node 'quant_w' (Quant): a per-channel scale [2, 2] must vary along one axis of the weights [2, 2]",
  });
});
