// Concrete ML v1.9 runs on numpy 1.26, whose type promotion is value based: a float32 array
// combined with a Python or numpy scalar stays float32, and a float32 scalar minus a float32
// scalar is a float32. So a float32 tensor is quantized with float32 arithmetic, and statistics
// taken from a float32 tensor are float32 numbers. To give the same integers as Concrete ML,
// cipherquant tracks which of the two widths a computation runs in and rounds to float32 where
// numpy would.
//
// JS numbers are float64; Math.fround of a float64 result of +, -, * or / on two float32 values
// is exactly the float32 result of that operation (float64 has more than 2 * 24 + 2 mantissa
// bits, so double rounding cannot occur).

/** Width of the floating point arithmetic of a computation, named after numpy's dtypes. */
export type FloatDType = 'float32' | 'float64';

export function isFloatDType(value: unknown): value is FloatDType {
  return value === 'float32' || value === 'float64';
}

/** Rounds `x` to the given width (identity for float64). */
export function toWidth(dtype: FloatDType, x: number): number {
  return dtype === 'float32' ? Math.fround(x) : x;
}

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Width of `float32Array <op> scalar` under numpy 1.26's value-based promotion: the scalar is
 * replaced by the smallest dtype that holds its value (numpy.min_scalar_type), then promoted
 * with float32. Integers up to int16/uint16 (-32768..65535) keep float32, wider ones promote to
 * float64; floats keep float32 unless they overflow it. So a float32 tensor whose zero point is
 * 65536 or more is shifted in float64 while one with zero point 100 is shifted in float32.
 *
 * `isInteger` stands for the scalar's numpy kind. cipherquant's zero points are plain numbers,
 * so an integral value counts as an integer: only a float zero point that happens to be
 * integral and outside -32768..65535 gets a different width than in the reference.
 */
export function float32ScalarOpWidth(scalar: number, isInteger: boolean): FloatDType {
  if (isInteger) return scalar >= -32768 && scalar <= 65535 ? 'float32' : 'float64';
  return Math.abs(scalar) <= FLOAT32_MAX ? 'float32' : 'float64';
}
