// Typed facade over the native TFHE core (native/tfhe via native/addon/tfhe_binding.cc):
// keys, encryption, table lookups and linear operations on ciphertext batches.
//
// Encoding: a p-bit message m is m * 2^(63 - p) on the 64-bit torus; the top bit is the padding
// bit. Lookups read inputs in [0, 2^p_in); linear results and table outputs may use the padding
// bit as a sign, so decryption returns (p+1)-bit signed values in [-2^p, 2^p). A lookup may
// write its outputs at another precision p_out than it reads (the table entries are simply
// encoded at 2^(63 - p_out)), so narrow lookups can feed wide leveled values.
//
// Limits are those of the encoding and the table size only: 1 <= p <= 31 for any ciphertext
// (int32 messages), and 2^(p_in + 1) <= N, p_in <= 16 for a lookup's input. Whether a
// ciphertext decrypts (or a lookup reads) correctly at a precision is the noise model's call
// (lib/fhe/noise.ts; the circuit compiler checks every lookup input and output).

import { native, type TfheKeyHandle } from '../native';
import type { ParameterSet } from './parameters';

/** Largest precision a lookup reads (the polynomial size may allow less: 2^(p+1) <= N). */
export const MAX_TFHE_PRECISION = 16;

/** Largest precision of an encoding (encrypt, decrypt, constants, lookup outputs): int32 messages. */
export const MAX_ENCODING_PRECISION = 31;

/** The widest lookup input a parameter set's polynomial allows: 2^(p+1) <= N, at most 16 bits. */
export function maxLookupPrecision(parameters: ParameterSet): number {
  return Math.min(MAX_TFHE_PRECISION, Math.log2(parameters.polynomialSize) - 1);
}

function checkEncodingPrecision(precision: number, what: string): void {
  if (!Number.isInteger(precision) || precision < 1 || precision > MAX_ENCODING_PRECISION) {
    throw new RangeError(`${what} must be an integer in [1, ${MAX_ENCODING_PRECISION}] (int32 messages), got ${precision}`);
  }
}

function checkLookupPrecision(parameters: ParameterSet, precision: number): void {
  if (!Number.isInteger(precision) || precision < 1) {
    throw new RangeError(`lookup: input precision must be a positive integer, got ${precision}`);
  }
  const max = maxLookupPrecision(parameters);
  if (precision > max) {
    throw new RangeError(`lookup: input precision ${precision} needs 2^${precision}-entry tables; "${parameters.name}" `
      + `(polynomial size ${parameters.polynomialSize}) reads at most ${max} bits`);
  }
}

abstract class KeyBase {
  #handle: TfheKeyHandle | undefined;

  protected constructor(handle: TfheKeyHandle, readonly parameters: ParameterSet) {
    this.#handle = handle;
  }

