// Replays the hostile corpus of test/fixtures/deploy-corpus (made by its generate.ts): every case
// gets the error code its manifest names, through the loaders the client and server use; random
// mutations of the valid files, resealed so they pass the checksum, get coded errors too.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import test from 'ava';
import fc from 'fast-check';

import { DeployFormatError, FheModelServer } from '../../lib/deploy';
import { sha256 } from '../../lib/deploy/container';
import { readClientSpecs, readServerSpecs } from '../../lib/deploy/specs';
import { TfheSerializationError } from '../../lib/fhe/serialization';
import type { CorpusCase } from '../fixtures/deploy-corpus/generate';

const DIR = path.join(__dirname, '..', 'fixtures', 'deploy-corpus');
const manifest = JSON.parse(readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as { keySetId: string; otherKeySetId: string; cases: CorpusCase[] };
const server = new FheModelServer(DIR).load();
const read = (file: string) => new Uint8Array(readFileSync(path.join(DIR, file)));

async function load(entry: CorpusCase, bytes: Uint8Array): Promise<void> {
  switch (entry.loader) {
    case 'client-specs':
      readClientSpecs(bytes);
      return;
    case 'server-specs':
      readServerSpecs(bytes);
      return;
    case 'evaluation-keys':
      (await server.loadEvaluationKeys(bytes)).free();
      return;
    case 'encrypted-inputs':
      server.readInputs(bytes, entry.keySet === 'other' ? manifest.otherKeySetId : manifest.keySetId);
  }
}

/** 'ok', or the code of a DeployFormatError / TfheSerializationError; anything else is rethrown. */
async function outcome(entry: CorpusCase, bytes: Uint8Array): Promise<string> {
  try {
    await load(entry, bytes);
    return 'ok';
  } catch (error) {
    if (error instanceof DeployFormatError || error instanceof TfheSerializationError) return error.code;
    throw error;
  }
}

test('the corpus covers every loader and the errors the issue names', (t) => {
  t.deepEqual([...new Set(manifest.cases.map((c) => c.loader))].sort(), ['client-specs', 'encrypted-inputs', 'evaluation-keys', 'server-specs']);
  const codes = new Set(manifest.cases.map((c) => c.expect));
  for (const code of ['ERR_DEPLOY_TRUNCATED', 'ERR_DEPLOY_CHECKSUM', 'ERR_DEPLOY_UNSUPPORTED_VERSION', 'ERR_DEPLOY_WRONG_KIND',
    'ERR_DEPLOY_PARAMETER_MISMATCH', 'ERR_DEPLOY_SIZE_LIMIT', 'ERR_DEPLOY_ARTIFACT_MISMATCH', 'ERR_DEPLOY_MALFORMED', 'ERR_TFHE_WRONG_TYPE',
    'ERR_TFHE_SIZE_LIMIT', 'ERR_TFHE_KEY_SET_MISMATCH']) {
    t.true(codes.has(code), code);
  }
});

for (const entry of manifest.cases) {
  test(`${entry.loader}: ${entry.file} (${entry.what}) -> ${entry.expect}`, async (t) => {
    t.is(await outcome(entry, read(entry.file)), entry.expect);
  });
}

/**
 * A byte of the payload changed, the artifact id (server specs) and the checksum recomputed:
 * the parsers behind the envelope see it.
 */
function resealedMutation(bytes: Uint8Array, at: number, value: number, isServer: boolean): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[92 + (at % (out.length - 92 - 32))] = value;
  if (isServer) out.set(sha256(out.subarray(92, out.length - 32)), 52);
  out.set(sha256(out.subarray(0, out.length - 32)), out.length - 32);
  return out;
}

for (const [file, loader] of [['client.valid.cqdeploy', 'client-specs'], ['server.valid.cqdeploy', 'server-specs']] as const) {
  test(`${loader}: resealed random byte changes load or give a coded error`, async (t) => {
    const bytes = read(file);
    const entry = { file, loader, what: 'mutation', expect: '' };
    const seen = new Set<string>();
    await fc.assert(fc.asyncProperty(fc.nat(), fc.integer({ min: 0, max: 255 }), async (at, value) => {
      seen.add(await outcome(entry, resealedMutation(bytes, at, value, loader === 'server-specs')));
    }), { numRuns: 300, seed: 8 });
    t.log([...seen].join(', '));
    t.true(seen.has('ERR_DEPLOY_MALFORMED') && seen.has('ok'), [...seen].join(', '));
  });
}

test('a process replaying the corpus 20 times survives with flat memory', (t) => {
  const tsx = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const child = spawnSync(tsx, [path.join(__dirname, 'replay-corpus.ts'), '20'], { encoding: 'utf8' });
  t.is(child.status, 0, child.stderr);
  const { rssBeforeMiB, rssAfterMiB } = JSON.parse(child.stdout) as { rssBeforeMiB: number; rssAfterMiB: number };
  t.log(`rss ${rssBeforeMiB.toFixed(0)} -> ${rssAfterMiB.toFixed(0)} MiB`);
  t.true(rssAfterMiB - rssBeforeMiB < 64, `${rssBeforeMiB} -> ${rssAfterMiB} MiB`);
});
