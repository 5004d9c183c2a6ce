// Reads the parity fixtures of test/fixtures/quantized (written by generate.py with Concrete ML).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OnnxModel } from '../../lib/onnx';
import type { BuildOptions, NBitsDict } from '../../lib/quantized';
import { Tensor } from '../../lib/tensor';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'quantized');

export interface ArrayJSON {
  dtype: string;
  shape: number[];
  data: (number | '-0')[];
}

export interface QuantizerJSON {
  nBits: number;
  isSigned: boolean;
  isSymmetric: boolean;
  isQat: boolean;
  isNarrow: boolean;
  isPrecomputedQat: boolean;
  rmin: number | null;
  rmax: number | null;
  scale: number;
  zeroPoint: number | '-0' | ArrayJSON;
  offset: number;
}

export interface Reference {
  nBits: number | Record<string, number>;
  roundingThresholdBits: number | null;
  importQat: boolean;
  inputset: ArrayJSON;
  testInputs: ArrayJSON;
  inputQuantizers: QuantizerJSON[];
  outputQuantizers: QuantizerJSON[];
  quantizedInputs: ArrayJSON;
  quantizedOutputs: ArrayJSON;
  outputs: ArrayJSON;
  floatOutputs?: ArrayJSON;
  testLabels?: ArrayJSON;
  ops: Record<string, { op: string; name: string; lsbsToRemove?: Record<string, number>; outputScale?: number; outputZeroPoint?: number }>;
}

export function numberOf(value: number | '-0'): number {
  return value === '-0' ? -0 : value;
}

export function float64(json: ArrayJSON): Tensor<'float64'> {
  return new Tensor(Float64Array.from(json.data, numberOf), json.shape) as Tensor<'float64'>;
}

export function caseNames(): string[] {
  return fs.readdirSync(FIXTURES).filter((name) => fs.existsSync(path.join(FIXTURES, name, 'reference.json'))).sort();
}

export function loadCase(name: string): { model: OnnxModel; reference: Reference } {
  const folder = path.join(FIXTURES, name);
  const reference = JSON.parse(fs.readFileSync(path.join(folder, 'reference.json'), 'utf8')) as Reference;
  return { model: OnnxModel.load(path.join(folder, 'model.onnx')), reference };
}

const N_BITS_KEYS: Record<string, keyof NBitsDict> = {
  model_inputs: 'modelInputs',
  op_inputs: 'opInputs',
  op_weights: 'opWeights',
  model_outputs: 'modelOutputs',
};

export function buildOptionsOf(reference: Reference): BuildOptions {
  const nBits = typeof reference.nBits === 'number'
    ? reference.nBits
    : (Object.fromEntries(Object.entries(reference.nBits).map(([k, v]) => [N_BITS_KEYS[k], v])) as unknown as NBitsDict);
  return { nBits, roundingThresholdBits: reference.roundingThresholdBits, importQat: reference.importQat };
}
