// FheModelServer: runs a saved circuit on encrypted inputs with a client's evaluation keys. It
// holds no secret: it loads evaluation keys (public) and ciphertexts, each checked for size,
// type, parameters, artifact and key set before use, and answers with ciphertexts.

import { readFileSync } from 'node:fs';
import path from 'node:path';

import { executeProgram, type ExecuteOptions } from '../fhe/circuit/execute';
import { DEFAULT_MAX_DESERIALIZE_BYTES, deserializeEvaluationKeys, parameterFingerprint } from '../fhe/serialization';
import type { EvaluationKeys } from '../fhe/tfhe';
import { readDeployFile } from './container';
import { DEFAULT_MAX_VALUES_BYTES, type EncryptedValues, readEncryptedValues, writeEncryptedValues } from './encrypted-values';
import { DEPLOY_FILES } from './files';
import { DEFAULT_MAX_SPECS_BYTES, readServerSpecs, type ServerSpecs, type TensorInterface } from './specs';

export interface ServerLimits {
  /** Largest server specs file (default 256 MiB). */
  readonly maxSpecsBytes?: number;
  /** Largest evaluation keys, as sent and as expanded in memory (default 1 GiB). */
  readonly maxKeyBytes?: number;
  /** Largest encrypted inputs (default 256 MiB). */
  readonly maxValuesBytes?: number;
}

export class FheModelServer {
  #specs: ServerSpecs | undefined;
  #fingerprint = '';
  #inputs: TensorInterface[] = [];
  readonly limits: Required<ServerLimits>;

  constructor(readonly dir: string, limits: ServerLimits = {}) {
    this.limits = {
      maxSpecsBytes: limits.maxSpecsBytes ?? DEFAULT_MAX_SPECS_BYTES,
      maxKeyBytes: limits.maxKeyBytes ?? DEFAULT_MAX_DESERIALIZE_BYTES,
      maxValuesBytes: limits.maxValuesBytes ?? DEFAULT_MAX_VALUES_BYTES,
    };
  }

  /** Reads and checks the server specs. */
  load(): this {
    const specs = readServerSpecs(new Uint8Array(readFileSync(path.join(this.dir, DEPLOY_FILES.server))), this.limits.maxSpecsBytes);
    this.#specs = specs;
    this.#fingerprint = parameterFingerprint(specs.parameters);
    this.#inputs = specs.program.inputs.map((spec) => ({ ...spec, precision: specs.program.precisions[spec.id] }));
    return this;
  }

  get specs(): ServerSpecs {
    if (this.#specs === undefined) throw new Error('FheModelServer: call load() first');
    return this.#specs;
  }

  /** Evaluation keys from a client, ready for run (free them when done; the GC does otherwise). */
  async loadEvaluationKeys(bytes: Uint8Array): Promise<EvaluationKeys> {
    const { parameters, artifactId } = this.specs;
    const { payload } = readDeployFile(bytes, { kind: 'evaluation-keys', maxBytes: this.limits.maxKeyBytes, fingerprint: this.#fingerprint, artifactId });
    return deserializeEvaluationKeys(payload, { parameters, maxBytes: this.limits.maxKeyBytes });
  }

  /** Encrypted inputs, checked against the circuit's inputs and the key set that must have made them. */
  readInputs(bytes: Uint8Array, keySetId: string): EncryptedValues {
    const { parameters, artifactId } = this.specs;
    return readEncryptedValues(bytes, {
      fingerprint: this.#fingerprint, artifactId, parameters, keySetId, interfaces: this.#inputs, maxBytes: this.limits.maxValuesBytes, what: 'inputs',
    });
  }

  /**
   * Encrypted inputs -> encrypted outputs. Pass the keys loaded once (loadEvaluationKeys) to
   * serve many requests; serialized keys are loaded for this call and freed after it.
   */
  async run(serializedInputs: Uint8Array, evaluationKeys: Uint8Array | EvaluationKeys, options: ExecuteOptions = {}): Promise<Uint8Array> {
    const { artifactId, program } = this.specs;
    const keys = evaluationKeys instanceof Uint8Array ? await this.loadEvaluationKeys(evaluationKeys) : evaluationKeys;
    try {
      const inputs = this.readInputs(serializedInputs, keys.keySetId);
      const result = await executeProgram(program, inputs.tensors, inputs.batch, keys, options);
      return writeEncryptedValues({ batch: inputs.batch, tensors: result.outputs }, keys, this.#fingerprint, artifactId);
    } finally {
      if (evaluationKeys instanceof Uint8Array) keys.free();
    }
  }
}
