// integerConv (lib/kernels.ts) and native.integerConv2d against the definition of ONNX Conv.
import test from 'ava';
import fc from 'fast-check';

import { convOutputShape, integerConv } from '../../lib/kernels';
import { native } from '../../lib/native';
import { Tensor } from '../../lib/tensor';
import { seededInts } from '../native/matmul-reference';
import { CONV_CASES, type ConvCase, referenceConv } from './reference';

const volume = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function inputsOf(c: ConvCase, bound: number, seed: number): [Int32Array, Int32Array] {
  return [seededInts(volume(c.inputShape), bound, seed), seededInts(volume(c.weightShape), bound, seed + 1)];
}

test('native.integerConv2d equals the definition on every case', async (t) => {
  for (const [i, c] of CONV_CASES.entries()) {
    const [x, w] = inputsOf(c, 40000, i + 1);
    const out = await native.integerConv2d(x, c.inputShape, w, c.weightShape, c.group, c.strides, c.pads, c.dilations, c.padValue);
    t.deepEqual(out, referenceConv(x, w, c), JSON.stringify(c));
  }
});

test('integerConv on 2-D tensors has the ONNX output shape and values', async (t) => {
  const c = CONV_CASES[1];
  const [x, w] = inputsOf(c, 1000, 7);
  const options = { strides: c.strides, pads: c.pads, dilations: c.dilations, group: c.group, padValue: c.padValue };
  const out = await integerConv(new Tensor(x, c.inputShape), new Tensor(w, c.weightShape), options);
  t.deepEqual(out.shape, [1, 6, 5, 4]);
  t.deepEqual(convOutputShape(c.inputShape, c.weightShape, options), [1, 6, 5, 4]);
  t.is(out.dtype, 'int64');
  t.deepEqual(out.data, referenceConv(x, w, c));
});

test('integerConv on 1-D tensors is the 2-D case with height 1', async (t) => {
  const x = seededInts(2 * 3 * 17, 500, 3);
  const w = seededInts(4 * 3 * 3, 500, 4);
  const out = await integerConv(new Tensor(x, [2, 3, 17]), new Tensor(w, [4, 3, 3]), {
    strides: [2],
    pads: [1, 3],
    dilations: [2],
    padValue: -9,
  });
  const as2d: ConvCase = {
    inputShape: [2, 3, 1, 17],
    weightShape: [4, 3, 1, 3],
    group: 1,
    strides: [1, 2],
    pads: [0, 1, 0, 3],
    dilations: [1, 2],
    padValue: -9,
  };
  t.deepEqual(out.shape, [2, 4, 9]);
  t.deepEqual(out.data, referenceConv(x, w, as2d));
});

const convCases: fc.Arbitrary<ConvCase> = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    group: fc.integer({ min: 1, max: 3 }),
    inPerGroup: fc.integer({ min: 1, max: 3 }),
    outPerGroup: fc.integer({ min: 1, max: 6 }),
    h: fc.integer({ min: 1, max: 9 }),
    w: fc.integer({ min: 1, max: 13 }),
    kh: fc.integer({ min: 1, max: 3 }),
    kw: fc.integer({ min: 1, max: 4 }),
    strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    dilations: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    pads: fc.tuple(...[0, 1, 2, 3].map(() => fc.integer({ min: 0, max: 3 }))),
    padValue: fc.integer({ min: -200, max: 200 }),
  })
  .map((r) => ({
    inputShape: [r.n, r.group * r.inPerGroup, r.h, r.w] as const,
    weightShape: [r.group * r.outPerGroup, r.inPerGroup, r.kh, r.kw] as const,
    group: r.group,
    strides: r.strides,
    pads: r.pads as unknown as ConvCase['pads'],
    dilations: r.dilations,
    padValue: r.padValue,
  }))
  // Only shapes where the dilated kernel fits in the padded input.
  .filter((c) => [0, 1].every((a) => c.inputShape[2 + a] + c.pads[a] + c.pads[a + 2] >= c.dilations[a] * (c.weightShape[2 + a] - 1) + 1));

test('integerConv equals the definition on random shapes and attributes', async (t) => {
  await fc.assert(
    fc.asyncProperty(convCases, fc.integer({ min: 1, max: 1000 }), async (c, seed) => {
      const [x, w] = inputsOf(c, 3000, seed);
      const options = { strides: c.strides, pads: c.pads, dilations: c.dilations, group: c.group, padValue: c.padValue };
      const out = await integerConv(new Tensor(x, c.inputShape), new Tensor(w, c.weightShape), options);
      t.deepEqual(out.data, referenceConv(x, w, c));
    }),
    { numRuns: 150, seed: 20260 },
  );
});

