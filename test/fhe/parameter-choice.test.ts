import test from 'ava';
import fc from 'fast-check';
import { keySizes, lookupCost } from '../../lib/fhe/cost';
import { log2FailureProbability } from '../../lib/fhe/noise';
import { DEFAULT_CANDIDATES, parametersFor } from '../../lib/fhe/parameter-choice';
import {
  GAUSSIAN_2_2_PFAIL_2M128, TUNIFORM_1_1_PFAIL_2M128, TUNIFORM_2_2_PFAIL_2M128, TUNIFORM_2_2_PFAIL_2M64,
  TUNIFORM_3_3_PFAIL_2M128, TUNIFORM_4_4_PFAIL_2M128, parameters,
} from '../../lib/fhe/parameters';

test('parametersFor maps lookup precision to the named sets at 2^-128 and nu = 1', (t) => {
  t.is(parametersFor({ precision: 1 }), TUNIFORM_1_1_PFAIL_2M128);
  t.is(parametersFor({ precision: 2 }), TUNIFORM_1_1_PFAIL_2M128);
  t.is(parametersFor({ precision: 4 }), TUNIFORM_2_2_PFAIL_2M128);
  t.is(parametersFor({ precision: 5 }), TUNIFORM_3_3_PFAIL_2M128);
  t.is(parametersFor({ precision: 6 }), TUNIFORM_3_3_PFAIL_2M128);
  t.is(parametersFor({ precision: 7 }), TUNIFORM_4_4_PFAIL_2M128);
  t.is(parametersFor({ precision: 8 }), TUNIFORM_4_4_PFAIL_2M128);
  // At 3 bits the 2^-64 set (published for 4 bits) already reaches 2^-128, and costs less.
  t.is(parametersFor({ precision: 3 }), TUNIFORM_2_2_PFAIL_2M64);
  t.true(log2FailureProbability(TUNIFORM_2_2_PFAIL_2M64, 3, 1) <= -128);
});

test('parametersFor honours an explicit lower failure target and the 2-norm', (t) => {
  t.is(parametersFor({ precision: 4, pFail: 2 ** -64 }), TUNIFORM_2_2_PFAIL_2M64);
  t.is(parametersFor({ precision: 4, pFail: 2 ** -40 }), TUNIFORM_2_2_PFAIL_2M64);
  t.is(parametersFor({ precision: 4, nu: Math.sqrt(5) }), TUNIFORM_2_2_PFAIL_2M128);
  t.is(parametersFor({ precision: 2, nu: Math.sqrt(3) }), TUNIFORM_1_1_PFAIL_2M128);
  t.is(parametersFor({ precision: 6, nu: 100 }), TUNIFORM_4_4_PFAIL_2M128);
});

test('parametersFor considers the Gaussian set only when asked to', (t) => {
  t.false(DEFAULT_CANDIDATES.includes(GAUSSIAN_2_2_PFAIL_2M128));
  t.is(parametersFor({ precision: 4, candidates: Object.values(parameters) }), GAUSSIAN_2_2_PFAIL_2M128);
});

test('parametersFor names the precision and the target when no set fits', (t) => {
  const error = t.throws(() => parametersFor({ precision: 9 }), { instanceOf: RangeError });
  t.regex(error.message, /no parameter set supports 9-bit lookups at pFail 2\^-128\.0 with nu = 1/);
  t.regex(error.message, /TUNIFORM_4_4_PFAIL_2M128, reaches 2\^-/);
  const huge = t.throws(() => parametersFor({ precision: 20 }), { instanceOf: RangeError });
  t.regex(huge.message, /20-bit lookups.*no candidate has a table that large/);
  t.throws(() => parametersFor({ precision: 0 }), { instanceOf: RangeError, message: /precision/ });
  t.throws(() => parametersFor({ precision: 2.5 }), { instanceOf: RangeError, message: /precision/ });
  t.throws(() => parametersFor({ precision: 4, pFail: 0 }), { instanceOf: RangeError, message: /pFail/ });
  t.throws(() => parametersFor({ precision: 4, pFail: 1 }), { instanceOf: RangeError, message: /pFail/ });
});

test('parametersFor returns the cheapest candidate that meets the target', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.double({ min: -200, max: -10, noNaN: true }),
    fc.double({ min: 1, max: 8, noNaN: true }), (precision, log2PFail, nu) => {
      const fits = DEFAULT_CANDIDATES.filter((set) => log2FailureProbability(set, precision, nu) <= log2PFail);
      try {
        const chosen = parametersFor({ precision, pFail: 2 ** log2PFail, nu });
        return fits.includes(chosen) && fits.every((set) => lookupCost(set) >= lookupCost(chosen));
      } catch (error) {
        return error instanceof RangeError && fits.length === 0;
      }
    }));
  t.pass();
});

test('cost and key sizes of the 2_2 set match tfhe.md (~2.4e8 flops, ~60 MB bootstrap key, 30 MB keyswitch key in memory)', (t) => {
  const cost = lookupCost(TUNIFORM_2_2_PFAIL_2M128);
  t.true(cost > 2.0e8 && cost < 2.6e8, `${cost}`);
  const sizes = keySizes(TUNIFORM_2_2_PFAIL_2M128);
  t.is(sizes.bootstrapKeyBytes, 918 * 4 * 1 * 1024 * 16);
  // 32 bits a word in memory (Compact32); 64 bits in the uncompressed serialized form.
  t.is(sizes.keyswitchKeyBytes, 2048 * 4 * 919 * 4);
  t.true(Math.abs(sizes.bootstrapKeyBytes / 60e6 - 1) < 0.05);
  t.true(Math.abs(sizes.keyswitchKeyBytes / 30e6 - 1) < 0.05);
  t.is(sizes.bigCiphertextBytes, 2049 * 8);
  t.is(sizes.smallCiphertextBytes, 919 * 8);
  const ordered = [TUNIFORM_1_1_PFAIL_2M128, TUNIFORM_2_2_PFAIL_2M128, TUNIFORM_3_3_PFAIL_2M128, TUNIFORM_4_4_PFAIL_2M128];
  for (let i = 1; i < ordered.length; i++) t.true(lookupCost(ordered[i]) > lookupCost(ordered[i - 1]));
});
