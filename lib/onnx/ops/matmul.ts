// MatMul (numpy semantics: 1-D promotion, batch broadcasting) and Gemm.
import { Tensor, sizeOf } from '../../tensor';
import type { OnnxNode } from '../graph';
import { formatShape } from '../errors';
import { attrFloat, attrInt, input, opError, optionalInput, requireDtype, type OpContext } from './context';
import { allocate, broadcastIndex, broadcastShapes, map2 } from './broadcast';

type FloatArray = Float32Array | Float64Array;
const MATMUL_TYPES = ['float32', 'float64', 'int32', 'uint32', 'int64', 'uint64'] as const;

/** out[m x n] += a[m x k] @ b[k x n], row-major; i-k-j order keeps the inner loop contiguous. */
export function gemmKernel(
  a: ArrayLike<number>, aOffset: number, aRowStride: number, aColStride: number,
  b: ArrayLike<number>, bOffset: number, bRowStride: number, bColStride: number,
  out: FloatArray | Float64Array, outOffset: number, m: number, k: number, n: number,
): void {
  for (let i = 0; i < m; i++) {
    const row = outOffset + i * n;
    for (let p = 0; p < k; p++) {
      const av = a[aOffset + i * aRowStride + p * aColStride];
      if (av === 0) continue;
      const bRow = bOffset + p * bRowStride;
      for (let j = 0; j < n; j++) out[row + j] += av * b[bRow + j * bColStride];
    }
  }
}

function bigMatmul(a: BigInt64Array | BigUint64Array, aOff: number, b: BigInt64Array | BigUint64Array, bOff: number,
  out: BigInt64Array | BigUint64Array, outOff: number, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let acc = 0n;
    for (let p = 0; p < k; p++) acc += a[aOff + i * k + p] * b[bOff + p * n + j];
    out[outOff + i * n + j] = acc;
  }
}

export function matmulTensors(node: OnnxNode, a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== b.dtype) throw opError(node, `inputs have different types: ${a.dtype} and ${b.dtype}`);
  requireDtype(node, a, 'input A', MATMUL_TYPES);
  if (a.rank === 0 || b.rank === 0) throw opError(node, 'MatMul inputs must have rank >= 1');
  // numpy promotion: a 1-D A is a row vector, a 1-D B a column vector; the added axis is dropped after.
  const aShape = a.rank === 1 ? [1, a.shape[0]] : [...a.shape];
  const bShape = b.rank === 1 ? [b.shape[0], 1] : [...b.shape];
  const [m, k] = aShape.slice(-2);
  const [k2, n] = bShape.slice(-2);
  if (k !== k2) {
    throw opError(node, `cannot multiply ${formatShape(a.shape)} by ${formatShape(b.shape)}: inner dimensions ${k} and ${k2} differ`);
  }
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const batch = broadcastShapes(node, [aBatch, bBatch]);
  const batchSize = sizeOf(batch);
  const aIndex = broadcastIndex(aBatch, batch);
  const bIndex = broadcastIndex(bBatch, batch);
  const out = allocate(a.dtype, [...batch, m, n]);
  for (let t = 0; t < batchSize; t++) {
    const aOff = (aIndex ? aIndex[t] : t) * m * k;
    const bOff = (bIndex ? bIndex[t] : t) * k * n;
    if (a.dtype === 'int64' || a.dtype === 'uint64') {
      bigMatmul(a.data as BigInt64Array, aOff, b.data as BigInt64Array, bOff, out.data as BigInt64Array, t * m * n, m, k, n);
    } else {
      // Accumulate in float64: more exact for float32, and exact for 32-bit integers below 2^53
      // (stored with wrap-around afterwards).
      const acc = new Float64Array(m * n);
      gemmKernel(a.data as Int32Array, aOff, k, 1, b.data as Int32Array, bOff, n, 1, acc, 0, m, k, n);
      (out.data as Int32Array).set(acc, t * m * n);
    }
  }
  const shape = [...batch, m, n];
  if (a.rank === 1) shape.splice(shape.length - 2, 1);
  if (b.rank === 1) shape.splice(shape.length - 1, 1);
  return out.reshape(shape);
}

export function matmul(ctx: OpContext): Tensor[] {
  return [matmulTensors(ctx.node, input(ctx, 0), input(ctx, 1))];
}

/** Y = alpha * A' @ B' + beta * C, with A' = A or A^T, B' = B or B^T; C broadcasts to [M, N]. */
export function gemm(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const a = input(ctx, 0);
  const b = input(ctx, 1);
  const c = optionalInput(ctx, 2);
  requireDtype(node, a, 'input A', ['float32', 'float64']);
  if (b.dtype !== a.dtype) throw opError(node, `inputs have different types: ${a.dtype} and ${b.dtype}`);
  if (a.rank !== 2 || b.rank !== 2) {
    throw opError(node, `A and B must be 2-D, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const transA = attrInt(node, 'transA', 0) !== 0;
  const transB = attrInt(node, 'transB', 0) !== 0;
  const alpha = attrFloat(node, 'alpha', 1);
  const beta = attrFloat(node, 'beta', 1);
  const [m, k] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [k2, n] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (k !== k2) {
    throw opError(node, `cannot multiply A ${formatShape(a.shape)} (transA=${+transA}) by B ${formatShape(b.shape)} (transB=${+transB})`);
  }
  const acc = new Float64Array(m * n);
  gemmKernel(
    a.data as FloatArray, 0, transA ? 1 : k, transA ? m : 1,
    b.data as FloatArray, 0, transB ? 1 : n, transB ? k : 1,
    acc, 0, m, k, n,
  );
  let result = new Tensor(acc, [m, n]);
  if (alpha !== 1) result = map2(node, result, result, 'float64', (x: number) => alpha * x);
  if (c !== undefined && beta !== 0) {
    if (c.dtype !== a.dtype) throw opError(node, `C has type ${c.dtype}, A has ${a.dtype}`);
    if (broadcastShapes(node, [c.shape, [m, n]]).some((d, i) => d !== [m, n][i])) {
      throw opError(node, `C ${formatShape(c.shape)} does not broadcast to [${m}, ${n}]`);
    }
    result = map2(node, result, c, 'float64', (x: number, y: number) => x + beta * y);
  }
  const out = allocate(a.dtype, [m, n]);
  (out.data as FloatArray).set(result.data as Float64Array);
  return [out];
}
