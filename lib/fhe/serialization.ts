// Saving and loading TFHE objects: ciphertext batches, client keys (secret, only on explicit
// request) and evaluation keys (compressed or expanded), in the versioned binary format of
// native/tfhe/serialization/format.h:
//
//   magic (8) | format version u16 | type u16 | library version 3 x u16 | flags u16 |
//   parameter block length u32 | payload length u64 | key set id (16) | parameter fingerprint
//   (32, SHA-256 of the block) | parameter block (64) | payload | SHA-256 of all the above (32)
//
// Every load checks, in this order, before allocating anything: magic, version, type, the
// expected fingerprint and key set, the size limit (on the input and on the native memory it
// would build), the declared length, the checksum, then the payload's lengths and dimensions
// against the parameters. Bad data throws a TfheSerializationError with a code; bad arguments
// a TypeError or RangeError.

import { native, type TfheLoadOptions, type TfheSerializedHeader } from '../native';
import { parameters as namedParameters, type ParameterSet } from './parameters';
import { CiphertextBatch, ClientKey, CompressedEvaluationKeys, EvaluationKeys } from './tfhe';

/** Default limit of a load, on the input and on the native memory built from it (1 GiB). */
export const DEFAULT_MAX_DESERIALIZE_BYTES = 2 ** 30;

export type TfheSerializationErrorCode =
  | 'ERR_TFHE_TRUNCATED'
  | 'ERR_TFHE_BAD_MAGIC'
  | 'ERR_TFHE_UNSUPPORTED_VERSION'
  | 'ERR_TFHE_WRONG_TYPE'
  | 'ERR_TFHE_SIZE_LIMIT'
  | 'ERR_TFHE_LENGTH_MISMATCH'
  | 'ERR_TFHE_CHECKSUM'
  | 'ERR_TFHE_INVALID_PARAMETERS'
  | 'ERR_TFHE_PARAMETER_MISMATCH'
  | 'ERR_TFHE_KEY_SET_MISMATCH'
  | 'ERR_TFHE_MALFORMED'
  | 'ERR_TFHE_INVALID_VALUE'
  /** The file's parameters are valid but none of the named sets, and none were given. */
  | 'ERR_TFHE_UNKNOWN_PARAMETERS';

/** A serialized input that cannot be loaded; `code` says why, the message says what. */
export class TfheSerializationError extends Error {
  constructor(readonly code: TfheSerializationErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TfheSerializationError';
  }
}

export interface DeserializeOptions {
  /** Largest input, and largest native memory built from it, in bytes (default 1 GiB). */
  readonly maxBytes?: number;
  /**
   * Refuse objects made for any other parameter set. Without it the file's parameters must be
   * one of the named sets (tfhe.parameters).
   */
  readonly parameters?: ParameterSet;
  /** Refuse objects of any other key set (e.g. `clientKey.keySetId`). */
  readonly keySetId?: string;
}

export type SerializedHeader = TfheSerializedHeader;

/** SHA-256 of a parameter set's canonical 64-byte block (parameter_block.h), in hex. */
export function parameterFingerprint(parameters: ParameterSet): string {
  return native.tfheParameterFingerprint(parameters);
}

/** Native errors with an ERR_TFHE_* code become TfheSerializationErrors named after `operation`. */
function translate(error: unknown, operation: string): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as Error & { code?: unknown }).code;
  const message = error.message.replace(/^tfhe\w+: /, `${operation}: `);
  if (typeof code === 'string' && code.startsWith('ERR_TFHE_')) {
    return new TfheSerializationError(code as TfheSerializationErrorCode, message, { cause: error });
  }
  return error;
}

function guarded<T>(operation: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw translate(error, operation);
  }
}

async function guardedAsync<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw translate(error, operation);
  }
}

/** What the header of `bytes` declares: type, versions, key set, fingerprint, total size. */
export function readSerializedHeader(bytes: Uint8Array): SerializedHeader {
  return guarded('readSerializedHeader', () => native.tfheReadHeader(bytes));
}

let namedFingerprints: Map<string, ParameterSet> | undefined;

