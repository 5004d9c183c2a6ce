// Rounded shifts (builder.roundedShift): the integer semantics shared by the clear evaluator,
// the range analysis and the simulator. On ciphertexts a rounded shift changes nothing but the
// precision the next lookup reads at (chains.ts couples the two chains' precisions), after
// clearing the dropped bits for EXACT (execute.ts).

import type { RoundingExactness } from './graph';
import type { IntegerRange } from './integers';

/** floor((x + 2^(bits-1)) / 2^bits): round to nearest, ties up. */
export function roundedShift(x: number, bits: number): number {
  const unit = 2 ** bits;
  return Math.floor((x + unit / 2) / unit);
}

/**
 * Every value a rounded shift of [min, max] can produce. APPROXIMATE may land one off near a
 * tie, so anywhere between floor and ceil of x / 2^bits.
 */
export function roundedShiftBound(range: IntegerRange, bits: number, exactness: RoundingExactness): IntegerRange {
  if (exactness === 'EXACT') return { min: roundedShift(range.min, bits), max: roundedShift(range.max, bits) };
  const unit = 2 ** bits;
  return { min: Math.floor(range.min / unit), max: Math.ceil(range.max / unit) };
}

/**
 * The range an APPROXIMATE rounded shift must be given room for: what the exact rounding of the
 * calibration showed, one more on each side (within what its input allows).
 */
export function approximateRoundRange(exact: IntegerRange, bound: IntegerRange): IntegerRange {
  return { min: Math.max(bound.min, exact.min - 1), max: Math.min(bound.max, exact.max + 1) };
}

/**
 * The widest chunk of dropped bits an EXACT rounded shift clears with one pair of bootstraps:
 * its tables have 2^width entries, which every polynomial size the parameter search considers
 * (N >= 512 >= 2^(width + 1)) holds.
 */
export const MAX_CLEARED_CHUNK_BITS = 8;

/** `width` dropped bits starting at bit `offset`, cleared together. */
export interface ClearedChunk {
  readonly offset: number;
  readonly width: number;
  /** 1 for a single bit (its sign bootstrap), 2 for wider chunks (parity, then the bits). */
  readonly bootstraps: number;
}

/**
 * How an EXACT rounded shift of `bits` bits to an `outputPrecision`-bit result clears its
 * dropped bits, from the lowest. A single bit is moved onto the padding bit and read by one
 * sign bootstrap; a chunk of c bits costs two bootstraps whatever c, but both read at c bits
 * like a c-bit lookup (noise-bound.ts clearingReads): the keyswitch and modulus-switch noise
 * and the first's output noise against a 2^-(c+2) half box. So chunks are at most as wide as
 * the result, which what reads it needs anyway (wider ones pushed the digits MLP from N = 2048
 * to 8192), and at most MAX_CLEARED_CHUNK_BITS.
 */
export function clearingChunks(bits: number, outputPrecision: number): ClearedChunk[] {
  const widest = Math.max(1, Math.min(MAX_CLEARED_CHUNK_BITS, outputPrecision));
  const chunks: ClearedChunk[] = [];
  for (let offset = 0; offset < bits; offset += widest) {
    const width = Math.min(widest, bits - offset);
    chunks.push({ offset, width, bootstraps: width === 1 ? 1 : 2 });
  }
  return chunks;
}

/** Bootstraps per element of an EXACT rounded shift (clearingChunks). */
export function clearingBootstraps(bits: number, outputPrecision: number): number {
  return clearingChunks(bits, outputPrecision).reduce((sum, chunk) => sum + chunk.bootstraps, 0);
}
