// Concrete ML rounds with numpy's `rint` / `round`: to the nearest integer, ties to the even
// neighbour (the IEEE 754 default). Math.round rounds ties towards +Infinity, which would move
// every exact .5 (common: x / scale lands on halves for power-of-two scales) one step up.

// Adding 2^52 to a magnitude below 2^52 lands in [2^52, 2^53), where doubles are exactly the
// integers, so the addition itself rounds, half to even, as the FPU does by default.
const TWO_52 = 2 ** 52;

/** numpy.rint: nearest integer, ties to even; keeps the sign of zero, NaN and infinities. */
export function roundHalfToEven(x: number): number {
  const magnitude = Math.abs(x);
  if (!(magnitude < TWO_52)) return x; // from 2^52 on every double is an integer (or NaN / infinite)
  const rounded = magnitude + TWO_52 - TWO_52;
  // numpy keeps the sign, zeros included: rint(-0.4) is -0.0
  return x < 0 || (x === 0 && 1 / x < 0) ? -rounded : rounded;
}
