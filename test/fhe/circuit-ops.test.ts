// The circuit builder's ops in exact (clear) evaluation, against independent definitions:
// lib/kernels.ts for convolution and pooling, direct loops for matmul, sums and data movement.
// Also the builder's shape and operand errors, which must name the op.
import test from 'ava';
import fc from 'fast-check';

import { CircuitBuilder, type CircuitTensor } from '../../lib/fhe/circuit';
import { conv2dMap } from '../../lib/fhe/circuit/convolution';
import { evaluateGraph } from '../../lib/fhe/circuit/evaluate';
import { packBlocks } from '../../lib/fhe/circuit/linear-map';
import { integerConv, integerMaxPool, integerSumPool } from '../../lib/kernels';
import { Tensor } from '../../lib/tensor';

const wide = { min: -1000, max: 1000 };

/** Builds one circuit with input x of `shape`, applies `op`, and evaluates it on `data` (a batch). */
function runOne(shape: number[], data: Int32Array, op: (b: CircuitBuilder, x: CircuitTensor) => CircuitTensor): { values: number[]; shape: readonly number[] } {
  const builder = new CircuitBuilder();
  const x = builder.input('x', shape, wide);
  const y = op(builder, x);
  builder.output(y);
  const size = shape.reduce((a, b) => a * b, 1);
  const [out] = evaluateGraph(builder.graph, [Float64Array.from(data)], data.length / size);
  return { values: Array.from(out), shape: y.shape };
}

const ints = (length: number, seed: number, bound = 9): Int32Array =>
  Int32Array.from({ length }, (_, i) => (((i + 1) * 2654435761 + seed * 40503) >>> 7) % (2 * bound + 1) - bound);

test('matmul with bias is x @ W + b per row, for every leading dimension', (t) => {
  const x = ints(2 * 3 * 4, 1);
  const w = ints(4 * 5, 2);
  const bias = [1, -2, 3, -4, 5];
  const { values, shape } = runOne([3, 4], x, (b, t1) => b.matmul(t1, { data: w, shape: [4, 5] }, { bias }));
  t.deepEqual(shape, [3, 5]);
  const expected: number[] = [];
  for (let row = 0; row < 6; row++) {
    for (let j = 0; j < 5; j++) {
      let sum = bias[j];
      for (let k = 0; k < 4; k++) sum += x[row * 4 + k] * w[k * 5 + j];
      expected.push(sum);
    }
  }
  t.deepEqual(values, expected);
});

test('conv2d equals lib/kernels integerConv (groups, strides, pads, dilations, pad value, bias)', async (t) => {
  await fc.assert(fc.asyncProperty(
    fc.record({
      group: fc.constantFrom(1, 2),
      perGroupIn: fc.integer({ min: 1, max: 2 }),
      perGroupOut: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 3, max: 6 }),
      w: fc.integer({ min: 3, max: 6 }),
      k: fc.integer({ min: 1, max: 3 }),
      stride: fc.integer({ min: 1, max: 2 }),
      dilation: fc.integer({ min: 1, max: 2 }),
      pads: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }),
      padValue: fc.integer({ min: -3, max: 3 }),
      seed: fc.nat(1000),
    }).filter((c) => c.h + c.pads[0] + c.pads[2] >= c.dilation * (c.k - 1) + 1 && c.w + c.pads[1] + c.pads[3] >= c.dilation * (c.k - 1) + 1),
    async (c) => {
      const channels = c.group * c.perGroupIn;
      const outChannels = c.group * c.perGroupOut;
      const x = ints(2 * channels * c.h * c.w, c.seed);
      const weights = ints(outChannels * c.perGroupIn * c.k * c.k, c.seed + 1, 4);
      const bias = Array.from({ length: outChannels }, (_, o) => o * 3 - 2);
      const options = { strides: [c.stride, c.stride], pads: c.pads, dilations: [c.dilation, c.dilation], group: c.group, padValue: c.padValue };
      const { values, shape } = runOne([channels, c.h, c.w], x, (b, input) =>
        b.conv2d(input, { data: weights, shape: [outChannels, c.perGroupIn, c.k, c.k] }, { ...options, bias }));
      const reference = await integerConv(new Tensor(x, [2, channels, c.h, c.w]), new Tensor(weights, [outChannels, c.perGroupIn, c.k, c.k]), options);
      t.deepEqual([2, ...shape], [...reference.shape]);
      const plane = shape[1] * shape[2];
      const expected = Array.from(reference.data, (v, i) => Number(v) + bias[Math.floor(i / plane) % outChannels]);
      return values.length === expected.length && values.every((v, i) => v === expected[i]);
    }), { numRuns: 60 });
  t.pass();
});

