// The measured failure rate of real lookups against the noise model (issue 5, "Tests that
// prove it"). At the precision a set is built for, failures are ~2^-128 and never seen, so the
// lookups here read their input at a precision far above it, where the model predicts ~1e-3,
// and enough of them run for an exact binomial interval to be narrow.
//
// The named sets cost ~10 ms per lookup here, too much for tens of thousands of trials in the
// test budget, so this set keeps their structure (binary keys, KS-PBS, centered modulus switch,
// N a power of two) at a tenth of the cost. Its noise is chosen so that the keyswitch and the
// modulus switch each carry about half of the variance: the check covers both formulas.
import test from 'ava';

import { defineParameterSet } from '../../lib/fhe/parameters';
import { estimateNoise, failureProbability, freshEncryptionVariance } from '../../lib/fhe/noise';
import * as tfhe from '../../lib/fhe/tfhe';
import { clopperPearson } from './clopper-pearson';

const PARAMS = defineParameterSet({
  name: 'failure-rate test (insecure)', lweDimension: 128, glweDimension: 1, polynomialSize: 256,
  pbsBaseLog: 23, pbsLevel: 1, ksBaseLog: 3, ksLevel: 4,
  lweNoise: { kind: 'gaussian', std: 4.5e-5 }, glweNoise: { kind: 'tuniform', boundLog2: 17 },
  messageBits: 4, carryBits: 0, log2FailureTarget: -10, modulusSwitch: 'centered-binary',
});
const PRECISION = 4; // 32 boxes of 16 modulus-switched steps, against a noise std of ~2.5 steps
// The model's variance is an average over keys: a fixed keyswitch key adds a key-dependent
// mean to every phase (the balanced digits in [-B/2, B/2) average -1/2, which weights the
// key's fixed noise): ~0.3 modulus-switched steps from one key to the next here, which moves a
// key's failure rate by 10-60%. So the trials are spread over many key sets, which makes their
// count nearly binomial at the key-averaged rate (the spread between keys inflates its
// variance by ~5% here).
const KEY_SETS = 32;
const TRIALS_PER_KEY = 2 ** 11;
const TRIALS = KEY_SETS * TRIALS_PER_KEY;
// The interval misses a correct prediction with probability <= 1e-4 per run.
const CONFIDENCE = 0.9999;

test('lookups read at an inflated precision fail at the rate the noise model predicts', async (t) => {
  // Inputs are fresh encryptions, so no PBS noise feeds the lookup: nu = 0, provided the fresh
  // encryption noise is negligible against the keyswitch and modulus switch.
  const predicted = failureProbability(PARAMS, PRECISION, 0);
  t.true(freshEncryptionVariance(PARAMS) < 1e-9 * estimateNoise(PARAMS, 0).total);
  t.true(predicted > 5e-4 && predicted < 2e-3, `the set is tuned for ~1e-3, got ${predicted}`);

  // A parity table: every one-box error (up or down, including across the negacyclic wrap,
  // which negates the entry) changes the output; two-box errors, which would not, have a
  // probability of ~1e-23 here.
  const table = Int32Array.from({ length: 2 ** PRECISION }, (_, m) => m & 1);
  const messages = Int32Array.from({ length: TRIALS_PER_KEY }, (_, i) => i % 2 ** PRECISION);
  let failures = 0;
  for (let keySet = 0; keySet < KEY_SETS; ++keySet) {
    const { clientKey, evaluationKeys } = await tfhe.generateKeys(PARAMS);
    const inputs = tfhe.encrypt(clientKey, messages, { precision: PRECISION });
    const outputs = tfhe.decrypt(clientKey, await tfhe.lookup(evaluationKeys, inputs, table, { outputPrecision: 1 }));
    for (let i = 0; i < TRIALS_PER_KEY; ++i) if (outputs[i] !== table[messages[i]]) ++failures;
    clientKey.free();
    evaluationKeys.free();
  }

  const { lower, upper } = clopperPearson(failures, TRIALS, CONFIDENCE);
  t.log(`${failures} failures in ${TRIALS} lookups: measured ${(failures / TRIALS).toExponential(3)}, predicted `
    + `${predicted.toExponential(3)}, ${CONFIDENCE * 100}% Clopper-Pearson interval [${lower.toExponential(3)}, `
    + `${upper.toExponential(3)}]`);
  t.true(lower <= predicted && predicted <= upper,
    `predicted ${predicted} outside [${lower}, ${upper}] (${failures} failures in ${TRIALS})`);
});
