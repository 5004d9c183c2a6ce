// The serialization facade: the fingerprint is the SHA-256 of the documented parameter block,
// every object round-trips, key sets and parameter sets do not mix, secret keys need an
// explicit request, and the 2_2 set's compressed evaluation keys are a quarter of the expanded
// ones and bootstrap exactly after a round trip.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import test from 'ava';

import { keySizes } from '../../lib/fhe/cost';
import { defineParameterSet, parameters, TUNIFORM_2_2_PFAIL_2M128, type ParameterSet } from '../../lib/fhe/parameters';
import * as serialization from '../../lib/fhe/serialization';
import * as tfhe from '../../lib/fhe/tfhe';

// INSECURE, tests only: keys in milliseconds, lookups of 2 bits exact.
const TEST = defineParameterSet({
  name: 'SERIALIZATION_TEST_INSECURE', lweDimension: 16, glweDimension: 1, polynomialSize: 256, pbsBaseLog: 15,
  pbsLevel: 2, ksBaseLog: 5, ksLevel: 5, lweNoise: { kind: 'tuniform', boundLog2: 8 },
  glweNoise: { kind: 'tuniform', boundLog2: 2 }, messageBits: 2, carryBits: 0, log2FailureTarget: -40,
  modulusSwitch: 'centered-binary',
});
const TABLE = [3, 0, 2, 1];

/** parameter_block.h, written out independently of the native code. */
function parameterBlock(p: ParameterSet): Buffer {
  const block = Buffer.alloc(64);
  [1, 64, p.lweDimension, p.glweDimension, p.polynomialSize, p.pbsBaseLog, p.pbsLevel, p.ksBaseLog, p.ksLevel,
    p.modulusSwitch === 'standard' ? 0 : 1, p.lweNoise.kind === 'tuniform' ? 0 : 1, p.glweNoise.kind === 'tuniform' ? 0 : 1]
    .forEach((value, i) => block.writeUInt32LE(value, 4 * i));
  [p.lweNoise, p.glweNoise].forEach((noise, i) => {
    if (noise.kind === 'tuniform') block.writeBigUInt64LE(BigInt(noise.boundLog2), 48 + 8 * i);
    else block.writeDoubleLE(noise.std, 48 + 8 * i);
  });
  return block;
}

async function testKeys() {
  const clientKey = await tfhe.generateClientKey(TEST);
  const compressed = await tfhe.generateCompressedEvaluationKeys(clientKey);
  return { clientKey, compressed };
}

test('the fingerprint is the SHA-256 of the 64-byte parameter block, and tells every named set apart', (t) => {
  const fingerprints = new Set<string>();
  for (const set of [...Object.values(parameters), TEST]) {
    const expected = createHash('sha256').update(parameterBlock(set)).digest('hex');
    t.is(serialization.parameterFingerprint(set), expected, set.name);
    fingerprints.add(expected);
  }
  t.is(fingerprints.size, Object.keys(parameters).length + 1);
});

test('headers carry format version 1, the package version, the key set and the fingerprint', async (t) => {
  const { clientKey } = await testKeys();
  const bytes = serialization.serializeCiphertexts(tfhe.encrypt(clientKey, [1, 2], { precision: 2 }), clientKey);
  const header = serialization.readSerializedHeader(bytes);
  const { version } = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string };
  t.deepEqual(header, {
    formatVersion: 1, type: 'ciphertexts', libraryVersion: version, keySetId: clientKey.keySetId,
    fingerprint: serialization.parameterFingerprint(TEST), totalBytes: bytes.length,
  });
  t.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x43, 0x51, 0x54, 0x46, 0x48, 0x45, 0x0a]);
  t.regex(clientKey.keySetId, /^[0-9a-f]{32}$/);
});

