// cipherquant report <model.onnx> --inputset <file>: bit widths and integer ranges of every
// value feeding a table lookup, and the lookups per op, without compiling for FHE.

import { buildQuantizedModule, type LoweredLookup } from '../quantized';
import { type OptionSpecs, parseCommandArguments, positionalArguments, stringOption } from './args';
import { UsageError } from './errors';
import { formatTable } from './format';
import { readInputset } from './inputset';
import { type CliIo, println } from './io';
import { checkInputsetFitsModel, loadModelFile } from './model-file';
import { nBitsOption, QUANTIZATION_OPTION_SPECS, QUANTIZATION_OPTIONS_HELP, roundingOption } from './quantization-options';

export const REPORT_HELP = [
  'cipherquant report <model.onnx> --inputset <file.npy|file.json> [options]',
  '  bit widths, ranges and table lookups per op of the quantized model',
  '  --inputset FILE        calibration samples along axis 0 (.npy or JSON)',
  ...QUANTIZATION_OPTIONS_HELP,
  '  --json                 one JSON object on stdout',
];

const OPTIONS: OptionSpecs = { inputset: { type: 'string' }, json: { type: 'boolean' }, ...QUANTIZATION_OPTION_SPECS };

export const DEFAULT_N_BITS = 8;

export async function reportCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArguments('report', argv, OPTIONS);
  const [modelFile] = positionalArguments('report', positionals, ['model.onnx']);
  const inputsetFile = stringOption(values, 'inputset');
  if (inputsetFile === undefined) throw new UsageError('report: --inputset <file> is required (calibration samples, .npy or JSON)');
  const nBits = nBitsOption(values, DEFAULT_N_BITS);
  const roundingThresholdBits = roundingOption(values, null);
  const model = loadModelFile(modelFile);
  const inputset = readInputset(inputsetFile);
  checkInputsetFitsModel(model, inputset, inputsetFile);

  const module = await buildQuantizedModule(model, inputset, { nBits, roundingThresholdBits });
  const bitwidths = module.bitwidthAndRangeReport();
  const [q] = module.quantizeInput(inputset);
  let lookups: LoweredLookup[] = [];
  let loweringProblem: string | null = null;
  try {
    lookups = (await module.lower(q)).lookups(q);
  } catch (error) {
    loweringProblem = (error as Error).message;
  }
  const lookupCount = lookups.reduce((sum, l) => sum + l.elements, 0);
  const widest = Math.max(0, ...lookups.map((l) => l.bits));

  if (values.json === true) {
    println(io.stdout, JSON.stringify({ model: modelFile, nBits: module.nBits, rounding: module.rounding, bitwidths, lookups, lookupCount, widestLookupBits: widest, loweringProblem }));
    return 0;
  }
  println(io.stdout, `model ${modelFile}: ${model.graph.nodes.length} nodes; nBits ${JSON.stringify(module.nBits)}; rounding ${module.rounding === null ? 'none' : `${module.rounding.nBits} bits (${module.rounding.method})`}`);
  println(io.stdout);
  const rows = Object.entries(bitwidths).flatMap(([op, entries]) =>
    Object.entries(entries).map(([value, { range, bitwidth }]) => [op, value, bitwidth, `[${range[0]}, ${range[1]}]`] as (string | number)[]));
  for (const line of formatTable(['op', 'value', 'bits', 'range'], rows)) println(io.stdout, line);
  println(io.stdout);
  const lookupRows = lookups.map((l) => [l.name, l.opType, l.elements, l.bits, `[${l.range[0]}, ${l.range[1]}]`, l.lsbsRemoved]);
  for (const line of formatTable(['lookup', 'op', 'per sample', 'bits', 'input range', 'lsbs rounded'], lookupRows)) println(io.stdout, line);
  println(io.stdout);
  if (loweringProblem !== null) println(io.stdout, `the circuit could not be built, so lookups are not counted: ${loweringProblem}`);
  else println(io.stdout, `${lookupCount} table lookups per sample; widest lookup input ${widest} bits${widest > 16 ? ' (over the 16-bit limit: lower --n-bits or set --rounding-threshold-bits)' : ''}`);
  return 0;
}
