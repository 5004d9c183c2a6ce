// The HTTP server in process (what it receives, its errors, its queue, its shutdown) and across
// processes: `cipherquant serve` with examples/deploy-client.ts, and client and server talking
// through files. Every answer equals the clear quantized forward.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import test from 'ava';

import { CLIENT_KEY_FILE, FheModelClient, FheModelServer } from '../../lib/deploy';
import { readDeployFile, readDeployHeader } from '../../lib/deploy/container';
import { createInferenceServer } from '../../lib/deploy/http-server';
import { decodePlainData } from '../../lib/deploy/plain-data';
import { readSerializedHeader } from '../../lib/fhe/serialization';
import { floatInputs, makeArtifact, temporaryDir } from './fixture';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const artifact = makeArtifact();

async function expected(samples: number): Promise<number[]> {
  const { module } = await artifact;
  const [q] = await module.quantizedForward(...module.quantizeInput(floatInputs(samples)));
  return Array.from(q.data);
}

async function listen(server: FheModelServer, options = {}) {
  const inference = createInferenceServer(server, options);
  await new Promise<void>((resolve) => inference.server.listen(0, '127.0.0.1', resolve));
  const { port } = inference.server.address() as AddressInfo;
  return { ...inference, url: `http://127.0.0.1:${port}` };
}

test('in process: what the server receives holds no secret key; answers equal the clear forward; errors are JSON', async (t) => {
  const { dir } = await artifact;
  // Encrypted inputs of 2 samples are 330 KB here: a 1 MiB limit lets a 2 MiB body test 413.
  const { url, close } = await listen(new FheModelServer(dir, { maxValuesBytes: 2 ** 20 }).load(), { maxKeySets: 1, maxQueued: 1 });
  t.teardown(close);
  const keyDir = temporaryDir();
  const client = new FheModelClient(dir, keyDir);
  await client.generateKeys();
  const received: Uint8Array[] = [];
  const post = async (route: string, body: Uint8Array) => {
    received.push(body);
    return fetch(`${url}${route}`, { method: 'POST', body });
  };

  const registered = await post('/keys', await client.getSerializedEvaluationKeys());
  t.is(registered.status, 201);
  const { keyId } = await registered.json() as { keyId: string };
  const runs = await Promise.all([1, 2].map(async () => {
    const response = await post(`/keys/${keyId}/run`, client.quantizeEncryptSerialize(floatInputs(2)));
    t.is(response.status, 200);
    return client.deserializeDecrypt(new Uint8Array(await response.arrayBuffer()))[0];
  }));
  for (const out of runs) t.deepEqual(Array.from(out.data), await expected(2));

  // Everything the server received: evaluation keys and ciphertexts, and not one 32-byte window of the secret key.
  const types = received.flatMap((body) => {
    const { header, payload } = readDeployFile(body, { kind: readDeployHeader(body).kind, maxBytes: 2 ** 31 });
    if (header.kind === 'evaluation-keys') return [readSerializedHeader(payload).type];
    return (decodePlainData(payload, 'inputs') as { tensors: Uint8Array[] }).tensors.map((bytes) => readSerializedHeader(bytes).type);
  });
  t.deepEqual([...new Set(types)].sort(), ['ciphertexts', 'compressed-evaluation-keys']);
  const secret = readFileSync(path.join(keyDir, CLIENT_KEY_FILE));
  const all = Buffer.concat(received);
  const secretPayload = secret.subarray(144, secret.length - 32);
  t.true(secretPayload.length >= 256);
  for (let at = 0; at + 32 <= secretPayload.length; at += 32) {
    t.is(all.indexOf(secretPayload.subarray(at, at + 32)), -1, `secret key bytes at ${at} reached the server`);
  }

  const error = async (response: Response, status: number, code: string) => {
    t.is(response.status, status);
    t.is(((await response.json()) as { error: { code: string } }).error.code, code);
  };
  await error(await post('/keys', await client.getSerializedEvaluationKeys()), 503, 'ERR_KEY_STORE_FULL');
  // One running, one queued, the third refused before its body is read.
  const three = await Promise.all([0, 1, 2].map(() => post(`/keys/${keyId}/run`, client.quantizeEncryptSerialize(floatInputs(1)))));
  t.deepEqual(three.map((r) => r.status).sort(), [200, 200, 503]);
  await error(three.find((r) => r.status === 503)!, 503, 'ERR_BUSY');
  await error(await post('/keys/0123/run', client.quantizeEncryptSerialize(floatInputs(1))), 404, 'ERR_UNKNOWN_KEY');
  await error(await post(`/keys/${keyId}/run`, Uint8Array.of(1, 2, 3)), 400, 'ERR_DEPLOY_TRUNCATED');
  await error(await post(`/keys/${keyId}/run`, new Uint8Array(2 * 2 ** 20)), 413, 'ERR_TOO_LARGE');
  await error(await fetch(`${url}/nothing`), 404, 'ERR_NOT_FOUND');
  const info = await (await fetch(`${url}/info`)).json() as { parameterSet: string; artifactId: string };
  t.is(info.parameterSet, client.specs.parameters.name);
  t.is(info.artifactId, client.specs.artifactId);
  t.is((await fetch(`${url}/keys/${keyId}`, { method: 'DELETE' })).status, 204);
  await error(await fetch(`${url}/keys/${keyId}`, { method: 'DELETE' }), 404, 'ERR_UNKNOWN_KEY');

  // Shutdown waits for a run in flight.
  const again = await (await post('/keys', await client.getSerializedEvaluationKeys())).json() as { keyId: string };
  const running = post(`/keys/${again.keyId}/run`, client.quantizeEncryptSerialize(floatInputs(1)));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const closed = close();
  const last = await running;
  t.is(last.status, 200);
  t.deepEqual(Array.from(client.deserializeDecrypt(new Uint8Array(await last.arrayBuffer()))[0].data), await expected(1));
  await closed;
  client.free();
});

