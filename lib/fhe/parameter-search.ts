// Parameter sets made for one circuit. The named sets are each tuned for one lookup width at
// nu ~ sqrt(maxNoiseLevel); a circuit has its own mix (a 4-bit lookup here, a 9-bit output
// there, sign reads of a 10-bit accumulator), and the cheapest set that meets all of them is
// often between two named ones. This search walks the space the named sets come from:
//   N in 2^9..2^16, k with 1024 <= k*N <= 2^16, n in 512..1400, PBS and keyswitch levels,
// each decomposition base chosen to minimise its noise, and both keys' noise set to the
// smallest TUniform bound the 128-bit security curve allows for their dimension (so every set
// it returns passes checkSecurity by construction). Among the sets that keep every noise point
// under its variance limit (tfhe.md's noise model), it returns the cheapest by lookupCost.

import { lookupCost } from './cost';
import { blindRotationVariance, freshEncryptionVariance, keyswitchVariance, maximumVariance, modulusSwitchVariance, noiseVariance } from './noise';
import { CIPHERTEXT_MODULUS_LOG2, defineParameterSet, type NoiseDistribution, type ParameterSet } from './parameters';
import { minimumSecureLog2Std } from './security';

/** A ciphertext whose noise must stay within a box, in the units the search needs. */
export interface NoiseRequirement {
  /** A lookup input also carries keyswitch and modulus-switch noise; an output only its own. */
  readonly kind: 'lookup' | 'output';
  /** Variance in units of a bootstrap output's, and of a fresh encryption's. */
  readonly bootstrap: number;
  readonly fresh: number;
  /** Bits of the box it must stay in (0: a sign read). */
  readonly precision: number;
}

export interface SearchRequirements {
  readonly points: readonly NoiseRequirement[];
  readonly pError: number;
  /** The widest lookup input: tables need 2^(p+1) <= N. */
  readonly maxLookupPrecision: number;
}

const MIN_LWE_DIMENSION = 512;
const MAX_LWE_DIMENSION = 1400;
const LWE_DIMENSION_STEP = 4;
const MAX_PBS_LEVEL = 6;
const MAX_KS_LEVEL = 12;
/** k above 4 buys nothing a larger N does not (and 1_1, the smallest named set, uses 4). */
const MAX_GLWE_DIMENSION = 4;

