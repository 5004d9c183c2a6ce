// Every export of the addon gets wrong types, wrong lengths, detached and oversized buffers:
// each must throw a TypeError or RangeError (or reject with one), never crash the process.
import test from 'ava';

import { native, type NativeAddon } from '../../lib/native';

type BadCall = readonly [description: string, call: () => unknown, error: typeof TypeError | typeof RangeError];

function detachedInt32Array(length: number): Int32Array {
  const array = new Int32Array(length);
  structuredClone(array.buffer, { transfer: [array.buffer] });
  return array;
}

const ints = (n: number) => new Int32Array(n);

// The conv and pool kernels share their shape arguments; these are valid ones for a 4x4 image.
const conv = (
  input: unknown = ints(16),
  inputShape: unknown = [1, 1, 4, 4],
  weights: unknown = ints(4),
  weightShape: unknown = [1, 1, 2, 2],
  group: unknown = 1,
  strides: unknown = [1, 1],
  pads: unknown = [0, 0, 0, 0],
  dilations: unknown = [1, 1],
  padValue: unknown = 0,
) => (native.integerConv2d as (...args: unknown[]) => unknown)(input, inputShape, weights, weightShape, group, strides, pads, dilations, padValue);

const floats = (n: number) => new Float32Array(n);

function detachedFloat32Array(length: number): Float32Array {
  const array = new Float32Array(length);
  structuredClone(array.buffer, { transfer: [array.buffer] });
  return array;
}

// floatConv2d takes the conv shape arguments at the same positions, then a bias (null: none).
const floatConv = (
  input: unknown = floats(16),
  inputShape: unknown = [1, 1, 4, 4],
  weights: unknown = floats(4),
  weightShape: unknown = [1, 1, 2, 2],
  group: unknown = 1,
  strides: unknown = [1, 1],
  pads: unknown = [0, 0, 0, 0],
  dilations: unknown = [1, 1],
  bias: unknown = null,
) => (native.floatConv2d as (...args: unknown[]) => unknown)(input, inputShape, weights, weightShape, group, strides, pads, dilations, bias);

function poolBadCalls(name: 'integerSumPool2d' | 'integerMaxPool2d'): readonly BadCall[] {
  const pool = (overrides: Record<number, unknown>, count = 8) => {
    const args: unknown[] = [ints(16), [1, 1, 4, 4], [2, 2], [2, 2], [0, 0, 0, 0], [1, 1], false, 0];
    for (const [index, value] of Object.entries(overrides)) args[Number(index)] = value;
    return () => (native[name] as (...a: unknown[]) => unknown)(...args.slice(0, count));
  };
  return [
    ['a Float32Array', pool({ 0: new Float32Array(16) }), TypeError],
    ['a short input', pool({ 0: ints(15) }), RangeError],
    ['a detached buffer', pool({ 0: detachedInt32Array(16) }), TypeError],
    ['an inputShape of 3 entries', pool({ 1: [1, 4, 4] }), TypeError],
    ['a zero dimension', pool({ 1: [1, 0, 4, 4] }), RangeError],
    ['a fractional kernel size', pool({ 2: [2, 1.5] }), TypeError],
    ['a zero stride', pool({ 3: [0, 2] }), RangeError],
    ['a negative pad', pool({ 4: [0, -1, 0, 0] }), RangeError],
    ['a string dilation', pool({ 5: ['1', 1] }), TypeError],
    ['a number for ceilMode', pool({ 6: 1 }), TypeError],
    ['a pad value beyond int32', pool({ 7: 2 ** 31 }), RangeError],
    ['a kernel wider than the padded input', pool({ 2: [2, 5] }), RangeError],
    ['a huge declared size', pool({ 0: ints(4), 1: [2 ** 30, 2 ** 30, 1, 1], 2: [1, 1] }), RangeError],
    ['an output over the limit', pool({ 0: ints(1), 1: [1, 1, 1, 1], 2: [1, 1], 3: [1, 1], 4: [2 ** 16, 2 ** 16, 2 ** 16, 2 ** 16] }), RangeError],
    ['too few arguments', pool({}, 7), TypeError],
  ];
}

// The tfhe* exports take key handles and have their own table in test/fhe/tfhe-boundary.test.ts.
type TfheExport = Extract<keyof NativeAddon, `tfhe${string}`>;
const isTfheExport = (name: string) => name.startsWith('tfhe');

