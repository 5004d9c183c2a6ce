import test from 'ava';
import { Tensor } from '../../lib/tensor';
import { OnnxModel, OnnxError } from '../../lib/onnx';
import { buildModel, type NodeSpec } from './build-model';

const f32 = (name: string, shape?: (number | string)[]) => ({ name, dtype: 'float32' as const, shape });

/** x -> Relu -> a -> Neg -> b -> Abs -> y, with the nodes listed in the given order. */
function chain(order: number[]): Uint8Array {
  const nodes: NodeSpec[] = [
    { op: 'Relu', inputs: ['x'], outputs: ['a'], name: 'relu' },
    { op: 'Neg', inputs: ['a'], outputs: ['b'], name: 'neg' },
    { op: 'Abs', inputs: ['b'], outputs: ['y'], name: 'abs' },
  ];
  return buildModel({ nodes: order.map((i) => nodes[i]), inputs: [f32('x')], outputs: [f32('y')] });
}

test('nodes are sorted topologically whatever the file order', (t) => {
  for (const order of [[0, 1, 2], [2, 1, 0], [1, 2, 0]]) {
    const model = OnnxModel.load(chain(order));
    t.deepEqual(model.graph.nodes.map((n) => n.name), ['relu', 'neg', 'abs']);
    const y = model.run({ x: new Tensor(Float32Array.of(-2, 3)) }).y;
    t.deepEqual(Array.from(y.data as Float32Array), [0, 3]);
  }
});

test('the graph IR is immutable', (t) => {
  const model = OnnxModel.load(chain([0, 1, 2]));
  t.true(Object.isFrozen(model.graph));
  t.true(Object.isFrozen(model.graph.nodes));
  t.true(Object.isFrozen(model.graph.nodes[0]));
  t.true(Object.isFrozen(model.graph.nodes[0].inputs));
  t.throws(() => (model.graph.nodes as unknown as unknown[]).push({}));
});

function loadError(spec: Parameters<typeof buildModel>[0]): OnnxError {
  try {
    OnnxModel.load(buildModel(spec));
  } catch (error) {
    if (error instanceof OnnxError) return error;
    throw error;
  }
  throw new Error('expected the model to be refused');
}

test('a cycle is an error naming the nodes on it', (t) => {
  const error = loadError({
    nodes: [
      { op: 'Add', inputs: ['x', 'b'], outputs: ['a'], name: 'first' },
      { op: 'Relu', inputs: ['a'], outputs: ['b'], name: 'second' },
      { op: 'Identity', inputs: ['a'], outputs: ['y'], name: 'out' },
    ],
    inputs: [f32('x')],
    outputs: [f32('y')],
  });
  t.is(error.code, 'invalid-graph');
  // 'out' only reads from the cycle: it is not named.
  t.is(error.message, "the graph has a cycle through node 'first' (Add), node 'second' (Relu)");
});

test('a dangling input names the node and the tensor', (t) => {
  const error = loadError({ nodes: [{ op: 'Add', inputs: ['x', 'ghost'], outputs: ['y'], name: 'add' }], inputs: [f32('x')], outputs: [f32('y')] });
  t.is(error.code, 'invalid-graph');
  t.regex(error.message, /node 'add' \(Add\) reads tensor 'ghost', which no node, input or initializer defines/);
});

test('duplicate names are errors', (t) => {
  const twiceProduced = loadError({
    nodes: [
      { op: 'Relu', inputs: ['x'], outputs: ['y'], name: 'a' },
      { op: 'Neg', inputs: ['x'], outputs: ['y'], name: 'b' },
    ],
    inputs: [f32('x')],
    outputs: [f32('y')],
  });
  t.regex(twiceProduced.message, /tensor 'y' is defined twice: by node 'a' \(Relu\) and by node 'b' \(Neg\)/);
  const inputAndOutput = loadError({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['x'], name: 'r' }], inputs: [f32('x')], outputs: [f32('x')] });
  t.regex(inputAndOutput.message, /tensor 'x' is defined twice: by a graph input and by node 'r'/);
  const sameNodeName = loadError({
    nodes: [
      { op: 'Relu', inputs: ['x'], outputs: ['a'], name: 'n' },
      { op: 'Neg', inputs: ['a'], outputs: ['y'], name: 'n' },
    ],
    inputs: [f32('x')],
    outputs: [f32('y')],
  });
  t.regex(sameNodeName.message, /two nodes are named 'n'/);
  const twoInitializers = loadError({
    nodes: [{ op: 'Identity', inputs: ['w'], outputs: ['y'] }],
    inputs: [],
    outputs: [f32('y')],
    initializers: [{ name: 'w', tensor: new Tensor(Float32Array.of(1)) }, { name: 'w', tensor: new Tensor(Float32Array.of(2)) }],
  });
  t.regex(twoInitializers.message, /initializer 'w' is defined twice/);
});

