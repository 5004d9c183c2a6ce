// Integer helpers shared by the ops: bit widths as Concrete counts them, accumulator rounding
// (round_bit_pattern in the clear), and conversions at the native boundary.

import { Tensor } from '../tensor';

/** Bits of the smallest integer type holding every value in [min, max] (Concrete's Integer.that_can_represent). */
export function bitWidthOfRange(min: number, max: number): number {
  const signed = min < 0;
  const bits = (value: number): number => {
    if (value === 0) return 1;
    if (value < 0) return Math.ceil(Math.log2(-value)) + 1;
    return Math.ceil(Math.log2(value + 1)) + (signed ? 1 : 0);
  };
  return min === max ? bits(min) : Math.max(bits(min), bits(max));
}

export function rangeOf(data: ArrayLike<number>): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

/** Round to the nearest multiple of 2^lsbs, ties up: floor((x + 2^(lsbs-1)) / 2^lsbs) * 2^lsbs. */
export function roundBitPattern(data: Float64Array, lsbs: number): Float64Array {
  if (lsbs <= 0) return data;
  const unit = 2 ** lsbs;
  const half = unit / 2;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.floor((data[i] + half) / unit) * unit;
  return out;
}

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

/** Integers held in float64 (exact below 2^53) as int32, failing loudly rather than wrapping. */
export function toInt32Tensor(data: ArrayLike<number>, shape: readonly number[], what: string): Tensor<'int32'> {
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v >= INT32_MIN && v <= INT32_MAX) || !Number.isInteger(v)) {
      throw new RangeError(`${what}: integer ${v} at element ${i} does not fit int32`);
    }
    out[i] = v;
  }
  return new Tensor(out, shape);
}

export function bigToFloat64(data: BigInt64Array): Float64Array {
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

export function int32Of(tensor: Tensor): Int32Array {
  if (tensor.data instanceof Int32Array) return tensor.data;
  return Int32Array.from(tensor.data as ArrayLike<number>);
}
