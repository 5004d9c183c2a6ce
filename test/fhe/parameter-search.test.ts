// The per-circuit parameter search: every set it returns is 128-bit secure by the curve, meets
// every noise point under the model, and costs no more than the named set built for the same
// requirement.
import test from 'ava';

import { lookupCost } from '../../lib/fhe/cost';
import { blindRotationVariance, log2FailureProbability, maximumVariance, noiseVariance } from '../../lib/fhe/noise';
import { searchParameters, secureTUniform, type NoiseRequirement } from '../../lib/fhe/parameter-search';
import { TUNIFORM_1_1_PFAIL_2M128, TUNIFORM_2_2_PFAIL_2M128, TUNIFORM_3_3_PFAIL_2M128, type ParameterSet } from '../../lib/fhe/parameters';
import { checkSecurity, minimumSecureLog2Std } from '../../lib/fhe/security';

const lookupAt = (precision: number, nuSquared: number): NoiseRequirement => ({ kind: 'lookup', bootstrap: nuSquared, fresh: 0, precision });

function search(points: NoiseRequirement[], pError = 2 ** -128): ParameterSet {
  const maxLookupPrecision = Math.max(0, ...points.filter((p) => p.kind === 'lookup').map((p) => p.precision));
  const set = searchParameters({ points, pError, maxLookupPrecision });
  if (set === undefined) throw new Error('no set found');
  return set;
}

test('secureTUniform: the smallest bound whose std clears the security curve', (t) => {
  for (const dimension of [512, 720, 918, 1077, 2048, 4096, 65536]) {
    const noise = secureTUniform(dimension);
    if (noise.kind !== 'tuniform') return t.fail();
    const log2Std = (b: number): number => Math.log2(noiseVariance({ kind: 'tuniform', boundLog2: b })) / 2;
    t.true(log2Std(noise.boundLog2) >= minimumSecureLog2Std(dimension), `${dimension}`);
    if (noise.boundLog2 > 0) t.true(log2Std(noise.boundLog2 - 1) < minimumSecureLog2Std(dimension), `${dimension}: one less is insecure`);
  }
});

for (const [named, precision] of [[TUNIFORM_1_1_PFAIL_2M128, 2], [TUNIFORM_2_2_PFAIL_2M128, 4], [TUNIFORM_3_3_PFAIL_2M128, 6]] as const) {
  test(`at ${named.name}'s design point (${precision}-bit lookups, nu^2 = its max noise level) the search is secure, meets it and costs no more`, (t) => {
    const nuSquared = named.published!.maxNoiseLevel;
    const set = search([lookupAt(precision, nuSquared)]);
    t.true(checkSecurity(set).secure, set.name);
    t.true(log2FailureProbability(set, precision, Math.sqrt(nuSquared)) <= -128, set.name);
    t.true(2 ** (precision + 1) <= set.polynomialSize, 'tables fit');
    t.true(lookupCost(set) <= lookupCost(named), `${set.name} ${lookupCost(set).toExponential(2)} vs ${lookupCost(named).toExponential(2)}`);
    t.log(`${set.name}: ${(lookupCost(set) / lookupCost(named)).toFixed(2)} of ${named.name}'s cost`);
  });
}

test('more bits or a larger nu never cost less; relaxing the failure target never costs more', (t) => {
  const cost = (points: NoiseRequirement[], pError?: number): number => lookupCost(search(points, pError));
  t.true(cost([lookupAt(3, 4)]) <= cost([lookupAt(4, 4)]));
  t.true(cost([lookupAt(4, 4)]) <= cost([lookupAt(5, 4)]));
  t.true(cost([lookupAt(4, 1)]) <= cost([lookupAt(4, 64)]));
  t.true(cost([lookupAt(4, 4)], 2 ** -40) <= cost([lookupAt(4, 4)]));
});

test('an output point needs a small bootstrap noise, not a large table; a sign read needs neither', (t) => {
  // an 8-bit output summing 16 bootstrap outputs, read by nothing wider than 2 bits
  const set = search([lookupAt(2, 3), { kind: 'output', bootstrap: 16, fresh: 0, precision: 8 }]);
  t.true(16 * blindRotationVariance(set) <= maximumVariance(8, 2 ** -128), set.name);
  const sign = search([lookupAt(0, 2 ** 16), lookupAt(2, 1)]);
  t.true(checkSecurity(sign).secure);
  t.true(log2FailureProbability(sign, 0, 2 ** 8) <= -128, sign.name);
});

test('nothing in the space fits: undefined', (t) => {
  t.is(searchParameters({ points: [lookupAt(14, 1)], pError: 2 ** -128, maxLookupPrecision: 14 }), undefined);
});