test('an unknown op names the node and the op', (t) => {
  const error = loadError({ nodes: [{ op: 'FancyOp', inputs: ['x'], outputs: ['y'], name: 'fancy' }], inputs: [f32('x')], outputs: [f32('y')] });
  t.is(error.code, 'unsupported-op');
  t.regex(error.message, /node 'fancy' \(FancyOp\): op FancyOp is not supported/);
  const custom = loadError({
    nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'], name: 'r', domain: 'com.example' }],
    inputs: [f32('x')],
    outputs: [f32('y')],
    extraOpsets: [{ domain: 'com.example', version: 1 }],
  });
  t.regex(custom.message, /op com.example::Relu is not supported/);
});

test('opsets 11 to 21 are accepted, others refused', (t) => {
  const spec = (opset: number) => ({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }], inputs: [f32('x')], outputs: [f32('y')], opset });
  for (const opset of [11, 14, 21]) t.notThrows(() => OnnxModel.load(buildModel(spec(opset))), `opset ${opset}`);
  for (const opset of [10, 22]) {
    const error = loadError(spec(opset));
    t.is(error.code, 'unsupported-opset');
    t.regex(error.message, new RegExp(`opset ${opset} of the default ONNX domain is not supported \\(supported: 11 to 21\\)`));
  }
});

test('initializers that disagree with their declared type or shape are errors naming them', (t) => {
  const w = { name: 'w', tensor: new Tensor(Float32Array.of(1, 2, 3)) };
  const node = { op: 'Add', inputs: ['x', 'w'], outputs: ['y'], name: 'add' };
  const shapeError = loadError({ nodes: [node], inputs: [f32('x'), f32('w', [4])], outputs: [f32('y')], initializers: [w] });
  t.regex(shapeError.message, /initializer 'w': graph input declared shape \[4\] but holds shape \[3\]/);
  const typeError = loadError({ nodes: [node], inputs: [f32('x'), { name: 'w', dtype: 'int64', shape: [3] }], outputs: [f32('y')], initializers: [w] });
  t.regex(typeError.message, /initializer 'w': graph input declared INT64 but holds float32/);
  const infoError = loadError({ nodes: [node], inputs: [f32('x')], outputs: [f32('y')], initializers: [w], valueInfo: [f32('w', [3, 1])] });
  t.regex(infoError.message, /initializer 'w': value_info declared shape \[3, 1\]/);
  // A matching declaration (IR < 4 style, initializer also listed as input) is fine and is not a feed.
  const model = OnnxModel.load(buildModel({ nodes: [node], inputs: [f32('x'), f32('w', [3])], outputs: [f32('y')], initializers: [w] }));
  t.deepEqual(model.inputNames, ['x']);
});

test('run checks feed names, types and fixed dimensions, and keeps symbolic batch dimensions open', (t) => {
  const model = OnnxModel.load(buildModel({
    nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
    inputs: [f32('x', ['batch', 3])],
    outputs: [f32('y', ['batch', 3])],
  }));
  for (const batch of [1, 5]) {
    t.deepEqual(model.run({ x: Tensor.zeros('float32', [batch, 3]) }).y.shape, [batch, 3]);
  }
  t.throws(() => model.run({}), { message: /input 'x' is missing/ });
  t.throws(() => model.run({ x: Tensor.zeros('float32', [1, 3]), z: Tensor.zeros('float32', [1]) }), { message: /'z' is not an input of the model \(inputs: 'x'\)/ });
  t.throws(() => model.run({ x: Tensor.zeros('float64', [1, 3]) }), { message: /input 'x' must be float32, got float64/ });
  t.throws(() => model.run({ x: Tensor.zeros('float32', [1, 4]) }), { message: /input 'x' must have shape \[batch, 3\], got \[1, 4\]/ });
  // Nested numbers are converted to the declared type.
  t.deepEqual(Array.from(model.run({ x: [[-1, 2, -3]] }).y.data as Float32Array), [0, 2, 0]);
});

test('op failures at run time name the node and the shapes', (t) => {
  const model = OnnxModel.load(buildModel({
    nodes: [{ op: 'Add', inputs: ['a', 'b'], outputs: ['y'], name: 'sum' }],
    inputs: [f32('a'), f32('b')],
    outputs: [f32('y')],
  }));
  const error = t.throws(() => model.run({ a: Tensor.zeros('float32', [2, 3]), b: Tensor.zeros('float32', [4]) }), { instanceOf: OnnxError });
  t.is(error!.message, "node 'sum' (Add): shapes [2, 3] and [4] cannot be broadcast together");
});
