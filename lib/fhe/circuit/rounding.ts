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