test('sumPool2d and maxPool2d equal lib/kernels integerSumPool / integerMaxPool, ceil mode included', async (t) => {
  await fc.assert(fc.asyncProperty(
    fc.record({
      h: fc.integer({ min: 2, max: 6 }),
      w: fc.integer({ min: 2, max: 6 }),
      k: fc.integer({ min: 1, max: 3 }),
      stride: fc.integer({ min: 1, max: 3 }),
      pad: fc.integer({ min: 0, max: 1 }),
      ceilMode: fc.boolean(),
      padValue: fc.integer({ min: -2, max: 2 }),
      seed: fc.nat(1000),
    }).filter((c) => c.k <= c.h + 2 * c.pad && c.k <= c.w + 2 * c.pad && c.pad < c.k),
    async (c) => {
      const options = { kernelShape: [c.k, c.k], strides: [c.stride, c.stride], pads: [c.pad, c.pad, c.pad, c.pad], ceilMode: c.ceilMode, padValue: c.padValue };
      const x = ints(2 * 2 * c.h * c.w, c.seed);
      const sums = runOne([2, c.h, c.w], x, (b, input) => b.sumPool2d(input, options));
      const maxima = runOne([2, c.h, c.w], x, (b, input) => b.maxPool2d(input, options));
      const referenceSums = await integerSumPool(new Tensor(x, [2, 2, c.h, c.w]), options);
      const referenceMaxima = await integerMaxPool(new Tensor(x, [2, 2, c.h, c.w]), options);
      t.deepEqual([2, ...sums.shape], [...referenceSums.shape]);
      t.deepEqual([2, ...maxima.shape], [...referenceMaxima.shape]);
      return sums.values.every((v, i) => v === Number(referenceSums.data[i])) && maxima.values.every((v, i) => v === referenceMaxima.data[i]);
    }), { numRuns: 60 });
  t.pass();
});

test('reduceSum over axes, with and without keepDims', (t) => {
  const x = ints(2 * 3 * 4, 5);
  const kept = runOne([3, 4], x, (b, input) => b.reduceSum(input, [1]));
  t.deepEqual(kept.shape, [3, 1]);
  const expected: number[] = [];
  for (let s = 0; s < 2; s++) for (let r = 0; r < 3; r++) expected.push([0, 1, 2, 3].reduce((sum, c) => sum + x[s * 12 + r * 4 + c], 0));
  t.deepEqual(kept.values, expected);
  const dropped = runOne([3, 4], x, (b, input) => b.reduceSum(input, [-2], { keepDims: false }));
  t.deepEqual(dropped.shape, [4]);
  t.deepEqual(dropped.values.slice(0, 4), [0, 1, 2, 3].map((c) => x[c] + x[4 + c] + x[8 + c]));
  const all = runOne([3, 4], x, (b, input) => b.reduceSum(input, undefined, { keepDims: false }));
  t.deepEqual(all.shape, []);
  t.deepEqual(all.values, [0, 1].map((s) => x.slice(s * 12, s * 12 + 12).reduce((a, v) => a + v, 0)));
});

test('elementwise ops broadcast like numpy', (t) => {
  const builder = new CircuitBuilder();
  const a = builder.input('a', [2, 3], wide);
  const b = builder.input('b', [3], wide);
  builder.output(builder.add(a, b), 'sum');
  builder.output(builder.subtract(b, a), 'difference');
  builder.output(builder.multiplyByConstant(a, { data: [2, -1], shape: [2, 1] }), 'scaled');
  builder.output(builder.addConstant(a, { data: [10, 20, 30], shape: [3] }), 'shifted');
  builder.output(builder.negate(b), 'negated');
  const av = [1, 2, 3, 4, 5, 6];
  const bv = [10, 20, 30];
  const outs = evaluateGraph(builder.graph, [Float64Array.from(av), Float64Array.from(bv)], 1).map((o) => Array.from(o));
  t.deepEqual(outs, [
    [11, 22, 33, 14, 25, 36],
    [9, 18, 27, 6, 15, 24],
    [2, 4, 6, -4, -5, -6],
    [11, 22, 33, 14, 25, 36],
    [-10, -20, -30],
  ]);
});

