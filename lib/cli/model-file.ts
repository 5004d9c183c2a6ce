// Loading the ONNX model a command names, with file problems as input errors.

import * as fs from 'node:fs';
import { OnnxError, OnnxModel } from '../onnx';
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
