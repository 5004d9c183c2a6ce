// The lowering QuantizedModule -> circuit: circuit integers equal quantizedForward bit for bit
// on every Concrete ML fixture (no parameters needed), and the lookup report.
import test from 'ava';
import { OnnxModel } from '../../lib/onnx';
import { Tensor } from '../../lib/tensor';
import { buildQuantizedModule } from '../../lib/quantized';
import { buildModel } from '../onnx/build-model';
import { buildOptionsOf, caseNames, float64, loadCase } from './fixtures';
import { NOT_LOWERED } from './lowering-limits';

for (const name of caseNames()) {
  test(`${name}: circuit clear == quantizedForward${NOT_LOWERED.has(name) ? ', or a clear error naming what is not lowered' : ''}`, async (t) => {
    const { model, reference } = loadCase(name);
    const module = await buildQuantizedModule(model, float64(reference.inputset), buildOptionsOf(reference));
    const refused = NOT_LOWERED.get(name);
    if (refused !== undefined) {
      const [q] = module.quantizeInput(float64(reference.inputset));
      await t.throwsAsync(module.lower(q), { message: refused });
      return;
    }
    for (const inputs of [reference.testInputs, reference.inputset]) {
      const [q] = module.quantizeInput(float64(inputs));
      const lowered = await module.lower(q);
      const [expected] = await module.quantizedForward(q);
      const [actual] = lowered.clear(q);
      t.deepEqual([...actual.shape], [...expected.shape]);
      t.deepEqual(Array.from(actual.data), Array.from(expected.data));
    }
  });
}

test('lowering_ops (Conv1d groups, per-channel Mul, Transpose, Slice, Unsqueeze, Flatten, Gemm): clear == quantizedForward', async (t) => {
  const model = OnnxModel.load('test/fixtures/quantized/lowering_ops/model.onnx');
  const inputset = new Tensor(Float64Array.from({ length: 30 * 12 }, (_, i) => Math.sin(i * 0.71) * 3), [30, 2, 6]) as Tensor<'float64'>;
  for (const nBits of [3, 5]) {
    const module = await buildQuantizedModule(model, inputset, { nBits });
    const [q] = module.quantizeInput(inputset);
    const lowered = await module.lower(q);
    const [expected] = await module.quantizedForward(q);
    const [actual] = lowered.clear(q);
    t.deepEqual([...actual.shape], [30, 3]);
    t.deepEqual(Array.from(actual.data), Array.from(expected.data), `nBits ${nBits}`);
    // conv -> mul -> relu (+ requantization) fused into one per-channel lookup (4 channels)
    const lookups = lowered.graph.nodes.filter((node) => node.kind === 'lookup');
    // at nBits 3 the movement ops' modelOutputs (5-bit) integers are re-quantized to 3 bits before Slice and Gemm
    t.deepEqual(lookups.map((node) => node.name), nBits === 3 ? ['transpose.input', 'slice.input', 'gemm.input'] : ['transpose.input']);
    t.is((lookups[0] as { channels: number }).channels, 4);
    t.is(lowered.graph.nodes[lookups[0].inputs[0]].name, 'conv.accumulator');
  }
});

/** x -> QDQ -> op(x, DequantizeLinear(per-channel weights)[, bias]) [-> QDQ]: a per-channel QDQ model. */
function perChannelModel(op: 'MatMul' | 'Gemm', outputQdq: boolean): OnnxModel {
  const scales = [0.5, 2 ** -6, 0.0625];
  const quantizeDequantize = (from: string, to: string, scale: string, zero: string, name: string) => [
    { op: 'QuantizeLinear', inputs: [from, scale, zero], outputs: [`${to}_q`], name: `quantize_${name}` },
    { op: 'DequantizeLinear', inputs: [`${to}_q`, scale, zero], outputs: [to], name: `dequantize_${name}` },
  ];
  const transB = op === 'Gemm';
  return OnnxModel.load(buildModel({
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', shape: ['n', 5] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['n', 3] }],
    initializers: [
      { name: 'xs', tensor: new Tensor(new Float32Array([0.25]), []) },
      { name: 'xz', tensor: new Tensor(new Int8Array([0]), []) },
      { name: 'ys', tensor: new Tensor(new Float32Array([2]), []) },
      { name: 'yz', tensor: new Tensor(new Int8Array([0]), []) },
      { name: 'wq', tensor: new Tensor(Uint8Array.from({ length: 15 }, (_, i) => (i * 97 + 13) % 256), transB ? [3, 5] : [5, 3]) },
      { name: 'ws', tensor: new Tensor(Float32Array.from(scales), [3]) },
      { name: 'wz', tensor: new Tensor(Uint8Array.from([3, 128, 250]), [3]) },
      { name: 'bq', tensor: new Tensor(Int32Array.from([40, -1000, 7]), [3]) },
      { name: 'bs', tensor: new Tensor(Float32Array.from(scales.map((s) => 0.25 * s)), [3]) },
      { name: 'bz', tensor: new Tensor(new Int32Array(3), [3]) },
    ],
    nodes: [
      ...quantizeDequantize('x', 'xd', 'xs', 'xz', 'x'),
      { op: 'DequantizeLinear', inputs: ['wq', 'ws', 'wz'], outputs: ['w'], name: 'dequantize_w', attributes: { axis: transB ? 0 : 1 } },
      { op: 'DequantizeLinear', inputs: ['bq', 'bs', 'bz'], outputs: ['b'], name: 'dequantize_b', attributes: { axis: 0 } },
      transB
        ? { op: 'Gemm', inputs: ['xd', 'w', 'b'], outputs: [outputQdq ? 'm' : 'y'], name: 'mixing', attributes: { transB: 1 } }
        : { op: 'MatMul', inputs: ['xd', 'w'], outputs: [outputQdq ? 'm' : 'y'], name: 'mixing' },
      ...(outputQdq ? quantizeDequantize('m', 'y', 'ys', 'yz', 'y') : []),
    ],
  }));
}

