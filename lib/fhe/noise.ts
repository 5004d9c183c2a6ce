// The noise model of tfhe.md ("Noise model"): variances on the torus, i.e. normalised by q^2
// (q = 2^64), so that they stay in float64 range. Binary keys throughout; B = 2^baseLog.
// The formulas are those of tfhe.md, which follow the model of Bergerat et al., "Parameter
// optimization and larger precision for (T)FHE" (ePrint 2022/704), as concrete-optimizer and
// tfhe-rs use it, including their empirical fit of the f64 FFT's error.

import { erfcinv, log2Erfc } from './error-function';
import { CIPHERTEXT_MODULUS_LOG2, type NoiseDistribution, type ParameterSet } from './parameters';

/** 1/q^2: the torus variance of one unit of q. */
const UNIT_VARIANCE = 2 ** (-2 * CIPHERTEXT_MODULUS_LOG2);
/** Mantissa bits of a float64, which bound the FFT's accuracy. */
const FLOAT64_MANTISSA_BITS = 53;
/** Empirical constant of the FFT error fit in tfhe.md. */
const FFT_ERROR_LOG2_CONSTANT = -2.57722494;

/** Variance of a noise distribution, on the torus. TU(b): (2^(2b+1) + 1)/6 units of q^2. */
export function noiseVariance(noise: NoiseDistribution): number {
  if (noise.kind === 'gaussian') return noise.std * noise.std;
  return ((2 ** (2 * noise.boundLog2 + 1) + 1) / 6) * UNIT_VARIANCE;
}

/**
 * Variance of a fresh encryption: under the big key (what clients send; tfhe-rs's
 * EncryptionKeyChoice::Big) it carries the GLWE noise, under the small key the LWE noise.
 */
export function freshEncryptionVariance(params: ParameterSet, key: 'big' | 'small' = 'big'): number {
  return noiseVariance(key === 'big' ? params.glweNoise : params.lweNoise);
}

/**
 * Variance the keyswitch (big key -> small key) adds: the decomposition's rounding of each of
 * the k*N input mask coefficients (halved: a binary key bit is 1 half the time) and the noise
 * of the l keyswitch-key ciphertexts per coefficient, scaled by the digits' second moment.
 */
export function keyswitchVariance(params: ParameterSet): number {
  const base = 2 ** params.ksBaseLog;
  const level = params.ksLevel;
  const roundingVariance = (2 ** (-2 * params.ksBaseLog * level) / 12 - UNIT_VARIANCE / 12) / 2;
  const keyNoise = level * noiseVariance(params.lweNoise) * (base * base + 2) / 12;
  return params.bigLweDimension * (roundingVariance + UNIT_VARIANCE / 16 + keyNoise);
}

/** Variance of a keyswitch's output: its input's variance passes through unchanged. */
export function keyswitchOutputVariance(params: ParameterSet, inputVariance: number): number {
  return inputVariance + keyswitchVariance(params);
}

/** The f64 FFT's error per external product (tfhe.md; the binding term of the 2_2 set). */
export function fftVariance(params: ParameterSet): number {
  const { polynomialSize: size, glweDimension: k, pbsLevel: level } = params;
  const base = 2 ** params.pbsBaseLog;
  return 2 ** FFT_ERROR_LOG2_CONSTANT * 2 ** (2 * (CIPHERTEXT_MODULUS_LOG2 - FLOAT64_MANTISSA_BITS))
    * level * base * base * size * size * (k + 1) * UNIT_VARIANCE;
}

/**
 * Variance of a blind rotation (n CMux external products): bootstrap-key noise times the
 * decomposed digits, the gadget decomposition's rounding against the binary GLWE key, and the
 * FFT error. Sample extraction adds nothing, so this is also the PBS output variance.
 */
export function blindRotationVariance(params: ParameterSet): number {
  const { lweDimension: n, glweDimension: k, polynomialSize: size, pbsLevel: level } = params;
  const base = 2 ** params.pbsBaseLog;
  const kN = params.bigLweDimension;
  const keyNoise = level * (k + 1) * size * (base * base + 2) / 12 * noiseVariance(params.glweNoise);
  const gadgetRounding = (2 ** (-2 * params.pbsBaseLog * level) / 24 - UNIT_VARIANCE / 24) * (1 + kN / 2);
  const keyMeanTerms = (kN / 32 + (1 - kN) ** 2 / 64) * UNIT_VARIANCE;
  return n * (keyNoise + gadgetRounding + keyMeanTerms + fftVariance(params));
}

