// Quantized ops on small hand-built graphs: standard QDQ import, encrypted x encrypted products,
// 1-D convolution with padding, registry coverage.
import test from 'ava';
import { OnnxModel } from '../../lib/onnx';
import { buildQuantizedModule, ONNX_OPS_TO_QUANTIZED_IMPL } from '../../lib/quantized';
import { Tensor } from '../../lib/tensor';
import { buildModel } from '../onnx/build-model';

function samples(count: number, width: number, seed: number): Tensor<'float32'> {
  let state = seed;
  const data = Float32Array.from({ length: count * width }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return (state / 2 ** 31) * 4 - 2;
  });
  return new Tensor(data, [count, width]) as Tensor<'float32'>;
}

test('registry: the 58 ops of the reference plus QuantizeLinear / DequantizeLinear', (t) => {
  const reference = `Sigmoid HardSigmoid Relu PRelu LeakyRelu HardSwish Elu Selu Celu Clip Round Pow Gemm MatMul Add Sub Mul Div
    Tanh Softplus Exp Log Abs Identity Reshape Conv AveragePool MaxPool Pad Where Cast Greater GreaterOrEqual Less LessOrEqual
    Equal Or Not BatchNormalization Flatten ReduceSum Erf onnx.brevitas.Quant Transpose Floor Max Min Neg Sign Unsqueeze Concat
    Squeeze Shape ConstantOfShape Gather Slice Expand Unfold`.split(/\s+/);
  const missing = reference.filter((op) => !(op in ONNX_OPS_TO_QUANTIZED_IMPL));
  t.deepEqual(missing, []);
  t.true('QuantizeLinear' in ONNX_OPS_TO_QUANTIZED_IMPL && 'DequantizeLinear' in ONNX_OPS_TO_QUANTIZED_IMPL);
});

test('QDQ import: per-tensor int8 activations and weights keep the grid of the file', async (t) => {
  const weights = new Int8Array([3, -7, 12, 0, -1, 5, 9, -12]);
  const model = OnnxModel.load(buildModel({
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', shape: ['n', 4] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['n', 2] }],
    initializers: [
      { name: 'xs', tensor: new Tensor(new Float32Array([0.05]), []) },
      { name: 'xz', tensor: new Tensor(new Int8Array([0]), []) },
      { name: 'wq', tensor: new Tensor(weights, [4, 2]) },
      { name: 'ws', tensor: new Tensor(new Float32Array([0.125]), []) },
      { name: 'wz', tensor: new Tensor(new Int8Array([0]), []) },
    ],
    nodes: [
      { op: 'QuantizeLinear', inputs: ['x', 'xs', 'xz'], outputs: ['xq'], name: 'quantize_x' },
      { op: 'DequantizeLinear', inputs: ['xq', 'xs', 'xz'], outputs: ['xd'], name: 'dequantize_x' },
      { op: 'DequantizeLinear', inputs: ['wq', 'ws', 'wz'], outputs: ['w'], name: 'dequantize_w' },
      { op: 'MatMul', inputs: ['xd', 'w'], outputs: ['y'], name: 'matmul' },
    ],
  }));
  const inputset = samples(30, 4, 7);
  const module = await buildQuantizedModule(model, inputset, { nBits: 8, importQat: true });
  const input = module.inputQuantizers[0];
  t.is(input.scale, Math.fround(0.05));
  t.is(input.offset, 128);
  t.true(input.options.isPrecomputedQat);
  const x = samples(5, 4, 99);
  const [qx] = module.quantizeInput(x);
  const [qy] = await module.quantizedForward(qx);
  // zero points are 0: the output integers are exactly qx @ qw
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 2; j++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += qx.data[i * 4 + k] * weights[k * 2 + j];
      t.is(qy.data[i * 2 + j], sum);
    }
  }
  const [y] = await module.forward(x);
  const reference = model.run({ x })['y'];
  y.data.forEach((v, i) => t.true(Math.abs(v - Number(reference.data[i])) < 1e-6, `output ${i}: ${v} vs ${reference.data[i]}`));
});

