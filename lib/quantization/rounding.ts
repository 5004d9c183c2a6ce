// Concrete ML rounds with numpy's `rint` / `round`: to the nearest integer, ties to the even
// neighbour (the IEEE 754 default). Math.round rounds ties towards +Infinity, which would move
// every exact .5 (common: x / scale lands on halves for power-of-two scales) one step up.

// 1.5 * 2^52: adding it pushes the fraction bits out of a float64 mantissa, so the FPU performs
// the round-half-to-even for us; valid while |x| < 2^51.
const MAGIC = 6755399441055744;
const MAGIC_LIMIT = 2 ** 51;

/** numpy.rint: nearest integer, ties to even. Keeps NaN, infinities and already integral values. */
export function roundHalfToEven(x: number): number {
  if (x > -MAGIC_LIMIT && x < MAGIC_LIMIT) {
    const r = x + MAGIC - MAGIC;
    // keep the sign of zero as numpy does (rint(-0.4) is -0.0)
    return r === 0 && x < 0 ? -0 : r;
  }
  return x; // |x| >= 2^51 is already an integer (or not finite)
}
