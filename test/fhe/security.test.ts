import test from 'ava';
import { defineParameterSet, parameters, TUNIFORM_2_2_PFAIL_2M128 } from '../../lib/fhe/parameters';
import { assertSecure, checkSecurity, minimumSecureLog2Std, minimumSecureStd } from '../../lib/fhe/security';

test('every named set is 128-bit secure for both its LWE and its GLWE key', (t) => {
  for (const set of Object.values(parameters)) {
    const { secure, keys } = checkSecurity(set);
    t.true(secure, set.name);
    t.deepEqual(keys.map((key) => [key.key, key.dimension]),
      [['lwe', set.lweDimension], ['glwe', set.glweDimension * set.polynomialSize]]);
    for (const key of keys) {
      t.true(key.log2Std >= key.minimumLog2Std, `${set.name} ${key.key}: ${key.log2Std} < ${key.minimumLog2Std}`);
      t.log(`${set.name} ${key.key}: log2 std ${key.log2Std.toFixed(2)} >= ${key.minimumLog2Std.toFixed(2)}`);
    }
    t.notThrows(() => assertSecure(set));
  }
});

test('minimumSecureStd follows the MATZOV curve of tfhe.md, floored at 4 (2 - 64 in log2)', (t) => {
  t.is(minimumSecureLog2Std(918), -0.025696778711484593 * 918 + 2.675931372549016);
  t.is(minimumSecureStd(918), 2 ** minimumSecureLog2Std(918));
  t.is(minimumSecureLog2Std(2048), -0.025696778711484593 * 2048 + 2.675931372549016);
  t.is(minimumSecureLog2Std(8192), -62);
  t.is(minimumSecureLog2Std(65536), -62);
  t.throws(() => minimumSecureStd(0), { instanceOf: RangeError });
  t.throws(() => minimumSecureStd(12.5), { instanceOf: RangeError });
});

test('a set with too little noise for its dimension is reported and rejected', (t) => {
  const weak = defineParameterSet({ ...TUNIFORM_2_2_PFAIL_2M128, name: 'weak', lweDimension: 630 });
  const { secure, keys } = checkSecurity(weak);
  t.false(secure);
  t.deepEqual(keys.map((key) => key.secure), [false, true]);
  const error = t.throws(() => assertSecure(weak), { instanceOf: RangeError });
  t.regex(error.message, /"weak" is below 128-bit security: lwe key \(dimension 630\)/);
});
