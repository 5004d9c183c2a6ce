// Every tfhe* export of the addon gets wrong types, wrong lengths, wrong handles, detached
// buffers and out-of-range values: each must throw (or reject with) a TypeError or RangeError
// whose message names the function, never crash.
import test from 'ava';

import { native, type TfheKeyHandle, type TfheNativeParameters } from '../../lib/native';

const PARAMS: TfheNativeParameters = {
  lweDimension: 16, glweDimension: 1, polynomialSize: 256, pbsBaseLog: 15, pbsLevel: 2, ksBaseLog: 5, ksLevel: 5,
  lweNoise: { kind: 'tuniform', boundLog2: 8 }, glweNoise: { kind: 'tuniform', boundLog2: 2 }, modulusSwitch: 'centered-binary',
};
const WORDS = 257; // one ciphertext under the big key of PARAMS
const keys = native.tfheGenerateKeys(PARAMS);
const u64 = (n: number) => new BigUint64Array(n);
const i32 = (n: number) => new Int32Array(n);
const detached = () => {
  const array = new BigUint64Array(WORDS);
  structuredClone(array.buffer, { transfer: [array.buffer] });
  return array;
};
const notAHandle = {} as unknown as TfheKeyHandle;
const compressedKeys = keys.then(([client]) => native.tfheGenerateCompressedEvaluationKeys(client));
const bytes = (n: number) => new Uint8Array(n);
const detachedBytes = () => {
  const array = new Uint8Array(64);
  structuredClone(array.buffer, { transfer: [array.buffer] });
  return array;
};

type Case = readonly [string, (client: TfheKeyHandle, evaluation: TfheKeyHandle) => unknown, typeof TypeError | typeof RangeError];

