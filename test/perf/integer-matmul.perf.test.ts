// Integer matmul: native kernel vs a plain TypeScript loop, and one thread vs all threads.
// Prints one JSON line per figure; asserts only ratios measured in this run.
import test from 'ava';

import { native } from '../../lib/native';
import { referenceMatmul, seededInts } from '../native/matmul-reference';
import { bestOfMs } from './timing';

function typescriptMatmul(a: Int32Array, b: Int32Array, m: number, k: number, n: number): Float64Array {
  // Exact while |sum| < 2^53, which these inputs (|x| <= 127, k = 256) respect.
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p];
      for (let j = 0; j < n; j++) out[i * n + j] += x * b[p * n + j];
    }
  }
  return out;
}

function report(figure: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench: 'integerMatmul', ...figure }));
}

test('native integer matmul beats a TypeScript loop; threads help', async (t) => {
  const [m, k, n] = [256, 256, 256];
  const a = seededInts(m * k, 127, 3);
  const b = seededInts(k * n, 127, 4);
  const macs = m * k * n;
  t.deepEqual(
    Array.from(await native.integerMatmul(a, b, m, k, n), Number),
    Array.from(typescriptMatmul(a, b, m, k, n)),
    'both compute the same product',
  );
  t.deepEqual(await native.integerMatmul(a.subarray(0, 4 * k), b, 4, k, n), referenceMatmul(a.subarray(0, 4 * k), b, 4, k, n));

  const threads = native.capabilities().threads;
  const typescriptMs = await bestOfMs(3, () => typescriptMatmul(a, b, m, k, n));
  const allThreadsMs = await bestOfMs(5, () => native.integerMatmul(a, b, m, k, n));
  native.setThreads(1);
  const oneThreadMs = await bestOfMs(5, () => native.integerMatmul(a, b, m, k, n)).finally(() => native.setThreads(threads));

  const simd = native.capabilities().simd;
  report({ shape: [m, k, n], path: 'typescript', ms: typescriptMs, gmacPerSecond: macs / typescriptMs / 1e6 });
  report({ shape: [m, k, n], path: simd, threads: 1, ms: oneThreadMs, gmacPerSecond: macs / oneThreadMs / 1e6 });
  report({ shape: [m, k, n], path: simd, threads, ms: allThreadsMs, gmacPerSecond: macs / allThreadsMs / 1e6 });

  t.true(typescriptMs / oneThreadMs > 2, `native on one thread is ${(typescriptMs / oneThreadMs).toFixed(1)}x the TypeScript loop`);
  t.true(oneThreadMs / allThreadsMs > 0.7, `${threads} threads run at ${(oneThreadMs / allThreadsMs).toFixed(2)}x one thread`);
});
