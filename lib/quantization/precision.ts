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
