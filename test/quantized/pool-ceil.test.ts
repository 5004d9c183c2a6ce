// ceil_mode of the quantized AveragePool / MaxPool: ONNX output sizes (ceil, minus windows that
// would start in the right padding), windows cut at the explicit padding, count_include_pad.
// The models wrap the pool in QDQ pairs (input scale 1, output scale 1/4 or 1/2), so the integers
// are exact functions of the integer inputs: checked against hand computations and against the
// float interpreter running the same graph. Parity with Concrete ML: torch_avgpool_ceil.
import test from 'ava';
import { OnnxModel } from '../../lib/onnx';
import { buildQuantizedModule, type QuantizedModule } from '../../lib/quantized';
import { Tensor } from '../../lib/tensor';
import { type AttributeSpec, buildModel } from '../onnx/build-model';

interface PoolCase {
  op: 'AveragePool' | 'MaxPool';
  kernel: number[];
  strides: number[];
  pads: number[];
  ceil: 0 | 1;
}

/** x -> QDQ(scale 1, zero point zp) -> pool -> QDQ(scale out) -> y */
function poolModel(c: PoolCase, shape: number[], zeroPoint: number, outScale: number): OnnxModel {
  const attributes: Record<string, AttributeSpec> = { kernel_shape: c.kernel, strides: c.strides, pads: c.pads, ceil_mode: c.ceil };
  if (c.op === 'AveragePool') attributes.count_include_pad = 1;
  const signed = zeroPoint === 0;
  return OnnxModel.load(buildModel({
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', shape: ['n', ...shape.slice(1)] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['n', shape[1], '?', '?'] }],
    initializers: [
      { name: 'xs', tensor: new Tensor(new Float32Array([1]), []) },
      { name: 'xz', tensor: signed ? new Tensor(new Int8Array([0]), []) : new Tensor(new Uint8Array([zeroPoint]), []) },
      { name: 'ys', tensor: new Tensor(new Float32Array([outScale]), []) },
      { name: 'yz', tensor: new Tensor(new Int8Array([0]), []) },
    ],
    nodes: [
      { op: 'QuantizeLinear', inputs: ['x', 'xs', 'xz'], outputs: ['xq'], name: 'quantize_x' },
      { op: 'DequantizeLinear', inputs: ['xq', 'xs', 'xz'], outputs: ['xd'], name: 'dequantize_x' },
      { op: c.op, inputs: ['xd'], outputs: ['p'], name: 'pool', attributes },
      { op: 'QuantizeLinear', inputs: ['p', 'ys', 'yz'], outputs: ['pq'], name: 'quantize_y' },
      { op: 'DequantizeLinear', inputs: ['pq', 'ys', 'yz'], outputs: ['y'], name: 'dequantize_y' },
    ],
  }));
}

async function integersOf(module: QuantizedModule, x: Tensor<'float32'>): Promise<Tensor<'int32'>> {
  const [q] = module.quantizeInput(x);
  const [y] = await module.quantizedForward(q);
  return y;
}

function grid(values: number[], shape: number[]): Tensor<'float32'> {
  return new Tensor(Float32Array.from(values), shape) as Tensor<'float32'>;
}

test('AveragePool ceil_mode by hand: a last column of half windows, a last row of windows dropped', async (t) => {
  // H 4, W 5, kernel 2x2, stride 2, one pad row at the bottom:
  //   rows: ceil((4 + 1 - 2) / 2) + 1 = 3, but the third window would start in the padding -> 2
  //   cols: ceil((5 - 2) / 2) + 1 = 3, the third covers column 4 and one column past the input
  const c: PoolCase = { op: 'AveragePool', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 1, 0], ceil: 1 };
  const x = grid(Array.from({ length: 20 }, (_, i) => i + 1), [1, 1, 4, 5]);
  const module = await buildQuantizedModule(poolModel(c, [1, 1, 4, 5], 3, 0.25), x, { importQat: true });
  const y = await integersOf(module, x);
  t.deepEqual([...y.shape], [1, 1, 2, 3]);
  // averages 4, 6, (5 + 10) / 2 = 7.5; 14, 16, (15 + 20) / 2 = 17.5; times 4
  t.deepEqual(Array.from(y.data), [16, 24, 30, 56, 64, 70]);
});