test('ciphertexts, client keys and both evaluation-key forms round-trip; loaded keys bootstrap exactly', async (t) => {
  const { clientKey, compressed } = await testKeys();
  t.is(compressed.keySetId, clientKey.keySetId);
  const messages = [0, 1, 2, 3, 3, 0];
  const ciphertexts = tfhe.encrypt(clientKey, messages, { precision: 2 });
  const loadedCiphertexts = serialization.deserializeCiphertexts(serialization.serializeCiphertexts(ciphertexts, clientKey),
    { parameters: TEST, keySetId: clientKey.keySetId });
  t.deepEqual(loadedCiphertexts.data, ciphertexts.data);
  t.is(loadedCiphertexts.precision, 2);
  // Any int32 encoding (precision up to 31) serializes, not only what a lookup reads.
  const wide = tfhe.encrypt(clientKey, [-(2 ** 30), 2 ** 30 - 1], { precision: 31 });
  const wideBack = serialization.deserializeCiphertexts(serialization.serializeCiphertexts(wide, clientKey), { parameters: TEST });
  t.is(wideBack.precision, 31);
  t.deepEqual(wideBack.data, wide.data);

  const secret = serialization.serializeClientKey(clientKey, { includeSecretKey: true });
  const loadedClient = await serialization.deserializeClientKey(secret, { parameters: TEST });
  t.is(loadedClient.keySetId, clientKey.keySetId);
  t.deepEqual([...tfhe.decrypt(loadedClient, loadedCiphertexts)], messages);

  for (const form of [true, false]) {
    const bytes = await serialization.serializeEvaluationKeys(compressed, { compressed: form });
    t.is(serialization.readSerializedHeader(bytes).type, form ? 'compressed-evaluation-keys' : 'evaluation-keys');
    const keys = await serialization.deserializeEvaluationKeys(bytes, { parameters: TEST, keySetId: clientKey.keySetId });
    t.is(keys.keySetId, clientKey.keySetId);
    const out = await tfhe.lookup(keys, loadedCiphertexts, TABLE);
    // Server side: the outputs go back tagged with the evaluation keys' key set.
    const returned = serialization.deserializeCiphertexts(serialization.serializeCiphertexts(out, keys),
      { parameters: TEST, keySetId: loadedClient.keySetId });
    t.deepEqual([...tfhe.decrypt(loadedClient, returned)], messages.map((m) => TABLE[m]));
    keys.free();
  }
  const direct = await compressed.decompress();
  t.deepEqual(direct.sizes, { keyswitchKey: 256 * 5 * 17 * 8, bootstrapKey: 16 * 4 * 2 * 256 * 8 });
  // This set's tiny key noise keeps 64 bits a keyswitch-key word, as cost.ts predicts.
  t.is(keySizes(TEST).keyswitchKeyBytes, direct.sizes.keyswitchKey);
  t.deepEqual(compressed.sizes, { keyswitchKey: 256 * 5 * 8, bootstrapKey: 16 * 4 * 256 * 8 });
  // Loaded keys own their memory: freeing the originals leaves them working.
  compressed.free();
  clientKey.free();
  t.deepEqual([...tfhe.decrypt(loadedClient, await tfhe.lookup(direct, loadedCiphertexts, TABLE))], messages.map((m) => TABLE[m]));
  await t.throwsAsync(serialization.serializeEvaluationKeys(compressed), { instanceOf: TypeError, message: /freed/ });
  await t.throwsAsync(serialization.serializeEvaluationKeys(direct as unknown as tfhe.CompressedEvaluationKeys), {
    instanceOf: TypeError, message: /Fourier domain cannot be serialized/,
  });
});

test('objects of one key set or parameter set are refused by another', async (t) => {
  const a = await testKeys();
  const b = await testKeys();
  t.not(a.clientKey.keySetId, b.clientKey.keySetId);
  const ciphertexts = serialization.serializeCiphertexts(tfhe.encrypt(a.clientKey, [1], { precision: 2 }), a.clientKey);
  t.throws(() => serialization.deserializeCiphertexts(ciphertexts, { parameters: TEST, keySetId: b.clientKey.keySetId }), {
    instanceOf: serialization.TfheSerializationError, message: /^deserializeCiphertexts: made for key set/,
  });
  const keys = await serialization.serializeEvaluationKeys(a.compressed);
  const mismatch = await t.throwsAsync(serialization.deserializeEvaluationKeys(keys, { parameters: TEST, keySetId: b.compressed.keySetId }));
  t.is((mismatch as serialization.TfheSerializationError).code, 'ERR_TFHE_KEY_SET_MISMATCH');
  const other = defineParameterSet({ ...TEST, name: 'OTHER', ksLevel: 4 });
  const wrongSet = await t.throwsAsync(serialization.deserializeEvaluationKeys(keys, { parameters: other }));
  t.is((wrongSet as serialization.TfheSerializationError).code, 'ERR_TFHE_PARAMETER_MISMATCH');
  // Without options.parameters only the named sets resolve.
  const unknown = t.throws(() => serialization.deserializeCiphertexts(ciphertexts));
  t.is((unknown as serialization.TfheSerializationError).code, 'ERR_TFHE_UNKNOWN_PARAMETERS');
  // A client key is not evaluation keys, even with a valid header.
  const secret = serialization.serializeClientKey(a.clientKey, { includeSecretKey: true });
  const wrongType = await t.throwsAsync(serialization.deserializeEvaluationKeys(secret, { parameters: TEST }));
  t.is((wrongType as serialization.TfheSerializationError).code, 'ERR_TFHE_WRONG_TYPE');
});

