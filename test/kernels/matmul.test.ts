// integerMatmul (lib/kernels.ts): [..., k] @ [k, n] over Tensors, on the native kernel.
import test from 'ava';

import { integerMatmul } from '../../lib/kernels';
import { Tensor } from '../../lib/tensor';
import { referenceMatmul, seededInts } from '../native/matmul-reference';

test('integerMatmul folds the leading dimensions of a into rows', async (t) => {
  const a = seededInts(2 * 3 * 5, 30000, 1);
  const b = seededInts(5 * 7, 30000, 2);
  const out = await integerMatmul(new Tensor(a, [2, 3, 5]), new Tensor(b, [5, 7]));
  t.deepEqual(out.shape, [2, 3, 7]);
  t.is(out.dtype, 'int64');
  t.deepEqual(out.data, referenceMatmul(a, b, 6, 5, 7));
});

test('integerMatmul takes a vector as one row', async (t) => {
  const a = seededInts(4, 100, 3);
  const b = seededInts(4 * 3, 100, 4);
  const out = await integerMatmul(new Tensor(a, [4]), new Tensor(b, [4, 3]));
  t.deepEqual(out.shape, [3]);
  t.deepEqual(out.data, referenceMatmul(a, b, 1, 4, 3));
});

test('integerMatmul of empty shapes is all zeros', async (t) => {
  const noRows = await integerMatmul(new Tensor(new Int32Array(0), [0, 4]), new Tensor(new Int32Array(8), [4, 2]));
  t.deepEqual(noRows.shape, [0, 2]);
  const emptySum = await integerMatmul(new Tensor(new Int32Array(0), [3, 0]), new Tensor(new Int32Array(0), [0, 2]));
  t.deepEqual(Array.from(emptySum.data), [0n, 0n, 0n, 0n, 0n, 0n]);
});

test('integerMatmul errors name the op and the shapes', async (t) => {
  const error = await t.throwsAsync(integerMatmul(new Tensor(new Int32Array(6), [2, 3]), new Tensor(new Int32Array(8), [4, 2])), {
    instanceOf: RangeError,
  });
  t.is(error?.message, 'integerMatmul (a [2, 3], b [4, 2]): a must be [..., k] and b [k, n]');
  const type = await t.throwsAsync(integerMatmul(new Tensor(new Float64Array(2), [1, 2]), new Tensor(new Int32Array(2), [2, 1])), {
    instanceOf: TypeError,
  });
  t.is(type?.message, 'integerMatmul: a must be an int32 Tensor, got a float64 tensor');
  const big = Int32Array.of(-(2 ** 31), -(2 ** 31));
  const overflow = await t.throwsAsync(integerMatmul(new Tensor(big, [1, 2]), new Tensor(big, [2, 1])), { instanceOf: RangeError });
  t.regex(overflow?.message ?? '', /^integerMatmul \(a \[1, 2\], b \[2, 1\]\): integerMatmul: .*2\^63/);
});
