// TFHE parameter sets: the entity (checked when it is made) and the named tfhe-rs v1 sets.
// Ciphertext modulus q = 2^64 throughout (u64 wrap-around arithmetic, see tfhe.md).

/** log2 of the ciphertext modulus q. */
export const CIPHERTEXT_MODULUS_LOG2 = 64;

/**
 * Noise added by encryption. TUniform(b) draws integers uniformly from [-2^b, 2^b] (in units
 * of q); Gaussian noise is given by its standard deviation as a fraction of q (on the torus).
 */
export type NoiseDistribution =
  | { readonly kind: 'tuniform'; readonly boundLog2: number }
  | { readonly kind: 'gaussian'; readonly std: number };

/**
 * How the keyswitched ciphertext is rounded to Z/2N before blind rotation. 'centered-binary'
 * adds the public mean of the rounding error that a binary key lets through (tfhe-rs 1.4+,
 * tfhe.md "Modulus switch"); 'standard' rounds each coefficient on its own.
 */
export type ModulusSwitch = 'standard' | 'centered-binary';

export interface ParameterSetFields {
  readonly name: string;
  /** n: dimension of the small LWE key, the one blind rotation runs under. */
  readonly lweDimension: number;
  /** k: GLWE dimension; the big LWE key is the flattened GLWE key, of dimension k*N. */
  readonly glweDimension: number;
  /** N: degree of the GLWE polynomials (a power of two). */
  readonly polynomialSize: number;
  readonly pbsBaseLog: number;
  readonly pbsLevel: number;
  readonly ksBaseLog: number;
  readonly ksLevel: number;
  /** Noise of the small key's ciphertexts (keyswitch key, small-key encryptions). */
  readonly lweNoise: NoiseDistribution;
  /** Noise of the big key's ciphertexts (bootstrap key, fresh encryptions). */
  readonly glweNoise: NoiseDistribution;
  readonly messageBits: number;
  readonly carryBits: number;
  /** log2 of the per-lookup failure probability the set was designed for (e.g. -128). */
  readonly log2FailureTarget: number;
  readonly modulusSwitch: ModulusSwitch;
  /** What tfhe-rs publishes: its log2 p_fail, reached at nu^2 = its max noise level. */
  readonly published?: { readonly log2PFail: number; readonly maxNoiseLevel: number };
}

export interface ParameterSet extends ParameterSetFields {
  /** Bits a table lookup reads: message + carry (the padding bit apart). */
  readonly precision: number;
  /** k*N, the dimension of the big LWE key. */
  readonly bigLweDimension: number;
}

function isPowerOfTwo(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0 && Number.isInteger(Math.log2(value));
}

function checkNoise(fail: (message: string) => never, field: string, noise: NoiseDistribution): void {
  if (noise?.kind === 'tuniform') {
    if (!Number.isInteger(noise.boundLog2) || noise.boundLog2 < 0 || noise.boundLog2 > 62) {
      fail(`${field}.boundLog2 must be an integer in [0, 62], got ${noise.boundLog2}`);
    }
  } else if (noise?.kind === 'gaussian') {
    if (!(noise.std > 0 && noise.std < 0.5)) {
      fail(`${field}.std must be a torus standard deviation in (0, 0.5), got ${noise.std}`);
    }
  } else {
    fail(`${field} must be { kind: 'tuniform', boundLog2 } or { kind: 'gaussian', std }`);
  }
}

/**
 * Checks a parameter set and freezes it. Throws a RangeError naming the set and the field:
 * dimensions must be positive integers, N a power of two, base_log * level <= 64 (a
 * decomposition cannot use more bits than the modulus has), and a 2^precision-entry table
 * must fit in the N coefficients of the lookup polynomial.
 */
export function defineParameterSet(fields: ParameterSetFields): ParameterSet {
  const fail = (message: string): never => {
    throw new RangeError(`parameter set "${fields.name}": ${message}`);
  };
  if (typeof fields.name !== 'string' || fields.name === '') fail('name must be a non-empty string');
  const positive = ['lweDimension', 'glweDimension', 'polynomialSize', 'pbsBaseLog', 'pbsLevel',
    'ksBaseLog', 'ksLevel', 'messageBits'] as const;
  for (const field of positive) {
    const value = fields[field];
    if (!Number.isSafeInteger(value) || value <= 0) fail(`${field} must be a positive integer, got ${value}`);
  }
  if (!Number.isSafeInteger(fields.carryBits) || fields.carryBits < 0) {
    fail(`carryBits must be a non-negative integer, got ${fields.carryBits}`);
  }
  if (!isPowerOfTwo(fields.polynomialSize)) {
    fail(`polynomialSize must be a power of two, got ${fields.polynomialSize}`);
  }
  for (const [kind, baseLog, level] of [['pbs', fields.pbsBaseLog, fields.pbsLevel],
    ['ks', fields.ksBaseLog, fields.ksLevel]] as const) {
    if (baseLog * level > CIPHERTEXT_MODULUS_LOG2) {
      fail(`${kind}BaseLog * ${kind}Level must be <= ${CIPHERTEXT_MODULUS_LOG2}, got ${baseLog} * ${level}`);
    }
  }
  checkNoise(fail, 'lweNoise', fields.lweNoise);
  checkNoise(fail, 'glweNoise', fields.glweNoise);
  const precision = fields.messageBits + fields.carryBits;
  if (2 ** precision > fields.polynomialSize) {
    fail(`a ${precision}-bit table does not fit polynomialSize ${fields.polynomialSize}`);
  }
  if (!(fields.log2FailureTarget < 0)) fail(`log2FailureTarget must be negative, got ${fields.log2FailureTarget}`);
  if (fields.modulusSwitch !== 'standard' && fields.modulusSwitch !== 'centered-binary') {
    fail(`modulusSwitch must be 'standard' or 'centered-binary', got ${String(fields.modulusSwitch)}`);
  }
  return Object.freeze({
    ...fields,
    lweNoise: Object.freeze({ ...fields.lweNoise }),
    glweNoise: Object.freeze({ ...fields.glweNoise }),
    ...(fields.published && { published: Object.freeze({ ...fields.published }) }),
    precision,
    bigLweDimension: fields.glweDimension * fields.polynomialSize,
  });
}

