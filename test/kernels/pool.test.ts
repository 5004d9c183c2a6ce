// integerSumPool / integerMaxPool (lib/kernels.ts) and their native kernels against the
// definition: every tap of a window, padValue outside the input.
import test from 'ava';
import fc from 'fast-check';

import { integerMaxPool, integerSumPool, poolOutputShape, type PoolOptions } from '../../lib/kernels';
import { native } from '../../lib/native';
import { Tensor } from '../../lib/tensor';
import { seededInts } from '../native/matmul-reference';
import { POOL_CASES, type PoolCase, referenceMaxPool, referenceSumPool, windowCount } from './reference';

const volume = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

const optionsOf = (c: PoolCase): PoolOptions => ({
  kernelShape: c.kernelShape,
  strides: c.strides,
  pads: c.pads,
  dilations: c.dilations,
  ceilMode: c.ceilMode,
  padValue: c.padValue,
});

test('native pools equal the definition on every case', async (t) => {
  for (const [i, c] of POOL_CASES.entries()) {
    const x = seededInts(volume(c.inputShape), 100, i + 1);
    const args = [x, c.inputShape, c.kernelShape, c.strides, c.pads, c.dilations, c.ceilMode, c.padValue] as const;
    t.deepEqual(await native.integerSumPool2d(...args), referenceSumPool(x, c), `sum ${JSON.stringify(c)}`);
    t.deepEqual(await native.integerMaxPool2d(...args), referenceMaxPool(x, c), `max ${JSON.stringify(c)}`);
  }
});

test('ceil mode adds the partial window of ONNX maxpool_2d_ceil', async (t) => {
  // ONNX backend test: 4x4 input 1..16, kernel 3, stride 2, ceil_mode -> [[11, 12], [15, 16]].
  const x = new Tensor(Int32Array.from({ length: 16 }, (_, i) => i + 1), [1, 1, 4, 4]);
  const options = { kernelShape: [3, 3], strides: [2, 2], ceilMode: true, padValue: -(2 ** 31) };
  const max = await integerMaxPool(x, options);
  t.deepEqual(max.shape, [1, 1, 2, 2]);
  t.deepEqual(Array.from(max.data), [11, 12, 15, 16]);
  // The overhang reads padValue in sums too: window (0, 1) has 6 input taps and 3 pad taps.
  const sum = await integerSumPool(x, { ...options, padValue: 100 });
  t.deepEqual(Array.from(sum.data), [54n, 3n + 4n + 7n + 8n + 11n + 12n + 300n, 9n + 10n + 11n + 13n + 14n + 15n + 300n, 11n + 12n + 15n + 16n + 500n]);
});

test('pools on 1-D tensors are the 2-D case with height 1', async (t) => {
  const x = seededInts(2 * 3 * 20, 50, 9);
  const options: PoolOptions = { kernelShape: [3], strides: [2], pads: [1, 2], dilations: [2], ceilMode: true, padValue: 7 };
  const as2d: PoolCase = {
    inputShape: [2, 3, 1, 20],
    kernelShape: [1, 3],
    strides: [1, 2],
    pads: [0, 1, 0, 2],
    dilations: [1, 2],
    ceilMode: true,
    padValue: 7,
  };
  const length = windowCount(20, 3, 2, 2, 1, 2, true);
  const sum = await integerSumPool(new Tensor(x, [2, 3, 20]), options);
  t.deepEqual(sum.shape, [2, 3, length]);
  t.deepEqual(poolOutputShape([2, 3, 20], options), [2, 3, length]);
  t.deepEqual(sum.data, referenceSumPool(x, as2d));
  t.deepEqual((await integerMaxPool(new Tensor(x, [2, 3, 20]), options)).data, referenceMaxPool(x, as2d));
});

const poolCases: fc.Arbitrary<PoolCase> = fc
  .record({
    inputShape: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 30 })),
    kernelShape: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
    strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    pads: fc.tuple(...[0, 1, 2, 3].map(() => fc.integer({ min: 0, max: 2 }))),
    dilations: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    ceilMode: fc.boolean(),
    padValue: fc.integer({ min: -150, max: 150 }),
  })
  .map((r) => ({ ...r, pads: r.pads as unknown as PoolCase['pads'] }))
  .filter((c) =>
    [0, 1].every((a) => windowCount(c.inputShape[2 + a], c.kernelShape[a], c.strides[a], c.dilations[a], c.pads[a], c.pads[a + 2], c.ceilMode) > 0),
  );

