// A small compiled model for the deployment tests: the torch MLP fixture at nBits 2 (32
// lookups per sample; the parameter search gives it an N = 2048 set), saved as an artifact in a temporary directory.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { FheModelDev } from '../../lib/deploy';
import { OnnxModel } from '../../lib/onnx';
import { compileOnnxModel, type CompileOnnxOptions, type QuantizedModule } from '../../lib/quantized';
import { Tensor } from '../../lib/tensor';

export const MODEL_FILE = path.join(__dirname, '..', 'fixtures', 'quantized', 'torch_mlp_3bits', 'model.onnx');

/** The first `samples` calibration samples: a circuit is exact on the ranges it was compiled for. */
export function floatInputs(samples: number, amplitude = 2): Tensor<'float64'> {
  return new Tensor(Float64Array.from({ length: samples * 10 }, (_, i) => Math.sin(i * 0.37) * amplitude), [samples, 10]) as Tensor<'float64'>;
}

export interface Artifact {
  readonly dir: string;
  readonly module: QuantizedModule;
}

/** Compiles the MLP (calibrated on 40 samples of `amplitude`) and saves it under a fresh temporary directory. */
export async function makeArtifact(amplitude = 2, options: CompileOnnxOptions = { nBits: 2 }): Promise<Artifact> {
  const { module } = await compileOnnxModel(OnnxModel.load(MODEL_FILE), floatInputs(40, amplitude), options);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cq-deploy-'));
  new FheModelDev(dir, module).save();
  return { dir, module };
}

export function temporaryDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'cq-keys-'));
}
