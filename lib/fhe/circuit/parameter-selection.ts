// Choosing the circuit's parameter set: the cheapest named set (by lookupCost) that is
// 128-bit secure, carries p-bit messages, and keeps the noisiest lookup (largest nu) under the
// per-lookup failure target at precision p. Every lookup runs at the circuit's precision p, so
// the largest nu decides.

import { lookupCost } from '../cost';
import { log2FailureProbability } from '../noise';
import { DEFAULT_CANDIDATES } from '../parameter-choice';
import type { ParameterSet } from '../parameters';
import { checkSecurity } from '../security';
import { PRECISION_ADVICE } from './ranges';

export interface SelectionRequirements {
  readonly precision: number;
  /** What sets the precision (an op, its tensor, range and bits), for errors. */
  readonly precisionDriver: string;
  /** Largest 2-norm feeding a lookup or an output, and where it is, for errors. */
  readonly nu: number;
  readonly noisiest: string;
  readonly pError: number;
  readonly candidates?: readonly ParameterSet[];
  /** Use this set (checked against the requirements) instead of choosing. */
  readonly forced?: ParameterSet;
}

function carries(set: ParameterSet, precision: number): boolean {
  return set.precision >= precision && 2 ** precision <= set.polynomialSize;
}

export function selectParameters(requirements: SelectionRequirements): ParameterSet {
  const { precision, nu, pError, forced } = requirements;
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
  const reach = wide.map((set) => ({ set, log2PFail: log2FailureProbability(set, precision, nu) }));
  const fit = reach.filter((r) => r.log2PFail <= target);
  if (fit.length === 0) {
    const closest = reach.reduce((a, b) => (b.log2PFail < a.log2PFail ? b : a));
    throw new RangeError(`no parameter set keeps ${requirements.noisiest} (nu = ${nu.toFixed(2)}, ${precision}-bit messages) `
      + `under the failure target 2^${target.toFixed(1)} per lookup: the closest, ${closest.set.name}, reaches `
      + `2^${closest.log2PFail.toFixed(1)}. Lower the 2-norm of the clear weights feeding it, the precision `
      + `(${PRECISION_ADVICE}), or raise pError`);
  }
  return fit.reduce((best, next) => (lookupCost(next.set) < lookupCost(best.set) ? next : best)).set;
}
