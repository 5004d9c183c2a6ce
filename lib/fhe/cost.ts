// What a parameter set costs: work per table lookup and the size of the evaluation keys.
// Counts follow tfhe.md ("FFT and speed"); they rank sets, they do not predict milliseconds.

import { noiseVariance } from './noise';
import type { ParameterSet } from './parameters';

const BYTES_PER_U64 = 8;
/** A complex f64 of the Fourier-domain bootstrap key. */
const BYTES_PER_COMPLEX = 16;

/**
 * Estimated floating-point operations of one KS-PBS. Per CMux: (k+1)*l forward and (k+1)
 * inverse complex FFTs of size N/2 (~5 M log2 M flops each) and (k+1)^2 * l * N/2 complex
 * multiply-adds (8 flops); n CMux per PBS. The keyswitch adds k*N * l_ks * (n+1) integer
 * multiply-adds, counted as 2 operations each.
 */
export function lookupCost(params: ParameterSet): number {
  const { lweDimension: n, glweDimension: k, polynomialSize: size, pbsLevel: level } = params;
  const fftSize = size / 2;
  const fftFlops = 5 * fftSize * Math.log2(Math.max(fftSize, 1));
  const cmux = ((k + 1) * level + (k + 1)) * fftFlops + (k + 1) ** 2 * level * fftSize * 8;
  const keyswitch = 2 * params.bigLweDimension * params.ksLevel * (n + 1);
  return n * cmux + keyswitch;
}

export interface KeySizes {
  /** n GGSW ciphertexts of (k+1)*l GLWE ciphertexts of (k+1) polynomials, N/2 complex each. */
  readonly bootstrapKeyBytes: number;
  /**
   * k*N * l_ks LWE ciphertexts under the small key, (n+1) words each, as held in memory: 4 bytes
   * a word where the native key keeps only each word's high half (keyswitchKeyWordBytes), else 8.
   */
  readonly keyswitchKeyBytes: number;
  /** An LWE ciphertext under the big key: k*N + 1 u64 (what clients send and receive). */
  readonly bigCiphertextBytes: number;
  /** An LWE ciphertext under the small key: n + 1 u64. */
  readonly smallCiphertextBytes: number;
}

/**
 * Bytes per keyswitch-key word in memory. The native key (native/tfhe/keyswitch_key.h,
 * Compact32) rounds each word to its high 32 bits when that rounding's variance, (1 + n/2)/12
 * units of 2^32 squared for a binary key of weight ~n/2, is at most 2^-10 of the key's own noise
 * variance (the named sets at 2^-128); it keeps all 64 bits otherwise.
 */
export function keyswitchKeyWordBytes(params: ParameterSet): 4 | 8 {
  const roundingVariance = ((1 + params.lweDimension / 2) * 2 ** -64) / 12;
  return roundingVariance <= noiseVariance(params.lweNoise) * 2 ** -10 ? 4 : 8;
}

/** Sizes of the (uncompressed) evaluation keys in memory, and of ciphertexts, for a set. */
export function keySizes(params: ParameterSet): KeySizes {
  const { lweDimension: n, glweDimension: k, polynomialSize: size } = params;
  return {
    bootstrapKeyBytes: n * (k + 1) ** 2 * params.pbsLevel * (size / 2) * BYTES_PER_COMPLEX,
    keyswitchKeyBytes: params.bigLweDimension * params.ksLevel * (n + 1) * keyswitchKeyWordBytes(params),
    bigCiphertextBytes: (params.bigLweDimension + 1) * BYTES_PER_U64,
    smallCiphertextBytes: (n + 1) * BYTES_PER_U64,
  };
}
