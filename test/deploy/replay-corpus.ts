// Child process of test/deploy/corpus.test.ts: replays the deploy corpus `rounds` times and
// prints its resident memory before and after, so the test can tell that nothing accumulates.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { DeployFormatError, FheModelServer } from '../../lib/deploy';
import { readClientSpecs, readServerSpecs } from '../../lib/deploy/specs';
import { TfheSerializationError } from '../../lib/fhe/serialization';
import type { CorpusCase } from '../fixtures/deploy-corpus/generate';

const DIR = path.join(__dirname, '..', 'fixtures', 'deploy-corpus');

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 10);
  const manifest = JSON.parse(readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as { keySetId: string; cases: CorpusCase[] };
  const server = new FheModelServer(DIR).load();
  const files = new Map(manifest.cases.map((c) => [c.file, new Uint8Array(readFileSync(path.join(DIR, c.file)))]));
  const replay = async () => {
    for (const entry of manifest.cases) {
      const bytes = files.get(entry.file)!;
      try {
        if (entry.loader === 'client-specs') readClientSpecs(bytes);
        else if (entry.loader === 'server-specs') readServerSpecs(bytes);
        else if (entry.loader === 'evaluation-keys') (await server.loadEvaluationKeys(bytes)).free();
        else server.readInputs(bytes, manifest.keySetId);
      } catch (error) {
        if (!(error instanceof DeployFormatError || error instanceof TfheSerializationError)) throw error;
      }
    }
  };
  await replay(); // warm up
  const before = process.memoryUsage().rss;
  for (let round = 0; round < rounds; round++) await replay();
  console.log(JSON.stringify({ rounds, cases: manifest.cases.length, rssBeforeMiB: before / 2 ** 20, rssAfterMiB: process.memoryUsage().rss / 2 ** 20 }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
