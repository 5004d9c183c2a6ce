// FheModelDev: saves a compiled QuantizedModule as a deployment artifact, a directory with the
// client specs (what the key owner needs) and the server specs (what the server runs).

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { QuantizedModule } from '../quantized';
import { DEPLOY_FILES } from './files';
import { writeSpecs } from './specs';

export class FheModelDev {
  constructor(readonly dir: string, readonly module: QuantizedModule) {}

  /** Writes both files; refuses to replace an existing artifact unless `overwrite`. Returns their paths. */
  save(options: { readonly overwrite?: boolean } = {}): { client: string; server: string } {
    const circuit = this.module.fheCircuit;
    if (circuit === null) throw new Error('FheModelDev.save: the module has no compiled circuit; call module.compile(inputset) first');
    const files = { client: path.join(this.dir, DEPLOY_FILES.client), server: path.join(this.dir, DEPLOY_FILES.server) };
    if (!options.overwrite && (existsSync(files.client) || existsSync(files.server))) {
      throw new Error(`FheModelDev.save: ${this.dir} already holds an artifact; pass { overwrite: true } to replace it`);
    }
    const { client, server } = writeSpecs(this.module, circuit);
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(files.server, server);
    writeFileSync(files.client, client);
    return files;
  }
}