test('AveragePool ceil_mode by hand: explicit padding counts (count_include_pad), points past it do not', async (t) => {
  // W 4 padded 1 + 1 (reals 0 at the pads), kernel 3, stride 2: windows [0..2], [2..4], [4..6];
  // padded index 6 is past the explicit padding, so the last window averages 2 points
  const c: PoolCase = { op: 'AveragePool', kernel: [1, 3], strides: [1, 2], pads: [0, 1, 0, 1], ceil: 1 };
  const x = grid([4, 8, 12, 16], [1, 1, 1, 4]);
  const module = await buildQuantizedModule(poolModel(c, [1, 1, 1, 4], 7, 0.25), x, { importQat: true });
  const y = await integersOf(module, x);
  // (0 + 4 + 8) / 3 = 4, (8 + 12 + 16) / 3 = 12, (16 + 0) / 2 = 8
  t.deepEqual(Array.from(y.data), [16, 48, 32]);
  t.deepEqual(Array.from(poolModel(c, [1, 1, 1, 4], 7, 0.25).run({ x })['y'].data as Float32Array), [4, 12, 8], 'the float interpreter agrees');
});

test('MaxPool ceil_mode by hand: windows past the input take no phantom 0 (negative inputs)', async (t) => {
  const c: PoolCase = { op: 'MaxPool', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], ceil: 1 };
  const x = grid([-5, -2, -7, -1, -3, -4, -6, -8, -9], [1, 1, 3, 3]);
  const module = await buildQuantizedModule(poolModel(c, [1, 1, 3, 3], 0, 0.5), x, { importQat: true });
  const y = await integersOf(module, x);
  t.deepEqual([...y.shape], [1, 1, 2, 2]);
  // maxima -1, max(-7, -4) = -4, max(-6, -8) = -6, -9; times 2
  t.deepEqual(Array.from(y.data), [-2, -8, -12, -18]);
});

/** Small deterministic integers in [low, high]. */
function integers(count: number, low: number, high: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return low + (state % (high - low + 1));
  });
}

test('ceil_mode and floor mode equal the float interpreter on the same graph, shapes included', async (t) => {
  let checked = 0;
  let seed = 11;
  for (const op of ['AveragePool', 'MaxPool'] as const) {
    for (const [height, width] of [[5, 7], [6, 4]]) {
      for (const kernel of [[2, 2], [3, 2]]) {
        for (const strides of [[2, 2], [3, 1], [2, 3]]) {
          for (const pads of [[0, 0, 0, 0], [1, 0, 1, 1], [0, 1, 1, 0]]) {
            for (const ceil of [0, 1] as const) {
              const c: PoolCase = { op, kernel, strides, pads, ceil };
              const shape = [3, 2, height, width];
              // MaxPool pads with the zero point (Concrete ML), ONNX with -inf: equal on inputs >= 0
              const low = op === 'MaxPool' && pads.some((p) => p > 0) ? 0 : -20;
              const x = grid(integers(3 * 2 * height * width, low, 20, seed++), shape);
              const model = poolModel(c, shape, op === 'MaxPool' ? 0 : 20, 0.25);
              const module = await buildQuantizedModule(model, x, { importQat: true });
              const [y] = await module.forward(x);
              const expected = model.run({ x })['y'];
              const what = `${op} kernel ${kernel} strides ${strides} pads ${pads} ceil ${ceil} on ${height}x${width}`;
              t.deepEqual([...y.shape], [...expected.shape], what);
              t.deepEqual(Array.from(y.data), Array.from(expected.data as Float32Array, Number), what);
              checked++;
            }
          }
        }
      }
    }
  }
  t.is(checked, 144);
});

test('pads of a whole window, where ceil_mode would give fewer windows than floor mode, are refused', async (t) => {
  // H 6 + 2 pad rows, kernel 2, stride 2: floor keeps a window of padding only, ceil_mode drops it
  const c: PoolCase = { op: 'AveragePool', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 2, 0], ceil: 1 };
  const x = grid(integers(24, 0, 9, 5), [1, 1, 6, 4]);
  await t.throwsAsync(buildQuantizedModule(poolModel(c, [1, 1, 6, 4], 3, 0.25), x, { importQat: true }), { message: /node 'pool' \(AveragePool\): pads \[0, 0, 2, 0\]/ });
});

test('ceil_mode other than 0 or 1 is an error naming the node', async (t) => {
  const c = { op: 'AveragePool', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], ceil: 2 } as unknown as PoolCase;
  const x = grid(integers(16, 0, 9, 3), [1, 1, 4, 4]);
  await t.throwsAsync(buildQuantizedModule(poolModel(c, [1, 1, 4, 4], 3, 0.25), x, { importQat: true }), { message: /node 'pool' \(AveragePool\): ceil_mode must be 0 or 1, got 2/ });
});
