// Per-channel QDQ weights (DequantizeLinear with an axis) on Gemm / MatMul / Conv: the integers of
// the file are used as they are, with one scale and zero point per output channel. Power-of-two
// scales keep every float step exact, so the integers are checked against hand formulas and the
// float interpreter running the same graph, bit for bit.
import test from 'ava';
import { OnnxModel } from '../../lib/onnx';
import { roundHalfToEven } from '../../lib/quantization';
import { buildQuantizedModule, QuantizedModule } from '../../lib/quantized';
import { Tensor } from '../../lib/tensor';
import { type AttributeSpec, buildModel, type TensorSpec } from '../onnx/build-model';

const X_SCALE = 0.25;
const Y_SCALE = 2;

/** Deterministic integers in [low, high]. */
function integers(count: number, low: number, high: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return low + (state % (high - low + 1));
  });
}

/** Inputs on the input grid (small multiples of X_SCALE), so quantizeInput is exact. */
function inputs(shape: number[], seed: number): Tensor<'float32'> {
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from(integers(size, -10, 10, seed), (q) => q * X_SCALE), shape) as Tensor<'float32'>;
}

interface Mixing {
  op: 'MatMul' | 'Gemm' | 'Conv';
  weights: TensorSpec[];
  /** Nodes that turn the initializers into 'w' (and 'b'). */
  prepare: { op: string; inputs: string[]; outputs: string[]; name: string; attributes?: Record<string, AttributeSpec> }[];
  inputs: string[];
  attributes?: Record<string, AttributeSpec>;
}

/** x -> QDQ(X_SCALE) -> op(x, w[, b]) [-> QDQ(Y_SCALE)] -> y */
function model(m: Mixing, inShape: (number | string)[], outShape: (number | string)[], outputQdq: boolean): OnnxModel {
  const opOutput = outputQdq ? 'm' : 'y';
  return OnnxModel.load(buildModel({
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', shape: inShape }],
    outputs: [{ name: 'y', dtype: 'float32', shape: outShape }],
    initializers: [
      { name: 'xs', tensor: new Tensor(new Float32Array([X_SCALE]), []) },
      { name: 'xz', tensor: new Tensor(new Int8Array([0]), []) },
      { name: 'ys', tensor: new Tensor(new Float32Array([Y_SCALE]), []) },
      { name: 'yz', tensor: new Tensor(new Int8Array([0]), []) },
      ...m.weights,
    ],
    nodes: [
      { op: 'QuantizeLinear', inputs: ['x', 'xs', 'xz'], outputs: ['xq'], name: 'quantize_x' },
      { op: 'DequantizeLinear', inputs: ['xq', 'xs', 'xz'], outputs: ['xd'], name: 'dequantize_x' },
      ...m.prepare,
      { op: m.op, inputs: ['xd', ...m.inputs], outputs: [opOutput], name: 'mixing', ...(m.attributes === undefined ? {} : { attributes: m.attributes }) },
      ...(outputQdq
        ? [
            { op: 'QuantizeLinear', inputs: ['m', 'ys', 'yz'], outputs: ['mq'], name: 'quantize_y' },
            { op: 'DequantizeLinear', inputs: ['mq', 'ys', 'yz'], outputs: ['y'], name: 'dequantize_y' },
          ]
        : []),
    ],
  }));
}

const float32 = (values: number[], shape: number[]) => new Tensor(Float32Array.from(values), shape);
const dq = (name: string, axis: number) => ({ op: 'DequantizeLinear', inputs: [`${name}q`, `${name}s`, `${name}z`], outputs: [name], name: `dequantize_${name}`, attributes: { axis } });

async function forwardIntegers(module: QuantizedModule, x: Tensor<'float32'>): Promise<Tensor<'int32'>> {
  const [q] = module.quantizeInput(x);
  const [y] = await module.quantizedForward(q);
  return y;
}

// MatMul [4] x [4, 3]: channel scales 8x apart (a per-tensor 8-bit grid would crush channel 2)
const MATMUL_W = [127, -3, 90, -60, 2, -128, 5, 77, 1, -1, -100, 64];
const MATMUL_SCALES = [0.5, 0.125, 2 ** -5];

test('MatMul, int8 per-channel weights: integers = rint(sx * sw[j] * (qx @ qw)[j] / sy), and == the float interpreter', async (t) => {
  const m: Mixing = {
    op: 'MatMul',
    weights: [
      { name: 'wq', tensor: new Tensor(Int8Array.from(MATMUL_W), [4, 3]) },
      { name: 'ws', tensor: float32(MATMUL_SCALES, [3]) },
      { name: 'wz', tensor: new Tensor(new Int8Array(3), [3]) },
    ],
    prepare: [dq('w', 1)],
    inputs: ['w'],
  };
  const graph = model(m, ['n', 4], ['n', 3], true);
  const x = inputs([6, 4], 5);
  const module = await buildQuantizedModule(graph, x, { importQat: true });
  const y = await forwardIntegers(module, x);
  const expected: number[] = [];
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 3; j++) {
      let acc = 0;
      for (let p = 0; p < 4; p++) acc += (x.data[i * 4 + p] / X_SCALE) * MATMUL_W[p * 3 + j];
      expected.push(Math.max(-128, Math.min(127, roundHalfToEven((X_SCALE * MATMUL_SCALES[j] * acc) / Y_SCALE))));
    }
  }
  t.deepEqual(Array.from(y.data), expected);
  t.true(expected.every((v) => v > -128 && v < 127) && new Set(expected).size > 12, 'no saturation, varied integers');
  const [forward] = await module.forward(x);
  t.deepEqual(Array.from(forward.data), Array.from(graph.run({ x })['y'].data as Float32Array, Number), 'float interpreter');
});

