import test from 'ava';
import { MAX_N_BITS, QuantizationOptions } from '../../lib/quantization';

test('defaults: unsigned, asymmetric, not QAT, full range', (t) => {
  const options = new QuantizationOptions(8);
  t.deepEqual(options.toJSON(), {
    nBits: 8, isSigned: false, isSymmetric: false, isQat: false, isNarrow: false, isPrecomputedQat: false,
  });
  t.true(Object.isFrozen(options));
});

test('nBits must be an integer in 1..24: anything else is a RangeError', (t) => {
  t.notThrows(() => new QuantizationOptions(1));
  t.notThrows(() => new QuantizationOptions(MAX_N_BITS));
  for (const bad of [0, 25, 32, -1, 1.5, NaN, Infinity, '8' as unknown as number]) {
    const error = t.throws(() => new QuantizationOptions(bad), { instanceOf: RangeError });
    t.regex(error.message, /nBits must be an integer in \[1, 24\]/);
  }
});

test('symmetric-but-unsigned, symmetric QAT and 1-bit symmetric are clear errors', (t) => {
  t.throws(() => new QuantizationOptions(8, { isSymmetric: true }), {
    instanceOf: RangeError, message: /symmetric quantization is signed/,
  });
  t.throws(() => new QuantizationOptions(8, { isSymmetric: true, isSigned: true, isQat: true }), {
    instanceOf: RangeError, message: /QAT quantization is never symmetric/,
  });
  t.throws(() => new QuantizationOptions(1, { isSymmetric: true, isSigned: true }), {
    instanceOf: RangeError, message: /nBits >= 2/,
  });
});

test('unknown or non-boolean flags are errors naming the field', (t) => {
  t.throws(() => new QuantizationOptions(8, { isSgned: true } as never), { instanceOf: TypeError, message: /isSgned/ });
  t.throws(() => new QuantizationOptions(8, { isSigned: 1 } as never), { instanceOf: TypeError, message: /isSigned must be a boolean/ });
});

test('equals compares all six fields; isEquivalent only nBits, QAT, symmetry and sign', (t) => {
  const base = new QuantizationOptions(8, { isSigned: true });
  const narrow = base.with({ isNarrow: true });
  const precomputed = base.with({ isPrecomputedQat: true });
  t.true(base.equals(new QuantizationOptions(8, { isSigned: true })));
  t.false(base.equals(narrow));
  t.false(base.equals(precomputed));
  t.true(base.isEquivalent(narrow));
  t.true(base.isEquivalent(precomputed));
  t.false(base.isEquivalent(base.with({ nBits: 7 })));
  t.false(base.isEquivalent(base.with({ isSigned: false })));
  t.false(base.isEquivalent(base.with({ isQat: true })));
});

test('isEquivalent can ignore the sign when the other options are QAT', (t) => {
  const ptq = new QuantizationOptions(4, { isQat: true });
  const signedQat = new QuantizationOptions(4, { isQat: true, isSigned: true });
  t.false(ptq.isEquivalent(signedQat));
  t.true(ptq.isEquivalent(signedQat, { ignoreSignForQat: true }));
  // only when `other` is QAT
  t.false(new QuantizationOptions(4).isEquivalent(new QuantizationOptions(4, { isSigned: true }), { ignoreSignForQat: true }));
});

test('with() validates like the constructor', (t) => {
  const options = new QuantizationOptions(8, { isSigned: true, isSymmetric: true });
  t.is(options.with({ nBits: 4 }).nBits, 4);
  t.throws(() => options.with({ isSigned: false }), { message: /symmetric quantization is signed/ });
  t.throws(() => options.with({ nBits: 30 }), { instanceOf: RangeError });
});

test('JSON round trip, and strict loading', (t) => {
  const options = new QuantizationOptions(12, { isSigned: true, isNarrow: true, isQat: true, isPrecomputedQat: true });
  const loaded = QuantizationOptions.fromJSON(JSON.parse(JSON.stringify(options)));
  t.true(loaded.equals(options));
  t.deepEqual(loaded.toJSON(), options.toJSON());
  const json = options.toJSON();
  t.throws(() => QuantizationOptions.fromJSON({ ...json, extra: 1 }), { message: /unknown field\(s\) extra/ });
  const { isNarrow: _dropped, ...partial } = json;
  t.throws(() => QuantizationOptions.fromJSON(partial), { message: /missing field\(s\) isNarrow/ });
  t.throws(() => QuantizationOptions.fromJSON({ ...json, isQat: 'yes' }), { message: /isQat must be a boolean/ });
  t.throws(() => QuantizationOptions.fromJSON({ ...json, nBits: 64 }), { instanceOf: RangeError });
  t.throws(() => QuantizationOptions.fromJSON([]), { message: /must be a JSON object/ });
});
