// MatMul of two encrypted tensors, lowered per sample: every product by the square trick (two
// lookups), the sums linear. execute == simulate == clear == quantizedForward, bit for bit, on
// tiny 2-bit models (3-bit inputs keep the lookups on a 1024-coefficient set); products that
// mix the samples of a batch (ONNX Gemm, 2-D MatMul) are refused naming the op and the shapes.
import test from 'ava';
import { seededRandom } from '../../lib/fhe/circuit/random';
import { OnnxModel } from '../../lib/onnx';
import { buildQuantizedModule, type BuildOptions, type QuantizedModule } from '../../lib/quantized';
import { Tensor } from '../../lib/tensor';
import { buildModel, type NodeSpec } from '../onnx/build-model';

const TWO_BITS: BuildOptions = { nBits: { modelInputs: 3, opInputs: 2, opWeights: 2, modelOutputs: 3 } };

/** Uniform floats in [-2, 2) of `shape` from a seeded generator. */
function uniform(shape: number[], seed: number): Tensor<'float64'> {
  const random = seededRandom(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float64Array.from({ length: size }, () => random.next() * 4 - 2), shape) as Tensor<'float64'>;
}

interface InputSpec {
  readonly name: string;
  /** Per sample (the batch axis 'n' comes first). */
  readonly shape: number[];
}

/** A model of `nodes` with output 'y'. */
function modelOf(inputs: readonly InputSpec[], nodes: NodeSpec[], dtype: 'float32' | 'float64' = 'float32'): OnnxModel {
  return OnnxModel.load(buildModel({
    opset: 14,
    inputs: inputs.map(({ name, shape }) => ({ name, dtype, shape: ['n', ...shape] })),
    outputs: [{ name: 'y', dtype }],
    nodes,
  }));
}

/** The module of modelOf(inputs, nodes), calibrated on `samples` seeded samples of each input. */
async function moduleOf(inputs: readonly InputSpec[], nodes: NodeSpec[], samples: number, options = TWO_BITS): Promise<{ module: QuantizedModule; data: Tensor<'float64'>[] }> {
  const data = inputs.map(({ shape }, i) => uniform([samples, ...shape], 17 + i));
  return { module: await buildQuantizedModule(modelOf(inputs, nodes), data, options), data };
}

/** The first `count` samples. */
function head(tensor: Tensor, count: number): Tensor {
  return new Tensor(tensor.data.slice(0, count * (tensor.size / tensor.shape[0])), [count, ...tensor.shape.slice(1)]);
}

const arrays = (tensors: readonly Tensor[]): number[][] => tensors.map((o) => Array.from(o.data as ArrayLike<number>));

const CASES: { title: string; inputs: InputSpec[]; nodes: NodeSpec[]; products: number }[] = [
  {
    title: 'two inputs, per sample [2, 3] @ [3, 2], the first behind a Relu',
    inputs: [{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [3, 2] }],
    nodes: [
      { op: 'Relu', inputs: ['a'], outputs: ['ra'], name: 'relu' },
      { op: 'MatMul', inputs: ['ra', 'b'], outputs: ['y'], name: 'matmul' },
    ],
    products: 2 * 3 * 2,
  },
  {
    title: 'batched, per sample [2, 1, 2] @ [2, 2, 2], then Relu',
    inputs: [{ name: 'a', shape: [2, 1, 2] }, { name: 'b', shape: [2, 2, 2] }],
    nodes: [
      { op: 'MatMul', inputs: ['a', 'b'], outputs: ['p'], name: 'matmul' },
      { op: 'Relu', inputs: ['p'], outputs: ['y'], name: 'relu' },
    ],
    products: 2 * 1 * 2 * 2,
  },
  {
    title: 'x @ transpose(x) from one input, per sample [2, 3]',
    inputs: [{ name: 'x', shape: [2, 3] }],
    nodes: [
      { op: 'Transpose', inputs: ['x'], outputs: ['xt'], name: 'transpose', attributes: { perm: [0, 2, 1] } },
      { op: 'MatMul', inputs: ['x', 'xt'], outputs: ['y'], name: 'matmul' },
    ],
    products: 2 * 3 * 2,
  },
];

for (const { title, inputs, nodes, products } of CASES) {
  test(`MatMul of two encrypted tensors (${title}): execute == simulate == clear == quantizedForward`, async (t) => {
    const { module, data } = await moduleOf(inputs, nodes, 30);
    const circuit = await module.compile(data);
    const squares = circuit.statistics.lookups.filter((l) => /^matmul\.products_(sum|difference)_squared$/.test(l.name));
    t.is(squares.reduce((sum, l) => sum + l.count, 0), 2 * products, 'M*K*N products, two lookups each');
    const q = module.quantizeInput(...data.map((d) => head(d, 3)));
    const circuitInputs = q.length === 1 ? q[0] : q;
    const expected = arrays(await module.quantizedForward(...q));
    t.deepEqual(arrays(circuit.clear(circuitInputs)), expected, 'clear');
    t.deepEqual(arrays(circuit.simulate(circuitInputs, { seed: 5 })), expected, 'simulate');
    // one sample encrypted: keygen plus 2*M*K*N + a few bootstraps
    const one = module.quantizeInput(...data.map((d) => head(d, 1)));
    let started = Date.now();
    await circuit.keygen();
    const keygen = Date.now() - started;
    started = Date.now();
    const executed = await circuit.encryptRunDecrypt(one.length === 1 ? one[0] : one);
    t.deepEqual(arrays(executed), arrays(await module.quantizedForward(...one)), 'execute');
    t.log(`${circuit.statistics.parameterSet}: ${circuit.statistics.lookupCount} lookups per sample; keygen ${keygen} ms, 1 sample ${Date.now() - started} ms`);
    circuit.freeKeys();
  });
}

