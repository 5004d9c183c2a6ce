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

const BAD_CALLS: Record<keyof NativeAddon, readonly BadCall[]> = {
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
};

test('every native export has bad-call cases', (t) => {
  t.deepEqual(Object.keys(native).sort(), Object.keys(BAD_CALLS).sort());
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
