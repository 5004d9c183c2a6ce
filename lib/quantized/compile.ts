// compileOnnxModel: ONNX model + float inputset -> calibrated QuantizedModule compiled for FHE.

import type { FheCircuit } from '../fhe/circuit';
import type { OnnxModel } from '../onnx';
import { Tensor } from '../tensor';
import { type BuildOptions, buildQuantizedModule, type QuantizationInputset } from './build';
import type { FheCompileOptions, QuantizedModule } from './module';

export interface CompileOnnxOptions extends BuildOptions, FheCompileOptions {}

export interface CompiledOnnxModel {
  readonly module: QuantizedModule;
  readonly circuit: FheCircuit;
}

/** buildQuantizedModule(model, inputset, options) then module.compile(inputset, options). */
export async function compileOnnxModel(model: OnnxModel, inputset: QuantizationInputset, options: CompileOnnxOptions = {}): Promise<CompiledOnnxModel> {
  const { nBits, roundingThresholdBits, importQat, ...compileOptions } = options;
  const module = await buildQuantizedModule(model, inputset, {
    ...(nBits === undefined ? {} : { nBits }),
    ...(roundingThresholdBits === undefined ? {} : { roundingThresholdBits }),
    ...(importQat === undefined ? {} : { importQat }),
  });
  const tensors = inputsetList(model, inputset);
  const circuit = await module.compile(tensors.length === 1 ? tensors[0] : tensors, compileOptions);
  return { module, circuit };
}

function inputsetList(model: OnnxModel, inputset: QuantizationInputset): Tensor[] {
  if (inputset instanceof Tensor) return [inputset];
  if (Array.isArray(inputset)) return [...(inputset as readonly Tensor[])];
  const record = inputset as Readonly<Record<string, Tensor>>;
  return model.inputNames.map((name) => {
    const t = record[name];
    if (t === undefined) throw new RangeError(`the inputset has no tensor for model input '${name}'`);
    return t;
  });
}