test('data movement: reshape, transpose, slice, pad, concat, gather, broadcastTo', (t) => {
  const x = Int32Array.from({ length: 24 }, (_, i) => i); // one sample of [2, 3, 4]
  const run = (op: (b: CircuitBuilder, input: CircuitTensor) => CircuitTensor): { values: number[]; shape: readonly number[] } => runOne([2, 3, 4], x, op);
  t.deepEqual(run((b, i) => b.reshape(i, [6, -1])).shape, [6, 4]);
  const transposed = run((b, i) => b.transpose(i, [2, 0, 1]));
  t.deepEqual(transposed.shape, [4, 2, 3]);
  t.deepEqual(transposed.values.slice(0, 6), [0, 4, 8, 12, 16, 20]);
  const reversed = run((b, i) => b.transpose(i));
  t.deepEqual(reversed.shape, [4, 3, 2]);
  t.deepEqual(reversed.values.slice(0, 4), [0, 12, 4, 16]);
  const sliced = run((b, i) => b.slice(i, { starts: [1, -1], ends: [3, -5], axes: [1, 2], steps: [1, -2] }));
  t.deepEqual(sliced.shape, [2, 2, 2]);
  t.deepEqual(sliced.values, [7, 5, 11, 9, 19, 17, 23, 21]);
  const padded = run((b, i) => b.pad(i, [0, 1, 0, 0, 0, -1], 7));
  t.deepEqual(padded.shape, [2, 4, 3]);
  t.deepEqual(padded.values.slice(0, 6), [7, 7, 7, 0, 1, 2]);
  const concatenated = run((b, i) => b.concat([i, b.slice(i, { starts: [0], ends: [1], axes: [2] })], 2));
  t.deepEqual(concatenated.shape, [2, 3, 5]);
  t.deepEqual(concatenated.values.slice(0, 10), [0, 1, 2, 3, 0, 4, 5, 6, 7, 4]);
  const gathered = run((b, i) => b.gather(i, [2, 0, -1, 2], 1, { indicesShape: [2, 2] }));
  t.deepEqual(gathered.shape, [2, 2, 2, 4]);
  t.deepEqual(gathered.values.slice(0, 16), [8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11, 8, 9, 10, 11]);
  const expanded = runOne([3, 1], Int32Array.of(1, 2, 3), (b, i) => b.broadcastTo(i, [2, 3, 2]));
  t.deepEqual(expanded.values, [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
});

test('lookups apply their function per element and per channel; encrypted products and maxima are exact', (t) => {
  const builder = new CircuitBuilder();
  const a = builder.input('a', [2, 3], { min: -8, max: 8 });
  const b = builder.input('b', [2, 3], { min: -8, max: 8 });
  builder.output(builder.lookup(a, (v, c) => v * (c + 1) + c, { channelAxis: 0 }), 'perRow');
  builder.output(builder.lookup(a, (v, c) => v - c, { channelAxis: -1 }), 'perColumn');
  builder.output(builder.multiplyEncrypted(a, b), 'product');
  builder.output(builder.maximum(a, b), 'max');
  builder.output(builder.matmulEncrypted(a, builder.transpose(b)), 'gram');
  const av = [-8, -3, 0, 1, 5, 8];
  const bv = [7, -3, -8, 2, -5, 8];
  const [perRow, perColumn, product, max, gram] = evaluateGraph(builder.graph, [Float64Array.from(av), Float64Array.from(bv)], 1).map((o) => Array.from(o));
  t.deepEqual(perRow, [-8, -3, 0, 3, 11, 17]);
  t.deepEqual(perColumn, [-8, -4, -2, 1, 4, 6]);
  t.deepEqual(product, av.map((v, i) => v * bv[i] + 0));
  t.deepEqual(max, av.map((v, i) => Math.max(v, bv[i])));
  const dot = (r: number, s: number): number => [0, 1, 2].reduce((sum, k) => sum + av[r * 3 + k] * bv[s * 3 + k], 0);
  t.deepEqual(gram, [dot(0, 0), dot(0, 1), dot(1, 0), dot(1, 1)]);
});

test('builder errors name the op, the shapes and the limit', (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [2, 3], { min: 0, max: 3 });
  t.throws(() => b.matmul(x, { data: [1, 2, 3, 4], shape: [2, 2] }, { name: 'fc' }), { message: /matmul 'fc': cannot multiply \[2, 3\] by \[2, 2\]/ });
  t.throws(() => b.matmul(x, { data: [1, 2, 3], shape: [3, 1] }, { bias: [1, 2] }), { message: /bias needs 1 values, got 2/ });
  t.throws(() => b.matmul(x, { data: [1.5, 2, 3], shape: [3, 1] }), { message: /weight 1.5 at 0 is not a 32-bit integer/ });
  t.throws(() => b.add(x, b.input('y', [4], { min: 0, max: 1 }), { name: 'sum' }), { message: /add 'sum': shapes \[2, 3\] and \[4\] do not broadcast/ });
  t.throws(() => b.multiplyByConstant(x, { data: [1, 2, 3, 4, 5, 6, 7, 8, 9], shape: [3, 3] }), { message: /multiplyByConstant '.*': shapes \[3, 3\] and \[2, 3\] do not broadcast/ });
  t.throws(() => b.addConstant(x, { data: [1, 2], shape: [2, 1, 1] }), { message: /shape \[2, 1, 1\] does not broadcast to \[2, 3\]/ });
  t.throws(() => b.conv2d(x, { data: [1], shape: [1, 1, 1, 1] }, { name: 'c' }), { message: /conv2d 'c': expects a per-sample \[C, H, W\] input/ });
  t.throws(() => b.reshape(x, [4, -1]), { message: /cannot reshape \[2, 3\]/ });
  t.throws(() => b.transpose(x, [0, 0]), { message: /not a permutation/ });
  t.throws(() => b.gather(x, [3], 0), { message: /index 3 is out of range for axis 0 of size 2/ });
  t.throws(() => b.lookup(x, (v) => v, { channelAxis: 2 }), { message: /axis 2 is out of range for rank 2/ });
  t.throws(() => b.input('x', [1], { min: 0, max: 1 }), { message: /name is already taken/ });
  t.throws(() => b.input('z', [1], { min: 2, max: 1 }), { message: /min <= max/ });
  t.throws(() => b.input('w', [0], { min: 0, max: 1 }), { message: /positive integers/ });
  const other = new CircuitBuilder();
  t.throws(() => other.negate(x), { instanceOf: TypeError, message: /made by this circuit builder/ });
  b.output(x, 'out');
  t.throws(() => b.output(x, 'out'), { message: /output 'out' is declared twice/ });
});

test('dot-product blocks for the native core hold exactly the linear map', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 3, max: 7 }), fc.integer({ min: 1, max: 3 }), fc.nat(100), (channels, size, outChannels, seed) => {
    const weights = ints(outChannels * channels * 9, seed, 3);
    const { map } = conv2dMap([channels, size, size], weights, [outChannels, channels, 3, 3], { pads: [1, 1, 1, 1] }, 'conv');
    const dense = new Float64Array(map.outputCount * map.inputCount);
    for (let o = 0; o < map.outputCount; o++) {
      for (let j = map.rowStart[o]; j < map.rowStart[o + 1]; j++) dense[o * map.inputCount + map.columns[j]] += map.weights[j];
    }
    const fromBlocks = new Float64Array(dense.length);
    const seen = new Set<number>();
    for (const block of packBlocks(map, map.weights)) {
      block.rows.forEach((row, r) => {
        if (seen.has(row)) throw new Error(`row ${row} in two blocks`);
        seen.add(row);
        block.columns.forEach((column, c) => {
          fromBlocks[row * map.inputCount + column] += block.matrix[r * block.columns.length + c];
        });
      });
    }
    return seen.size === map.outputCount && dense.every((v, i) => v === fromBlocks[i]);
  }), { numRuns: 40 });
  t.pass();
});
