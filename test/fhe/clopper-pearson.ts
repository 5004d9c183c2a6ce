// Exact binomial tails and the Clopper-Pearson interval, for comparing a measured failure
// count with a predicted rate. Tails are summed term by term (no normal approximation) in log
// space, always walking away from the mode, where the terms shrink geometrically, so a few
// hundred terms reach double precision even for millions of trials.

function checkCounts(successes: number, trials: number): void {
  if (!Number.isSafeInteger(trials) || trials < 1) throw new RangeError(`trials must be an integer >= 1, got ${trials}`);
  if (!Number.isSafeInteger(successes) || successes < 0 || successes > trials) {
    throw new RangeError(`successes must be an integer in [0, ${trials}], got ${successes}`);
  }
}

function checkTail(k: number, trials: number, p: number): void {
  checkCounts(k, trials);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be a probability, got ${p}`);
}

/** log C(n, k), as a sum of logs of the smaller side's ratios (exact to rounding). */
function logBinomialCoefficient(n: number, k: number): number {
  const j = Math.min(k, n - k);
  let sum = 0;
  for (let i = 1; i <= j; i++) sum += Math.log((n - j + i) / i);
  return sum;
}

/** Sum of the pmf from `from` stepping by `step` (+1 or -1) to the end of [0, n]. */
function tailFrom(trials: number, from: number, step: 1 | -1, p: number): number {
  if (from < 0 || from > trials) return 0;
  const logRatio = Math.log(p) - Math.log1p(-p); // pmf(i+1)/pmf(i) = (n-i)/(i+1) * p/(1-p)
  const logFirst = logBinomialCoefficient(trials, from) + from * Math.log(p) + (trials - from) * Math.log1p(-p);
  let logTerm = 0; // terms relative to the first, which is the largest on this side of the mode
  let sum = 0;
  for (let i = from; i >= 0 && i <= trials; i += step) {
    const term = Math.exp(logTerm);
    sum += term;
    if (term < sum * 1e-17) break;
    logTerm += step === 1 ? Math.log((trials - i) / (i + 1)) + logRatio : Math.log(i / (trials - i + 1)) - logRatio;
  }
  return Math.exp(logFirst) * sum;
}

/** P(X <= k) for X ~ Binomial(trials, p). */
export function binomialAtMost(k: number, trials: number, p: number): number {
  checkTail(k, trials, p);
  if (p === 0 || k === trials) return 1;
  if (p === 1) return 0;
  const mode = Math.floor((trials + 1) * p);
  return k < mode ? tailFrom(trials, k, -1, p) : 1 - tailFrom(trials, k + 1, 1, p);
}

/** P(X >= k) for X ~ Binomial(trials, p). */
export function binomialAtLeast(k: number, trials: number, p: number): number {
  checkTail(k, trials, p);
  if (p === 1 || k === 0) return 1;
  if (p === 0) return 0;
  const mode = Math.floor((trials + 1) * p);
  return k > mode ? tailFrom(trials, k, 1, p) : 1 - tailFrom(trials, k - 1, -1, p);
}

/** The p in (0, 1) where the monotone `f` crosses `target`, by bisection to double precision. */
function solve(f: (p: number) => number, target: number, increasing: boolean): number {
  let low = 0;
  let high = 1;
  for (let i = 0; i < 200 && high - low > Number.MIN_VALUE; i++) {
    const mid = (low + high) / 2;
    if (mid === low || mid === high) break;
    if ((f(mid) < target) === increasing) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/**
 * The exact (Clopper-Pearson) two-sided interval for a binomial proportion: `lower` is the p at
 * which P(X >= successes) = alpha/2, `upper` the p at which P(X <= successes) = alpha/2
 * (0 and 1 at the ends), alpha = 1 - confidence. It covers the true rate with probability at
 * least `confidence`, whatever that rate is.
 */
export function clopperPearson(successes: number, trials: number, confidence: number): { lower: number; upper: number } {
  checkCounts(successes, trials);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const tail = (1 - confidence) / 2;
  const lower = successes === 0 ? 0 : solve((p) => binomialAtLeast(successes, trials, p), tail, true);
  const upper = successes === trials ? 1 : solve((p) => binomialAtMost(successes, trials, p), tail, false);
  return { lower, upper };
}
