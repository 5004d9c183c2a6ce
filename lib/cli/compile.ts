// cipherquant compile <model.onnx> --inputset <file>: quantize, compile for FHE, print the
// circuit's statistics, and write the quantized module as JSON (--out).

import * as fs from 'node:fs';
import { buildQuantizedModule } from '../quantized';
import { type OptionSpecs, parseCommandArguments, positionalArguments, stringOption } from './args';
import { circuitSummary, circuitSummaryLines } from './circuit-summary';
import { CliError, UsageError } from './errors';
import { formatMilliseconds } from './format';
import { readInputset } from './inputset';
import { type CliIo, println } from './io';
import { checkInputsetFitsModel, loadModelFile } from './model-file';
import {
  FAILURE_OPTION_SPECS, FAILURE_OPTIONS_HELP, failureOptions, nBitsOption, QUANTIZATION_OPTION_SPECS, QUANTIZATION_OPTIONS_HELP, roundingOption,
} from './quantization-options';
import { DEFAULT_N_BITS } from './report';

export const COMPILE_HELP = [
  'cipherquant compile <model.onnx> --inputset <file.npy|file.json> [options]',
  '  quantizes the model, compiles it for FHE and prints parameters, key sizes and lookups',
  '  --inputset FILE        calibration samples along axis 0 (.npy or JSON)',
  ...QUANTIZATION_OPTIONS_HELP,
  ...FAILURE_OPTIONS_HELP,
  '  --out FILE             write the quantized module (toJSON) to FILE',
  '  --json                 one JSON object on stdout',
];

const OPTIONS: OptionSpecs = {
  inputset: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' }, ...QUANTIZATION_OPTION_SPECS, ...FAILURE_OPTION_SPECS,
};

export async function compileCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArguments('compile', argv, OPTIONS);
  const [modelFile] = positionalArguments('compile', positionals, ['model.onnx']);
  const inputsetFile = stringOption(values, 'inputset');
  if (inputsetFile === undefined) throw new UsageError('compile: --inputset <file> is required (calibration samples, .npy or JSON)');
  const nBits = nBitsOption(values, DEFAULT_N_BITS);
  const roundingThresholdBits = roundingOption(values, null);
  const failure = failureOptions(values);
  const out = stringOption(values, 'out');
  const model = loadModelFile(modelFile);
  const inputset = readInputset(inputsetFile);
  checkInputsetFitsModel(model, inputset, inputsetFile);

  const started = performance.now();
  const module = await buildQuantizedModule(model, inputset, { nBits, roundingThresholdBits });
  const circuit = await module.compile(inputset, { ...failure, onProgress: (stage) => println(io.stderr, `compile: ${stage}`) });
  const compileMs = performance.now() - started;
  const summary = circuitSummary(circuit.statistics);
  if (out !== undefined) {
    try {
      fs.writeFileSync(out, JSON.stringify(module.toJSON()));
    } catch (error) {
      throw new CliError(`cannot write '${out}': ${(error as Error).message}`);
    }
  }
  if (values.json === true) {
    println(io.stdout, JSON.stringify({ model: modelFile, nBits: module.nBits, rounding: module.rounding, compileMs, ...summary, out: out ?? null }));
    return 0;
  }
  println(io.stdout, `compiled ${modelFile} in ${formatMilliseconds(compileMs)}`);
  for (const line of circuitSummaryLines(summary)) println(io.stdout, line);
  if (out !== undefined) println(io.stdout, `quantized module written to ${out}`);
  return 0;
}