test('integerConv is exact at the int32 extremes', async (t) => {
  // One tap per output: (-2^31)^2 = 2^62 fits int64; the pad value reaches it too.
  const x = Int32Array.of(-(2 ** 31), 2 ** 31 - 1, -1, 0);
  const out = await integerConv(new Tensor(x, [1, 1, 2, 2]), new Tensor(Int32Array.of(-(2 ** 31)), [1, 1, 1, 1]), {
    pads: [0, 0, 0, 1],
    padValue: -(2 ** 31),
  });
  t.deepEqual(Array.from(out.data), [2n ** 62n, -(2n ** 31n) * (2n ** 31n - 1n), 2n ** 62n, 2n ** 31n, 0n, 2n ** 62n]);
});

test('integerConv returns an empty batch without calling the kernel', async (t) => {
  const out = await integerConv(new Tensor(new Int32Array(0), [0, 2, 5, 5]), new Tensor(new Int32Array(36), [2, 2, 3, 3]));
  t.deepEqual(out.shape, [0, 2, 3, 3]);
});

test('integerConv errors name the op, the argument and the shapes', async (t) => {
  const x = new Tensor(new Int32Array(3 * 8 * 8), [1, 3, 8, 8]);
  const w = new Tensor(new Int32Array(4 * 3 * 9), [4, 3, 3, 3]);
  const cases: [string, () => Promise<unknown>, typeof TypeError | typeof RangeError, RegExp][] = [
    ['a float input', () => integerConv(new Tensor(new Float32Array(4), [1, 1, 2, 2]), w), TypeError, /^integerConv: input must be an int32 Tensor, got a float32 tensor/],
    ['rank 5', () => integerConv(x.reshape([1, 3, 8, 8, 1]), w), RangeError, /^integerConv: input \[1, 3, 8, 8, 1\] must be \[N, C, L\] or \[N, C, H, W\]/],
    ['channel mismatch', () => integerConv(x, new Tensor(new Int32Array(4 * 4 * 9), [4, 4, 3, 3])), RangeError, /weights need C \/ group = 3 input channels, got 4/],
    ['group not dividing', () => integerConv(x, w, { group: 2 }), RangeError, /^integerConv \(input \[1, 3, 8, 8\], weights \[4, 3, 3, 3\]\): group 2 must divide/],
    ['short strides', () => integerConv(x, w, { strides: [1] }), RangeError, /^integerConv: strides must hold 2 integers >= 1, got \[1\]/],
    ['negative pads', () => integerConv(x, w, { pads: [0, 0, -1, 0] }), RangeError, /^integerConv: pads must hold 4 integers >= 0/],
    ['a kernel too tall', () => integerConv(x, w, { dilations: [4, 1] }), RangeError, /the dilated kernel height 9 exceeds the padded input height 8/],
    ['a fractional pad value', () => integerConv(x, w, { padValue: 0.5 }), RangeError, /^integerConv: padValue must be an int32 integer/],
    ['a pad value beyond int32', () => integerConv(x, w, { padValue: 2 ** 31 }), RangeError, /^integerConv: padValue/],
  ];
  for (const [what, call, type, message] of cases) {
    const error = await t.throwsAsync(call, { instanceOf: type }, what);
    t.regex(error?.message ?? '', message, what);
  }
});

test('integerConv refuses inputs whose int64 accumulators could overflow', async (t) => {
  // 2 taps of 2^31 * 2^31 reach 2^63; the pad value counts when the input is padded.
  const big = -(2 ** 31);
  const weights = new Tensor(Int32Array.of(big, big), [1, 2, 1, 1]);
  const error = await t.throwsAsync(integerConv(new Tensor(Int32Array.of(big, 1), [1, 2, 1, 1]), weights), {
    instanceOf: RangeError,
  });
  t.regex(error?.message ?? '', /^integerConv \(input \[1, 2, 1, 1\], weights \[1, 2, 1, 1\]\): integerConv2d: .*2\^63/);
  const small = new Tensor(Int32Array.of(1, 1), [1, 2, 1, 1]);
  await t.notThrowsAsync(integerConv(small, weights));
  await t.throwsAsync(integerConv(small, weights, { pads: [1, 0, 0, 0], padValue: big }), { instanceOf: RangeError });
});
