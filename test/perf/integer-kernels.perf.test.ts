// Integer conv and pooling: native kernels vs plain TypeScript loops, one thread vs all threads,
// and (in a child process) the forced scalar path. Prints one JSON line per figure; asserts only
// ratios measured in this run.
import test from 'ava';
import { execFileSync } from 'node:child_process';

import { integerConv, integerMaxPool, integerSumPool } from '../../lib/kernels';
import { native } from '../../lib/native';
import { Tensor } from '../../lib/tensor';
import { seededInts } from '../native/matmul-reference';
import { bestOfMs } from './timing';

// A mid-size CNN layer: batch 8, 32 -> 64 channels, 3x3 "same" convolution on 32x32.
const [N, C, H, W, O, K] = [8, 32, 32, 32, 64, 3];
const CONV_MACS = N * O * H * W * C * K * K;

/** A fair TypeScript conv: output rows accumulated with contiguous inner loops, exact below 2^53. */
function typescriptConv(x: Int32Array, w: Int32Array, padValue: number): Float64Array {
  const out = new Float64Array(N * O * H * W);
  const pad = (K - 1) / 2;
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      const plane = (n * O + o) * H * W;
      for (let c = 0; c < C; c++)
        for (let u = 0; u < K; u++)
          for (let v = 0; v < K; v++) {
            const weight = w[((o * C + c) * K + u) * K + v];
            for (let i = 0; i < H; i++) {
              const y = i + u - pad;
              const row = ((n * C + c) * H + y) * W;
              for (let j = 0; j < W; j++) {
                const z = j + v - pad;
                const value = y < 0 || y >= H || z < 0 || z >= W ? padValue : x[row + z];
                out[plane + i * W + j] += weight * value;
              }
            }
          }
    }
  return out;
}

/** A TypeScript max pool with a k x k window, stride s, padding p read as padValue. */
function typescriptMaxPool(x: Int32Array, shape: readonly number[], k: number, s: number, p: number, padValue: number): Int32Array {
  const [n, c, h, w] = shape;
  const [oh, ow] = [Math.floor((h + 2 * p - k) / s) + 1, Math.floor((w + 2 * p - k) / s) + 1];
  const out = new Int32Array(n * c * oh * ow);
  let index = 0;
  for (let plane = 0; plane < n * c; plane++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        let max = -(2 ** 31);
        for (let u = 0; u < k; u++) {
          const y = i * s + u - p;
          for (let v = 0; v < k; v++) {
            const z = j * s + v - p;
            max = Math.max(max, y < 0 || y >= h || z < 0 || z >= w ? padValue : x[(plane * h + y) * w + z]);
          }
        }
        out[index++] = max;
      }
  return out;
}

function report(figure: Record<string, unknown>): void {
  console.log(JSON.stringify(figure));
}

// The same native conv timed in a child process on the forced scalar path.
function scalarConvMs(): number {
  const script = `
    const { native } = require('./lib/native');
    const { seededInts } = require('./test/native/matmul-reference');
    (async () => {
      const x = seededInts(${N * C * H * W}, 127, 1), w = seededInts(${O * C * K * K}, 127, 2);
      const run = () => native.integerConv2d(x, [${N}, ${C}, ${H}, ${W}], w, [${O}, ${C}, ${K}, ${K}], 1, [1, 1], [1, 1, 1, 1], [1, 1], 3);
      let best = Infinity;
      for (let i = 0; i < 3; i++) { const t = performance.now(); await run(); best = Math.min(best, performance.now() - t); }
      process.stdout.write(JSON.stringify({ simd: native.capabilities().simd, best }));
    })();`;
  const stdout = execFileSync(process.execPath, ['--import=tsx', '-e', script], {
    env: { ...process.env, CIPHERQUANT_FORCE_SCALAR: '1', CIPHERQUANT_THREADS: String(native.capabilities().threads) },
    encoding: 'utf8',
    cwd: process.cwd(),
  });
  const result = JSON.parse(stdout) as { simd: string; best: number };
  if (result.simd !== 'scalar') throw new Error(`the child process ran ${result.simd}, not the scalar path`);
  return result.best;
}

