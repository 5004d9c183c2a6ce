// Shared by the native tests: deterministic inputs and the definition of the integer product.

/** A small deterministic generator (xorshift32), so child processes can rebuild the same inputs. */
export function seededInts(count: number, bound: number, seed: number): Int32Array {
  const values = new Int32Array(count);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    values[i] = (state % (2 * bound + 1)) - bound;
  }
  return values;
}

export function referenceMatmul(a: Int32Array, b: Int32Array, m: number, k: number, n: number): BigInt64Array {
  const out = new BigInt64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0n;
      for (let p = 0; p < k; p++) sum += BigInt(a[i * k + p]) * BigInt(b[p * n + j]);
      out[i * n + j] = sum;
    }
  }
  return out;
}

/** Shapes that exercise the vector body and the scalar tails of the kernels. */
export const MATMUL_SHAPES: ReadonlyArray<readonly [number, number, number]> = [
  [1, 1, 1],
  [3, 5, 7],
  [17, 33, 9],
  [64, 96, 10],
  [2, 300, 13],
];
