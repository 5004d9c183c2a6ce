// Integer ranges and the modular message encoding every ciphertext of a circuit shares.
//
// Encoding (see lib/fhe/tfhe.ts): a circuit of message precision p encodes an integer m as
// m * 2^(63 - p) on the 64-bit torus. Linear operations therefore compute exactly modulo
// M = 2^(p+1) (p message bits plus the padding bit), whatever the sign or size of the
// intermediate values: wrap-around between table lookups is harmless. Only what is OBSERVED
// must be unambiguous:
//   - a lookup input, shifted by its range minimum, must lie in [0, 2^p) (the PBS reads the
//     padding bit as a sign and negates the table above it);
//   - a circuit output must lie in a window of M consecutive integers starting at its range
//     minimum, so that decryption can lift the residue back to the integer.
// Clear weights and constants are reduced to centered residues in [-2^p, 2^p) before they meet
// ciphertexts: the result is the same modulo M, and smaller weights add less noise.

/** An inclusive integer interval. */
export interface IntegerRange {
  readonly min: number;
  readonly max: number;
}

/** Largest magnitude the clear executor keeps exact (float64 integers). */
export const EXACT_INTEGER_LIMIT = 2 ** 53;

/** Bits needed to index every value of a range from its minimum: ceil(log2(max - min + 1)), at least 1. */
export function rangeBits(range: IntegerRange): number {
  const width = range.max - range.min;
  return width <= 0 ? 1 : Math.max(1, Math.ceil(Math.log2(width + 1)));
}

export function formatRange(range: IntegerRange): string {
  return `[${range.min}, ${range.max}]`;
}

export function hull(a: IntegerRange | undefined, b: IntegerRange | undefined): IntegerRange | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return { min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
}

export function contains(outer: IntegerRange, inner: IntegerRange): boolean {
  return inner.min >= outer.min && inner.max <= outer.max;
}

/** Checks that a caller-given range is a well-formed integer interval. */
export function checkRange(range: IntegerRange, what: string): IntegerRange {
  const { min, max } = range ?? ({} as IntegerRange);
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
    throw new RangeError(`${what}: range must be { min, max } with safe integers min <= max, got ${JSON.stringify(range)}`);
  }
  return { min, max };
}

/** The modulus 2^(p+1) of a circuit of message precision p. */
export function messageModulus(precision: number): number {
  return 2 ** (precision + 1);
}

/** value mod 2^(p+1) as a centered residue in [-2^p, 2^p) (value: a float64 integer). */
export function centered(value: number, precision: number): number {
  const modulus = 2 ** (precision + 1);
  let residue = value % modulus;
  if (residue < 0) residue += modulus;
  return residue >= modulus / 2 ? residue - modulus : residue;
}

/** Centered residues of a whole array, as the Int32Array the native facade takes. */
export function centeredInt32(values: ArrayLike<number>, precision: number): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = centered(values[i], precision);
  return out;
}

/**
 * Lifts a residue modulo 2^(p+1) to the unique integer of [min, min + 2^(p+1)): how an output
 * of known range is decoded.
 */
export function liftResidue(residue: number, min: number, precision: number): number {
  const modulus = 2 ** (precision + 1);
  let offset = (residue - min) % modulus;
  if (offset < 0) offset += modulus;
  return min + offset;
}
