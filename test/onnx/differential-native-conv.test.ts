// The native float Conv kernel (also used for float32 Gemm) against the TypeScript loop it
// replaces for float32 layers, on the AVX2 path (when the CPU has it) and on the forced scalar path (child process).
// Both sum the products in float64 and round to float32 once, so they differ only where their
// float64 sums do (summation order, fused multiply-adds): by at most depth * 2^-52 * sum|w * x|
// before the rounding, which can move the float32 result by one unit in the last place.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { native } from '../../lib/native';
import { convNative, convTypeScript } from '../../lib/onnx/ops/conv';
import type { OpContext } from '../../lib/onnx/ops/context';
import { Tensor } from '../../lib/tensor';
import { NATIVE_MIN_MACS } from '../../lib/onnx/ops/native-float';
import { FLOAT_CONV_CASES, caseContext, convNode } from './differential-native-conv-cases';
import { runOp } from './run-op';
import { seededNormal } from './differential-reference';

/** Distance between |v| and the next float32 (v a float32). */
function ulp32(v: number): number {
  const magnitude = Math.abs(v);
  if (magnitude < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(magnitude)) - 23);
}

/** undefined when `actual` is within the bound of the header of the TypeScript result, else what differs. */
function differenceFromTypeScript(ctx: OpContext, actual: Float32Array): string | undefined {
  const [expected] = convTypeScript(ctx);
  const [x, w] = ctx.inputs as Tensor[];
  const abs = (t: Tensor) => new Tensor((t.data as Float32Array).map(Math.abs), t.shape);
  const [magnitudes] = convTypeScript({ ...ctx, inputs: [abs(x), abs(w)] }); // sum |w * x| per output
  const depth = w.size / w.shape[0];
  const data = expected.data as Float32Array;
  if (actual.length !== data.length) return `${actual.length} outputs, expected ${data.length}`;
  for (let i = 0; i < data.length; i++) {
    const bound = ulp32(data[i]) + depth * 2 ** -52 * (magnitudes.data as Float32Array)[i];
    if (!(Math.abs(actual[i] - data[i]) <= bound)) return `output ${i} is ${actual[i]}, the TypeScript loop gives ${data[i]} (bound ${bound})`;
  }
  return undefined;
}

test('native float Conv matches the TypeScript loop on every case', (t) => {
  FLOAT_CONV_CASES.forEach((c, i) => {
    const ctx = caseContext(i);
    const [y] = convNative(ctx);
    t.deepEqual(y.shape, convTypeScript(ctx)[0].shape, `case ${i} shape`);
    t.is(differenceFromTypeScript(ctx, y.data as Float32Array), undefined, `case ${i}: ${JSON.stringify(c)}`);
  });
});

test('native float Conv matches the TypeScript loop on random shapes and attributes', (t) => {
  const shapes = fc.record({
    n: fc.integer({ min: 1, max: 3 }), group: fc.integer({ min: 1, max: 3 }), cPerGroup: fc.integer({ min: 1, max: 5 }),
    mPerGroup: fc.integer({ min: 1, max: 9 }), h: fc.integer({ min: 1, max: 12 }), w: fc.integer({ min: 1, max: 12 }),
    kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
    strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    dilations: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    pads: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)),
    bias: fc.boolean(), seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  }).filter((p) => p.h + p.pads[0] + p.pads[2] >= p.dilations[0] * (p.kh - 1) + 1 && p.w + p.pads[1] + p.pads[3] >= p.dilations[1] * (p.kw - 1) + 1);
  fc.assert(fc.property(shapes, (p) => {
    const c = p.cPerGroup * p.group;
    const m = p.mPerGroup * p.group;
    const x = new Tensor(seededNormal(p.n * c * p.h * p.w, p.seed, 3), [p.n, c, p.h, p.w]);
    const w = new Tensor(seededNormal(m * p.cPerGroup * p.kh * p.kw, p.seed + 1), [m, p.cPerGroup, p.kh, p.kw]);
    const b = p.bias ? new Tensor(seededNormal(m, p.seed + 2)) : undefined;
    const ctx: OpContext = { node: convNode(p), inputs: [x, w, b], opset: 17 };
    const difference = differenceFromTypeScript(ctx, convNative(ctx)[0].data as Float32Array);
    if (difference !== undefined) throw new Error(difference);
  }), { numRuns: 200 });
  t.pass();
});

