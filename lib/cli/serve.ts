// cipherquant serve: an artifact saved by FheModelDev behind HTTP (lib/deploy/http-server.ts
// lists the routes). Runs until SIGINT or SIGTERM, then finishes what it has started.

import { createInferenceServer } from '../deploy/http-server';
import { FheModelServer } from '../deploy/server';
import { setThreads } from '../runtime';
import { integerOption, type OptionSpecs, parseCommandArguments, positionalArguments, stringOption } from './args';
import { InputFileError } from './errors';
import { type CliIo, println } from './io';

export const SERVE_HELP = [
  'cipherquant serve <dir> [--port P] [--host H] [--max-key-sets N] [--max-queued N] [--threads T]',
  '  serve a saved artifact over HTTP: POST /keys, POST /keys/<id>/run, DELETE /keys/<id>, GET /info, /client-specs, /health',
  '  --port P               port to listen on (default 8080; 0 picks a free one)',
  '  --host H               address to listen on (default 127.0.0.1)',
  '  --max-key-sets N       evaluation key sets held at once (default 4)',
  '  --max-queued N         requests waiting for the native thread pool (default 32), 503 beyond',
  '  --max-key-mib N        largest evaluation keys accepted (default 1024)',
  '  --max-input-mib N      largest encrypted inputs accepted (default 256)',
  '  --threads T            native threads (default: all)',
];

const OPTIONS: OptionSpecs = {
  port: { type: 'string' }, host: { type: 'string' }, 'max-key-sets': { type: 'string' }, 'max-queued': { type: 'string' },
  'max-key-mib': { type: 'string' }, 'max-input-mib': { type: 'string' }, threads: { type: 'string' },
};

export async function serveCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArguments('serve', argv, OPTIONS);
  const [dir] = positionalArguments('serve', positionals, ['dir']);
  const port = integerOption(values, 'port', { min: 0, max: 65535 }, 8080) as number;
  const host = stringOption(values, 'host') ?? '127.0.0.1';
  const threads = integerOption(values, 'threads', { min: 1, max: 1024 });
  const mib = (name: string, fallback: number) => (integerOption(values, name, { min: 1, max: 16384 }, fallback) as number) * 2 ** 20;
  if (threads !== undefined) setThreads(threads);
  let model: FheModelServer;
  try {
    model = new FheModelServer(dir, { maxKeyBytes: mib('max-key-mib', 1024), maxValuesBytes: mib('max-input-mib', 256) }).load();
  } catch (error) {
    throw new InputFileError(`serve: ${dir}: ${(error as Error).message}`);
  }
  const { server, close } = createInferenceServer(model, {
    maxKeySets: integerOption(values, 'max-key-sets', { min: 1, max: 1024 }, 4),
    maxQueued: integerOption(values, 'max-queued', { min: 0, max: 1_000_000 }, 32),
    log: (line) => println(io.stderr, `cipherquant serve: ${line}`),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const where = typeof address === 'object' && address !== null ? `${address.address}:${address.port}` : String(address);
  println(io.stdout, `cipherquant serve: ${model.specs.parameters.name} model ${model.specs.artifactId.slice(0, 16)} on http://${where}`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      println(io.stderr, 'cipherquant serve: shutting down (finishing running requests; again to force)');
      process.once('SIGINT', () => process.exit(1));
      process.once('SIGTERM', () => process.exit(1));
      close().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