test('Gemm transB, uint8 weights with per-channel zero points, per-channel int32 bias, as the graph output', async (t) => {
  const weights = integers(3 * 5, 0, 255, 17);
  const zeroPoints = [3, 128, 250];
  const scales = [0.25, 2 ** -6, 0.0625];
  const biasQ = [40, -1000, 7];
  const m: Mixing = {
    op: 'Gemm',
    weights: [
      { name: 'wq', tensor: new Tensor(Uint8Array.from(weights), [3, 5]) },
      { name: 'ws', tensor: float32(scales, [3]) },
      { name: 'wz', tensor: new Tensor(Uint8Array.from(zeroPoints), [3]) },
      // the bias on the accumulator's grid, as ONNX Runtime writes it: scale sx * sw[j]
      { name: 'bq', tensor: new Tensor(Int32Array.from(biasQ), [3]) },
      { name: 'bs', tensor: float32(scales.map((s) => X_SCALE * s), [3]) },
      { name: 'bz', tensor: new Tensor(new Int32Array(3), [3]) },
    ],
    prepare: [dq('w', 0), dq('b', 0)],
    inputs: ['w', 'b'],
    attributes: { transB: 1 },
  };
  const graph = model(m, ['n', 5], ['n', 3], false);
  const x = inputs([8, 5], 23);
  const module = await buildQuantizedModule(graph, x, { importQat: true });
  const [q] = module.quantizeInput(x);
  const [y] = await module.quantizedForward(q);
  // one output quantizer cannot carry three scales: the exact reals are requantized by it
  const exact: number[] = [];
  for (let i = 0; i < 8; i++) {
    for (let j = 0; j < 3; j++) {
      let acc = 0;
      for (let p = 0; p < 5; p++) acc += q.data[i * 5 + p] * (weights[j * 5 + p] - zeroPoints[j]);
      exact.push(X_SCALE * scales[j] * (acc + biasQ[j]));
    }
  }
  const expected = module.outputQuantizers[0].quant(new Tensor(Float64Array.from(exact), [8, 3]));
  t.deepEqual(Array.from(y.data), Array.from(expected.data));
  const floats = graph.run({ x })['y'].data as Float32Array;
  t.deepEqual(Array.from(floats, Number), exact, 'the float interpreter gives the same exact reals');
});

test('Conv, per-output-channel weights: == the float interpreter, and JSON keeps them', async (t) => {
  const weights = integers(3 * 2 * 2 * 2, -127, 127, 31);
  const m: Mixing = {
    op: 'Conv',
    weights: [
      { name: 'wq', tensor: new Tensor(Int8Array.from(weights), [3, 2, 2, 2]) },
      { name: 'ws', tensor: float32([2 ** -3, 2 ** -7, 0.5], [3]) },
      { name: 'wz', tensor: new Tensor(Int8Array.from([0, 4, -2]), [3]) },
    ],
    prepare: [dq('w', 0)],
    inputs: ['w'],
    attributes: { kernel_shape: [2, 2], pads: [1, 0, 0, 1], strides: [1, 2] },
  };
  const graph = model(m, ['n', 2, 4, 5], ['n', 3, '?', '?'], true);
  const x = inputs([3, 2, 4, 5], 41);
  const module = await buildQuantizedModule(graph, x, { importQat: true });
  const [forward] = await module.forward(x);
  const expected = graph.run({ x })['y'];
  t.deepEqual([...forward.shape], [...expected.shape]);
  t.deepEqual(Array.from(forward.data), Array.from(expected.data as Float32Array, Number));
  const restored = QuantizedModule.fromJSON(JSON.parse(JSON.stringify(module.toJSON())));
  t.deepEqual(Array.from((await forwardIntegers(restored, x)).data), Array.from((await forwardIntegers(module, x)).data));
});

test('per-channel scales along the reduced axis are refused, naming the node, the tensor and the axes', async (t) => {
  const m: Mixing = {
    op: 'MatMul',
    weights: [
      { name: 'wq', tensor: new Tensor(Int8Array.from(MATMUL_W), [4, 3]) },
      { name: 'ws', tensor: float32([0.5, 0.25, 0.125, 1], [4]) },
      { name: 'wz', tensor: new Tensor(new Int8Array(4), [4]) },
    ],
    prepare: [dq('w', 0)],
    inputs: ['w'],
  };
  const x = inputs([4, 4], 9);
  await t.throwsAsync(buildQuantizedModule(model(m, ['n', 4], ['n', 3], true), x, { importQat: true }), {
    message: "node 'mixing' (MatMul): input B 'w' has per-channel scales along axis 0, but its output channels are along axis 1; only per-output-channel scales can be applied exactly",
  });
});