  /** The native handle; throws once the key has been freed. */
  get handle(): TfheKeyHandle {
    if (this.#handle === undefined) throw new TypeError(`this ${this.describe()} has been freed`);
    return this.#handle;
  }

  get freed(): boolean {
    return this.#handle === undefined;
  }

  /**
   * 32 hex digits drawn with the client key and shared by the evaluation keys and files made
   * from it: lets a server refuse ciphertexts made for another key set.
   */
  get keySetId(): string {
    return native.tfheKeyInfo(this.handle).keySetId ?? '';
  }

  /** Native memory held, in bytes (0 once freed). */
  get bytes(): number {
    return this.#handle === undefined ? 0 : native.tfheKeyInfo(this.#handle).bytes ?? 0;
  }

  /**
   * Releases the keys now, wiping secret key memory. Calls already running keep their own
   * reference and finish first. Without free(), the garbage collector's finalizer does the same.
   */
  free(): void {
    if (this.#handle === undefined) return;
    native.tfheFreeKey(this.#handle);
    this.#handle = undefined;
  }

  protected abstract describe(): string;
}

/** The secret keys: stay with the client, encrypt and decrypt. */
export class ClientKey extends KeyBase {
  /** @internal made by generateKeys */
  constructor(handle: TfheKeyHandle, parameters: ParameterSet) {
    super(handle, parameters);
  }
  protected describe(): string {
    return 'client key';
  }
}

/** Keyswitch + bootstrap keys: what a server needs to run lookups, and nothing secret. */
export class EvaluationKeys extends KeyBase {
  /** @internal made by generateKeys */
  constructor(handle: TfheKeyHandle, parameters: ParameterSet) {
    super(handle, parameters);
  }
  /** Sizes of the two keys in bytes. */
  get sizes(): { readonly keyswitchKey: number; readonly bootstrapKey: number } {
    const info = native.tfheKeyInfo(this.handle);
    return { keyswitchKey: info.keyswitchKeyBytes ?? 0, bootstrapKey: info.bootstrapKeyBytes ?? 0 };
  }
  protected describe(): string {
    return 'evaluation keys';
  }
}

/**
 * Evaluation keys whose random masks all come from one public seed: what a client sends to a
 * server (serializeEvaluationKeys in ./serialization), about a quarter of the full keys for
 * the 2_2 set. decompress() regenerates the masks and gives keys ready for lookups.
 */
export class CompressedEvaluationKeys extends KeyBase {
  /** @internal made by generateCompressedEvaluationKeys */
  constructor(handle: TfheKeyHandle, parameters: ParameterSet) {
    super(handle, parameters);
  }
  /** Bytes of the bodies kept for each key (the masks are not stored). */
  get sizes(): { readonly keyswitchKey: number; readonly bootstrapKey: number } {
    const info = native.tfheKeyInfo(this.handle);
    return { keyswitchKey: info.keyswitchKeyBytes ?? 0, bootstrapKey: info.bootstrapKeyBytes ?? 0 };
  }
  /** The usable evaluation keys (masks regenerated, bootstrap key taken to the Fourier domain). */
  async decompress(): Promise<EvaluationKeys> {
    return new EvaluationKeys(await native.tfheDecompressEvaluationKeys(this.handle), this.parameters);
  }
  protected describe(): string {
    return 'compressed evaluation keys';
  }
}

/** A batch of LWE ciphertexts under one key, at one precision. */
export class CiphertextBatch {
  constructor(
    /** count * (lweDimension + 1) words: each mask, then its body. */
    readonly data: BigUint64Array,
    readonly count: number,
    readonly lweDimension: number,
    readonly precision: number,
  ) {
    if (data.length !== count * (lweDimension + 1)) {
      throw new RangeError(`a batch of ${count} ciphertexts of dimension ${lweDimension} holds `
        + `${count * (lweDimension + 1)} words, got ${data.length}`);
    }
  }

  private sameShape(other: CiphertextBatch, operation: string): void {
    if (other.count !== this.count || other.lweDimension !== this.lweDimension || other.precision !== this.precision) {
      throw new RangeError(`${operation}: batches differ in count, dimension or precision `
        + `(${this.count}/${this.lweDimension}/${this.precision} vs ${other.count}/${other.lweDimension}/${other.precision})`);
    }
  }

  /** @internal */
  static checkSameShape(a: CiphertextBatch, b: CiphertextBatch, operation: string): void {
    a.sameShape(b, operation);
  }
}

/** Generates a client key and evaluation keys for a parameter set, from OS randomness. */
export async function generateKeys(parameters: ParameterSet): Promise<{ clientKey: ClientKey; evaluationKeys: EvaluationKeys }> {
  const [client, evaluation] = await native.tfheGenerateKeys(parameters);
  return { clientKey: new ClientKey(client, parameters), evaluationKeys: new EvaluationKeys(evaluation, parameters) };
}

/** A client key alone (with a fresh key set id), from OS randomness. */
export async function generateClientKey(parameters: ParameterSet): Promise<ClientKey> {
  return new ClientKey(await native.tfheGenerateClientKey(parameters), parameters);
}

/**
 * Evaluation keys for `clientKey` in compressed form: masks from a fresh public seed, noise from
 * a separate secret one. They carry the client key's key set id.
 */
export async function generateCompressedEvaluationKeys(clientKey: ClientKey): Promise<CompressedEvaluationKeys> {
  return new CompressedEvaluationKeys(await native.tfheGenerateCompressedEvaluationKeys(clientKey.handle),
    clientKey.parameters);
}

function toInt32Array(values: Int32Array | readonly number[], what: string): Int32Array {
  if (values instanceof Int32Array) return values;
  for (const value of values) {
    if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
      throw new RangeError(`${what} must be 32-bit integers, got ${value}`);
    }
  }
  return Int32Array.from(values);
}

/**
 * Encrypts integers in [-2^p, 2^p) (use [0, 2^p) for values that go through lookups), for any
 * p in [1, 31]: correct decryption at p is up to the noise (fresh noise is tiny; after lookups
 * and linear ops, see lib/fhe/noise.ts).
 */
export function encrypt(clientKey: ClientKey, values: Int32Array | readonly number[], options: { precision: number }): CiphertextBatch {
  const { precision } = options;
  checkEncodingPrecision(precision, 'encrypt: precision');
  const messages = toInt32Array(values, 'values');
  const data = native.tfheEncrypt(clientKey.handle, messages, messages.length, precision);
  return new CiphertextBatch(data, messages.length, clientKey.parameters.bigLweDimension, precision);
}

/** Decrypts to (p+1)-bit signed integers in [-2^p, 2^p). */
export function decrypt(clientKey: ClientKey, ciphertexts: CiphertextBatch): Int32Array {
  if (ciphertexts.lweDimension !== clientKey.parameters.bigLweDimension) {
    throw new RangeError(`decrypt: ciphertexts of dimension ${ciphertexts.lweDimension} are not under this key `
      + `(dimension ${clientKey.parameters.bigLweDimension})`);
  }
  checkEncodingPrecision(ciphertexts.precision, 'decrypt: precision');
  return native.tfheDecrypt(clientKey.handle, ciphertexts.data, ciphertexts.count, ciphertexts.precision);
}

/**
 * Phase errors (decrypted phase minus the encoding of `expected`) on the torus, as fractions of
 * q in [-1/2, 1/2): for noise measurements against lib/fhe/noise.ts. `key` picks the big key
 * (fresh encryptions, lookup outputs) or the small key (keyswitch outputs).
 */
export function phaseErrors(
  clientKey: ClientKey,
  data: BigUint64Array,
  count: number,
  lweDimension: number,
  expected: Int32Array | readonly number[],
  precision: number,
): Float64Array {
  const messages = toInt32Array(expected, 'expected');
  if (messages.length !== count) throw new RangeError(`phaseErrors: expected needs ${count} entries, got ${messages.length}`);
  const phases = native.tfheDecryptPhases(clientKey.handle, data, count, lweDimension);
  const errors = new Float64Array(count);
  const modulus = 1n << 64n;
  for (let i = 0; i < count; ++i) {
    const encoded = ((BigInt(messages[i]) << BigInt(63 - precision)) % modulus + modulus) % modulus;
    const error = BigInt.asIntN(64, phases[i] - encoded);
    errors[i] = Number(error) / 2 ** 64;
  }
  return errors;
}

/** Keyswitched copies of a batch under the small key (n + 1 words each), for measurements. */
export async function keyswitch(evaluationKeys: EvaluationKeys, ciphertexts: CiphertextBatch): Promise<CiphertextBatch> {
  const data = await native.tfheKeyswitch(evaluationKeys.handle, ciphertexts.data, ciphertexts.count);
  return new CiphertextBatch(data, ciphertexts.count, evaluationKeys.parameters.lweDimension, ciphertexts.precision);
}

export interface LookupOptions {
  /**
   * With several tables: which table each ciphertext goes through (one index per ciphertext,
   * e.g. its output channel). Without it, every ciphertext goes through every table and the
   * result holds count * tables ciphertexts, input-major.
   */
  readonly tableIndex?: Int32Array | readonly number[];
  /**
   * Precision the outputs are encoded at (table entries in [-2^q, 2^q)), 1 to 31. Default: the
   * input's precision. Only the scale of the table changes; the input is read as before.
   */
  readonly outputPrecision?: number;
}

/**
 * Programmable bootstrap of every ciphertext through `table` (2^p entries for the batch's
 * precision p, each in [-2^q, 2^q) for q = outputPrecision, default p), or through several
 * tables. Inputs must hold messages in [0, 2^p) (above, the padding bit negates the entry).
 * Runs on all native threads; resolves with fresh, low-noise ciphertexts at precision q.
 */
export async function lookup(
  evaluationKeys: EvaluationKeys,
  ciphertexts: CiphertextBatch,
  table: Int32Array | readonly number[] | readonly (Int32Array | readonly number[])[],
  options: LookupOptions = {},
): Promise<CiphertextBatch> {
  const { precision, count } = ciphertexts;
  const outputPrecision = options.outputPrecision ?? precision;
  checkLookupPrecision(evaluationKeys.parameters, precision);
  checkEncodingPrecision(outputPrecision, 'lookup: outputPrecision');
  if (ciphertexts.lweDimension !== evaluationKeys.parameters.bigLweDimension) {
    throw new RangeError(`lookup: ciphertexts of dimension ${ciphertexts.lweDimension} do not match the keys `
      + `(dimension ${evaluationKeys.parameters.bigLweDimension})`);
  }
  const entries = 2 ** precision;
  const isSeveral = !(table instanceof Int32Array) && table.length > 0 && typeof table[0] !== 'number';
  const limit = 2 ** outputPrecision;
  const tables = (isSeveral ? table as readonly (Int32Array | readonly number[])[] : [table as Int32Array | readonly number[]])
    .map((one, index) => {
      const values = toInt32Array(one, `table ${index}`);
      if (values.length !== entries) {
        throw new RangeError(`lookup: table ${index} must have 2^${precision} = ${entries} entries (input precision `
          + `${precision}), got ${values.length}`);
      }
      const outside = values.findIndex((v) => v < -limit || v >= limit);
      if (outside >= 0) {
        throw new RangeError(`lookup: table ${index} entry ${outside} = ${values[outside]} is outside [-2^${outputPrecision}, `
          + `2^${outputPrecision}) of output precision ${outputPrecision}`);
      }
      return values;
    });
  const flat = new Int32Array(tables.length * entries);
  tables.forEach((values, index) => flat.set(values, index * entries));
  let jobs: Int32Array | null = null;
  let outputs = count * tables.length;
  if (options.tableIndex !== undefined) {
    const indices = toInt32Array(options.tableIndex, 'tableIndex');
    if (indices.length !== count) {
      throw new RangeError(`lookup: tableIndex needs one entry per ciphertext (${count}), got ${indices.length}`);
    }
    jobs = new Int32Array(2 * count);
    for (let i = 0; i < count; ++i) {
      if (indices[i] < 0 || indices[i] >= tables.length) {
        throw new RangeError(`lookup: tableIndex[${i}] = ${indices[i]} names no table (${tables.length} given)`);
      }
      jobs[2 * i] = i;
      jobs[2 * i + 1] = indices[i];
    }
    outputs = count;
  }
  const data = await native.tfheLookup(evaluationKeys.handle, ciphertexts.data, count, flat, tables.length, precision, jobs,
    outputPrecision);
  return new CiphertextBatch(data, outputs, ciphertexts.lweDimension, outputPrecision);
}

/** Elementwise a + b (messages add modulo 2^(p+1)). */
export function add(a: CiphertextBatch, b: CiphertextBatch): CiphertextBatch {
  CiphertextBatch.checkSameShape(a, b, 'add');
  return new CiphertextBatch(native.tfheAdd(a.data, b.data, a.count, a.lweDimension), a.count, a.lweDimension, a.precision);
}

/** Elementwise a - b. */
export function subtract(a: CiphertextBatch, b: CiphertextBatch): CiphertextBatch {
  CiphertextBatch.checkSameShape(a, b, 'subtract');
  return new CiphertextBatch(native.tfheSubtract(a.data, b.data, a.count, a.lweDimension), a.count, a.lweDimension, a.precision);
}

/** Elementwise -a. */
export function negate(a: CiphertextBatch): CiphertextBatch {
  return new CiphertextBatch(native.tfheNegate(a.data, a.count, a.lweDimension), a.count, a.lweDimension, a.precision);
}

function perCiphertext(values: number | Int32Array | readonly number[], count: number, what: string): Int32Array {
  if (typeof values === 'number') return toInt32Array(new Array<number>(count).fill(values), what);
  const array = toInt32Array(values, what);
  if (array.length !== count) throw new RangeError(`${what} needs one entry per ciphertext (${count}), got ${array.length}`);
  return array;
}

/** Ciphertext i times factors[i] (or one factor for all). Noise grows by factor^2. */
export function multiplyByIntegers(a: CiphertextBatch, factors: number | Int32Array | readonly number[]): CiphertextBatch {
  const values = perCiphertext(factors, a.count, 'factors');
  return new CiphertextBatch(native.tfheMultiplyByIntegers(a.data, a.count, a.lweDimension, values), a.count, a.lweDimension,
    a.precision);
}

/** Adds clear constants[i] (or one constant for all), encoded at the batch's precision. */
export function addConstants(a: CiphertextBatch, constants: number | Int32Array | readonly number[]): CiphertextBatch {
  const values = perCiphertext(constants, a.count, 'constants');
  return new CiphertextBatch(native.tfheAddConstants(a.data, a.count, a.lweDimension, values, a.precision), a.count,
    a.lweDimension, a.precision);
}

/**
 * out[o] = sum_i weights[o * count + i] * a[i] for o < outputCount: the ciphertext side of a
 * clear-weight linear layer (weights row-major, outputCount x count). Noise grows by the
 * squared 2-norm of each row.
 */
export async function dotProduct(a: CiphertextBatch, weights: Int32Array | readonly number[], outputCount: number): Promise<CiphertextBatch> {
  if (!Number.isSafeInteger(outputCount) || outputCount < 0) {
    throw new RangeError(`dotProduct: outputCount must be a non-negative integer, got ${outputCount}`);
  }
  const matrix = toInt32Array(weights, 'weights');
  if (matrix.length !== outputCount * a.count) {
    throw new RangeError(`dotProduct: weights must hold outputCount * count = ${outputCount * a.count} entries, got ${matrix.length}`);
  }
  const data = await native.tfheDotProduct(a.data, a.count, a.lweDimension, matrix, outputCount);
  return new CiphertextBatch(data, outputCount, a.lweDimension, a.precision);
}
