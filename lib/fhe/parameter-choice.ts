// Choosing a named parameter set for a lookup precision, a failure target and a 2-norm.

import { lookupCost } from './cost';
import { log2FailureProbability } from './noise';
import { parameters, type ParameterSet } from './parameters';
import { checkSecurity } from './security';

/**
 * The sets parametersFor picks from unless told otherwise: the TUniform ones. TUniform is
 * tfhe-rs's default noise since v1 (bounded, sampled exactly and in constant time); the
 * Gaussian set stays available by name or through `candidates`.
 */
export const DEFAULT_CANDIDATES: readonly ParameterSet[] = Object.freeze(
  Object.values(parameters).filter((set) => set.lweNoise.kind === 'tuniform'),
);

export interface ParameterRequirements {
  /** Bits the table lookups read (the padding bit apart). */
  readonly precision: number;
  /** Largest acceptable failure probability per lookup; 2^-128 unless the caller opts down. */
  readonly pFail?: number;
  /** 2-norm of the clear weights of the dot product feeding each lookup. */
  readonly nu?: number;
  readonly candidates?: readonly ParameterSet[];
}

/**
 * The cheapest (by lookupCost) secure candidate whose lookups of `precision` bits fail with
 * probability <= pFail. With the defaults: 1-2 bits -> TUNIFORM_1_1, 4 -> TUNIFORM_2_2,
 * 5-6 -> TUNIFORM_3_3, 7-8 -> TUNIFORM_4_4; 3 bits -> TUNIFORM_2_2_PFAIL_2M64, which is
 * published for 2^-64 at 4 bits but reaches 2^-128 at 3 and costs a little less.
 * Throws a RangeError naming the precision and target when no candidate fits.
 */
export function parametersFor(requirements: ParameterRequirements): ParameterSet {
  const { precision, pFail = 2 ** -128, nu = 1, candidates = DEFAULT_CANDIDATES } = requirements;
  if (!Number.isInteger(precision) || precision < 1) {
    throw new RangeError(`precision must be a positive integer number of bits, got ${precision}`);
  }
  if (!(pFail > 0 && pFail < 1)) throw new RangeError(`pFail must be a probability in (0, 1), got ${pFail}`);
  const target = Math.log2(pFail);
  const reach = candidates
    .filter((set) => 2 ** precision <= set.polynomialSize && checkSecurity(set).secure)
    .map((set) => ({ set, log2PFail: log2FailureProbability(set, precision, nu) }));
  const fit = reach.filter(({ log2PFail }) => log2PFail <= target);
  if (fit.length > 0) {
    return fit.reduce((best, next) => (lookupCost(next.set) < lookupCost(best.set) ? next : best)).set;
  }
  const closest = reach.reduce<(typeof reach)[number] | undefined>(
    (best, next) => (best === undefined || next.log2PFail < best.log2PFail ? next : best), undefined);
  const nearest = closest === undefined ? 'no candidate has a table that large'
    : `the closest, ${closest.set.name}, reaches 2^${closest.log2PFail.toFixed(1)}`;
  throw new RangeError(`no parameter set supports ${precision}-bit lookups at pFail 2^${target.toFixed(1)} `
    + `with nu = ${nu}: ${nearest}`);
}
