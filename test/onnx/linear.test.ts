// Conv, ConvTranspose, MatMul and Gemm against direct definitions written for these tests
// (plain nested loops over the formula, no im2col), on random shapes and attributes.
import test from 'ava';
import fc from 'fast-check';
import { Tensor, sizeOf } from '../../lib/tensor';
import { runOp, f64, values } from './run-op';

const random = (shape: number[], seed: number): Tensor =>
  f64(Array.from({ length: sizeOf(shape) }, (_, i) => Math.sin(seed * 7.31 + i * 1.7) * 2), shape);

function closeTo(actual: readonly (number | bigint)[], expected: readonly number[]): boolean {
  return actual.length === expected.length && actual.every((v, i) => Math.abs((v as number) - expected[i]) <= 1e-9 * (1 + Math.abs(expected[i])));
}

interface Conv2d { n: number; c: number; group: number; mPerGroup: number; h: number; w: number; kh: number; kw: number; stride: [number, number]; dilation: [number, number]; pads: [number, number, number, number] }

function directConv(x: Tensor, w: Tensor, b: Tensor, p: Conv2d, oh: number, ow: number): number[] {
  const X = x.data as Float64Array;
  const W = w.data as Float64Array;
  const m = p.group * p.mPerGroup;
  const cg = p.c / p.group;
  const out: number[] = [];
  for (let n = 0; n < p.n; n++) for (let o = 0; o < m; o++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
    let acc = (b.data as Float64Array)[o];
    const g = Math.floor(o / p.mPerGroup);
    for (let c = 0; c < cg; c++) for (let u = 0; u < p.kh; u++) for (let v = 0; v < p.kw; v++) {
      const y = i * p.stride[0] - p.pads[0] + u * p.dilation[0];
      const z = j * p.stride[1] - p.pads[1] + v * p.dilation[1];
      if (y < 0 || y >= p.h || z < 0 || z >= p.w) continue;
      acc += X[((n * p.c + g * cg + c) * p.h + y) * p.w + z] * W[((o * cg + c) * p.kh + u) * p.kw + v];
    }
    out.push(acc);
  }
  return out;
}

const conv2dParams = fc.record({
  n: fc.integer({ min: 1, max: 2 }), group: fc.integer({ min: 1, max: 3 }), cPerGroup: fc.integer({ min: 1, max: 2 }),
  mPerGroup: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 3, max: 7 }), w: fc.integer({ min: 3, max: 7 }),
  kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
  stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  pads: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
}).map(({ cPerGroup, ...rest }) => ({ ...rest, c: cPerGroup * rest.group }) as Conv2d)
  .filter((p) => p.h + p.pads[0] + p.pads[2] >= p.dilation[0] * (p.kh - 1) + 1 && p.w + p.pads[1] + p.pads[3] >= p.dilation[1] * (p.kw - 1) + 1);

test('Conv matches the direct definition (groups, strides, dilations, asymmetric pads)', (t) => {
  fc.assert(fc.property(conv2dParams, fc.integer({ min: 0, max: 1000 }), (p, seed) => {
    const x = random([p.n, p.c, p.h, p.w], seed);
    const w = random([p.group * p.mPerGroup, p.c / p.group, p.kh, p.kw], seed + 1);
    const b = random([p.group * p.mPerGroup], seed + 2);
    const [y] = runOp('Conv', [x, w, b], { attributes: { group: p.group, strides: p.stride, dilations: p.dilation, pads: [p.pads[0], p.pads[1], p.pads[2], p.pads[3]] } });
    const oh = Math.floor((p.h + p.pads[0] + p.pads[2] - p.dilation[0] * (p.kh - 1) - 1) / p.stride[0]) + 1;
    const ow = Math.floor((p.w + p.pads[1] + p.pads[3] - p.dilation[1] * (p.kw - 1) - 1) / p.stride[1]) + 1;
    return y.shape.join() === [p.n, p.group * p.mPerGroup, oh, ow].join() && closeTo(values(y), directConv(x, w, b, p, oh, ow));
  }), { numRuns: 150 });
  t.pass();
});

test('Conv auto_pad SAME_UPPER / SAME_LOWER put the odd padding at the end / the beginning', (t) => {
  const x = f64([1, 2, 3, 4, 5], [1, 1, 5]);
  const w = f64([1, 10], [1, 1, 2]);
  const [upper] = runOp('Conv', [x, w], { attributes: { auto_pad: 'SAME_UPPER' } });
  const [lower] = runOp('Conv', [x, w], { attributes: { auto_pad: 'SAME_LOWER' } });
  t.deepEqual(values(upper), [21, 32, 43, 54, 5]);
  t.deepEqual(values(lower), [10, 21, 32, 43, 54]);
  const [valid] = runOp('Conv', [x, w], { attributes: { auto_pad: 'VALID', strides: [2] } });
  t.deepEqual(values(valid), [21, 43]);
});

