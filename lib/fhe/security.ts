// 128-bit security check of a parameter set's keys, by the curve in tfhe.md ("Security"):
// log2(sigma/q) >= -0.025696778711484593 d + 2.675931372549016 for a binary key of dimension
// d, a linear fit of the lattice estimator under the MATZOV model (tfhe-rs and
// concrete-optimizer use the same fit), floored at sigma = 4 (log2(sigma/q) = 2 - log2 q).

import { noiseVariance } from './noise';
import { CIPHERTEXT_MODULUS_LOG2, type NoiseDistribution, type ParameterSet } from './parameters';

const CURVE_SLOPE = -0.025696778711484593;
const CURVE_INTERCEPT = 2.675931372549016;
const CURVE_FLOOR = 2 - CIPHERTEXT_MODULUS_LOG2;

/** log2 of the smallest torus noise std (sigma/q) that gives 128-bit security at `dimension`. */
export function minimumSecureLog2Std(dimension: number): number {
  if (!Number.isSafeInteger(dimension) || dimension <= 0) {
    throw new RangeError(`dimension must be a positive integer, got ${dimension}`);
  }
  return Math.max(CURVE_SLOPE * dimension + CURVE_INTERCEPT, CURVE_FLOOR);
}

/** The smallest torus noise std (sigma/q) that gives 128-bit security at `dimension`. */
export function minimumSecureStd(dimension: number): number {
  return 2 ** minimumSecureLog2Std(dimension);
}

export interface KeySecurity {
  /** 'lwe': the small key (dimension n); 'glwe': the big key (dimension k*N). */
  readonly key: 'lwe' | 'glwe';
  readonly dimension: number;
  readonly noise: NoiseDistribution;
  /** log2 of the torus std of the key's encryption noise. */
  readonly log2Std: number;
  readonly minimumLog2Std: number;
  readonly secure: boolean;
}

function keySecurity(key: 'lwe' | 'glwe', dimension: number, noise: NoiseDistribution): KeySecurity {
  const log2Std = Math.log2(noiseVariance(noise)) / 2;
  const minimumLog2Std = minimumSecureLog2Std(dimension);
  return { key, dimension, noise, log2Std, minimumLog2Std, secure: log2Std >= minimumLog2Std };
}

/** The security of both keys of a set; `secure` only if each key's noise clears the curve. */
export function checkSecurity(params: ParameterSet): { readonly secure: boolean; readonly keys: readonly KeySecurity[] } {
  const keys = [
    keySecurity('lwe', params.lweDimension, params.lweNoise),
    keySecurity('glwe', params.bigLweDimension, params.glweNoise),
  ];
  return { secure: keys.every((key) => key.secure), keys };
}

/** Throws a RangeError naming the set and every key whose noise is below the secure minimum. */
export function assertSecure(params: ParameterSet): void {
  const weak = checkSecurity(params).keys.filter((key) => !key.secure);
  if (weak.length === 0) return;
  const details = weak.map((key) => `${key.key} key (dimension ${key.dimension}) has log2 std `
    + `${key.log2Std.toFixed(2)} < ${key.minimumLog2Std.toFixed(2)}`);
  throw new RangeError(`parameter set "${params.name}" is below 128-bit security: ${details.join('; ')}`);
}
