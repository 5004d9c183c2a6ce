import test from 'ava';
import fc from 'fast-check';
import {
  blindRotationVariance, bootstrapOutputVariance, estimateNoise, failureProbability, fftVariance,
  freshEncryptionVariance, globalFailureProbability, halfBoxWidth, kappa, keyswitchOutputVariance,
  keyswitchVariance, log2FailureProbability, maximumVariance, modulusSwitchVariance, noiseVariance,
} from '../../lib/fhe/noise';
import { log2Erfc } from '../../lib/fhe/error-function';
import {
  GAUSSIAN_2_2_PFAIL_2M128, TUNIFORM_1_1_PFAIL_2M128, TUNIFORM_2_2_PFAIL_2M128, TUNIFORM_2_2_PFAIL_2M64,
  TUNIFORM_3_3_PFAIL_2M128, TUNIFORM_4_4_PFAIL_2M128, defineParameterSet, parameters,
} from '../../lib/fhe/parameters';

// tfhe.md, "Check of the model": log2 p_fail computed there at nu^2 = tfhe-rs's max noise
// level, and what tfhe-rs publishes.
const MODEL_CHECK = [
  { set: TUNIFORM_1_1_PFAIL_2M128, nuSquared: 3, computed: -143.8, published: -144.3 },
  { set: TUNIFORM_2_2_PFAIL_2M128, nuSquared: 5, computed: -130.9, published: -129.6 },
  { set: TUNIFORM_3_3_PFAIL_2M128, nuSquared: 9, computed: -128.6, published: -129.0 },
  { set: TUNIFORM_4_4_PFAIL_2M128, nuSquared: 17, computed: -142.5, published: -141.6 },
  { set: TUNIFORM_2_2_PFAIL_2M64, nuSquared: 5, computed: -72.7, published: -72.2 },
];

test('the model reproduces the check-of-the-model figures of tfhe.md', (t) => {
  for (const { set, nuSquared, computed, published } of MODEL_CHECK) {
    t.is(set.published?.maxNoiseLevel, nuSquared);
    const log2PFail = log2FailureProbability(set, set.precision, Math.sqrt(nuSquared));
    t.log(`${set.name}: 2^${log2PFail.toFixed(2)} (tfhe.md computed ${computed}, published ${published})`);
    t.true(Math.abs(log2PFail - computed) <= 0.3, `${set.name}: ${log2PFail} vs computed ${computed}`);
    t.true(Math.abs(log2PFail - published) <= 2, `${set.name}: ${log2PFail} vs published ${published}`);
  }
});

test('every named set meets its own failure target at its published noise level', (t) => {
  for (const set of Object.values(parameters)) {
    const { log2PFail, maxNoiseLevel } = set.published ?? { log2PFail: NaN, maxNoiseLevel: NaN };
    const computed = log2FailureProbability(set, set.precision, Math.sqrt(maxNoiseLevel));
    t.true(computed <= set.log2FailureTarget, `${set.name}: 2^${computed}`);
    t.true(Math.abs(computed - log2PFail) <= 2, `${set.name}: ${computed} vs published ${log2PFail}`);
  }
  t.true(Math.abs(log2FailureProbability(GAUSSIAN_2_2_PFAIL_2M128, 4, Math.sqrt(5)) + 129.46) < 0.05);
});

test('without the centered switch the 2_2 set only reaches ~2^-73 (tfhe.md)', (t) => {
  const standard = defineParameterSet({ ...TUNIFORM_2_2_PFAIL_2M128, name: 'standard switch', modulusSwitch: 'standard' });
  const log2PFail = log2FailureProbability(standard, 4, Math.sqrt(5));
  t.true(log2PFail > -75 && log2PFail < -71, `${log2PFail}`);
  // Removing the public mean halves the key-dependent part: n/24 -> n/48.
  const n = standard.lweDimension;
  const ratio = modulusSwitchVariance(standard) / modulusSwitchVariance(TUNIFORM_2_2_PFAIL_2M128);
  t.true(Math.abs(ratio - (1 / 12 + n / 24) / (1 / 12 + n / 48)) < 1e-9);
});

test('kappa matches tfhe.md at 2^-40, 2^-64 and 2^-128', (t) => {
  t.true(Math.abs(kappa(2 ** -40) - 7.14) < 0.005);
  t.true(Math.abs(kappa(2 ** -64) - 9.16) < 0.005);
  t.true(Math.abs(kappa(2 ** -128) - 13.11) < 0.005);
  t.throws(() => kappa(0), { instanceOf: RangeError });
  t.throws(() => kappa(1), { instanceOf: RangeError });
});