test('native integer conv beats a TypeScript loop; threads and AVX2 help', async (t) => {
  const x = seededInts(N * C * H * W, 127, 1);
  const w = seededInts(O * C * K * K, 127, 2);
  const input = new Tensor(x, [N, C, H, W]);
  const weights = new Tensor(w, [O, C, K, K]);
  const options = { pads: [1, 1, 1, 1], padValue: 3 };
  const conv = () => integerConv(input, weights, options);
  t.deepEqual(Array.from((await conv()).data, Number), Array.from(typescriptConv(x, w, 3)), 'both compute the same conv');

  const threads = native.capabilities().threads;
  const simd = native.capabilities().simd;
  const typescriptMs = await bestOfMs(2, () => typescriptConv(x, w, 3));
  const allThreadsMs = await bestOfMs(5, conv);
  native.setThreads(1);
  const oneThreadMs = await bestOfMs(5, conv).finally(() => native.setThreads(threads));
  const scalarMs = simd === 'scalar' ? undefined : scalarConvMs();

  const shape = { input: [N, C, H, W], weights: [O, C, K, K] };
  const figure = (path: string, ms: number, extra: Record<string, unknown> = {}) =>
    report({ bench: 'integerConv', ...shape, path, ...extra, ms, gmacPerSecond: CONV_MACS / ms / 1e6 });
  figure('typescript', typescriptMs);
  figure(simd, oneThreadMs, { threads: 1 });
  figure(simd, allThreadsMs, { threads });
  if (scalarMs !== undefined) figure('scalar', scalarMs, { threads });

  t.true(typescriptMs / oneThreadMs > 3, `native conv on one thread is ${(typescriptMs / oneThreadMs).toFixed(1)}x the TypeScript loop`);
  t.true(oneThreadMs / allThreadsMs > 0.7, `${threads} threads run at ${(oneThreadMs / allThreadsMs).toFixed(2)}x one thread`);
  if (scalarMs !== undefined) {
    t.true(scalarMs / allThreadsMs > 1.2, `AVX2 runs at ${(scalarMs / allThreadsMs).toFixed(2)}x the scalar path`);
  }
});

test('native integer pooling beats a TypeScript loop', async (t) => {
  const shape = [8, 32, 64, 64];
  const x = seededInts(shape.reduce((a, b) => a * b, 1), 1000, 5);
  const input = new Tensor(x, shape);
  const simd = native.capabilities().simd;
  // 2x2 / 2 reads each value once, so it is memory-bound and the copy of the input the native
  // call makes (so JS may reuse its array at once) weighs; 3x3 / 1 reads each value nine times.
  const configs = [
    { k: 2, s: 2, p: 0 },
    { k: 3, s: 1, p: 1 },
  ];
  for (const { k, s, p } of configs) {
    const options = { kernelShape: [k, k], strides: [s, s], pads: [p, p, p, p], padValue: 7 };
    const max = await integerMaxPool(input, options);
    t.deepEqual(max.data, typescriptMaxPool(x, shape, k, s, p, 7), `${k}x${k} / ${s}`);
    const taps = max.size * k * k;
    const typescriptMs = await bestOfMs(3, () => typescriptMaxPool(x, shape, k, s, p, 7));
    const maxMs = await bestOfMs(5, () => integerMaxPool(input, options));
    const sumMs = await bestOfMs(5, () => integerSumPool(input, options));
    const figure = (path: string, op: string, ms: number) =>
      report({ bench: op, input: shape, kernel: [k, k], strides: [s, s], pads: p, path, ms, gtapsPerSecond: taps / ms / 1e6 });
    figure('typescript', 'integerMaxPool', typescriptMs);
    figure(simd, 'integerMaxPool', maxMs);
    figure(simd, 'integerSumPool', sumMs);
    const ratio = typescriptMs / maxMs;
    t.true(ratio > 1.5, `native ${k}x${k} / ${s} max pool is ${ratio.toFixed(1)}x the TypeScript loop`);
  }
});