/** The ParameterSet a load runs against: the caller's, or the named set of the file's fingerprint. */
function resolveParameters(bytes: Uint8Array, options: DeserializeOptions, operation: string): ParameterSet {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${operation}: options must be an object`);
  if (options.parameters !== undefined) return options.parameters;
  const { fingerprint } = guarded(operation, () => native.tfheReadHeader(bytes));
  namedFingerprints ??= new Map(Object.values(namedParameters).map((set) => [parameterFingerprint(set), set]));
  const named = namedFingerprints.get(fingerprint);
  if (named === undefined) {
    throw new TfheSerializationError('ERR_TFHE_UNKNOWN_PARAMETERS', `${operation}: the parameters (fingerprint `
      + `${fingerprint.slice(0, 16)}...) are none of the named sets; pass options.parameters`);
  }
  return named;
}

function loadOptions(options: DeserializeOptions, parameters: ParameterSet): TfheLoadOptions {
  return { maxBytes: options.maxBytes, parameters, keySetId: options.keySetId };
}

type AnyKey = ClientKey | EvaluationKeys | CompressedEvaluationKeys;

/**
 * A batch with the parameters and key set of `key` (the client key that encrypted it, or the
 * evaluation keys that computed it).
 */
export function serializeCiphertexts(batch: CiphertextBatch, key: AnyKey): Uint8Array {
  return native.tfheSerializeCiphertexts(key.handle, batch.data, batch.count, batch.lweDimension, batch.precision);
}

/** A batch back; pass `keySetId` (and `parameters`) to refuse ciphertexts of another key set. */
export function deserializeCiphertexts(bytes: Uint8Array, options: DeserializeOptions = {}): CiphertextBatch {
  const operation = 'deserializeCiphertexts';
  const parameters = resolveParameters(bytes, options, operation);
  const loaded = guarded(operation, () => native.tfheDeserializeCiphertexts(bytes, loadOptions(options, parameters)));
  return new CiphertextBatch(loaded.data, loaded.count, loaded.lweDimension, loaded.precision);
}

/**
 * The client key, SECRET KEY INCLUDED: whoever holds the bytes can decrypt everything. Only
 * with `{ includeSecretKey: true }`; store the result with restricted permissions (0600) and
 * never send it to a server.
 */
export function serializeClientKey(clientKey: ClientKey, options: { readonly includeSecretKey: true }): Uint8Array {
  if (options?.includeSecretKey !== true) {
    throw new TypeError('serializeClientKey: pass { includeSecretKey: true }: the output holds the secret key');
  }
  return native.tfheSerializeClientKey(clientKey.handle, true);
}

export async function deserializeClientKey(bytes: Uint8Array, options: DeserializeOptions = {}): Promise<ClientKey> {
  const operation = 'deserializeClientKey';
  const parameters = resolveParameters(bytes, options, operation);
  const loaded = await guardedAsync(operation, () => native.tfheDeserializeClientKey(bytes,
    loadOptions(options, parameters)));
  return new ClientKey(loaded.handle, parameters);
}

/**
 * What a server needs, nothing secret. Compressed by default (mask seed + bodies); with
 * `{ compressed: false }` every mask is written out (about 4x larger for 2_2, no re-expansion
 * on load).
 */
export async function serializeEvaluationKeys(
  keys: CompressedEvaluationKeys,
  options: { readonly compressed?: boolean } = {},
): Promise<Uint8Array> {
  if (!(keys instanceof CompressedEvaluationKeys)) {
    // Keys from generateKeys (or a load) hold the bootstrap key in the Fourier domain only,
    // which the format never stores: files must not depend on the FFT's layout or rounding.
    throw new TypeError('serializeEvaluationKeys: pass CompressedEvaluationKeys (tfhe.generateCompressedEvaluationKeys); '
      + 'evaluation keys in the Fourier domain cannot be serialized');
  }
  return native.tfheSerializeEvaluationKeys(keys.handle, options.compressed ?? true);
}

/** Evaluation keys from either form, ready for lookups. */
export async function deserializeEvaluationKeys(bytes: Uint8Array, options: DeserializeOptions = {}): Promise<EvaluationKeys> {
  const operation = 'deserializeEvaluationKeys';
  const parameters = resolveParameters(bytes, options, operation);
  const loaded = await guardedAsync(operation, () => native.tfheDeserializeEvaluationKeys(bytes,
    loadOptions(options, parameters)));
  return new EvaluationKeys(loaded.handle, parameters);
}