test('pools equal the definition on random shapes and attributes', async (t) => {
  await fc.assert(
    fc.asyncProperty(poolCases, fc.integer({ min: 1, max: 1000 }), async (c, seed) => {
      const x = seededInts(volume(c.inputShape), 120, seed);
      const input = new Tensor(x, c.inputShape);
      t.deepEqual((await integerSumPool(input, optionsOf(c))).data, referenceSumPool(x, c));
      t.deepEqual((await integerMaxPool(input, optionsOf(c))).data, referenceMaxPool(x, c));
    }),
    { numRuns: 150, seed: 4242 },
  );
});

test('sum pooling is exact at the int32 extremes', async (t) => {
  const x = new Tensor(new Int32Array(64).fill(-(2 ** 31)), [1, 1, 8, 8]);
  const sum = await integerSumPool(x, { kernelShape: [8, 8] });
  t.deepEqual(Array.from(sum.data), [64n * -(2n ** 31n)]);
  const max = await integerMaxPool(x, { kernelShape: [2, 2], strides: [4, 4], pads: [0, 0, 1, 1], padValue: 2 ** 31 - 1 });
  t.deepEqual(Array.from(max.data), [-(2 ** 31), -(2 ** 31), -(2 ** 31), -(2 ** 31)]);
});

test('pools return an empty batch without calling the kernel', async (t) => {
  const out = await integerMaxPool(new Tensor(new Int32Array(0), [0, 3, 4, 4]), { kernelShape: [2, 2], strides: [2, 2] });
  t.deepEqual(out.shape, [0, 3, 2, 2]);
  t.is(out.dtype, 'int32');
});

test('pool errors name the op, the argument and the shapes', async (t) => {
  const x = new Tensor(new Int32Array(2 * 6 * 6), [1, 2, 6, 6]);
  const cases: [string, () => Promise<unknown>, typeof TypeError | typeof RangeError, RegExp][] = [
    ['an int64 input', () => integerSumPool(new Tensor(new BigInt64Array(4), [1, 1, 2, 2]), { kernelShape: [1, 1] }), TypeError, /^integerSumPool: input must be an int32 Tensor, got a int64 tensor/],
    ['no options', () => (integerSumPool as (x: Tensor) => Promise<unknown>)(x), TypeError, /^integerSumPool \(input \[1, 2, 6, 6\]\): options with a kernelShape are required/],
    ['no kernel shape', () => integerMaxPool(x, {} as PoolOptions), RangeError, /^integerMaxPool: kernelShape must hold 2 integers >= 1, got undefined/],
    ['a 1-D kernel on a 2-D input', () => integerMaxPool(x, { kernelShape: [2] }), RangeError, /^integerMaxPool: kernelShape must hold 2 integers >= 1, got \[2\]/],
    ['a zero stride', () => integerSumPool(x, { kernelShape: [2, 2], strides: [0, 1] }), RangeError, /^integerSumPool: strides must hold 2 integers >= 1, got \[0, 1\]/],
    ['a kernel too wide', () => integerSumPool(x, { kernelShape: [2, 7] }), RangeError, /^integerSumPool \(input \[1, 2, 6, 6\]\): the dilated kernel width 7 exceeds the padded input width 6/],
    ['rank 2', () => integerSumPool(x.reshape([12, 6]), { kernelShape: [2, 2] }), RangeError, /^integerSumPool: input \[12, 6\] must be \[N, C, L\] or \[N, C, H, W\]/],
    ['a bad pad value', () => integerMaxPool(x, { kernelShape: [2, 2], padValue: -(2 ** 31) - 1 }), RangeError, /^integerMaxPool: padValue must be an int32 integer/],
  ];
  for (const [what, call, type, message] of cases) {
    const error = await t.throwsAsync(call, { instanceOf: type }, what);
    t.regex(error?.message ?? '', message, what);
  }
});
