import test from 'ava';
import fc from 'fast-check';
import {
  DEFAULT_PARAMETERS, GAUSSIAN_2_2_PFAIL_2M128, TUNIFORM_2_2_PFAIL_2M128, TUNIFORM_2_2_PFAIL_2M64,
  TUNIFORM_4_4_PFAIL_2M128, defineParameterSet, parameters, type ParameterSetFields,
} from '../../lib/fhe/parameters';

const VALID: ParameterSetFields = {
  name: 'test', lweDimension: 16, glweDimension: 1, polynomialSize: 256, pbsBaseLog: 8, pbsLevel: 2,
  ksBaseLog: 2, ksLevel: 8, lweNoise: { kind: 'tuniform', boundLog2: 50 },
  glweNoise: { kind: 'gaussian', std: 1e-10 }, messageBits: 2, carryBits: 2, log2FailureTarget: -40,
  modulusSwitch: 'centered-binary',
};

test('parameters lists the six named sets of tfhe.md under their own names', (t) => {
  t.deepEqual(Object.keys(parameters), [
    'TUNIFORM_1_1_PFAIL_2M128', 'TUNIFORM_2_2_PFAIL_2M128', 'TUNIFORM_3_3_PFAIL_2M128',
    'TUNIFORM_4_4_PFAIL_2M128', 'TUNIFORM_2_2_PFAIL_2M64', 'GAUSSIAN_2_2_PFAIL_2M128',
  ]);
  for (const [name, set] of Object.entries(parameters)) t.is(set.name, name);
  t.is(DEFAULT_PARAMETERS, TUNIFORM_2_2_PFAIL_2M128);
});

test('named sets carry the figures of tfhe.md', (t) => {
  const { lweDimension, glweDimension, polynomialSize, pbsBaseLog, pbsLevel, ksBaseLog, ksLevel } =
    TUNIFORM_4_4_PFAIL_2M128;
  t.deepEqual([lweDimension, glweDimension, polynomialSize, pbsBaseLog, pbsLevel, ksBaseLog, ksLevel],
    [1117, 1, 65536, 11, 3, 3, 7]);
  t.deepEqual(TUNIFORM_4_4_PFAIL_2M128.lweNoise, { kind: 'tuniform', boundLog2: 40 });
  t.is(TUNIFORM_4_4_PFAIL_2M128.precision, 8);
  t.is(TUNIFORM_2_2_PFAIL_2M128.bigLweDimension, 2048);
  t.is(TUNIFORM_2_2_PFAIL_2M64.modulusSwitch, 'standard');
  t.is(TUNIFORM_2_2_PFAIL_2M64.log2FailureTarget, -64);
  t.true(Math.abs(GAUSSIAN_2_2_PFAIL_2M128.lweNoise.kind === 'gaussian'
    ? GAUSSIAN_2_2_PFAIL_2M128.lweNoise.std / 2.046e-6 - 1 : 1) < 1e-3);
  for (const set of Object.values(parameters)) {
    t.true(Object.isFrozen(set) && Object.isFrozen(set.lweNoise) && Object.isFrozen(set.glweNoise));
    if (set !== TUNIFORM_2_2_PFAIL_2M64) t.is(set.modulusSwitch, 'centered-binary');
  }
});

test('defineParameterSet accepts a valid set and derives precision and the big key dimension', (t) => {
  const set = defineParameterSet(VALID);
  t.is(set.precision, 4);
  t.is(set.bigLweDimension, 256);
});

const INVALID: ReadonlyArray<[Partial<ParameterSetFields>, RegExp]> = [
  [{ polynomialSize: 1000 }, /polynomialSize must be a power of two, got 1000/],
  [{ polynomialSize: 0 }, /polynomialSize must be a positive integer, got 0/],
  [{ lweDimension: 0 }, /lweDimension must be a positive integer, got 0/],
  [{ glweDimension: -1 }, /glweDimension must be a positive integer/],
  [{ lweDimension: 10.5 }, /lweDimension must be a positive integer/],
  [{ pbsLevel: 0 }, /pbsLevel must be a positive integer/],
  [{ pbsBaseLog: 23, pbsLevel: 3 }, /pbsBaseLog \* pbsLevel must be <= 64, got 23 \* 3/],
  [{ ksBaseLog: 33, ksLevel: 2 }, /ksBaseLog \* ksLevel must be <= 64, got 33 \* 2/],
  [{ carryBits: -1 }, /carryBits must be a non-negative integer/],
  [{ messageBits: 5, carryBits: 4 }, /a 9-bit table does not fit polynomialSize 256/],
  [{ lweNoise: { kind: 'tuniform', boundLog2: 64 } }, /lweNoise.boundLog2 must be an integer in \[0, 62\]/],
  [{ glweNoise: { kind: 'gaussian', std: 0 } }, /glweNoise.std must be a torus standard deviation/],
  [{ glweNoise: { kind: 'binomial' } as never }, /glweNoise must be/],
  [{ log2FailureTarget: 0 }, /log2FailureTarget must be negative/],
  [{ modulusSwitch: 'drift' as never }, /modulusSwitch must be 'standard' or 'centered-binary'/],
  [{ name: '' }, /name must be a non-empty string/],
];

test('defineParameterSet rejects invalid sets with a RangeError naming the set and field', (t) => {
  for (const [change, message] of INVALID) {
    const error = t.throws(() => defineParameterSet({ ...VALID, ...change }), { instanceOf: RangeError });
    t.regex(error.message, message);
    if (change.name === undefined) t.regex(error.message, /^parameter set "test": /);
  }
});

test('polynomialSize is accepted exactly when it is a power of two', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 20 }), (size) => {
    const isPowerOfTwo = Number.isInteger(Math.log2(size));
    const make = () => defineParameterSet({ ...VALID, polynomialSize: size, messageBits: 1, carryBits: 0 });
    if (isPowerOfTwo && size >= 2) return make().polynomialSize === size;
    try { make(); return false; } catch (error) { return error instanceof RangeError; }
  }));
  t.pass();
});

test('a decomposition is accepted exactly when base log * level <= 64', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), (baseLog, level) => {
    try {
      defineParameterSet({ ...VALID, pbsBaseLog: baseLog, pbsLevel: level });
      return baseLog * level <= 64;
    } catch (error) {
      return error instanceof RangeError && baseLog * level > 64;
    }
  }));
  t.pass();
});