test('client keys are serialized only on explicit request', async (t) => {
  const { clientKey } = await testKeys();
  for (const options of [undefined, {}, { includeSecretKey: false }, { includeSecretKey: 'yes' }]) {
    t.throws(() => serialization.serializeClientKey(clientKey, options as unknown as { includeSecretKey: true }), {
      instanceOf: TypeError, message: /includeSecretKey: true/,
    });
  }
});

test('the size limit covers the input and the memory it expands to', async (t) => {
  const { compressed } = await testKeys();
  const bytes = await serialization.serializeEvaluationKeys(compressed);
  const tooSmall = await t.throwsAsync(serialization.deserializeEvaluationKeys(bytes, { parameters: TEST, maxBytes: bytes.length }));
  t.is((tooSmall as serialization.TfheSerializationError).code, 'ERR_TFHE_SIZE_LIMIT');
  t.regex(tooSmall?.message ?? '', /would take \d+ bytes of memory/);
  const keys = await serialization.deserializeEvaluationKeys(bytes, { parameters: TEST, maxBytes: 4 * bytes.length });
  keys.free();
  t.is(serialization.DEFAULT_MAX_DESERIALIZE_BYTES, 2 ** 30);
});

test('2_2: compressed evaluation keys are a quarter of the expanded ones and bootstrap exactly after a round trip', async (t) => {
  const P = TUNIFORM_2_2_PFAIL_2M128;
  const clientKey = await tfhe.generateClientKey(P);
  let start = performance.now();
  const compressed = await tfhe.generateCompressedEvaluationKeys(clientKey);
  const generateMs = performance.now() - start;
  start = performance.now();
  const compressedBytes = await serialization.serializeEvaluationKeys(compressed);
  const serializeMs = performance.now() - start;
  const expandedBytes = await serialization.serializeEvaluationKeys(compressed, { compressed: false });
  compressed.free();
  t.is(compressedBytes.length, 176 + 48 + 8 * (2048 * 4 + 918 * 2 * 2048));
  t.is(expandedBytes.length, 176 + 16 + 8 * (2048 * 4 * 919 + 918 * 2 * 2 * 2048));
  start = performance.now();
  // No options.parameters: the fingerprint resolves to the named set.
  const keys = await serialization.deserializeEvaluationKeys(compressedBytes, { keySetId: clientKey.keySetId });
  const loadMs = performance.now() - start;
  t.is(keys.parameters, P);
  const expandedKeys = await serialization.deserializeEvaluationKeys(expandedBytes, { parameters: P });
  const ciphertexts = tfhe.encrypt(clientKey, Int32Array.from({ length: 16 }, (_, m) => m), { precision: 4 });
  const table = Int32Array.from({ length: 16 }, (_, m) => 15 - m);
  for (const loaded of [keys, expandedKeys]) {
    t.deepEqual(tfhe.decrypt(clientKey, await tfhe.lookup(loaded, ciphertexts, table)), table);
    loaded.free();
  }
  t.log(`2_2 evaluation keys: compressed ${compressedBytes.length} bytes, expanded ${expandedBytes.length} bytes `
    + `(ratio ${(expandedBytes.length / compressedBytes.length).toFixed(2)}); generate ${generateMs.toFixed(0)} ms, `
    + `serialize ${serializeMs.toFixed(0)} ms, load ${loadMs.toFixed(0)} ms`);
  clientKey.free();
});