for (const [op, outputQdq] of [['MatMul', true], ['Gemm', false]] as const) {
  test(`per-channel QDQ weights (${op}${outputQdq ? ', requantized' : ', graph output with a bias'}): circuit clear == quantizedForward`, async (t) => {
    const x = new Tensor(Float32Array.from({ length: 8 * 5 }, (_, i) => ((((i * 37) % 21) - 10) * 0.25)), [8, 5]) as Tensor<'float32'>;
    const module = await buildQuantizedModule(perChannelModel(op, outputQdq), x, { importQat: true });
    const [q] = module.quantizeInput(x);
    const lowered = await module.lower(q);
    const [expected] = await module.quantizedForward(q);
    t.deepEqual(Array.from(lowered.clear(q)[0].data), Array.from(expected.data));
    t.true(new Set(expected.data).size > 6, 'varied integers');
  });
}

for (const pads of [[0, 0, 0, 0], [1, 0, 0, 1]]) {
  test(`MaxPool ceil_mode = 1 (pads ${pads.join(',')}): the windows past the padding read repeated edges; clear == quantizedForward`, async (t) => {
    const model = OnnxModel.load(buildModel({
      opset: 13,
      inputs: [{ name: 'x', dtype: 'float32', shape: ['n', 1, 5, 5] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: ['n', 2] }],
      initializers: [{ name: 'w', tensor: new Tensor(Float32Array.from({ length: 2 * 9 }, (_, i) => ((i * 7) % 5) - 2), [2, 9]) }],
      nodes: [
        { op: 'MaxPool', inputs: ['x'], outputs: ['p'], name: 'pool', attributes: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1, pads } },
        { op: 'Flatten', inputs: ['p'], outputs: ['f'], name: 'flatten' },
        { op: 'Gemm', inputs: ['f', 'w'], outputs: ['y'], name: 'fc', attributes: { transB: 1 } },
      ],
    }));
    const x = new Tensor(Float64Array.from({ length: 12 * 25 }, (_, i) => Math.sin(i * 1.7) * 3), [12, 1, 5, 5]) as Tensor<'float64'>;
    const module = await buildQuantizedModule(model, x, { nBits: 4 });
    const [q] = module.quantizeInput(x);
    const lowered = await module.lower(q);
    const [expected] = await module.quantizedForward(q);
    t.deepEqual(Array.from(lowered.clear(q)[0].data), Array.from(expected.data));
  });
}

test('ReduceSum with rounding: the module rounds sum - zp, so the circuit shifts the sums before rounding them', async (t) => {
  const model = OnnxModel.load(buildModel({
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', shape: ['n', 7] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['n', 1] }],
    initializers: [{ name: 'axes', tensor: new Tensor(BigInt64Array.of(1n), [1]) }],
    nodes: [
      { op: 'ReduceSum', inputs: ['x', 'axes'], outputs: ['s'], name: 'sum', attributes: { keepdims: 1 } },
      { op: 'Relu', inputs: ['s'], outputs: ['y'], name: 'relu' },
    ],
  }));
  // inputs in [-1.3, 2.7]: zero point -6, so the sums' -42 is no multiple of the 2^3 the rounding drops
  const x = new Tensor(Float64Array.from({ length: 40 * 7 }, (_, i) => (((i * 37) % 11) / 10) * 4 - 1.3), [40, 7]) as Tensor<'float64'>;
  const module = await buildQuantizedModule(model, x, { nBits: 5, roundingThresholdBits: 3 });
  const [q] = module.quantizeInput(x);
  const lowered = await module.lower(q);
  t.true(lowered.lookups(q).some((l) => l.lsbsRemoved > 0), 'the sums are rounded');
  const [expected] = await module.quantizedForward(q);
  t.deepEqual(Array.from(lowered.clear(q)[0].data), Array.from(expected.data));
});
