// A client of `cipherquant serve`: it downloads the client specs, makes keys (the secret key
// stays here, in keyDir with mode 0600), registers the evaluation keys, sends encrypted inputs
// and decrypts the answer. In your own code, import from 'cipherquant' instead of '../lib'.
//
//   cipherquant serve ./artifact --port 8080 &
//   npx tsx examples/deploy-client.ts http://127.0.0.1:8080 ./keys '[[0.1, 0.2, ...]]'
//
// It prints one JSON line: { keyId, outputs (dequantized), quantizedOutputs, bytes sent }.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { DEPLOY_FILES, FheModelClient } from '../lib/deploy';
import { Tensor } from '../lib/tensor';

async function call(url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, init);
  if (!response.ok) {
    const { error } = await response.json() as { error: { code: string; message: string } };
    throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${error.code}: ${error.message}`);
  }
  return response;
}

const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer());

async function main(): Promise<void> {
  const [server, keyDir, samples] = process.argv.slice(2);
  if (server === undefined || keyDir === undefined || samples === undefined) {
    throw new Error('usage: deploy-client.ts <server url> <key dir> <samples as a JSON array of rows>');
  }
  // The specs come from the server; a careful client pins their artifact id instead of trusting any.
  const specsDir = mkdtempSync(path.join(os.tmpdir(), 'cq-client-'));
  writeFileSync(path.join(specsDir, DEPLOY_FILES.client), await bytesOf(await call(`${server}/client-specs`)));
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  const client = new FheModelClient(specsDir, keyDir);
  await client.generateKeys(); // loads the key saved in keyDir by an earlier run, if any

  const keys = await client.getSerializedEvaluationKeys();
  const { keyId } = await (await call(`${server}/keys`, { method: 'POST', body: keys })).json() as { keyId: string };
  const rows = JSON.parse(samples) as number[][];
  const x = new Tensor(Float64Array.from(rows.flat()), [rows.length, rows[0].length]);
  const inputs = client.quantizeEncryptSerialize(x);
  const answer = await bytesOf(await call(`${server}/keys/${keyId}/run`, { method: 'POST', body: inputs }));
  const quantizedOutputs = client.deserializeDecrypt(answer).map((t) => Array.from(t.data));
  const outputs = client.deserializeDecryptDequantize(answer).map((t) => Array.from(t.data));
  await call(`${server}/keys/${keyId}`, { method: 'DELETE' });
  client.free();
  console.log(JSON.stringify({ keyId, outputs, quantizedOutputs, sent: { evaluationKeys: keys.length, inputs: inputs.length } }));
}

main().catch((error: unknown) => {
  console.error(`deploy-client: ${(error as Error).message}`);
  process.exitCode = 1;
});