const tuniform = (boundLog2: number): NoiseDistribution => ({ kind: 'tuniform', boundLog2 });
const gaussian = (std: number): NoiseDistribution => ({ kind: 'gaussian', std });

// The tfhe-rs v1 sets listed in tfhe.md ("Parameter sets"). Names read
// <noise>_<message bits>_<carry bits>_PFAIL_2M<-log2 of the failure target>.

export const TUNIFORM_1_1_PFAIL_2M128 = defineParameterSet({
  name: 'TUNIFORM_1_1_PFAIL_2M128', lweDimension: 879, glweDimension: 4, polynomialSize: 512,
  pbsBaseLog: 23, pbsLevel: 1, ksBaseLog: 5, ksLevel: 3, lweNoise: tuniform(46), glweNoise: tuniform(17),
  messageBits: 1, carryBits: 1, log2FailureTarget: -128, modulusSwitch: 'centered-binary',
  published: { log2PFail: -144.3, maxNoiseLevel: 3 },
});

/** tfhe-rs's default set. */
export const TUNIFORM_2_2_PFAIL_2M128 = defineParameterSet({
  name: 'TUNIFORM_2_2_PFAIL_2M128', lweDimension: 918, glweDimension: 1, polynomialSize: 2048,
  pbsBaseLog: 23, pbsLevel: 1, ksBaseLog: 4, ksLevel: 4, lweNoise: tuniform(45), glweNoise: tuniform(17),
  messageBits: 2, carryBits: 2, log2FailureTarget: -128, modulusSwitch: 'centered-binary',
  published: { log2PFail: -129.6, maxNoiseLevel: 5 },
});

export const TUNIFORM_3_3_PFAIL_2M128 = defineParameterSet({
  name: 'TUNIFORM_3_3_PFAIL_2M128', lweDimension: 1077, glweDimension: 1, polynomialSize: 8192,
  pbsBaseLog: 15, pbsLevel: 2, ksBaseLog: 4, ksLevel: 5, lweNoise: tuniform(41), glweNoise: tuniform(3),
  messageBits: 3, carryBits: 3, log2FailureTarget: -128, modulusSwitch: 'centered-binary',
  published: { log2PFail: -129.0, maxNoiseLevel: 9 },
});

export const TUNIFORM_4_4_PFAIL_2M128 = defineParameterSet({
  name: 'TUNIFORM_4_4_PFAIL_2M128', lweDimension: 1117, glweDimension: 1, polynomialSize: 65536,
  pbsBaseLog: 11, pbsLevel: 3, ksBaseLog: 3, ksLevel: 7, lweNoise: tuniform(40), glweNoise: tuniform(3),
  messageBits: 4, carryBits: 4, log2FailureTarget: -128, modulusSwitch: 'centered-binary',
  published: { log2PFail: -141.6, maxNoiseLevel: 17 },
});

/** The older 2^-64 target; published for the standard modulus switch (tfhe.md). */
export const TUNIFORM_2_2_PFAIL_2M64 = defineParameterSet({
  name: 'TUNIFORM_2_2_PFAIL_2M64', lweDimension: 879, glweDimension: 1, polynomialSize: 2048,
  pbsBaseLog: 23, pbsLevel: 1, ksBaseLog: 3, ksLevel: 5, lweNoise: tuniform(46), glweNoise: tuniform(17),
  messageBits: 2, carryBits: 2, log2FailureTarget: -64, modulusSwitch: 'standard',
  published: { log2PFail: -72.2, maxNoiseLevel: 5 },
});

/**
 * Gaussian variant of the default set (stds as in tfhe-rs's V1_x_PARAM_MESSAGE_2_CARRY_2_KS_PBS
 * _GAUSSIAN_2M128; tfhe.md rounds them). tfhe-rs 1.4+ pairs it with the centered switch.
 */
export const GAUSSIAN_2_2_PFAIL_2M128 = defineParameterSet({
  name: 'GAUSSIAN_2_2_PFAIL_2M128', lweDimension: 866, glweDimension: 1, polynomialSize: 2048,
  pbsBaseLog: 23, pbsLevel: 1, ksBaseLog: 3, ksLevel: 5,
  lweNoise: gaussian(2.046151696979124e-6), glweNoise: gaussian(2.845267479601915e-15),
  messageBits: 2, carryBits: 2, log2FailureTarget: -128, modulusSwitch: 'centered-binary',
  published: { log2PFail: -128.4, maxNoiseLevel: 5 },
});

/** Every named set, by name. */
export const parameters = Object.freeze({
  TUNIFORM_1_1_PFAIL_2M128,
  TUNIFORM_2_2_PFAIL_2M128,
  TUNIFORM_3_3_PFAIL_2M128,
  TUNIFORM_4_4_PFAIL_2M128,
  TUNIFORM_2_2_PFAIL_2M64,
  GAUSSIAN_2_2_PFAIL_2M128,
});

export type ParameterSetName = keyof typeof parameters;

export const DEFAULT_PARAMETERS = TUNIFORM_2_2_PFAIL_2M128;