const BAD_CALLS: Record<Exclude<keyof NativeAddon, TfheExport>, readonly BadCall[]> = {
  capabilities: [['an extra argument', () => (native.capabilities as (x: number) => unknown)(1), TypeError]],
  setThreads: [
    ['no argument', () => (native.setThreads as () => void)(), TypeError],
    ['a string', () => native.setThreads('2' as unknown as number), TypeError],
    ['a fraction', () => native.setThreads(1.5), TypeError],
    ['zero', () => native.setThreads(0), RangeError],
    ['too many', () => native.setThreads(100000), RangeError],
    ['NaN', () => native.setThreads(NaN), TypeError],
  ],
  integerMatmul: [
    ['a Float32Array', () => native.integerMatmul(new Float32Array(4) as unknown as Int32Array, ints(4), 2, 2, 2), TypeError],
    ['a plain array', () => native.integerMatmul([1, 2, 3, 4] as unknown as Int32Array, ints(4), 2, 2, 2), TypeError],
    ['a short a', () => native.integerMatmul(ints(3), ints(4), 2, 2, 2), RangeError],
    ['a long b', () => native.integerMatmul(ints(4), ints(5), 2, 2, 2), RangeError],
    ['a zero dimension', () => native.integerMatmul(ints(0), ints(0), 0, 2, 2), RangeError],
    ['a negative dimension', () => native.integerMatmul(ints(4), ints(4), -2, 2, 2), RangeError],
    ['a fractional dimension', () => native.integerMatmul(ints(4), ints(4), 2.5, 2, 2), TypeError],
    ['a huge declared size', () => native.integerMatmul(ints(4), ints(4), 2 ** 40, 2 ** 40, 2), RangeError],
    ['an output over the limit', () => native.integerMatmul(ints(2 ** 16), ints(2 ** 16), 2 ** 16, 1, 2 ** 16), RangeError],
    ['a detached buffer', () => native.integerMatmul(detachedInt32Array(4), ints(4), 2, 2, 2), TypeError],
    ['too few arguments', () => (native.integerMatmul as (a: Int32Array) => unknown)(ints(4)), TypeError],
    [
      'values whose products could overflow int64',
      () => native.integerMatmul(Int32Array.of(-(2 ** 31), -(2 ** 31)), Int32Array.of(-(2 ** 31), -(2 ** 31)), 1, 2, 1),
      RangeError,
    ],
  ],
  integerConv2d: [
    ['a Float32Array input', () => conv(new Float32Array(16)), TypeError],
    ['a plain array of weights', () => conv(undefined, undefined, [1, 2, 3, 4]), TypeError],
    ['a short input', () => conv(ints(15)), RangeError],
    ['long weights', () => conv(undefined, undefined, ints(5)), RangeError],
    ['a detached buffer', () => conv(detachedInt32Array(16)), TypeError],
    ['an inputShape that is not an array', () => conv(undefined, 16), TypeError],
    ['a weightShape of 3 entries', () => conv(undefined, undefined, undefined, [1, 1, 4]), TypeError],
    ['a zero dimension', () => conv(undefined, [1, 0, 4, 4]), RangeError],
    ['a fractional stride', () => conv(undefined, undefined, undefined, undefined, undefined, [1, 0.5]), TypeError],
    ['a zero stride', () => conv(undefined, undefined, undefined, undefined, undefined, [0, 1]), RangeError],
    ['a negative pad', () => conv(undefined, undefined, undefined, undefined, undefined, undefined, [0, 0, -1, 0]), RangeError],
    ['a zero dilation', () => conv(undefined, undefined, undefined, undefined, undefined, undefined, undefined, [1, 0]), RangeError],
    ['weights for another channel count', () => conv(undefined, undefined, ints(8), [1, 2, 2, 2]), RangeError],
    ['a group that does not divide the channels', () => conv(ints(32), [1, 2, 4, 4], ints(4), [1, 1, 2, 2], 2), RangeError],
    ['a zero group', () => conv(undefined, undefined, undefined, undefined, 0), RangeError],
    ['a kernel taller than the padded input', () => conv(undefined, undefined, ints(10), [1, 1, 5, 2]), RangeError],
    ['a pad value beyond int32', () => conv(undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, -(2 ** 31) - 1), RangeError],
    ['a string pad value', () => conv(undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, '0'), TypeError],
    ['a huge declared size', () => conv(ints(4), [2 ** 30, 2 ** 30, 1, 1], ints(1), [1, 1, 1, 1]), RangeError],
    ['an output over the limit', () => conv(ints(1), [1, 1, 1, 1], ints(1), [1, 1, 1, 1], 1, [1, 1], [2 ** 16, 2 ** 16, 2 ** 16, 2 ** 16]), RangeError],
    ['too few arguments', () => (native.integerConv2d as (a: Int32Array) => unknown)(ints(16)), TypeError],
    [
      'values whose products could overflow int64',
      () => conv(Int32Array.of(-(2 ** 31), -(2 ** 31)), [1, 2, 1, 1], Int32Array.of(-(2 ** 31), -(2 ** 31)), [1, 2, 1, 1]),
      RangeError,
    ],
    [
      'a pad value whose products could overflow int64',
      () => conv(Int32Array.of(1, 1), [1, 2, 1, 1], Int32Array.of(-(2 ** 31), -(2 ** 31)), [1, 2, 1, 1], 1, [1, 1], [1, 0, 0, 0], [1, 1], -(2 ** 31)),
      RangeError,
    ],
  ],
  floatConv2d: [
    ['an Int32Array input', () => floatConv(ints(16)), TypeError],
    ['a Float64Array of weights', () => floatConv(undefined, undefined, new Float64Array(4)), TypeError],
    ['a short input', () => floatConv(floats(15)), RangeError],
    ['long weights', () => floatConv(undefined, undefined, floats(5)), RangeError],
    ['a detached buffer', () => floatConv(detachedFloat32Array(16)), TypeError],
    ['a weightShape of 3 entries', () => floatConv(undefined, undefined, undefined, [1, 1, 4]), TypeError],
    ['a zero dimension', () => floatConv(undefined, [1, 0, 4, 4]), RangeError],
    ['a zero stride', () => floatConv(undefined, undefined, undefined, undefined, undefined, [0, 1]), RangeError],
    ['a negative pad', () => floatConv(undefined, undefined, undefined, undefined, undefined, undefined, [0, 0, -1, 0]), RangeError],
    ['weights for another channel count', () => floatConv(undefined, undefined, floats(8), [1, 2, 2, 2]), RangeError],
    ['a group that does not divide the channels', () => floatConv(floats(32), [1, 2, 4, 4], floats(4), [1, 1, 2, 2], 2), RangeError],
    ['a kernel taller than the padded input', () => floatConv(undefined, undefined, floats(10), [1, 1, 5, 2]), RangeError],
    ['a bias of the wrong length', () => floatConv(undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, floats(2)), RangeError],
    ['an Int32Array bias', () => floatConv(undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, ints(1)), TypeError],
    [
      'an undefined bias (null means none)',
      () => (native.floatConv2d as (...args: unknown[]) => unknown)(floats(16), [1, 1, 4, 4], floats(4), [1, 1, 2, 2], 1, [1, 1], [0, 0, 0, 0], [1, 1], undefined),
      TypeError,
    ],
    ['a huge declared size', () => floatConv(floats(4), [2 ** 30, 2 ** 30, 1, 1], floats(1), [1, 1, 1, 1]), RangeError],
    ['an output over the limit', () => floatConv(floats(1), [1, 1, 1, 1], floats(1), [1, 1, 1, 1], 1, [1, 1], [2 ** 16, 2 ** 16, 2 ** 16, 2 ** 16]), RangeError],
    ['too few arguments', () => (native.floatConv2d as (a: Float32Array) => unknown)(floats(16)), TypeError],
  ],
  integerSumPool2d: [
    ...poolBadCalls('integerSumPool2d'),
    [
      'a window of 2^32 taps, whose sums could overflow int64',
      () => native.integerSumPool2d(ints(1), [1, 1, 1, 1], [2 ** 16, 2 ** 16], [1, 1], [2 ** 16 - 1, 2 ** 16 - 1, 0, 0], [1, 1], false, -(2 ** 31)),
      RangeError,
    ],
  ],
  integerMaxPool2d: poolBadCalls('integerMaxPool2d'),
};

test('every native export has bad-call cases', (t) => {
  t.deepEqual(Object.keys(native).filter((name) => !isTfheExport(name)).sort(), Object.keys(BAD_CALLS).sort());
});

for (const [name, calls] of Object.entries(BAD_CALLS)) {
  for (const [description, call, errorType] of calls) {
    test(`${name} rejects ${description}`, async (t) => {
      const error = await t.throwsAsync(async () => call());
      t.true(error instanceof errorType, `expected a ${errorType.name}, got ${error?.constructor.name}: ${error?.message}`);
      t.true(error?.message.startsWith(`${name}:`), `the message names the function: ${error?.message}`);
    });
  }
}