/** Variance of a programmable bootstrap's output (independent of its input's noise). */
export function bootstrapOutputVariance(params: ParameterSet): number {
  return blindRotationVariance(params);
}

/**
 * Variance of rounding the keyswitched ciphertext to Z/2N. Each of the n+1 coefficients gets a
 * uniform rounding error of variance ~1/(12 (2N)^2); the mask's n errors reach the phase
 * through a binary key, whose bits have mean 1/2 and variance 1/4: n/48 + n/48 = n/24. The
 * centered switch adds the public mean sum(e_i)/2 back through the body, leaving n/48.
 */
export function modulusSwitchVariance(params: ParameterSet): number {
  const n = params.lweDimension;
  const step = 1 / (2 * params.polynomialSize) ** 2;
  if (params.modulusSwitch === 'centered-binary') return (1 / 12 + n / 48) * step;
  return (1 / 12 + n / 24) * step + (-1 / 12 + n / 48) * UNIT_VARIANCE;
}

export interface NoiseEstimate {
  /** nu^2 times the PBS output variance: the dot product feeding the lookup. */
  readonly linear: number;
  readonly keyswitch: number;
  readonly modulusSwitch: number;
  /** The variance in front of the blind rotation's table lookup. */
  readonly total: number;
}

/**
 * Noise at the input of a table lookup fed by a dot product of 2-norm nu over PBS outputs:
 * nu^2 s2_BR + s2_KS + s2_MS (tfhe.md, "Constraint before a TLU").
 */
export function estimateNoise(params: ParameterSet, nu = 1): NoiseEstimate {
  if (!(nu >= 0 && Number.isFinite(nu))) throw new RangeError(`nu must be a finite 2-norm >= 0, got ${nu}`);
  const linear = nu * nu * blindRotationVariance(params);
  const keyswitch = keyswitchVariance(params);
  const modulusSwitch = modulusSwitchVariance(params);
  return { linear, keyswitch, modulusSwitch, total: linear + keyswitch + modulusSwitch };
}

/** 0 bits is the padding bit alone: a sign read, as the bit extraction of a rounded shift does. */
function checkPrecision(precision: number): void {
  if (!Number.isInteger(precision) || precision < 0 || precision > 32) {
    throw new RangeError(`precision must be an integer number of bits in [0, 32], got ${precision}`);
  }
}

/**
 * Half the width of a lookup box: p bits plus the padding bit split the torus into 2^(p+1)
 * boxes, and the half-box offset of the table lets the noise go either way by half a box.
 */
export function halfBoxWidth(precision: number): number {
  checkPrecision(precision);
  return 2 ** -(precision + 2);
}

/** kappa = sqrt(2) erfcinv(pFail): how many standard deviations a half box must span. */
export function kappa(pFail: number): number {
  if (!(pFail > 0 && pFail < 1)) throw new RangeError(`pFail must be a probability in (0, 1), got ${pFail}`);
  return Math.SQRT2 * erfcinv(pFail);
}

/** The largest variance before a p-bit lookup that keeps its failure probability <= pFail. */
export function maximumVariance(precision: number, pFail: number): number {
  return (halfBoxWidth(precision) / kappa(pFail)) ** 2;
}

/**
 * log2 of the probability that one p-bit lookup decodes the wrong box: the centred Gaussian
 * noise of std sigma leaves the half box of width w with probability erfc(w / (sqrt(2) sigma)).
 * Computed in log space, so it stays exact for 2^-128 and far below.
 */
export function log2FailureProbability(params: ParameterSet, precision = params.precision, nu = 1): number {
  const sigma = Math.sqrt(estimateNoise(params, nu).total);
  return log2Erfc(halfBoxWidth(precision) / (Math.SQRT2 * sigma));
}

/** The failure probability of one lookup (0 when below 2^-1074; see log2FailureProbability). */
export function failureProbability(params: ParameterSet, precision = params.precision, nu = 1): number {
  return 2 ** log2FailureProbability(params, precision, nu);
}

/** The chance that at least one of `count` independent lookups fails: 1 - (1 - p)^count. */
export function globalFailureProbability(pFail: number, count: number): number {
  if (!(pFail >= 0 && pFail <= 1)) throw new RangeError(`pFail must be a probability, got ${pFail}`);
  if (!(count >= 0 && Number.isInteger(count))) throw new RangeError(`count must be an integer >= 0, got ${count}`);
  return -Math.expm1(count * Math.log1p(-pFail));
}