const CASES: Record<string, readonly Case[]> = {
  tfheGenerateKeys: [
    ['no parameters', () => native.tfheGenerateKeys(undefined as unknown as TfheNativeParameters), TypeError],
    ['N not a power of two', () => native.tfheGenerateKeys({ ...PARAMS, polynomialSize: 300 }), RangeError],
    ['base log * level > 64', () => native.tfheGenerateKeys({ ...PARAMS, ksBaseLog: 13, ksLevel: 5 }), RangeError],
    ['zero dimension', () => native.tfheGenerateKeys({ ...PARAMS, lweDimension: 0 }), RangeError],
    ['unknown noise', () => native.tfheGenerateKeys({ ...PARAMS, lweNoise: { kind: 'x' } as never }), TypeError],
    ['unknown modulus switch', () => native.tfheGenerateKeys({ ...PARAMS, modulusSwitch: 'x' as never }), TypeError],
  ],
  tfheFreeKey: [['a plain object', () => native.tfheFreeKey(notAHandle), TypeError]],
  tfheKeyInfo: [['a number', () => native.tfheKeyInfo(1 as unknown as TfheKeyHandle), TypeError]],
  tfheEncrypt: [
    ['evaluation keys instead of a client key', (_c, e) => native.tfheEncrypt(e, i32(1), 1, 2), TypeError],
    ['a message out of range', (c) => native.tfheEncrypt(c, Int32Array.of(4), 1, 2), RangeError],
    ['a precision above the int32 encoding (32)', (c) => native.tfheEncrypt(c, i32(1), 1, 32), RangeError],
    ['precision 0', (c) => native.tfheEncrypt(c, i32(1), 1, 0), RangeError],
    ['a short message array', (c) => native.tfheEncrypt(c, i32(1), 2, 2), RangeError],
  ],
  tfheDecrypt: [
    ['a wrong length', (c) => native.tfheDecrypt(c, u64(WORDS - 1), 1, 2), RangeError],
    ['a detached buffer', (c) => native.tfheDecrypt(c, detached(), 1, 2), TypeError],
    ['an Int32Array', (c) => native.tfheDecrypt(c, i32(WORDS) as unknown as BigUint64Array, 1, 2), TypeError],
    ['a precision above the int32 encoding (32)', (c) => native.tfheDecrypt(c, u64(WORDS), 1, 32), RangeError],
  ],
  tfheDecryptPhases: [['a dimension of neither key', (c) => native.tfheDecryptPhases(c, u64(10), 1, 9), RangeError]],
  tfheLookup: [
    ['a client key', (c) => native.tfheLookup(c, u64(WORDS), 1, i32(4), 1, 2, null, 2), TypeError],
    ['a short table', (_c, e) => native.tfheLookup(e, u64(WORDS), 1, i32(3), 1, 2, null, 2), RangeError],
    ['a table entry out of range', (_c, e) => native.tfheLookup(e, u64(WORDS), 1, Int32Array.of(0, 0, 0, 9), 1, 2, null, 2), RangeError],
    ['a table entry beyond the output precision',
      (_c, e) => native.tfheLookup(e, u64(WORDS), 1, Int32Array.of(0, 0, 0, 64), 1, 2, null, 6), RangeError],
    ['a job naming no table', (_c, e) => native.tfheLookup(e, u64(WORDS), 1, i32(4), 1, 2, Int32Array.of(0, 1), 2), RangeError],
    ['a huge count', (_c, e) => native.tfheLookup(e, u64(WORDS), 2 ** 30, i32(4), 1, 2, null, 2), RangeError],
    ['an input precision whose table exceeds the polynomial (2^8 entries, N = 256)',
      (_c, e) => native.tfheLookup(e, u64(WORDS), 1, i32(256), 1, 8, null, 8), RangeError],
    ['output precision 0', (_c, e) => native.tfheLookup(e, u64(WORDS), 1, i32(4), 1, 2, null, 0), RangeError],
    ['output precision 32', (_c, e) => native.tfheLookup(e, u64(WORDS), 1, i32(4), 1, 2, null, 32), RangeError],
    ['no output precision (the 7-argument form)',
      (_c, e) => (native.tfheLookup as unknown as (...a: unknown[]) => unknown)(e, u64(WORDS), 1, i32(4), 1, 2, null), TypeError],
  ],
  tfheKeyswitch: [['a wrong length', (_c, e) => native.tfheKeyswitch(e, u64(5), 1), RangeError]],
  tfheAdd: [['mismatched lengths', () => native.tfheAdd(u64(4), u64(3), 1, 3), RangeError]],
  tfheSubtract: [['a fractional count', () => native.tfheSubtract(u64(4), u64(4), 0.5, 3), TypeError]],
  tfheNegate: [['a zero dimension', () => native.tfheNegate(u64(4), 4, 0), RangeError]],
  tfheMultiplyByIntegers: [['too few factors', () => native.tfheMultiplyByIntegers(u64(8), 2, 3, i32(1)), RangeError]],
  tfheAddConstants: [
    ['precision 0', () => native.tfheAddConstants(u64(4), 1, 3, i32(1), 0), RangeError],
    ['precision 32', () => native.tfheAddConstants(u64(4), 1, 3, i32(1), 32), RangeError],
  ],
  tfheDotProduct: [['a short weight matrix', () => native.tfheDotProduct(u64(8), 2, 3, i32(3), 2), RangeError]],
  tfheMeasureFourier: [['N = 100', () => native.tfheMeasureFourier(100, 1), RangeError]],
  tfheParameterFingerprint: [
    ['no parameters', () => native.tfheParameterFingerprint(undefined as unknown as TfheNativeParameters), TypeError],
    ['a zero dimension', () => native.tfheParameterFingerprint({ ...PARAMS, glweDimension: 0 }), RangeError],
  ],
  tfheGenerateClientKey: [
    ['a string', () => native.tfheGenerateClientKey('2_2' as unknown as TfheNativeParameters), TypeError],
    ['N not a power of two', () => native.tfheGenerateClientKey({ ...PARAMS, polynomialSize: 300 }), RangeError],
  ],
  tfheGenerateCompressedEvaluationKeys: [
    ['evaluation keys instead of a client key', (_c, e) => native.tfheGenerateCompressedEvaluationKeys(e), TypeError],
  ],
  tfheDecompressEvaluationKeys: [
    ['a client key', (c) => native.tfheDecompressEvaluationKeys(c), TypeError],
    ['uncompressed evaluation keys', (_c, e) => native.tfheDecompressEvaluationKeys(e), TypeError],
  ],
  tfheSerializeCiphertexts: [
    ['a plain object as key', () => native.tfheSerializeCiphertexts(notAHandle, u64(WORDS), 1, 256, 2), TypeError],
    ['a dimension of neither key', (c) => native.tfheSerializeCiphertexts(c, u64(10), 1, 9, 2), RangeError],
    ['a short array', (c) => native.tfheSerializeCiphertexts(c, u64(WORDS - 1), 1, 256, 2), RangeError],
    ['precision 0', (_c, e) => native.tfheSerializeCiphertexts(e, u64(WORDS), 1, 256, 0), RangeError],
    ['precision 32', (c) => native.tfheSerializeCiphertexts(c, u64(WORDS), 1, 256, 32), RangeError],
  ],
  tfheSerializeClientKey: [
    ['includeSecretKey false', (c) => native.tfheSerializeClientKey(c, false as unknown as true), TypeError],
    ['evaluation keys', (_c, e) => native.tfheSerializeClientKey(e, true), TypeError],
  ],
  tfheSerializeEvaluationKeys: [
    ['uncompressed evaluation keys', (_c, e) => native.tfheSerializeEvaluationKeys(e, true), TypeError],
    ['a non-boolean form', async () => native.tfheSerializeEvaluationKeys(await compressedKeys, 'yes' as unknown as boolean),
      TypeError],
  ],
  tfheReadHeader: [
    ['a number', () => native.tfheReadHeader(1 as unknown as Uint8Array), TypeError],
    ['an Int32Array', () => native.tfheReadHeader(i32(20) as unknown as Uint8Array), TypeError],
  ],
  tfheDeserializeCiphertexts: [
    ['a plain array', () => native.tfheDeserializeCiphertexts([1, 2] as unknown as Uint8Array, {}), TypeError],
    ['null options', () => native.tfheDeserializeCiphertexts(bytes(8), null as unknown as object), TypeError],
    ['maxBytes 0', () => native.tfheDeserializeCiphertexts(bytes(8), { maxBytes: 0 }), RangeError],
    ['a fractional maxBytes', () => native.tfheDeserializeCiphertexts(bytes(8), { maxBytes: 1.5 }), RangeError],
    ['a key set id of the wrong length', () => native.tfheDeserializeCiphertexts(bytes(8), { keySetId: 'abc' }), RangeError],
    ['invalid expected parameters',
      () => native.tfheDeserializeCiphertexts(bytes(8), { parameters: { ...PARAMS, ksLevel: 0 } }), RangeError],
  ],
  tfheDeserializeClientKey: [
    ['a detached buffer', () => native.tfheDeserializeClientKey(detachedBytes(), {}), TypeError],
    ['upper-case hex key set id',
      () => native.tfheDeserializeClientKey(bytes(8), { keySetId: 'AB'.repeat(16) }), RangeError],
  ],
  tfheDeserializeEvaluationKeys: [
    ['a numeric key set id', () => native.tfheDeserializeEvaluationKeys(bytes(8), { keySetId: 7 as unknown as string }),
      TypeError],
    ['a string maxBytes', () => native.tfheDeserializeEvaluationKeys(bytes(8), { maxBytes: '1' as unknown as number }),
      TypeError],
  ],
};

