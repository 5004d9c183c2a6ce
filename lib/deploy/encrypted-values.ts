// Encrypted inputs (client -> server) and outputs (server -> client): one deploy file holding
// the batch size and one native ciphertext batch per circuit input or output, each checked on
// load against the circuit interface (count, dimension, precision) and the expected key set.

import { deserializeCiphertexts, serializeCiphertexts } from '../fhe/serialization';
import type { ParameterSet } from '../fhe/parameters';
import type { CiphertextBatch, ClientKey, CompressedEvaluationKeys, EvaluationKeys } from '../fhe/tfhe';
import { readDeployFile, writeDeployFile } from './container';
import { malformed } from './errors';
import { decodePlainData, encodePlainData } from './plain-data';
import type { TensorInterface } from './specs';

/** Default limit on encrypted inputs or outputs (64 samples of the digits MLP at 3_3 fit). */
export const DEFAULT_MAX_VALUES_BYTES = 2 ** 28;

export interface EncryptedValues {
  readonly batch: number;
  readonly tensors: readonly CiphertextBatch[];
}

export function writeEncryptedValues(values: EncryptedValues, key: ClientKey | EvaluationKeys | CompressedEvaluationKeys,
  fingerprint: string, artifactId: string): Uint8Array {
  const payload = encodePlainData({ batch: values.batch, tensors: values.tensors.map((tensor) => serializeCiphertexts(tensor, key)) });
  return writeDeployFile('encrypted-values', fingerprint, artifactId, payload);
}

export interface ValuesExpectations {
  readonly fingerprint: string;
  readonly artifactId: string;
  readonly parameters: ParameterSet;
  /** The key set the ciphertexts must belong to. */
  readonly keySetId: string;
  readonly interfaces: readonly TensorInterface[];
  readonly maxBytes: number;
  /** 'inputs' or 'outputs', for messages. */
  readonly what: string;
}

export function readEncryptedValues(bytes: Uint8Array, expect: ValuesExpectations): EncryptedValues {
  const { payload } = readDeployFile(bytes, { kind: 'encrypted-values', maxBytes: expect.maxBytes, fingerprint: expect.fingerprint, artifactId: expect.artifactId });
  const where = `encrypted ${expect.what}`;
  const decoded = decodePlainData(payload, where) as { batch?: unknown; tensors?: unknown };
  const { batch, tensors } = decoded ?? {};
  if (!Number.isSafeInteger(batch) || (batch as number) < 1) malformed(where, `batch must be a positive integer, got ${String(batch)}`);
  if (!Array.isArray(tensors) || tensors.length !== expect.interfaces.length || !tensors.every((t) => t instanceof Uint8Array)) {
    malformed(where, `expected ${expect.interfaces.length} ciphertext batches (${expect.interfaces.map((s) => s.name).join(', ')})`);
  }
  const loaded = expect.interfaces.map((spec, k) => {
    const ciphertexts = deserializeCiphertexts(tensors[k] as Uint8Array,
      { parameters: expect.parameters, keySetId: expect.keySetId, maxBytes: expect.maxBytes });
    const count = (batch as number) * spec.size;
    if (ciphertexts.count !== count || ciphertexts.lweDimension !== expect.parameters.bigLweDimension || ciphertexts.precision !== spec.precision) {
      malformed(where, `'${spec.name}' needs ${batch} x ${spec.size} ciphertexts of dimension ${expect.parameters.bigLweDimension} at precision `
        + `${spec.precision}, got ${ciphertexts.count} of dimension ${ciphertexts.lweDimension} at precision ${ciphertexts.precision}`);
    }
    return ciphertexts;
  });
  return { batch: batch as number, tensors: loaded };
}
