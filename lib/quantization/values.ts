// Conversion of what users pass (Tensor, onnxruntime tensor, nested number arrays) into the
// tensors the quantizer works on, with the checks that turn silent garbage into clear errors:
// a NaN or an infinity would poison min/max and every scale computed from them, and an empty
// tensor has no min/max at all.

import { Tensor, type TensorLike } from '../tensor';
import type { FloatDType } from './precision';

export type FloatTensor = Tensor<'float32'> | Tensor<'float64'>;

const INTEGER_DTYPES = new Set(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);

export function isFloatTensor(tensor: Tensor): tensor is FloatTensor {
  return tensor.dtype === 'float32' || tensor.dtype === 'float64';
}

export function isIntegerTensor(tensor: Tensor): boolean {
  return INTEGER_DTYPES.has(tensor.dtype);
}

/** The width numpy would compute in for this tensor: float32 only for float32 data. */
export function arithmeticDType(tensor: Tensor): FloatDType {
  return tensor.dtype === 'float32' ? 'float32' : 'float64';
}

export function checkNonEmpty(tensor: Tensor, what: string): void {
  if (tensor.size === 0) {
    throw new RangeError(`${what} is empty (shape [${tensor.shape.join(', ')}]): there is nothing to quantize`);
  }
}

/** Throws a RangeError naming the first NaN or infinity. */
export function checkFinite(tensor: Tensor, what: string): void {
  const data = tensor.data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw notFinite(what, i, data[i]);
  }
}

export function notFinite(what: string, index: number, value: number): RangeError {
  return new RangeError(`${what} must be finite, but element ${index} is ${value}`);
}

/** Float values to quantize: float32/float64 tensors or nested numbers; copied, checked. */
export function floatValues(values: TensorLike, what: string): FloatTensor {
  const tensor = Tensor.from(values);
  if (!isFloatTensor(tensor)) {
    throw new TypeError(`${what} must be float32 or float64 when they are float values, got ${tensor.dtype}`);
  }
  checkNonEmpty(tensor, what);
  checkFinite(tensor, what);
  return copy(tensor);
}

/**
 * Integer values to de-quantize: an integer tensor is copied as is; nested number arrays must
 * hold integers and become int32 (every quantized value of nBits <= 24 fits).
 */
export function integerValues(qvalues: TensorLike, what: string): Tensor {
  const tensor = Tensor.from(qvalues);
  checkNonEmpty(tensor, what);
  if (isIntegerTensor(tensor)) return copy(tensor);
  if (!Array.isArray(qvalues) && typeof qvalues !== 'number') {
    throw new TypeError(`${what} must be an integer tensor, got ${tensor.dtype}`);
  }
  return toInt32(tensor as FloatTensor, what);
}

/** Checks that every element of a float tensor is an integer in int32 range and converts. */
export function toInt32(tensor: FloatTensor, what: string): Tensor<'int32'> {
  const source = tensor.data;
  const data = new Int32Array(source.length);
  for (let i = 0; i < source.length; i++) {
    const value = source[i];
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
      throw new RangeError(`${what} must be integers in the int32 range, but element ${i} is ${value}`);
    }
    data[i] = value;
  }
  return new Tensor(data, tensor.shape);
}

export function copy<T extends Tensor>(tensor: T): T {
  return new Tensor(tensor.data.slice(), tensor.shape, tensor.dtype) as T;
}

/** Elementwise numeric equality with equal shapes, whatever the dtypes (numpy.array_equal). */
export function tensorsEqual(a: Tensor, b: Tensor): boolean {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const x = a.data;
  const y = b.data;
  for (let i = 0; i < x.length; i++) {
    // == on a bigint and a number compares their mathematical values
    if (!(x[i] == y[i])) return false;
  }
  return true;
}