test('ConvTranspose matches the direct scatter definition', (t) => {
  fc.assert(fc.property(
    fc.record({
      group: fc.integer({ min: 1, max: 2 }), cPerGroup: fc.integer({ min: 1, max: 2 }), mPerGroup: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 1, max: 4 }), w: fc.integer({ min: 1, max: 4 }), kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
      stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
      pad: fc.integer({ min: 0, max: 1 }),
    }),
    fc.integer({ min: 0, max: 1000 }),
    (p, seed) => {
      const c = p.group * p.cPerGroup;
      const m = p.group * p.mPerGroup;
      const x = random([1, c, p.h, p.w], seed);
      const w = random([c, p.mPerGroup, p.kh, p.kw], seed + 1);
      const full = [0, 1].map((d) => p.stride[d] * ([p.h, p.w][d] - 1) + p.dilation[d] * ([p.kh, p.kw][d] - 1) + 1);
      if (full.some((f) => f - 2 * p.pad <= 0)) return true;
      const [y] = runOp('ConvTranspose', [x, w], { attributes: { group: p.group, strides: p.stride, dilations: p.dilation, pads: [p.pad, p.pad, p.pad, p.pad] } });
      const [oh, ow] = full.map((f) => f - 2 * p.pad);
      const expected = new Array<number>(m * oh * ow).fill(0);
      const X = x.data as Float64Array;
      const W = w.data as Float64Array;
      for (let ci = 0; ci < c; ci++) for (let i = 0; i < p.h; i++) for (let j = 0; j < p.w; j++) {
        const g = Math.floor(ci / p.cPerGroup);
        for (let mo = 0; mo < p.mPerGroup; mo++) for (let u = 0; u < p.kh; u++) for (let v = 0; v < p.kw; v++) {
          const y0 = i * p.stride[0] + u * p.dilation[0] - p.pad;
          const z0 = j * p.stride[1] + v * p.dilation[1] - p.pad;
          if (y0 < 0 || y0 >= oh || z0 < 0 || z0 >= ow) continue;
          expected[((g * p.mPerGroup + mo) * oh + y0) * ow + z0] += X[(ci * p.h + i) * p.w + j] * W[((ci * p.mPerGroup + mo) * p.kh + u) * p.kw + v];
        }
      }
      return y.shape.join() === [1, m, oh, ow].join() && closeTo(values(y), expected);
    },
  ), { numRuns: 150 });
  t.pass();
});

test('MatMul broadcasts batch dimensions and promotes 1-D operands', (t) => {
  const a = random([2, 1, 3, 4], 1);
  const b = random([5, 4, 2], 2);
  const [y] = runOp('MatMul', [a, b]);
  t.deepEqual(y.shape, [2, 5, 3, 2]);
  const A = a.data as Float64Array;
  const B = b.data as Float64Array;
  const expected: number[] = [];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 5; j++) for (let r = 0; r < 3; r++) for (let c = 0; c < 2; c++) {
    let acc = 0;
    for (let k = 0; k < 4; k++) acc += A[(i * 3 + r) * 4 + k] * B[(j * 4 + k) * 2 + c];
    expected.push(acc);
  }
  t.true(closeTo(values(y), expected));
  t.deepEqual(runOp('MatMul', [f64([1, 2, 3]), random([2, 3, 4], 3)])[0].shape, [2, 4]);
  t.deepEqual(values(runOp('MatMul', [f64([1, 2, 3]), f64([4, 5, 6])])[0]), [32]);
  t.throws(() => runOp('MatMul', [random([2, 3], 0), random([4, 2], 0)]), { message: /MatMul_under_test.*cannot multiply \[2, 3\] by \[4, 2\]: inner dimensions 3 and 4 differ/ });
});

test('Gemm applies transA, transB, alpha, beta and broadcasts C', (t) => {
  const a = f64([1, 2, 3, 4, 5, 6], [3, 2]); // A^T is [2, 3]
  const b = f64([1, 0, 0, 1, 1, 1], [2, 3]); // B^T is [3, 2]
  const c = f64([100, 200], [2]);
  const [y] = runOp('Gemm', [a, b, c], { attributes: { transA: 1, transB: 1, alpha: { float: 2 }, beta: { float: 0.5 } } });
  // A^T = [[1,3,5],[2,4,6]], B^T = [[1,1],[0,1],[0,1]] -> A^T B^T = [[1,9],[2,12]]
  t.deepEqual(y.shape, [2, 2]);
  t.deepEqual(values(y), [2 + 50, 18 + 100, 4 + 50, 24 + 100]);
});
