// FheModelClient: the side that owns the secret key. It reads the client specs, makes keys,
// quantizes and encrypts inputs, and decrypts and dequantizes what the server sends back. The
// only key material that ever leaves it is the evaluation keys (public by design).

import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { centeredInt32, liftResidue } from '../fhe/circuit/integers';
import { outputTensor, parseInputs, type CircuitInputs, type TensorSpec } from '../fhe/circuit/io';
import { parameterFingerprint, deserializeClientKey, serializeClientKey, serializeEvaluationKeys } from '../fhe/serialization';
import {
  decrypt, encrypt, generateClientKey, generateCompressedEvaluationKeys, type ClientKey, type CompressedEvaluationKeys,
} from '../fhe/tfhe';
import { Tensor, type TensorLike } from '../tensor';
import { writeDeployFile } from './container';
import { DEFAULT_MAX_VALUES_BYTES, readEncryptedValues, writeEncryptedValues } from './encrypted-values';
import { DEPLOY_FILES } from './files';
import { readClientSpecs, type ClientSpecs, type TensorInterface } from './specs';

/** The secret key's file name inside keyDir. */
export const CLIENT_KEY_FILE = 'client-key.cqtfhe';

function asSpec(spec: TensorInterface, id: number): TensorSpec {
  return { id, name: spec.name, shape: spec.shape, size: spec.size, range: spec.range };
}

export interface ClientOptions {
  /** Largest encrypted output accepted from a server, in bytes (default 256 MiB). */
  readonly maxValuesBytes?: number;
}

export class FheModelClient {
  readonly specs: ClientSpecs;
  readonly #fingerprint: string;
  readonly #maxValuesBytes: number;
  #clientKey: ClientKey | undefined;
  #evaluationKeys: CompressedEvaluationKeys | undefined;

  /**
   * `dir` holds the artifact FheModelDev saved. With `keyDir`, generateKeys() saves the secret
   * key there (mode 0600) and later clients load it from there; without, keys live in memory only.
   */
  constructor(readonly dir: string, readonly keyDir?: string, options: ClientOptions = {}) {
    this.specs = readClientSpecs(new Uint8Array(readFileSync(path.join(dir, DEPLOY_FILES.client))));
    this.#fingerprint = parameterFingerprint(this.specs.parameters);
    this.#maxValuesBytes = options.maxValuesBytes ?? DEFAULT_MAX_VALUES_BYTES;
  }

  /**
   * A client key: from keyDir when one is saved there (unless `force`), else fresh (and saved
   * to keyDir when there is one). Evaluation keys follow from it on demand.
   */
  async generateKeys(options: { readonly force?: boolean } = {}): Promise<void> {
    if (this.#clientKey !== undefined && !options.force) return;
    this.free();
    const file = this.keyDir === undefined ? undefined : path.join(this.keyDir, CLIENT_KEY_FILE);
    if (file !== undefined && existsSync(file) && !options.force) {
      const mode = statSync(file).mode & 0o077;
      if (process.platform !== 'win32' && mode !== 0) {
        throw new Error(`${file}: the secret key is readable by others (mode ${(statSync(file).mode & 0o777).toString(8)}); chmod 600 it first`);
      }
      this.#clientKey = await deserializeClientKey(new Uint8Array(readFileSync(file)), { parameters: this.specs.parameters });
      return;
    }
    this.#clientKey = await generateClientKey(this.specs.parameters);
    if (file !== undefined) saveSecret(file, serializeClientKey(this.#clientKey, { includeSecretKey: true }));
  }

  /** What the server needs to compute: compressed by default (mask seeds instead of masks). */
  async getSerializedEvaluationKeys(options: { readonly compressed?: boolean } = {}): Promise<Uint8Array> {
    const clientKey = this.#key('getSerializedEvaluationKeys');
    this.#evaluationKeys ??= await generateCompressedEvaluationKeys(clientKey);
    const keys = await serializeEvaluationKeys(this.#evaluationKeys, { compressed: options.compressed ?? true });
    return writeDeployFile('evaluation-keys', this.#fingerprint, this.specs.artifactId, keys);
  }

  /** The key set id shared by this client's keys and ciphertexts (public). */
  get keySetId(): string {
    return this.#key('keySetId').keySetId;
  }

  /** Float inputs (one per model input, batch along axis 0) -> quantized, encrypted, serialized. */
  quantizeEncryptSerialize(...inputs: TensorLike[]): Uint8Array {
    if (inputs.length !== this.specs.inputs.length) {
      throw new RangeError(`quantizeEncryptSerialize: expected ${this.specs.inputs.length} inputs (${this.specs.inputs.map((s) => s.name).join(', ')}), got ${inputs.length}`);
    }
    return this.encryptSerialize(inputs.map((x, k) => {
      const tensor = Tensor.from(x);
      if (tensor.dtype !== 'float32' && tensor.dtype !== 'float64') {
        throw new TypeError(`quantizeEncryptSerialize: input ${k} must be float32 or float64 (it is quantized here), got ${tensor.dtype}`);
      }
      return this.specs.inputQuantizers[k].quant(tensor);
    }));
  }

  /** Already quantized integers (one value per circuit input) -> encrypted, serialized. */
  encryptSerialize(inputs: CircuitInputs): Uint8Array {
    const clientKey = this.#key('encryptSerialize');
    const { batch, values } = parseInputs(this.specs.inputs.map(asSpec), inputs);
    const tensors = values.map((data, k) => {
      const { precision } = this.specs.inputs[k];
      return encrypt(clientKey, centeredInt32(data, precision), { precision });
    });
    return writeEncryptedValues({ batch, tensors }, clientKey, this.#fingerprint, this.specs.artifactId);
  }

  /** The server's answer -> the circuit's integer outputs (the module's quantized outputs). */
  deserializeDecrypt(bytes: Uint8Array): Tensor<'int32'>[] {
    const clientKey = this.#key('deserializeDecrypt');
    const { batch, tensors } = readEncryptedValues(bytes, {
      fingerprint: this.#fingerprint, artifactId: this.specs.artifactId, parameters: this.specs.parameters, keySetId: clientKey.keySetId,
      interfaces: this.specs.outputs, maxBytes: this.#maxValuesBytes, what: 'outputs',
    });
    return this.specs.outputs.map((spec, k) => {
      const residues = decrypt(clientKey, tensors[k]);
      return outputTensor(asSpec(spec, k), Float64Array.from(residues, (r) => liftResidue(r, spec.range.min, spec.precision)), batch);
    });
  }

  /** The server's answer -> float outputs, through the model's output quantizers. */
  deserializeDecryptDequantize(bytes: Uint8Array): Tensor<'float64'>[] {
    return this.deserializeDecrypt(bytes).map((q, k) => this.specs.outputQuantizers[k].dequant(q));
  }

  /** Frees (and wipes) the keys held in memory. */
  free(): void {
    this.#clientKey?.free();
    this.#evaluationKeys?.free();
    this.#clientKey = undefined;
    this.#evaluationKeys = undefined;
  }

  #key(what: string): ClientKey {
    if (this.#clientKey === undefined) throw new Error(`${what}: no keys yet; await client.generateKeys() first`);
    return this.#clientKey;
  }
}

/** Writes a secret file readable by its owner only, atomically (no window with wider permissions). */
function saveSecret(file: string, bytes: Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes, { mode: 0o600, flag: 'wx' });
  chmodSync(temporary, 0o600); // in case the umask or an existing ACL said otherwise
  renameSync(temporary, file);
}