test('two processes: `cipherquant serve` and examples/deploy-client.ts', async (t) => {
  const { dir } = await artifact;
  const server = spawn(TSX, [path.join(ROOT, 'lib/cli/main.ts'), 'serve', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    server.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  const rows = Array.from({ length: 2 }, (_, r) => Array.from(floatInputs(2).data.slice(r * 10, r * 10 + 10)));
  const client = spawnSync(TSX, [path.join(ROOT, 'examples/deploy-client.ts'), url, temporaryDir(), JSON.stringify(rows)], { encoding: 'utf8' });
  t.is(client.status, 0, client.stderr);
  const result = JSON.parse(client.stdout) as { quantizedOutputs: number[][]; outputs: number[][] };
  t.deepEqual(result.quantizedOutputs[0], await expected(2));
  const { module } = await artifact;
  t.deepEqual(result.outputs[0], Array.from((await module.forward(floatInputs(2)))[0].data));
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  t.is(await exited, 0, stderr);
  t.regex(stderr, /shutting down/);
});

test('two processes through files: the server process reads keys and inputs, the client decrypts its answer', async (t) => {
  const { dir } = await artifact;
  const exchange = temporaryDir();
  const client = new FheModelClient(dir);
  await client.generateKeys();
  writeFileSync(path.join(exchange, 'evaluation-keys.bin'), await client.getSerializedEvaluationKeys());
  writeFileSync(path.join(exchange, 'inputs.bin'), client.quantizeEncryptSerialize(floatInputs(2)));
  const run = spawnSync(TSX, [path.join(__dirname, 'run-server.ts'), dir, exchange], { encoding: 'utf8' });
  t.is(run.status, 0, run.stderr);
  const [out] = client.deserializeDecrypt(new Uint8Array(readFileSync(path.join(exchange, 'outputs.bin'))));
  t.deepEqual(Array.from(out.data), await expected(2));
  client.free();
});
