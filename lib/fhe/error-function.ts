// erfc, its logarithm and its inverse, accurate far into the tail.
// Failure probabilities of 2^-128 sit at erfc(~9.3); Math has no erfc, and 1 - erf(x)
// loses every digit there, so the tail is evaluated in log space from a continued fraction.

const LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
/** Below this, a positive-term series is used; above, the continued fraction converges fast. */
const CONTINUED_FRACTION_FROM = 1.25;
const MAX_TERMS = 10_000;

/**
 * erf(x) for 0 <= x < 1.25 via erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (2n+1)!!
 * (Abramowitz & Stegun 7.1.6). Every term is positive, so the sum does not cancel, and below
 * 1.25 the step to 1 - erf(x) loses about one digit; above, the continued fraction needs
 * fewer than ~130 terms.
 */
function erfBySeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < MAX_TERMS && term > sum * Number.EPSILON; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * The continued fraction x + (1/2)/(x + 1/(x + (3/2)/(x + ...))) = sqrt(pi) e^(x^2) erfc(x)
 * (A&S 7.1.14), evaluated by the modified Lentz method (Numerical Recipes, 5.2).
 */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < MAX_TERMS; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return f;
}

/** Natural logarithm of erfc(x); finite for every finite x (erfc(40) ~ 1e-697 is fine). */
export function logErfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return -Infinity;
  if (x < 0) return Math.log(2 - Math.exp(logErfc(-x)));
  if (x < CONTINUED_FRACTION_FROM) return Math.log1p(-erfBySeries(x));
  return -x * x - LOG_SQRT_PI - Math.log(erfcContinuedFraction(x));
}

export function log2Erfc(x: number): number {
  return logErfc(x) / Math.LN2;
}

/** erfc(x); underflows to 0 past x ~ 27 (use log2Erfc there). */
export function erfc(x: number): number {
  return Math.exp(logErfc(x));
}

/** d/dx log(erfc(x)) = -2/sqrt(pi) e^(-x^2) / erfc(x), kept finite in the tail. */
function logErfcSlope(x: number): number {
  if (x >= CONTINUED_FRACTION_FROM) return -2 * erfcContinuedFraction(x);
  return -TWO_OVER_SQRT_PI * Math.exp(-x * x - logErfc(x));
}

/** The x >= 0 with ln(erfc(x)) = logP, for logP <= 0, by bracketed Newton steps. */
function erfcinvOfLog(logP: number): number {
  if (logP === 0) return 0;
  if (logP === -Infinity) return Infinity;
  // erfc(x) <= e^(-x^2) for x >= 0 (a Chernoff bound), so the root lies in [0, sqrt(-logP)].
  let low = 0;
  let high = Math.sqrt(-logP);
  let x = high;
  for (let i = 0; i < 200; i++) {
    const excess = logErfc(x) - logP; // decreasing in x
    if (excess > 0) low = x;
    else high = x;
    let next = x - excess / logErfcSlope(x);
    if (!(next > low && next < high)) next = (low + high) / 2;
    if (Math.abs(next - x) <= 4 * Number.EPSILON * next) return next;
    x = next;
  }
  return x;
}

/** The inverse of erfc on (0, 2). */
export function erfcinv(p: number): number {
  if (!(p >= 0 && p <= 2)) throw new RangeError(`erfcinv is defined on [0, 2], got ${p}`);
  if (p > 1) return -erfcinvOfLog(Math.log(2 - p));
  return erfcinvOfLog(Math.log(p));
}

/** erfcinv(2^log2P), for probabilities too small for a float64 (log2P <= 0). */
export function erfcinvOfLog2(log2P: number): number {
  if (!(log2P <= 0)) throw new RangeError(`erfcinvOfLog2 needs log2P <= 0, got ${log2P}`);
  return erfcinvOfLog(log2P * Math.LN2);
}