test('a variance equal to maximumVariance fails with exactly the target probability', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 10 }), fc.double({ min: -300, max: -2, noNaN: true }),
    (precision, log2PFail) => {
      const sigma = Math.sqrt(maximumVariance(precision, 2 ** log2PFail));
      const achieved = log2Erfc(halfBoxWidth(precision) / (Math.SQRT2 * sigma));
      return Math.abs(achieved - log2PFail) < 1e-9 * Math.abs(log2PFail);
    }));
  t.pass();
});

test('failure probability grows with the 2-norm and with the precision', (t) => {
  const sets = Object.values(parameters);
  fc.assert(fc.property(fc.constantFrom(...sets), fc.integer({ min: 1, max: 7 }),
    fc.double({ min: 0, max: 50, noNaN: true }), fc.double({ min: 0.01, max: 10, noNaN: true }),
    (set, precision, nu, extraNu) => {
      const here = log2FailureProbability(set, precision, nu);
      return log2FailureProbability(set, precision, nu + extraNu) > here
        && log2FailureProbability(set, precision + 1, nu) > here;
    }));
  t.is(failureProbability(TUNIFORM_2_2_PFAIL_2M128, 4, 1), 2 ** log2FailureProbability(TUNIFORM_2_2_PFAIL_2M128, 4, 1));
  t.is(failureProbability(TUNIFORM_4_4_PFAIL_2M128, 1), 0, 'far below 2^-1074 underflows to 0');
  t.true(Number.isFinite(log2FailureProbability(TUNIFORM_4_4_PFAIL_2M128, 1)));
  // 0 bits: the padding bit alone (a sign read), whose half box is twice a 1-bit read's
  t.true(log2FailureProbability(TUNIFORM_2_2_PFAIL_2M128, 0, 64) < log2FailureProbability(TUNIFORM_2_2_PFAIL_2M128, 1, 64));
  t.throws(() => log2FailureProbability(TUNIFORM_2_2_PFAIL_2M128, -1), { instanceOf: RangeError, message: /precision must be an integer number of bits in \[0, 32\], got -1/ });
  t.throws(() => estimateNoise(TUNIFORM_2_2_PFAIL_2M128, -1), { instanceOf: RangeError });
});

test('noise variances of TUniform and Gaussian distributions', (t) => {
  t.is(noiseVariance({ kind: 'tuniform', boundLog2: 0 }), (3 / 6) * 2 ** -128);
  t.is(noiseVariance({ kind: 'tuniform', boundLog2: 17 }), ((2 ** 35 + 1) / 6) * 2 ** -128);
  t.is(noiseVariance({ kind: 'gaussian', std: 2 ** -20 }), 2 ** -40);
});

test('variances for the native noise tests: fresh, keyswitch output, PBS output', (t) => {
  const set = TUNIFORM_2_2_PFAIL_2M128;
  t.is(freshEncryptionVariance(set), noiseVariance(set.glweNoise));
  t.is(freshEncryptionVariance(set, 'small'), noiseVariance(set.lweNoise));
  const fresh = freshEncryptionVariance(set);
  t.is(keyswitchOutputVariance(set, fresh), fresh + keyswitchVariance(set));
  t.is(bootstrapOutputVariance(set), blindRotationVariance(set));
  // Orders of magnitude of the 2_2 set (log2 of torus variances), as the model gives them.
  t.true(Math.abs(Math.log2(keyswitchVariance(set)) + 22.03) < 0.01);
  t.true(Math.abs(Math.log2(blindRotationVariance(set)) + 28.86) < 0.01);
  t.true(Math.abs(Math.log2(modulusSwitchVariance(set)) + 19.74) < 0.01);
});

test('the FFT error is the binding blind-rotation term of the default set (tfhe.md)', (t) => {
  const set = TUNIFORM_2_2_PFAIL_2M128;
  const fftShare = (set.lweDimension * fftVariance(set)) / blindRotationVariance(set);
  t.true(fftShare > 0.5, `FFT share ${fftShare}`);
});

test('estimateNoise sums nu^2 times the PBS variance, the keyswitch and the modulus switch', (t) => {
  const set = TUNIFORM_3_3_PFAIL_2M128;
  const estimate = estimateNoise(set, 3);
  t.is(estimate.linear, 9 * blindRotationVariance(set));
  t.is(estimate.total, estimate.linear + keyswitchVariance(set) + modulusSwitchVariance(set));
  t.is(estimateNoise(set).linear, blindRotationVariance(set));
});

test('globalFailureProbability is 1 - (1 - p)^count without losing tiny p', (t) => {
  t.true(Math.abs(globalFailureProbability(0.5, 2) - 0.75) < 1e-15);
  const tiny = 2 ** -128;
  t.true(Math.abs(globalFailureProbability(tiny, 1e6) / (1e6 * tiny) - 1) < 1e-9);
  t.is(globalFailureProbability(tiny, 0), 0);
  t.throws(() => globalFailureProbability(2, 1), { instanceOf: RangeError });
  t.throws(() => globalFailureProbability(0.1, 1.5), { instanceOf: RangeError });
});
