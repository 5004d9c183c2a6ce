// MatMul (numpy semantics: 1-D promotion, batch broadcasting) and Gemm.
import { Tensor, sizeOf } from '../../tensor';
import type { OnnxNode } from '../graph';
import { formatShape } from '../errors';
import { attrFloat, attrInt, input, opError, optionalInput, requireDtype, type OpContext } from './context';
import { allocate, broadcastIndex, broadcastShapes } from './broadcast';
import { NATIVE_MIN_MACS, nativeFloatConv2d } from './native-float';

type FloatArray = Float32Array | Float64Array;
const MATMUL_TYPES = ['float32', 'float64', 'int32', 'uint32', 'int64', 'uint64'] as const;

/** The values as float64 (exact for float32 and 32-bit integers); a Float64Array as is. */
export function float64Array(data: ArrayLike<number>): Float64Array {
  return data instanceof Float64Array ? data : Float64Array.from(data);
}

/** A [rows x cols] matrix as row-major float64, from row-major data or (transposedInput) from its [cols x rows] transpose. */
export function rowMajor(data: ArrayLike<number>, transposedInput: boolean, rows: number, cols: number): Float64Array {
  if (!transposedInput) return float64Array(data);
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = data[c * rows + r];
  return out;
}

/**
 * out[m x n] += a[m x k] @ b[k x n], all row-major float64, i-k-j order so the inner loop is
 * contiguous. Every float and 32-bit integer product of the interpreter goes through here: on
 * arrays of one type the engine compiles it to a tight loop (products of 32-bit integers are
 * exact in float64 below 2^53).
 */
export function gemmFloat64(a: Float64Array, b: Float64Array, out: Float64Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      if (av === 0) continue;
      const bRow = p * n;
      for (let j = 0; j < n; j++) out[row + j] += av * b[bRow + j];
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
  const big = a.dtype === 'int64' || a.dtype === 'uint64';
  const a64 = big ? new Float64Array(0) : float64Array(a.data as Int32Array);
  const b64 = big ? new Float64Array(0) : float64Array(b.data as Int32Array);
  for (let t = 0; t < batchSize; t++) {
    const aOff = (aIndex ? aIndex[t] : t) * m * k;
    const bOff = (bIndex ? bIndex[t] : t) * k * n;
    if (big) {
      bigMatmul(a.data as BigInt64Array, aOff, b.data as BigInt64Array, bOff, out.data as BigInt64Array, t * m * n, m, k, n);
    } else {
      // Accumulate in float64: more exact for float32, and exact for 32-bit integers below 2^53
      // (stored with wrap-around afterwards).
      const acc = new Float64Array(m * n);
      gemmFloat64(a64.subarray(aOff, aOff + m * k), b64.subarray(bOff, bOff + k * n), acc, m, k, n);
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
  if (c !== undefined && beta !== 0) {
    if (c.dtype !== a.dtype) throw opError(node, `C has type ${c.dtype}, A has ${a.dtype}`);
    if (broadcastShapes(node, [c.shape, [m, n]]).some((d, i) => d !== [m, n][i])) {
      throw opError(node, `C ${formatShape(c.shape)} does not broadcast to [${m}, ${n}]`);
    }
  }
  // PyTorch's Linear (alpha = beta = 1, C absent or one bias row) is a 1x1 convolution of m
  // images of k channels: large float32 ones run on the native conv kernel, with the same
  // float64 sums, bias addition and single rounding as the loop below.
  const biasRow = c === undefined || beta === 0 || (beta === 1 && c.size === n && c.shape.at(-1) === n);
  if (a.dtype === 'float32' && !transA && alpha === 1 && biasRow && m * k * n >= NATIVE_MIN_MACS) {
    const weights = transB ? (b.data as Float32Array) : Float32Array.from(rowMajor(b.data as Float32Array, true, n, k));
    const data = nativeFloatConv2d({
      input: a.data as Float32Array, inputShape: [m, k, 1, 1], weights, weightShape: [n, k, 1, 1], group: 1,
      strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], bias: beta === 0 ? undefined : (c?.data as Float32Array | undefined),
    });
    return [new Tensor(data, [m, n])];
  }
  const acc = new Float64Array(m * n);
  // A and B as row-major float64 copies (B^T is PyTorch's Linear layout): the product loop then
  // reads contiguous arrays of one type, which the engine compiles to a tight loop. Same sums.
  gemmFloat64(rowMajor(a.data as FloatArray, transA, m, k), rowMajor(b.data as FloatArray, transB, k, n), acc, m, k, n);
  const out = allocate(a.dtype, [m, n]);
  // One typed pass (the generic broadcasting map costs more than the products for small layers);
  // same roundings: alpha * sum, then + beta * C, in float64, then to the output type.
  const dst = out.data as FloatArray;
  if (alpha !== 1) for (let i = 0; i < acc.length; i++) acc[i] *= alpha;
  if (c === undefined || beta === 0) dst.set(acc);
  else {
    const index = broadcastIndex(c.shape, [m, n]);
    const cData = c.data as FloatArray;
    for (let i = 0; i < acc.length; i++) dst[i] = acc[i] + beta * cData[index === undefined ? i : index[i]];
  }
  return [out];
}
