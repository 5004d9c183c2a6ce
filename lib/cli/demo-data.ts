// The demo's committed files (demo/digits, written by its train.py): the float MLP,
// the calibration inputset and the held-out test split with labels.

import * as path from 'node:path';
import type { OnnxModel } from '../onnx';
import { Tensor } from '../tensor';
import { InputFileError } from './errors';
import { parseJson, readFileBytes, readInputset, tensorFromJson } from './inputset';
import { loadModelFile } from './model-file';

/** Same depth from lib/cli (tsx) and dist/cli (built): the package root is two folders up. */
export const DEMO_DIR = path.join(__dirname, '..', '..', 'demo', 'digits');

export interface DemoData {
  readonly model: OnnxModel;
  readonly inputset: Tensor<'float64'>;
  readonly testInputs: Tensor<'float64'>;
  readonly testLabels: readonly number[];
  /** "64 -> 24 -> 10": the layer widths, from the Gemm weights. */
  readonly architecture: string;
}

export function loadDemoData(dir = DEMO_DIR): DemoData {
  const model = loadModelFile(path.join(dir, 'model.onnx'));
  const inputset = readInputset(path.join(dir, 'inputset.json'));
  const testFile = path.join(dir, 'test.json');
  const json = parseJson(readFileBytes(testFile, 'test split'), testFile) as { labels?: unknown };
  const testInputs = tensorFromJson(json);
  const labels = json.labels;
  if (!Array.isArray(labels) || labels.length !== testInputs.shape[0] || labels.some((l) => !Number.isInteger(l))) {
    throw new InputFileError(`test split '${testFile}' needs "labels": one integer per sample`);
  }
  return { model, inputset, testInputs, testLabels: labels as number[], architecture: layerWidths(model) };
}

function layerWidths(model: OnnxModel): string {
  const widths: number[] = [];
  for (const node of model.graph.nodes) {
    const weights = node.opType === 'Gemm' ? model.graph.initializers.get(node.inputs[1]) : undefined;
    if (weights === undefined || weights.rank !== 2) continue;
    const attribute = node.attributes.get('transB');
    const transB = attribute?.kind === 'int' && attribute.value === 1n;
    const [inputs, outputs] = transB ? [weights.shape[1], weights.shape[0]] : weights.shape;
    if (widths.length === 0) widths.push(inputs);
    widths.push(outputs);
  }
  return widths.join(' -> ');
}

/** The first `count` samples (rows along axis 0). */
export function firstSamples(tensor: Tensor<'float64'>, count: number): Tensor<'float64'> {
  const row = tensor.size / tensor.shape[0];
  return new Tensor(tensor.data.slice(0, count * row), [count, ...tensor.shape.slice(1)]);
}

/** Index of the largest logit per sample. */
export function argmaxRows(logits: Tensor): number[] {
  const classes = logits.shape[logits.rank - 1];
  const data = logits.data as ArrayLike<number>;
  const result: number[] = [];
  for (let start = 0; start < data.length; start += classes) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (data[start + j] > data[start + best]) best = j;
    result.push(best);
  }
  return result;
}

export function accuracyOf(predictions: readonly number[], labels: readonly number[]): number {
  return predictions.filter((p, i) => p === labels[i]).length / predictions.length;
}
