// cipherquant demo: the digits MLP end to end. Quantize, compile, keygen, then classify
// --samples test images three ways: clear integers, simulated FHE, and encrypted.

import type { CompileStage, NBitsDict, QuantizedModule, RoundingThresholdBits } from '../quantized';
import { buildQuantizedModule } from '../quantized';
import { capabilities, setThreads } from '../runtime';
import { integerOption, type OptionSpecs, parseCommandArguments, positionalArguments } from './args';
import { circuitSummary, circuitSummaryLines } from './circuit-summary';
import { accuracyOf, argmaxRows, firstSamples, loadDemoData } from './demo-data';
import { formatMilliseconds, formatPercent } from './format';
import { type CliIo, println } from './io';
import { ProgressBar } from './progress';
import {
  FAILURE_OPTION_SPECS, FAILURE_OPTIONS_HELP, failureOptions, nBitsOption, QUANTIZATION_OPTION_SPECS, QUANTIZATION_OPTIONS_HELP, roundingOption,
} from './quantization-options';

/**
 * Concrete ML's default for this model (nBits 4, accumulators rounded to 4 bits: 95.6% clear
 * accuracy on the 360 test images, float 96.4%). APPROXIMATE rounding reads the 10-bit first
 * accumulator as a 4-bit lookup input directly: 24 bootstraps per image on a searched N = 2048
 * set; EXACT clears the 6 dropped bits of each accumulator with 4 more bootstraps (120 in all;
 * Concrete ML's algorithm takes 6, 168 in all) and matches the clear integers bit for bit.
 * Without rounding, 2/3 bits keep the lookups at 6 bits (83.9%).
 */
export const DEMO_N_BITS: NBitsDict = { opInputs: 4, opWeights: 4 };
export const DEMO_ROUNDING_BITS: RoundingThresholdBits = { nBits: 4, method: 'APPROXIMATE' };
export const DEMO_SAMPLES = 20;
const SIMULATION_SEED = 1;
const COMPILE_STAGES: readonly CompileStage[] = ['quantize', 'lower', 'check', 'parameters', 'done'];

export const DEMO_HELP = [
  'cipherquant demo [--samples N] [--json] [--threads T] [--p-error P]',
  '  an MLP on scikit-learn\'s 8x8 digits: compile, keygen, classify N encrypted test images',
  `  --samples N            test images to encrypt (default ${DEMO_SAMPLES})`,
  '  --threads T            native threads (default: all)',
  '  (defaults: --n-bits opInputs=4,opWeights=4 --rounding-threshold-bits 4 --rounding-method APPROXIMATE)',
  ...QUANTIZATION_OPTIONS_HELP,
  ...FAILURE_OPTIONS_HELP,
  '  --json                 one JSON object on stdout (progress stays on stderr)',
];

const OPTIONS: OptionSpecs = {
  samples: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean' }, ...QUANTIZATION_OPTION_SPECS, ...FAILURE_OPTION_SPECS,
};

export async function demoCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArguments('demo', argv, OPTIONS);
  positionalArguments('demo', positionals, []);
  const data = loadDemoData();
  const samples = integerOption(values, 'samples', { min: 1, max: data.testLabels.length }, DEMO_SAMPLES) as number;
  const threads = integerOption(values, 'threads', { min: 1, max: 1024 });
  const nBits = nBitsOption(values, DEMO_N_BITS);
  const roundingThresholdBits = roundingOption(values, DEMO_ROUNDING_BITS);
  const failure = failureOptions(values);
  const json = values.json === true;
  if (threads !== undefined) setThreads(threads);
  const say = (line = '') => { if (!json) println(io.stdout, line); };

  say(`digits MLP (${data.architecture}), ${data.inputset.shape[0]} calibration samples, ${samples} of ${data.testLabels.length} test images`);
  const x = firstSamples(data.testInputs, samples);
  const labels = data.testLabels.slice(0, samples);

  let started = performance.now();
  const compileBar = new ProgressBar(io.stderr, 'compile', COMPILE_STAGES.length, 'stages');
  compileBar.update(0);
  const module = await buildQuantizedModule(data.model, data.inputset, { nBits, roundingThresholdBits });
  const circuit = await compileBar.around(() => module.compile(data.inputset, { ...failure, onProgress: (stage) => compileBar.update(COMPILE_STAGES.indexOf(stage) + 1) }));
  const compileMs = performance.now() - started;
  const summary = circuitSummary(circuit.statistics);
  say(`compiled in ${formatMilliseconds(compileMs)}`);
  for (const line of circuitSummaryLines(summary)) say(line);

  const clear = await predict(module, x, 'disable');
  const clearTestSplit = accuracyOf(await predict(module, data.testInputs, 'disable'), data.testLabels);
  const simulated = await predict(module, x, 'simulate');

  const keygenBar = new ProgressBar(io.stderr, 'keygen', 1, 'key set');
  keygenBar.update(0);
  started = performance.now();
  await keygenBar.around(() => circuit.keygen());
  const keygenMs = performance.now() - started;
  say(`keys generated in ${formatMilliseconds(keygenMs)}`);

  const runBar = new ProgressBar(io.stderr, 'encrypted', summary.lookupCount * samples, 'lookups');
  started = performance.now();
  const [logits] = await runBar.around(() => module.forward(x, { fhe: 'execute', onProgress: ({ lookupsDone }) => runBar.update(lookupsDone) }));
  const executeMs = performance.now() - started;
  const encrypted = argmaxRows(logits);

  const accuracy = { clear: accuracyOf(clear, labels), simulated: accuracyOf(simulated, labels), encrypted: accuracyOf(encrypted, labels), clearTestSplit };
  const result = {
    model: `digits MLP ${data.architecture}`,
    samples,
    threads: capabilities().threads,
    simd: capabilities().simd,
    nBits: module.nBits,
    rounding: module.rounding,
    accuracy,
    encryptedMatchesClear: encrypted.filter((p, i) => p === clear[i]).length,
    msPerSample: executeMs / samples,
    executeMs,
    compileMs,
    keygenMs,
    circuit: summary,
  };
  if (json) {
    println(io.stdout, JSON.stringify(result));
    return 0;
  }
  say();
  say(`accuracy on ${samples} images: clear ${formatPercent(accuracy.clear)}, simulated ${formatPercent(accuracy.simulated)}, encrypted ${formatPercent(accuracy.encrypted)}` +
    ` (clear on all ${data.testLabels.length} test images: ${formatPercent(clearTestSplit)})`);
  say(`encrypted predictions equal to clear: ${result.encryptedMatchesClear}/${samples}`);
  say(`encrypted inference: ${formatMilliseconds(result.msPerSample)} per sample (${samples} samples in ${formatMilliseconds(executeMs)}, ${result.threads} threads, ${result.simd})`);
  say(`compile ${formatMilliseconds(compileMs)}, keygen ${formatMilliseconds(keygenMs)}`);
  return 0;
}

async function predict(module: QuantizedModule, x: Parameters<QuantizedModule['forward']>[0], fhe: 'disable' | 'simulate'): Promise<number[]> {
  const [logits] = await module.forward(x, fhe === 'simulate' ? { fhe, seed: SIMULATION_SEED } : { fhe });
  return argmaxRows(logits);
}
