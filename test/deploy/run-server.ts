// The server half of the two-process file test: `tsx run-server.ts <artifact dir> <exchange dir>`
// reads evaluation-keys.bin and inputs.bin from the exchange dir and writes outputs.bin there.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { FheModelServer } from '../../lib/deploy';

async function main(): Promise<void> {
  const [dir, exchange] = process.argv.slice(2);
  const server = new FheModelServer(dir).load();
  const read = (name: string) => new Uint8Array(readFileSync(path.join(exchange, name)));
  const outputs = await server.run(read('inputs.bin'), read('evaluation-keys.bin'));
  writeFileSync(path.join(exchange, 'outputs.bin'), outputs);
}

main().catch((error: unknown) => {
  console.error(`run-server: ${(error as Error).message}`);
  process.exitCode = 1;
});
