// Encrypted inference of whole models (issue: FHE compile, simulate and execute), one JSON line
// per figure: the digits MLP at the demo's setting (APPROXIMATE rounding) and at Concrete ML's
// (EXACT), and the small CNN of the parity fixtures at 4 bits with rounding 4. For each: compile
// and keygen time, key sizes, ms per sample for one sample on 1 and on all threads and per
// sample in a batch, bootstraps per second, peak RSS, and how often the encrypted prediction
// (argmax) equals the clear one. Long: run it apart (`npm run bench:models [-- --samples N]`).

import { parseArgs } from 'node:util';
import { loadDemoData } from '../lib/cli/demo-data';
import { buildQuantizedModule, type BuildOptions } from '../lib/quantized';
import { capabilities, setThreads } from '../lib/runtime';
import { Tensor } from '../lib/tensor';
import { float64, loadCase } from '../test/quantized/fixtures';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '20' } } });
const batchSize = Number(values.samples);

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

function emit(figure: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench: 'models', ...figure }));
}

function rows(x: Tensor<'float64'>, start: number, count: number): Tensor<'float64'> {
  const size = x.size / x.shape[0];
  return new Tensor(x.data.slice(start * size, (start + count) * size), [count, ...x.shape.slice(1)]) as Tensor<'float64'>;
}

function argmaxes(y: Tensor): number[] {
  const classes = y.shape[y.shape.length - 1];
  return Array.from({ length: y.size / classes }, (_, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (Number(y.data[i * classes + c]) > Number(y.data[i * classes + best])) best = c;
    return best;
  });
}

async function bench(name: string, model: Parameters<typeof buildQuantizedModule>[0], inputset: Tensor<'float64'>, samples: Tensor<'float64'>, options: BuildOptions): Promise<void> {
  let started = performance.now();
  const module = await buildQuantizedModule(model, inputset, options);
  const circuit = await module.compile(inputset);
  const compileMs = performance.now() - started;
  const stats = circuit.statistics;
  started = performance.now();
  await circuit.keygen();
  const keygenMs = performance.now() - started;
  const base = { model: name, nBits: options.nBits, rounding: options.roundingThresholdBits, parameterSet: stats.parameterSet, bootstrapsPerSample: stats.lookupCount };
  emit({ ...base, figure: 'compile', compileMs, keygenMs, bootstrapKeyBytes: stats.keySizes.bootstrapKeyBytes, keyswitchKeyBytes: stats.keySizes.keyswitchKeyBytes });
  const [q] = module.quantizeInput(samples);
  const [clear] = await module.quantizedForward(q);
  const one = rows(samples, 0, 1);
  for (const threads of [1, capabilities().threads]) {
    setThreads(threads);
    started = performance.now();
    await module.forward(one, { fhe: 'execute' });
    const ms = performance.now() - started;
    emit({ ...base, figure: 'one sample', threads, msPerSample: ms, bootstrapsPerSecond: (stats.lookupCount / ms) * 1000 });
  }
  started = performance.now();
  const [encrypted] = await circuit.encryptRunDecrypt(q);
  const batchMs = performance.now() - started;
  const expected = argmaxes(clear);
  const got = argmaxes(encrypted);
  emit({
    ...base, figure: 'batch', threads: capabilities().threads, batch: samples.shape[0], msPerSample: batchMs / samples.shape[0],
    bootstrapsPerSecond: (stats.lookupCount * samples.shape[0] / batchMs) * 1000,
    argmaxEqualsClear: got.filter((c, i) => c === expected[i]).length, integersEqualClear: encrypted.data.every((v, i) => v === clear.data[i]),
    peakRssBytes: peakRss, load: (await import('node:os')).loadavg()[0],
  });
  circuit.freeKeys();
}

void (async () => {
  const threads = capabilities().threads;
  const demo = loadDemoData();
  const digits = rows(demo.testInputs, 0, Math.min(batchSize, demo.testInputs.shape[0]));
  for (const method of ['APPROXIMATE', 'EXACT'] as const) {
    await bench('digits MLP', demo.model, demo.inputset, digits, { nBits: { opInputs: 4, opWeights: 4 }, roundingThresholdBits: { nBits: 4, method } });
  }
  const cnn = loadCase('torch_cnn');
  const cnnInputs = float64(cnn.reference.inputset);
  await bench('small CNN', cnn.model, cnnInputs, rows(cnnInputs, 0, Math.min(batchSize, cnnInputs.shape[0])), { nBits: 4, roundingThresholdBits: { nBits: 4, method: 'APPROXIMATE' } });
  setThreads(threads);
  clearInterval(sampler);
})();
