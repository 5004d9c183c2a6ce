// The zero point is the integer that represents the real value 0. For inputs and weights it is an
// integer. A quantizer of a graph output produced by a mixing op (Gemm, MatMul, Conv) folds the
// bias and the zero-point cross terms into it, so there it is a float, or one float per output
// channel: a tensor that broadcasts against the values as in numpy.

import { Tensor, type TensorLike } from '../tensor';
import { decodeNumber, decodeTensor, encodeNumber, encodeTensor, type JsonNumber, type TensorJSON } from './json';
import { checkFinite, checkNonEmpty, copy, tensorsEqual } from './values';

export type ZeroPoint = number | Tensor<'float64'>;
export type ZeroPointLike = number | TensorLike;
export type ZeroPointJSON = JsonNumber | TensorJSON;

/** A number stays a number; a tensor is copied to float64; a 0-d tensor becomes a number. */
export function toZeroPoint(value: ZeroPointLike, what = 'zeroPoint'): ZeroPoint {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${what} must be finite, got ${value}`);
    return value;
  }
  if (value === null || value === undefined) throw new TypeError(`${what} must be a number or a tensor`);
  const tensor = Tensor.from(value);
  checkNonEmpty(tensor, what);
  if (tensor.data instanceof BigInt64Array || tensor.data instanceof BigUint64Array) {
    return toZeroPoint(new Tensor(Float64Array.from(tensor.data, Number), tensor.shape), what);
  }
  checkFinite(tensor, what);
  if (tensor.rank === 0) return tensor.data[0] as number;
  const data = tensor.dtype === 'float64' ? (copy(tensor).data as Float64Array) : Float64Array.from(tensor.data as ArrayLike<number>);
  return new Tensor(data, tensor.shape);
}

export function zeroPointsEqual(a: ZeroPoint, b: ZeroPoint): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  return tensorsEqual(a, b);
}

export function encodeZeroPoint(zeroPoint: ZeroPoint): ZeroPointJSON {
  return typeof zeroPoint === 'number' ? encodeNumber(zeroPoint) : encodeTensor(zeroPoint);
}

export function decodeZeroPoint(json: unknown, what: string): ZeroPoint {
  if (typeof json === 'number' || typeof json === 'string') return decodeNumber(json, what);
  const tensor = decodeTensor(json, what);
  if (tensor.dtype !== 'float64') throw new TypeError(`${what} must be a float64 tensor, got ${tensor.dtype}`);
  return toZeroPoint(tensor, what);
}

/**
 * The zero point repeated to `shape` under numpy broadcasting rules (trailing dimensions
 * aligned, size-1 dimensions stretched). A zero point that would enlarge the values is an error:
 * quantization keeps the shape of its input.
 */
export function broadcastZeroPoint(zeroPoint: Tensor<'float64'>, shape: readonly number[]): Float64Array {
  const from = zeroPoint.shape;
  const fits =
    from.length <= shape.length &&
    from.every((d, k) => d === 1 || d === shape[shape.length - from.length + k]);
  if (!fits) {
    throw new RangeError(
      `zero point of shape [${from.join(', ')}] does not broadcast to values of shape [${shape.join(', ')}]`,
    );
  }
  // strides of the zero point seen through the values' shape, 0 along stretched dimensions
  const strides = new Array<number>(shape.length).fill(0);
  for (let k = from.length - 1, stride = 1; k >= 0; k--) {
    strides[shape.length - from.length + k] = from[k] === 1 ? 0 : stride;
    stride *= from[k];
  }
  let size = 1;
  for (const d of shape) size *= d;
  const out = new Float64Array(size);
  const index = new Array<number>(shape.length).fill(0);
  let source = 0;
  for (let i = 0; i < size; i++) {
    out[i] = zeroPoint.data[source];
    // odometer over the values' indices, moving `source` along with it
    for (let k = shape.length - 1; k >= 0; k--) {
      index[k]++;
      source += strides[k];
      if (index[k] < shape[k]) break;
      source -= strides[k] * index[k];
      index[k] = 0;
    }
  }
  return out;
}