/** The smallest TUniform bound whose std clears the security curve at `dimension`. */
export function secureTUniform(dimension: number): NoiseDistribution {
  const minimum = minimumSecureLog2Std(dimension);
  for (let bound = 0; bound <= 62; bound++) {
    const noise: NoiseDistribution = { kind: 'tuniform', boundLog2: bound };
    if (Math.log2(noiseVariance(noise)) / 2 >= minimum) return noise;
  }
  throw new RangeError(`no TUniform bound is secure at dimension ${dimension}`);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A set under construction: the noise and cost functions read only these fields. */
function scratchSet(log2FailureTarget: number): Mutable<ParameterSet> {
  const noise: NoiseDistribution = { kind: 'tuniform', boundLog2: 0 };
  return {
    name: 'search', lweDimension: 1, glweDimension: 1, polynomialSize: 1, pbsBaseLog: 1, pbsLevel: 1, ksBaseLog: 1, ksLevel: 1,
    lweNoise: noise, glweNoise: noise, messageBits: 1, carryBits: 0, precision: 1, bigLweDimension: 1,
    log2FailureTarget, modulusSwitch: 'centered-binary',
  };
}

/** The decomposition base (log2) with the least variance at `level`, and that variance. */
function bestBase(level: number, variance: (baseLog: number) => number): { baseLog: number; variance: number } {
  let best = { baseLog: 1, variance: Infinity };
  for (let baseLog = 1; baseLog * level <= CIPHERTEXT_MODULUS_LOG2 && baseLog <= 32; baseLog++) {
    const v = variance(baseLog);
    if (v < best.variance) best = { baseLog, variance: v };
  }
  return best;
}

/** Whether the variances meet every point (tfhe.md: nu^2 s2_BR + s2_KS + s2_MS for lookups). */
function meets(points: readonly NoiseRequirement[], limits: readonly number[], br: number, fresh: number, switching: number): boolean {
  for (let i = 0; i < points.length; i++) {
    const point = points[i];
    const variance = point.bootstrap * br + point.fresh * fresh + (point.kind === 'lookup' ? switching : 0);
    if (!(variance <= limits[i])) return false;
  }
  return true;
}

/** The cheapest secure set meeting every point, or undefined when none in the space does. */
export function searchParameters(requirements: SearchRequirements): ParameterSet | undefined {
  const { pError, maxLookupPrecision } = requirements;
  const log2Target = Math.log2(pError);
  // identical points cost one check
  const unique = new Map<string, NoiseRequirement>();
  for (const p of requirements.points) unique.set(`${p.kind}/${p.bootstrap}/${p.fresh}/${p.precision}`, p);
  const points = [...unique.values()];
  const limits = points.map((p) => maximumVariance(p.precision, pError));
  const set = scratchSet(log2Target);
  let best: { cost: number; set: ParameterSet } | undefined;
  // cost grows with N, k, n and both levels: each loop stops once its cheapest option costs
  // more than the best set found, and variances are computed only for sets cheap enough
  const cheaperThanBest = (fields: Partial<ParameterSet>): boolean => {
    Object.assign(set, fields);
    return best === undefined || lookupCost(set) < best.cost;
  };
  for (let logN = 9; logN <= 16; logN++) {
    const size = 2 ** logN;
    if (2 ** (maxLookupPrecision + 1) > size) continue;
    for (let k = 1; k <= MAX_GLWE_DIMENSION && k * size <= 2 ** 16; k++) {
      if (k * size < 1024) continue;
      const glwe = { glweDimension: k, polynomialSize: size, bigLweDimension: k * size, glweNoise: secureTUniform(k * size) };
      if (!cheaperThanBest({ ...glwe, lweDimension: MIN_LWE_DIMENSION, pbsLevel: 1, ksLevel: 1 })) continue;
      const fresh = freshEncryptionVariance(set);
      for (let n = MIN_LWE_DIMENSION; n <= MAX_LWE_DIMENSION; n += LWE_DIMENSION_STEP) {
        if (!cheaperThanBest({ ...glwe, lweDimension: n, lweNoise: secureTUniform(n), pbsLevel: 1, ksLevel: 1 })) break;
        const switching = modulusSwitchVariance(set);
        const keyswitch: { baseLog: number; variance: number }[] = [];
        for (let pbsLevel = 1; pbsLevel <= MAX_PBS_LEVEL; pbsLevel++) {
          if (!cheaperThanBest({ pbsLevel, ksLevel: 1 })) break;
          const pbs = bestBase(pbsLevel, (pbsBaseLog) => {
            Object.assign(set, { pbsBaseLog, pbsLevel });
            return blindRotationVariance(set);
          });
          for (let ksLevel = 1; ksLevel <= MAX_KS_LEVEL; ksLevel++) {
            if (!cheaperThanBest({ pbsBaseLog: pbs.baseLog, pbsLevel, ksLevel })) break;
            keyswitch[ksLevel - 1] ??= bestBase(ksLevel, (ksBaseLog) => {
              Object.assign(set, { ksBaseLog, ksLevel });
              return keyswitchVariance(set);
            });
            const ks = keyswitch[ksLevel - 1];
            if (meets(points, limits, pbs.variance, fresh, switching + ks.variance)) {
              Object.assign(set, { ksBaseLog: ks.baseLog, ksLevel });
              best = { cost: lookupCost(set), set: { ...set } };
            }
          }
        }
      }
    }
  }
  if (best === undefined) return undefined;
  const s = best.set;
  return defineParameterSet({
    name: `SEARCHED_n${s.lweDimension}_k${s.glweDimension}_N${s.polynomialSize}_pbs${s.pbsBaseLog}x${s.pbsLevel}_ks${s.ksBaseLog}x${s.ksLevel}`,
    lweDimension: s.lweDimension, glweDimension: s.glweDimension, polynomialSize: s.polynomialSize,
    pbsBaseLog: s.pbsBaseLog, pbsLevel: s.pbsLevel, ksBaseLog: s.ksBaseLog, ksLevel: s.ksLevel,
    lweNoise: s.lweNoise, glweNoise: s.glweNoise,
    // the widest table it was searched for: what precision-based checks should see
    messageBits: Math.max(1, maxLookupPrecision), carryBits: 0,
    log2FailureTarget: Math.min(-1, Math.round(log2Target)), modulusSwitch: 'centered-binary',
  });
}