test('MatMul of two encrypted tensors with rounding: the sums and differences are rounded before their squares', async (t) => {
  const { module, data } = await moduleOf(
    [{ name: 'a', shape: [2, 4] }, { name: 'b', shape: [4, 2] }],
    [
      { op: 'MatMul', inputs: ['a', 'b'], outputs: ['p'], name: 'matmul' },
      { op: 'Relu', inputs: ['p'], outputs: ['y'], name: 'relu' },
    ],
    30,
    { nBits: 4, roundingThresholdBits: 3 },
  );
  const q = module.quantizeInput(...data);
  const lowered = await module.lower(...q);
  const rounded = lowered.lookups(...q).filter((l) => l.lsbsRemoved > 0).map((l) => l.name);
  t.true(rounded.includes('matmul.products_sum_squared') && rounded.includes('matmul.products_difference_squared'), rounded.join(', '));
  const expected = arrays(await module.quantizedForward(...q));
  t.deepEqual(arrays(lowered.clear(...q)), expected, 'clear');
  const started = Date.now();
  const circuit = await module.compile(data);
  t.deepEqual(arrays(circuit.simulate(q, { seed: 3 })), expected, 'simulate');
  t.log(`${circuit.statistics.parameterSet}: ${circuit.statistics.lookupCount} bootstraps per sample, compile + simulate ${Date.now() - started} ms`);
});

test('batched MatMul of two encrypted tensors: the module approaches the float result at 8 bits; leading axes that broadcast are refused', async (t) => {
  const inputs = [{ name: 'a', shape: [2, 2, 3] }, { name: 'b', shape: [2, 3, 2] }];
  const nodes: NodeSpec[] = [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['p'], name: 'matmul' }, { op: 'Relu', inputs: ['p'], outputs: ['y'], name: 'relu' }];
  // Alone, the MatMul is the whole graph: calibration must not take it for a clear-weight layer
  // (whose output range follows from the weights analytically).
  const alone: NodeSpec[] = [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['y'], name: 'matmul' }];
  for (const graph of [nodes, alone]) {
    const { module, data } = await moduleOf(inputs, graph, 30, { nBits: 8 });
    const [y] = await module.forward(data);
    const expected = modelOf(inputs, graph, 'float64').run({ a: data[0], b: data[1] })['y'];
    const worst = Math.max(...Array.from(y.data, (v, i) => Math.abs(v - Number(expected.data[i]))));
    const largest = Math.max(...Array.from(expected.data as ArrayLike<number>, Math.abs));
    t.true(worst < 0.1, `${graph.length} nodes: 8-bit error ${worst}`);
    t.log(`${graph.length} nodes: 8-bit error ${worst.toExponential(2)} on outputs up to ${largest.toFixed(2)}`);
  }
  const broadcast = moduleOf([{ name: 'a', shape: [2, 1, 2] }, { name: 'b', shape: [1, 2, 2] }], nodes, 4);
  await t.throwsAsync(broadcast, { instanceOf: RangeError, message: /node 'matmul' \(MatMul\): cannot multiply \[4, 2, 1, 2\] by \[4, 1, 2, 2\].*same leading axes/ });
});

const REFUSED: { title: string; inputs: InputSpec[]; node: NodeSpec; message: RegExp }[] = [
  {
    title: 'Gemm with transB',
    inputs: [{ name: 'a', shape: [3] }, { name: 'b', shape: [3] }],
    node: { op: 'Gemm', inputs: ['a', 'b'], outputs: ['p'], name: 'gemm', attributes: { transB: 1 } },
    message: /node 'gemm' \(Gemm\): Gemm of two encrypted tensors \[batch, 3\] by \[batch, 3\] \(transA = 0, transB = 1\) is not lowered: .*only MatMul of \[batch, \.\.\., M, K\] by \[batch, \.\.\., K, N\].*ONNX Gemm is 2-D/,
  },
  {
    title: '2-D MatMul',
    inputs: [{ name: 'a', shape: [3] }, { name: 'b', shape: [3] }],
    node: { op: 'MatMul', inputs: ['a', 'b'], outputs: ['p'], name: 'matmul' },
    message: /node 'matmul' \(MatMul\): MatMul of two encrypted tensors \[batch, 3\] by \[batch, 3\] is not lowered: .*only MatMul of \[batch, \.\.\., M, K\] by \[batch, \.\.\., K, N\]/,
  },
];

for (const { title, inputs, node, message } of REFUSED) {
  test(`${title} of two encrypted tensors multiplies across the samples: refused naming the op and the shapes`, async (t) => {
    // a batch of 3, so that the module can multiply [3, 3] by [3, 3]
    const { module, data } = await moduleOf(inputs, [node, { op: 'Relu', inputs: ['p'], outputs: ['y'], name: 'relu' }], 3);
    const error = await t.throwsAsync(module.lower(...module.quantizeInput(...data)), { instanceOf: RangeError });
    t.regex(error.message, message);
  });
}
