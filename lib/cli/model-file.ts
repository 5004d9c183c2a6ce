// Loading the ONNX model a command names, with file problems as input errors.

import * as fs from 'node:fs';
import { OnnxError, OnnxModel } from '../onnx';
import type { Tensor } from '../tensor';
import { InputFileError } from './errors';

export function loadModelFile(file: string): OnnxModel {
  if (!fs.existsSync(file)) throw new InputFileError(`cannot read model '${file}': no such file`);
  if (fs.statSync(file).isDirectory()) throw new InputFileError(`cannot read model '${file}': it is a folder`);
  try {
    return OnnxModel.load(file);
  } catch (error) {
    if (error instanceof OnnxError) throw new InputFileError(`model '${file}': ${error.message}`);
    throw new InputFileError(`model '${file}' could not be read as ONNX: ${(error as Error).message}`);
  }
}

/** Refuses an inputset whose sample shape contradicts the model input's declared static dims. */
export function checkInputsetFitsModel(model: OnnxModel, inputset: Tensor, file: string): void {
  if (model.graph.inputs.length !== 1) {
    throw new InputFileError(`the model has ${model.graph.inputs.length} inputs (${model.inputNames.join(', ')}); the CLI takes models with one input`);
  }
  const declared = model.graph.inputs[0].shape;
  if (declared === undefined) return;
  const matches = declared.length === inputset.rank && declared.every((d, i) => i === 0 || typeof d !== 'number' || d === inputset.shape[i]);
  if (!matches) {
    const shown = declared.map((d) => (typeof d === 'number' ? String(d) : d ?? '?')).join(', ');
    throw new InputFileError(`inputset '${file}' has shape [${inputset.shape.join(', ')}], but model input '${model.inputNames[0]}' is [${shown}]`);
  }
}