test('encrypted x encrypted MatMul and Mul approach the float result as bits grow', async (t) => {
  const model = OnnxModel.load(buildModel({
    inputs: [{ name: 'a', dtype: 'float32', shape: ['n', 3] }, { name: 'b', dtype: 'float32', shape: ['n', 3] }],
    outputs: [{ name: 'y', dtype: 'float32' }],
    nodes: [
      { op: 'Relu', inputs: ['a'], outputs: ['ra'], name: 'relu' },
      { op: 'Mul', inputs: ['ra', 'b'], outputs: ['p'], name: 'product' },
      { op: 'Transpose', inputs: ['b'], outputs: ['bt'], name: 'transpose', attributes: { perm: [1, 0] } },
      { op: 'MatMul', inputs: ['p', 'bt'], outputs: ['y'], name: 'matmul' },
    ],
  }));
  const a = samples(6, 3, 3);
  const b = samples(6, 3, 4);
  const expected = model.run({ a, b })['y'];
  const errors: number[] = [];
  for (const nBits of [4, 8]) {
    const module = await buildQuantizedModule(model, [a, b], { nBits });
    const [y] = await module.forward([a, b]);
    t.deepEqual([...y.shape], [...expected.shape]);
    errors.push(Math.max(...Array.from(y.data, (v, i) => Math.abs(v - Number(expected.data[i])))));
    const report = module.bitwidthAndRangeReport();
    t.truthy(report.matmul?.sum && report.matmul?.difference, 'encrypted products report their table-lookup inputs');
  }
  t.true(errors[1] < errors[0], `8 bits closer than 4 bits (${errors.join(', ')})`);
  t.true(errors[1] < 0.1, `8-bit error ${errors[1]}`);
});

test('1-D convolution with padding, depthwise 1-D convolution and an encrypted Add of two branches', async (t) => {
  const model = OnnxModel.load(buildModel({
    opset: 14,
    inputs: [{ name: 'x', dtype: 'float32', shape: ['n', 1, 8] }],
    outputs: [{ name: 'y', dtype: 'float32' }],
    initializers: [
      { name: 'w', tensor: new Tensor(Float32Array.from({ length: 6 }, (_, i) => Math.cos(i) / 2), [2, 1, 3]) },
      { name: 'b', tensor: new Tensor(new Float32Array([0.1, -0.2]), [2]) },
      { name: 'w2', tensor: new Tensor(new Float32Array([0.7, -1.3]), [2, 1, 1]) },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], name: 'conv', attributes: { kernel_shape: [3], pads: [1, 1] } },
      { op: 'Sigmoid', inputs: ['c'], outputs: ['s'], name: 'sigmoid' },
      { op: 'Tanh', inputs: ['c'], outputs: ['h'], name: 'tanh' },
      { op: 'Conv', inputs: ['s', 'w2'], outputs: ['s2'], name: 'depthwise', attributes: { kernel_shape: [1], group: 2 } },
      { op: 'Add', inputs: ['s2', 'h'], outputs: ['y'], name: 'add' },
    ],
  }));
  const inputset = new Tensor(samples(40, 8, 11).data, [40, 1, 8]);
  const x = new Tensor(samples(4, 8, 12).data, [4, 1, 8]);
  const expected = model.run({ x })['y'];
  const module = await buildQuantizedModule(model, inputset, { nBits: 8 });
  const [y] = await module.forward(x);
  t.deepEqual([...y.shape], [4, 2, 8]);
  const worst = Math.max(...Array.from(y.data, (v, i) => Math.abs(v - Number(expected.data[i]))));
  t.true(worst < 0.05, `8-bit error ${worst}`);
  // the sum of two encrypted branches is the graph output: its scale is the smaller input scale
  t.is(module.outputQuantizers[0].zeroPoint, 0);
});

test('Unfold: im2col of the padded integers equals the float im2col up to quantization', async (t) => {
  const model = OnnxModel.load(buildModel({
    opset: 14,
    inputs: [{ name: 'x', dtype: 'float32', shape: ['n', 2, 4, 4] }],
    outputs: [{ name: 'y', dtype: 'float32' }],
    nodes: [{ op: 'Unfold', inputs: ['x'], outputs: ['y'], name: 'unfold', attributes: { kernel_shape: [2, 2], pads: [1, 1, 1, 1], strides: [2, 2] } }],
  }));
  const inputset = new Tensor(samples(20, 32, 21).data, [20, 2, 4, 4]);
  const x = new Tensor(samples(3, 32, 22).data, [3, 2, 4, 4]);
  const expected = model.run({ x })['y'];
  const module = await buildQuantizedModule(model, inputset, { nBits: 8 });
  const [y] = await module.forward(x);
  t.deepEqual([...y.shape], [...expected.shape]);
  const step = module.inputQuantizers[0].scale;
  y.data.forEach((v, i) => t.true(Math.abs(v - Number(expected.data[i])) <= 2 * step, `element ${i}: ${v} vs ${expected.data[i]}`));
});
