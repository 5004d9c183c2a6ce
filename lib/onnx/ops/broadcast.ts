// Multidirectional (numpy-style) broadcasting and the element-wise loops built on it.
import { Tensor, sizeOf, type DType, type DTypeArrays } from '../../tensor';
import type { OnnxNode } from '../graph';
import { formatShape } from '../errors';
import { opError } from './context';

export type Scalar = number | bigint;

export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

export function broadcastShapes(node: OnnxNode, shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const shape of shapes) {
    for (let i = 0; i < shape.length; i++) {
      const at = rank - shape.length + i;
      const d = shape[i];
      if (out[at] === 1) out[at] = d;
      else if (d !== 1 && d !== out[at]) {
        throw opError(node, `shapes ${shapes.map(formatShape).join(' and ')} cannot be broadcast together`);
      }
    }
  }
  return out;
}

/** For each output element, the flat index of the element of `shape` that broadcasts to it. */
export function broadcastIndex(shape: readonly number[], outShape: readonly number[]): Int32Array | undefined {
  if (shape.length === outShape.length && shape.every((d, i) => d === outShape[i])) return undefined;
  const size = sizeOf(outShape);
  const index = new Int32Array(size);
  const rank = outShape.length;
  const offset = rank - shape.length;
  const inStrides = stridesOf(shape);
  // Stride 0 on broadcast axes: moving along them does not move in the input.
  const strides = outShape.map((_, axis) =>
    axis < offset || shape[axis - offset] === 1 ? 0 : inStrides[axis - offset],
  );
  const counter = new Array<number>(rank).fill(0);
  let at = 0;
  for (let i = 0; i < size; i++) {
    index[i] = at;
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis]++;
      at += strides[axis];
      if (counter[axis] < outShape[axis]) break;
      at -= strides[axis] * counter[axis];
      counter[axis] = 0;
    }
  }
  return index;
}

export function allocate<D extends DType>(dtype: D, shape: readonly number[]): Tensor<D> {
  return Tensor.zeros(dtype, shape);
}

type Values = ArrayLike<Scalar>;

export function map1(x: Tensor, outDtype: DType, fn: (v: never) => Scalar | boolean): Tensor {
  const out = allocate(outDtype, x.shape);
  const src = x.data as Values;
  const dst = out.data as unknown as Scalar[];
  const f = fn as (v: Scalar) => Scalar;
  if (x.dtype === 'float32' && outDtype === 'float32') mapFloat32(src as Float32Array, dst as unknown as Float32Array, f as (v: number) => number);
  else for (let i = 0; i < dst.length; i++) dst[i] = f(src[i]);
  return out;
}

// Float32 activations dominate float models; a loop that only ever sees Float32Arrays keeps its
// element loads and stores monomorphic (the shared loop above sees every array type, and its
// generic keyed accesses cost several times the function call).
function mapFloat32(src: Float32Array, dst: Float32Array, f: (v: number) => number): void {
  for (let i = 0; i < dst.length; i++) dst[i] = f(src[i]);
}

export function map2(
  node: OnnxNode,
  a: Tensor,
  b: Tensor,
  outDtype: DType,
  fn: (x: never, y: never) => Scalar | boolean,
): Tensor {
  const shape = broadcastShapes(node, [a.shape, b.shape]);
  const out = allocate(outDtype, shape);
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const da = a.data as Values;
  const db = b.data as Values;
  const dst = out.data as unknown as Scalar[];
  const f = fn as (x: Scalar, y: Scalar) => Scalar;
  const n = dst.length;
  if (ia === undefined && ib === undefined) for (let i = 0; i < n; i++) dst[i] = f(da[i], db[i]);
  else if (ia === undefined) for (let i = 0; i < n; i++) dst[i] = f(da[i], db[ib![i]]);
  else if (ib === undefined) for (let i = 0; i < n; i++) dst[i] = f(da[ia[i]], db[i]);
  else for (let i = 0; i < n; i++) dst[i] = f(da[ia[i]], db[ib[i]]);
  return out;
}

export function map3(
  node: OnnxNode,
  a: Tensor,
  b: Tensor,
  c: Tensor,
  outDtype: DType,
  fn: (x: never, y: never, z: never) => Scalar | boolean,
): Tensor {
  const shape = broadcastShapes(node, [a.shape, b.shape, c.shape]);
  const out = allocate(outDtype, shape);
  const n = sizeOf(shape);
  const identity = (i: number): number => i;
  const indexer = (t: Tensor): ((i: number) => number) => {
    const index = broadcastIndex(t.shape, shape);
    return index === undefined ? identity : (i) => index[i];
  };
  const [ia, ib, ic] = [indexer(a), indexer(b), indexer(c)];
  const [da, db, dc] = [a.data as Values, b.data as Values, c.data as Values];
  const dst = out.data as unknown as Scalar[];
  const f = fn as (x: Scalar, y: Scalar, z: Scalar) => Scalar;
  for (let i = 0; i < n; i++) dst[i] = f(da[ia(i)], db[ib(i)], dc[ic(i)]);
  return out;
}

/** A tensor's data as the typed array of its dtype, for ops that know the dtype. */
export function dataOf<D extends DType>(tensor: Tensor<D>): DTypeArrays[D] {
  return tensor.data;
}
