// Choosing the circuit's parameter set: the cheapest named set (by lookupCost) that is
// 128-bit secure, carries p-bit messages, and keeps every lookup input (and every output's
// decryption) under the per-lookup failure target at precision p. Every lookup runs at the
// circuit's precision p, so the largest nu decides; nu depends on the set (fresh vs bootstrap
// noise). An output is decrypted straight away: no keyswitch or modulus switch noise.

import { lookupCost } from '../cost';
import { log2Erfc } from '../error-function';
import { blindRotationVariance, halfBoxWidth, log2FailureProbability } from '../noise';
import { DEFAULT_CANDIDATES } from '../parameter-choice';
import type { ParameterSet } from '../parameters';
import { checkSecurity } from '../security';
import { effectiveNu, type NoiseBound } from './noise-bound';
import { PRECISION_ADVICE } from './ranges';

/** A ciphertext whose noise must stay within a box: a lookup input, or an output to decrypt. */
export interface NoisePoint {
  /** A lookup input also carries the keyswitch and modulus-switch noise; an output only its own. */
  readonly kind: 'lookup' | 'output';
  readonly bound: NoiseBound;
  /** For errors: 'the input of lookup 'relu1'', 'output 'y''. */
  readonly what: string;
}

export interface SelectionRequirements {
  readonly precision: number;
  /** What sets the precision (an op, its tensor, range and bits), for errors. */
  readonly precisionDriver: string;
  /** Every lookup input and output. */
  readonly points: readonly NoisePoint[];
  readonly pError: number;
  readonly candidates?: readonly ParameterSet[];
  /** Use this set (checked against the requirements) instead of choosing. */
  readonly forced?: ParameterSet;
}

function carries(set: ParameterSet, precision: number): boolean {
  return set.precision >= precision && 2 ** precision <= set.polynomialSize;
}

/** log2 of the probability that the point leaves its box under `set` at precision p. */
export function log2PointFailure(point: NoisePoint, set: ParameterSet, precision: number): number {
  const nu = effectiveNu(point.bound, set);
  if (point.kind === 'lookup') return log2FailureProbability(set, precision, nu);
  const sigma = nu * Math.sqrt(blindRotationVariance(set));
  return sigma === 0 ? -Infinity : log2Erfc(halfBoxWidth(precision) / (Math.SQRT2 * sigma));
}

/** The point most likely to fail under `set`. */
export function weakestPoint(points: readonly NoisePoint[], set: ParameterSet, precision: number): { log2PFail: number; nu: number; what: string } {
  let weakest = { log2PFail: -Infinity, nu: 0, what: 'nothing' };
  for (const point of points) {
    const log2PFail = log2PointFailure(point, set, precision);
    if (log2PFail > weakest.log2PFail) weakest = { log2PFail, nu: effectiveNu(point.bound, set), what: point.what };
  }
  return weakest;
}

export function selectParameters(requirements: SelectionRequirements): ParameterSet {
  const { precision, pError, forced } = requirements;
  const target = Math.log2(pError);
  const pool = forced !== undefined ? [forced] : requirements.candidates ?? DEFAULT_CANDIDATES;
  const secure = pool.filter((set) => checkSecurity(set).secure);
  if (secure.length === 0) throw new RangeError(`no candidate parameter set is 128-bit secure (${pool.map((s) => s.name).join(', ')})`);
  const wide = secure.filter((set) => carries(set, precision));
  if (wide.length === 0) {
    const widest = secure.reduce((a, b) => (b.precision > a.precision ? b : a));
    throw new RangeError(`no parameter set carries ${precision}-bit messages (the widest${forced ? ' given' : ''}, ${widest.name}, `
      + `carries ${widest.precision}); ${requirements.precisionDriver}: ${PRECISION_ADVICE}`);
  }
  const reach = wide.map((set) => {
    const worst = weakestPoint(requirements.points, set, precision);
    return { set, worst, log2PFail: worst.log2PFail };
  });
  const fit = reach.filter((r) => r.log2PFail <= target);
  if (fit.length === 0) {
    const closest = reach.reduce((a, b) => (b.log2PFail < a.log2PFail ? b : a));
    throw new RangeError(`no parameter set keeps ${closest.worst.what} (nu = ${closest.worst.nu.toFixed(2)}, ${precision}-bit messages) `
      + `under the failure target 2^${target.toFixed(1)} per lookup: the closest, ${closest.set.name}, reaches `
      + `2^${closest.log2PFail.toFixed(1)}. Lower ${closest.worst.nu > 1 ? 'the 2-norm of the clear weights feeding it, ' : ''}`
      + `the precision (${PRECISION_ADVICE}), or raise pError`);
  }
  return fit.reduce((best, next) => (lookupCost(next.set) < lookupCost(best.set) ? next : best)).set;
}
