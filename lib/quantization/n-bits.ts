// Bit widths a quantizer accepts. 24 is the widest for which every quantized integer, every
// zero point and every clipping bound is exact in a float32 as well as in a float64 (2^24 is the
// float32 mantissa limit), so quantization of float32 tensors never loses an integer.

export const MIN_N_BITS = 1;
export const MAX_N_BITS = 24;

/** Throws a RangeError unless `nBits` is an integer in [1, 24]. */
export function checkNBits(nBits: unknown, what = 'nBits'): number {
  if (typeof nBits !== 'number' || !Number.isInteger(nBits) || nBits < MIN_N_BITS || nBits > MAX_N_BITS) {
    throw new RangeError(`${what} must be an integer in [${MIN_N_BITS}, ${MAX_N_BITS}], got ${String(nBits)}`);
  }
  return nBits;
}
