// Choosing the circuit's parameter set (one key set per circuit): the cheapest set (by
// lookupCost), named or searched for this circuit's noise points (parameter-search.ts), that
// is 128-bit secure, has tables large enough for every lookup's input precision
// (2^(p_in + 1) <= N), and keeps every lookup input (and every output's decryption)
// under the per-lookup failure target at the precision of the chain it belongs to. Each point
// is judged at its own chain's precision: a wide output chain needs a small bootstrap output
// noise, i.e. possibly a larger set than its lookups alone would. nu depends on the set (fresh
// vs bootstrap noise). An output is decrypted straight away: no keyswitch or modulus switch noise.

import { lookupCost } from '../cost';
import { log2Erfc } from '../error-function';
import { blindRotationVariance, halfBoxWidth, log2FailureProbability } from '../noise';
import { DEFAULT_CANDIDATES } from '../parameter-choice';
import { searchParameters } from '../parameter-search';
import type { ParameterSet } from '../parameters';
import { checkSecurity } from '../security';
import { maxLookupPrecision } from '../tfhe';
import { effectiveNu, type NoiseBound } from './noise-bound';
import { PRECISION_ADVICE } from './ranges';

/** A ciphertext whose noise must stay within a box: a lookup input, or an output to decrypt. */
export interface NoisePoint {
  /** A lookup input also carries the keyswitch and modulus-switch noise; an output only its own. */
  readonly kind: 'lookup' | 'output';
  readonly bound: NoiseBound;
  /** For errors: 'the input of lookup 'relu1'', 'output 'y''. */
  readonly what: string;
  /** Message precision of the point's chain (the lookup's input precision for a lookup). */
  readonly precision: number;
  /** Index of the point's chain. */
  readonly chain: number;
  /** For a lookup whose table is too large: what sets its input precision. */
  readonly driver?: string;
}

export interface SelectionRequirements {
  /** Every lookup input and output, each at its chain's precision. */
  readonly points: readonly NoisePoint[];
  readonly pError: number;
  readonly candidates?: readonly ParameterSet[];
  /** Use this set (checked against the requirements) instead of choosing. */
  readonly forced?: ParameterSet;
  /** Also consider a set searched for these points (lib/fhe/parameter-search.ts); default: when no candidates are given. */
  readonly search?: boolean;
}

/** log2 of the probability that the point leaves its box under `set` at its precision. */
export function log2PointFailure(point: NoisePoint, set: ParameterSet): number {
  const nu = effectiveNu(point.bound, set);
  if (point.kind === 'lookup') return log2FailureProbability(set, point.precision, nu);
  const sigma = nu * Math.sqrt(blindRotationVariance(set));
  return sigma === 0 ? -Infinity : log2Erfc(halfBoxWidth(point.precision) / (Math.SQRT2 * sigma));
}

export interface WeakestPoint {
  readonly log2PFail: number;
  readonly nu: number;
  readonly what: string;
  readonly precision: number;
  /** What sets the point's chain precision. */
  readonly driver: string;
}

/** The point most likely to fail under `set`. */
export function weakestPoint(points: readonly NoisePoint[], set: ParameterSet): WeakestPoint {
  let weakest: WeakestPoint = { log2PFail: -Infinity, nu: 0, what: 'nothing', precision: 0, driver: '' };
  for (const point of points) {
    const log2PFail = log2PointFailure(point, set);
    if (log2PFail > weakest.log2PFail) weakest = { log2PFail, nu: effectiveNu(point.bound, set), what: point.what, precision: point.precision, driver: point.driver ?? point.what };
  }
  return weakest;
}

/** The widest lookup input of the points (its precision and driver), or undefined without lookups. */
function widestLookup(points: readonly NoisePoint[]): NoisePoint | undefined {
  return points.filter((p) => p.kind === 'lookup').reduce<NoisePoint | undefined>((a, b) => (a === undefined || b.precision > a.precision ? b : a), undefined);
}

/** The cheapest set the search finds for exactly these points. */
function searchFor(points: readonly NoisePoint[], pError: number): ParameterSet | undefined {
  const widest = widestLookup(points);
  return searchParameters({
    points: points.map((p) => ({ kind: p.kind, bootstrap: p.bound.bootstrap, fresh: p.bound.fresh, precision: p.precision })),
    pError,
    maxLookupPrecision: widest?.precision ?? 0,
  });
}

export function selectParameters(requirements: SelectionRequirements): ParameterSet {
  const { pError, forced, points } = requirements;
  const target = Math.log2(pError);
  const pool = forced !== undefined ? [forced] : [...(requirements.candidates ?? DEFAULT_CANDIDATES)];
  if (forced === undefined && (requirements.search ?? requirements.candidates === undefined)) {
    const searched = searchFor(points, pError);
    if (searched !== undefined) pool.push(searched);
  }
  const secure = pool.filter((set) => checkSecurity(set).secure);
  if (secure.length === 0) throw new RangeError(`no candidate parameter set is 128-bit secure (${pool.map((s) => s.name).join(', ')})`);
  const widest = widestLookup(points);
  const wide = secure.filter((set) => widest === undefined || maxLookupPrecision(set) >= widest.precision);
  if (wide.length === 0) {
    const largest = secure.reduce((a, b) => (maxLookupPrecision(b) > maxLookupPrecision(a) ? b : a));
    throw new RangeError(`no parameter set has tables for ${widest!.precision}-bit lookup inputs (the largest${forced ? ' given' : ''}, `
      + `${largest.name}, N = ${largest.polynomialSize}, reads at most ${maxLookupPrecision(largest)} bits); `
      + `${widest!.driver ?? widest!.what}: ${PRECISION_ADVICE}`);
  }
  const reach = wide.map((set) => {
    const worst = weakestPoint(points, set);
    return { set, worst, log2PFail: worst.log2PFail };
  });
  const fit = reach.filter((r) => r.log2PFail <= target);
  if (fit.length === 0) {
    const closest = reach.reduce((a, b) => (b.log2PFail < a.log2PFail ? b : a));
    const { worst } = closest;
    const isOutput = points.some((p) => p.what === worst.what && p.kind === 'output');
    throw new RangeError(`no parameter set keeps ${worst.what} (nu = ${worst.nu.toFixed(2)}, ${worst.precision}-bit messages) `
      + `under the failure target 2^${target.toFixed(1)} per lookup: the closest, ${closest.set.name}, reaches `
      + `2^${closest.log2PFail.toFixed(1)}. Lower ${worst.nu > 1 ? 'the 2-norm of the clear weights feeding it, ' : ''}`
      + `the precision (${worst.precision} bits: ${worst.driver}; ${isOutput ? 'narrow the output: lower nBits (fewer bits in the weights and activations it sums)' : PRECISION_ADVICE}), `
      + 'or raise pError');
  }
  return fit.reduce((best, next) => (lookupCost(next.set) < lookupCost(best.set) ? next : best)).set;
}
