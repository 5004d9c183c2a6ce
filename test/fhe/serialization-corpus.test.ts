// Replays the committed corpus of corrupted inputs (test/fixtures/tfhe-corrupted, made by its
// generate.ts): every case gets the error the manifest names, through the native loaders and
// through the facade; random mutations beyond the corpus get coded errors too; and a child
// process replaying the corpus many times survives with flat, bounded memory.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import test from 'ava';
import fc from 'fast-check';

import { defineParameterSet, type ParameterSetFields } from '../../lib/fhe/parameters';
import * as serialization from '../../lib/fhe/serialization';
import * as tfhe from '../../lib/fhe/tfhe';
import { CORPUS_DIR, loadManifest, matches, replayCase, type CorpusCase } from '../fixtures/tfhe-corrupted/replay';

const manifest = loadManifest();
const corpusParameters = defineParameterSet(manifest.parameters as unknown as ParameterSetFields);
const otherParameters = defineParameterSet(manifest.otherParameters as unknown as ParameterSetFields);
const read = (file: string) => new Uint8Array(readFileSync(path.join(CORPUS_DIR, file)));

test('the corpus covers every object type and every error code', (t) => {
  const loaders = new Set(manifest.cases.map((entry) => entry.loader));
  t.deepEqual([...loaders].sort(), ['ciphertexts', 'client-key', 'evaluation-keys']);
  const codes = new Set(manifest.cases.map((entry) => entry.expect));
  for (const code of ['ERR_TFHE_TRUNCATED', 'ERR_TFHE_BAD_MAGIC', 'ERR_TFHE_UNSUPPORTED_VERSION', 'ERR_TFHE_WRONG_TYPE',
    'ERR_TFHE_SIZE_LIMIT', 'ERR_TFHE_LENGTH_MISMATCH', 'ERR_TFHE_CHECKSUM', 'ERR_TFHE_INVALID_PARAMETERS',
    'ERR_TFHE_PARAMETER_MISMATCH', 'ERR_TFHE_KEY_SET_MISMATCH', 'ERR_TFHE_MALFORMED', 'ERR_TFHE_INVALID_VALUE']) {
    t.true(codes.has(code), code);
  }
  t.true(manifest.cases.length > 200);
});

for (const entry of manifest.cases) {
  test(`native ${entry.loader}: ${entry.file} (${entry.what}) -> ${entry.expect}`, async (t) => {
    const outcome = await replayCase(manifest, entry);
    t.true(matches(entry, outcome), `got ${outcome}`);
  });
}

function facadeOptions(entry: CorpusCase): serialization.DeserializeOptions {
  return {
    parameters: entry.options.parameters === 'other' ? otherParameters : corpusParameters,
    ...(entry.options.keySetId && { keySetId: entry.options.keySetId === 'own' ? manifest.keySetId : '0'.repeat(32) }),
    ...(entry.options.maxBytes !== undefined && { maxBytes: entry.options.maxBytes }),
  };
}

async function facadeLoad(entry: CorpusCase, bytes: Uint8Array): Promise<void> {
  const options = facadeOptions(entry);
  if (entry.loader === 'ciphertexts') {
    serialization.deserializeCiphertexts(bytes, options);
  } else if (entry.loader === 'client-key') {
    (await serialization.deserializeClientKey(bytes, options)).free();
  } else {
    (await serialization.deserializeEvaluationKeys(bytes, options)).free();
  }
}

test('through the facade every corrupted case is a TfheSerializationError naming the function', async (t) => {
  for (const entry of manifest.cases) {
    if (entry.expect === 'ok') {
      await t.notThrowsAsync(facadeLoad(entry, read(entry.file)), entry.file);
      continue;
    }
    const error = await t.throwsAsync(facadeLoad(entry, read(entry.file)), { instanceOf: serialization.TfheSerializationError },
      entry.file);
    t.regex(error?.message ?? '', /^deserialize(Ciphertexts|ClientKey|EvaluationKeys): /, entry.file);
  }
});

test('random overwrites and truncations of valid objects always get a coded error', async (t) => {
  const valid = manifest.cases.filter((entry) => entry.expect === 'ok' && entry.options.parameters === undefined);
  t.is(valid.length, 4);
  await fc.assert(fc.asyncProperty(
    fc.constantFrom(...valid),
    fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
    fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
    async (entry, writes, cut) => {
      const original = read(entry.file);
      const bytes = original.slice();
      for (const [where, value] of writes) bytes[Math.min(bytes.length - 1, Math.floor(where * bytes.length))] = value;
      const mutated = cut === null ? bytes : bytes.subarray(0, Math.floor(cut * bytes.length));
      const unchanged = mutated.length === original.length && mutated.every((byte, i) => byte === original[i]);
      const outcome = await replayCase(manifest, entry, mutated);
      return unchanged ? outcome === 'ok' : outcome.startsWith('ERR_TFHE_');
    },
  ), { numRuns: 300, seed: 20240611 });
  t.pass();
});

test('a child process replaying the corpus 30 times survives with flat, bounded memory', (t) => {
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(CORPUS_DIR, 'replay.ts'), '30'],
    { encoding: 'utf8', timeout: 120_000 });
  t.is(child.status, 0, child.stderr);
  const result = JSON.parse(child.stdout) as { mismatches: string[]; rss: number[]; maxRss: number };
  t.deepEqual(result.mismatches, []);
  const growth = result.rss[result.rss.length - 1] - result.rss[1];
  t.log(`RSS after pass 2: ${(result.rss[1] / 2 ** 20).toFixed(1)} MiB, after pass 30: `
    + `${(result.rss[result.rss.length - 1] / 2 ** 20).toFixed(1)} MiB, peak ${(result.maxRss / 2 ** 20).toFixed(1)} MiB`);
  // Under AddressSanitizer (LD_PRELOAD=libasan.so) freed memory sits in its quarantine.
  if (process.env.LD_PRELOAD?.includes('libasan')) return;
  // Nothing leaks from pass to pass, and no declared size (up to 2^64 bytes) was ever allocated.
  t.true(growth < 16 * 2 ** 20, `RSS grew by ${growth} bytes`);
  t.true(result.maxRss < 400 * 2 ** 20, `peak RSS ${result.maxRss}`);
});

test('the valid originals are current: they load, and carry the manifest key set', async (t) => {
  for (const entry of manifest.cases.filter((c) => c.expect === 'ok')) {
    t.is(serialization.readSerializedHeader(read(entry.file)).keySetId, manifest.keySetId, entry.file);
  }
  const ciphertexts = serialization.deserializeCiphertexts(read('ciphertexts.valid.bin'), { parameters: corpusParameters });
  const clientKey = await serialization.deserializeClientKey(read('client-key.valid.bin'), { parameters: corpusParameters });
  t.deepEqual([...tfhe.decrypt(clientKey, ciphertexts)], [0, 1, 3]);
  clientKey.free();
});