test('every tfhe export has bad-call cases', (t) => {
  t.deepEqual(Object.keys(native).filter((name) => name.startsWith('tfhe')).sort(), Object.keys(CASES).sort());
});

for (const [name, cases] of Object.entries(CASES)) {
  for (const [description, call, errorType] of cases) {
    test(`${name} rejects ${description}`, async (t) => {
      const [client, evaluation] = await keys;
      const error = await t.throwsAsync(async () => call(client, evaluation));
      t.true(error instanceof errorType, `expected a ${errorType.name}, got ${error?.constructor.name}: ${error?.message}`);
      t.true(error?.message.startsWith(`${name}:`), `the message names the function: ${error?.message}`);
    });
  }
}

test('freed handles are refused, and freeing twice is harmless', async (t) => {
  const [client, evaluation] = await native.tfheGenerateKeys(PARAMS);
  native.tfheFreeKey(client);
  native.tfheFreeKey(client);
  native.tfheFreeKey(evaluation);
  t.deepEqual(native.tfheKeyInfo(client), { kind: 'client', freed: true });
  t.throws(() => native.tfheEncrypt(client, i32(1), 1, 2), { instanceOf: TypeError, message: /freed/ });
  await t.throwsAsync(async () => native.tfheLookup(evaluation, u64(WORDS), 1, i32(4), 1, 2, null, 2), {
    instanceOf: TypeError,
    message: /freed/,
  });
});
