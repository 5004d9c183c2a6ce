// Deployment benchmark on the digits demo MLP at the CLI demo's quantization: one JSON line per
// figure. Not part of npm test (keys of 55-180 MB, minutes of encrypted runs).
//
//   npx tsx scripts/bench-serve.ts [--concurrency 1,4,16] [--threads T]
//
// Sizes: artifact files (and gzip of them), evaluation keys compressed (mask seeds) and not,
// encrypted inputs and outputs per sample (and gzip: ciphertexts do not compress). Throughput:
// the HTTP server (in this process, its queue running one job at a time on every native
// thread) answering 1, 4 and 16 requests of one sample sent at once, every answer checked
// against the clear quantized forward; then the 16 samples as one request (one batch).
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { loadDemoData } from '../lib/cli/demo-data';
import { DEMO_N_BITS, DEMO_ROUNDING_BITS } from '../lib/cli/demo';
import { DEPLOY_FILES, FheModelClient, FheModelDev, FheModelServer } from '../lib/deploy';
import { createInferenceServer } from '../lib/deploy/http-server';
import { buildQuantizedModule } from '../lib/quantized';
import { capabilities, setThreads } from '../lib/runtime';
import { Tensor } from '../lib/tensor';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const levels = (option('--concurrency') ?? '1,4,16').split(',').map(Number);
if (option('--threads') !== undefined) setThreads(Number(option('--threads')));

const report = (figure: string, values: Record<string, unknown>) => console.log(JSON.stringify({ figure, ...values }));
const gzipBytes = (bytes: Uint8Array) => gzipSync(bytes).length;

async function timed<T>(run: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: Math.round(performance.now() - started) };
}

async function main(): Promise<void> {
  const data = loadDemoData();
  const module = await buildQuantizedModule(data.model, data.inputset, { nBits: DEMO_N_BITS, roundingThresholdBits: DEMO_ROUNDING_BITS });
  // The circuit is exact on the ranges it is compiled for: compile on the inputset plus the
  // test images sent, so that every answer can be compared with the clear forward bit for bit.
  const sent = Math.max(...levels);
  const compileSet = new Float64Array(data.inputset.size + sent * 64);
  compileSet.set(data.inputset.data);
  compileSet.set(data.testInputs.data.subarray(0, sent * 64), data.inputset.size);
  const circuit = await module.compile(new Tensor(compileSet, [data.inputset.shape[0] + sent, 64]));
  const { parameterSet, lookupCount } = circuit.statistics;
  report('setup', { model: `digits MLP ${data.architecture}`, nBits: module.nBits, rounding: module.rounding, parameterSet, lookupsPerSample: lookupCount, ...capabilities(), loadAverage: os.loadavg()[0] });

  const dir = mkdtempSync(path.join(os.tmpdir(), 'cq-bench-serve-'));
  new FheModelDev(dir, module).save();
  for (const [name, file] of Object.entries(DEPLOY_FILES)) {
    const bytes = readFileSync(path.join(dir, file));
    report('artifact', { file: name, bytes: statSync(path.join(dir, file)).size, gzipBytes: gzipBytes(bytes) });
  }

  const client = new FheModelClient(dir);
  report('client keygen', { ms: (await timed(() => client.generateKeys())).ms });
  const compressed = await timed(() => client.getSerializedEvaluationKeys());
  report('evaluation keys', { form: 'compressed (mask seeds)', bytes: compressed.value.length, ms: compressed.ms });
  const expanded = await timed(() => client.getSerializedEvaluationKeys({ compressed: false }));
  report('evaluation keys', { form: 'uncompressed', bytes: expanded.value.length, ms: expanded.ms });

  const sample = (i: number) => new Tensor(data.testInputs.data.slice(i * 64, (i + 1) * 64), [1, 64]);
  const oneInput = client.quantizeEncryptSerialize(sample(0));
  report('encrypted inputs', { samples: 1, bytes: oneInput.length, gzipBytes: gzipBytes(oneInput) });

  const server = new FheModelServer(dir).load();
  const { server: http, close } = createInferenceServer(server, { maxQueued: 64 });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  const registered = await timed(async () => (await fetch(`${url}/keys`, { method: 'POST', body: compressed.value })).json() as Promise<{ keyId: string }>);
  report('register keys', { ms: registered.ms, note: 'upload + decompress + Fourier transform' });
  const { keyId } = registered.value;

  let outputBytes = 0;
  for (const concurrency of levels) {
    const requests = Array.from({ length: concurrency }, (_, i) => client.quantizeEncryptSerialize(sample(i)));
    const latencies: number[] = [];
    const { value: answers, ms } = await timed(() => Promise.all(requests.map(async (body) => {
      const started = performance.now();
      const response = await fetch(`${url}/keys/${keyId}/run`, { method: 'POST', body });
      if (!response.ok) throw new Error(`run: ${response.status} ${await response.text()}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      latencies.push(performance.now() - started);
      return bytes;
    })));
    outputBytes = answers[0].length;
    // APPROXIMATE rounding (the demo's default) may read an accumulator one step off: compare
    // the integers and, what the demo reports, the predicted class.
    let equal = 0;
    let sameClass = 0;
    const argmax = (values: ArrayLike<number>) => Array.from(values).reduce((best, v, k, all) => (v > all[best] ? k : best), 0);
    for (let i = 0; i < concurrency; i++) {
      const [q] = client.deserializeDecrypt(answers[i]);
      const [expected] = await module.quantizedForward(...module.quantizeInput(sample(i)));
      if (q.data.every((v, k) => v === expected.data[k])) equal++;
      if (argmax(q.data) === argmax(expected.data)) sameClass++;
    }
    report('throughput', {
      concurrentRequests: concurrency, samplesPerRequest: 1, wallMs: ms, requestsPerSecond: +(concurrency / (ms / 1000)).toFixed(3),
      meanLatencyMs: Math.round(latencies.reduce((a, b) => a + b, 0) / concurrency), maxLatencyMs: Math.round(Math.max(...latencies)),
      answersEqualToClear: `${equal}/${concurrency}`, sameClassAsClear: `${sameClass}/${concurrency}`, loadAverage: os.loadavg()[0],
    });
  }
  report('encrypted outputs', { samples: 1, bytes: outputBytes });

  // The same samples in one request: one batch through the native core instead of a queue of runs.
  const batch = Math.max(...levels);
  const batched = client.quantizeEncryptSerialize(new Tensor(data.testInputs.data.slice(0, batch * 64), [batch, 64]));
  const { value: answer, ms } = await timed(async () => {
    const response = await fetch(`${url}/keys/${keyId}/run`, { method: 'POST', body: batched });
    if (!response.ok) throw new Error(`run: ${response.status} ${await response.text()}`);
    return new Uint8Array(await response.arrayBuffer());
  });
  const [q] = client.deserializeDecrypt(answer);
  report('throughput', { concurrentRequests: 1, samplesPerRequest: batch, inputBytes: batched.length, wallMs: ms,
    samplesPerSecond: +(batch / (ms / 1000)).toFixed(3), outputShape: q.shape, loadAverage: os.loadavg()[0] });
  await close();
  client.free();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
