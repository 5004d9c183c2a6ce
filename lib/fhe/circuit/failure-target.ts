// The failure probability each table lookup must meet: 2^-128 by default (tfhe.md, "Security
// policy"), or what the caller asks for per lookup (pError) or per circuit run (globalPError).

import type { CircuitLogger } from './logger';

export const DEFAULT_LOOKUP_FAILURE_PROBABILITY = 2 ** -128;

/** Above this per-lookup probability, decryption-failure attacks become practical: warn. */
export const WARN_ABOVE_FAILURE_PROBABILITY = 2 ** -64;

export interface FailureOptions {
  /** Largest failure probability of one table lookup. */
  readonly pError?: number;
  /** Largest probability that any lookup of one sample's run fails: 1 - (1 - pError)^lookups. */
  readonly globalPError?: number;
}

export interface FailureTarget {
  /** Per-lookup target. */
  readonly pError: number;
  readonly source: 'default' | 'pError' | 'globalPError';
}

function checkProbability(value: number, name: string): void {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) {
    throw new RangeError(`${name} must be a probability in (0, 1), got ${value}`);
  }
}

/** The per-lookup target; warns through `logger` when it is weaker than 2^-64. */
export function lookupFailureTarget(options: FailureOptions, lookupCount: number, logger: CircuitLogger): FailureTarget {
  const { pError, globalPError } = options;
  if (pError !== undefined && globalPError !== undefined) {
    throw new RangeError('give pError (per lookup) or globalPError (per run), not both');
  }
  let target: FailureTarget = { pError: DEFAULT_LOOKUP_FAILURE_PROBABILITY, source: 'default' };
  if (pError !== undefined) {
    checkProbability(pError, 'pError');
    target = { pError, source: 'pError' };
  } else if (globalPError !== undefined) {
    checkProbability(globalPError, 'globalPError');
    // 1 - (1 - p)^count = global  <=>  p = 1 - (1 - global)^(1 / count)
    const perLookup = lookupCount === 0 ? globalPError : -Math.expm1(Math.log1p(-globalPError) / lookupCount);
    target = { pError: perLookup, source: 'globalPError' };
  }
  if (target.pError > WARN_ABOVE_FAILURE_PROBABILITY) {
    const given = target.source === 'globalPError' ? `globalPError ${globalPError} over ${lookupCount} lookups gives` : 'pError is';
    logger.warn(`${given} 2^${Math.log2(target.pError).toFixed(1)} per table lookup, above 2^-64: results will be wrong `
      + 'that often, and decryption failures visible to an attacker can leak the secret key (IND-CPA^D). '
      + 'Use it for experiments only; the default is 2^-128.');
  }
  return target;
}