test('the forced scalar path matches the TypeScript loop too', (t) => {
  const stdout = execFileSync(process.execPath, ['--import=tsx', path.join(__dirname, 'differential-native-conv-probe.ts')], {
    env: { ...process.env, CIPHERQUANT_FORCE_SCALAR: '1', CIPHERQUANT_THREADS: '3' },
    encoding: 'utf8',
    maxBuffer: 2 ** 26, // the outputs as JSON, a few megabytes
  });
  const probe = JSON.parse(stdout) as { capabilities: { simd: string }; outputs: number[][] };
  t.is(probe.capabilities.simd, 'scalar');
  if (native.capabilities().simd === 'scalar') t.log('this CPU has no AVX2+FMA: the in-process tests ran the scalar path already');
  FLOAT_CONV_CASES.forEach((_, i) => {
    t.is(differenceFromTypeScript(caseContext(i), Float32Array.from(probe.outputs[i])), undefined, `case ${i}`);
  });
});

test('native float Conv refuses what it does not take, naming the node', (t) => {
  const ctx = caseContext(0);
  const [x, w] = ctx.inputs as Tensor[];
  const asFloat64 = (v: Tensor) => new Tensor(Float64Array.from(v.data as Float32Array), v.shape);
  const error = t.throws(() => convNative({ ...ctx, inputs: [asFloat64(x), asFloat64(w)] }));
  t.regex(error?.message ?? '', /conv_under_test.*float32 2-D images, got float64 \[2, 3, 7, 5\]/);
});

test('float32 Gemm on the native kernel (a 1x1 convolution) matches the float64 loop rounded once', (t) => {
  // The float64 run sums in float64 too and keeps the result unrounded: rounding it to float32
  // is what the TypeScript float32 path returns, so the same bound applies.
  const cases = fc.record({
    m: fc.integer({ min: 1, max: 300 }), k: fc.integer({ min: 1, max: 40 }), n: fc.integer({ min: 1, max: 40 }),
    transB: fc.boolean(), bias: fc.constantFrom('none', 'row', 'row2d'), seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  });
  let native = 0;
  fc.assert(fc.property(cases, ({ m, k, n, transB, bias, seed }) => {
    const a = new Tensor(seededNormal(m * k, seed, 2), [m, k]);
    const b = new Tensor(seededNormal(k * n, seed + 1), transB ? [n, k] : [k, n]);
    const c = bias === 'none' ? undefined : new Tensor(seededNormal(n, seed + 2), bias === 'row' ? [n] : [1, n]);
    const asFloat64 = (v: Tensor | undefined) => v && new Tensor(Float64Array.from(v.data as Float32Array), v.shape);
    const abs = (v: Tensor) => new Tensor((v.data as Float32Array).map(Math.abs), v.shape);
    const attributes = { transB: transB ? 1 : 0 };
    const [y] = runOp('Gemm', [a, b, c], { attributes });
    const [exact] = runOp('Gemm', [asFloat64(a), asFloat64(b), asFloat64(c)], { attributes });
    const [magnitudes] = runOp('Gemm', [asFloat64(abs(a)), asFloat64(abs(b))], { attributes });
    if (m * k * n >= NATIVE_MIN_MACS) native++;
    (y.data as Float32Array).forEach((v, i) => {
      const expected = Math.fround((exact.data as Float64Array)[i]);
      const bound = ulp32(expected) + k * 2 ** -52 * (magnitudes.data as Float64Array)[i];
      if (!(Math.abs(v - expected) <= bound)) throw new Error(`[${m}, ${k}] x [${k}, ${n}]: element ${i} is ${v}, expected ${expected}`);
    });
  }), { numRuns: 150 });
  t.true(native > 50, `${native} of 150 cases large enough for the native kernel`);
});
