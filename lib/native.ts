// The one place that loads the native addon. Everything native goes through `native`.
import path from 'node:path';

/** What `capabilities()` reports about the native core. */
export interface Capabilities {
  /** The kernels in use: AVX2+FMA, or the portable scalar path (also when forced). */
  readonly simd: 'avx2+fma' | 'scalar';
  /** What the processor supports, whatever is in use. */
  readonly cpu: { readonly avx2: boolean; readonly fma: boolean };
  /** Threads of the native pool, the calling thread included. */
  readonly threads: number;
  readonly hardwareThreads: number;
}

/** An opaque native handle to TFHE keys (see lib/fhe/tfhe.ts for the typed facade). */
export interface TfheKeyHandle {
  readonly __brand: 'TfheKeyHandle';
}

/** The fields of a TFHE parameter set the native core reads (lib/fhe/parameters.ts's ParameterSet fits). */
export interface TfheNativeParameters {
  readonly lweDimension: number;
  readonly glweDimension: number;
  readonly polynomialSize: number;
  readonly pbsBaseLog: number;
  readonly pbsLevel: number;
  readonly ksBaseLog: number;
  readonly ksLevel: number;
  readonly lweNoise: { readonly kind: 'tuniform'; readonly boundLog2: number } | { readonly kind: 'gaussian'; readonly std: number };
  readonly glweNoise: { readonly kind: 'tuniform'; readonly boundLog2: number } | { readonly kind: 'gaussian'; readonly std: number };
  readonly modulusSwitch: 'standard' | 'centered-binary';
}

/** What tfheKeyInfo reports (never key material). */
export interface TfheKeyInfo {
  readonly kind: 'client' | 'evaluation' | 'compressed-evaluation';
  readonly freed: boolean;
  readonly bytes?: number;
  readonly keyswitchKeyBytes?: number;
  readonly bootstrapKeyBytes?: number;
  /** 32 hex digits drawn with the client key, shared by every key and file made from it. */
  readonly keySetId?: string;
}

/** Limits and expectations of a native load (see lib/fhe/serialization.ts). */
export interface TfheLoadOptions {
  /** Largest input, and largest native memory built from it, in bytes (native default 2^30). */
  readonly maxBytes?: number;
  readonly parameters?: TfheNativeParameters;
  readonly keySetId?: string;
}

/** What a serialized object's header declares (checked for consistency, not checksummed). */
export interface TfheSerializedHeader {
  readonly formatVersion: number;
  readonly type: 'ciphertexts' | 'client-key' | 'evaluation-keys' | 'compressed-evaluation-keys';
  readonly libraryVersion: string;
  readonly keySetId: string;
  /** SHA-256 of the parameter block, 64 hex digits. */
  readonly fingerprint: string;
  readonly totalBytes: number;
}

export interface TfheLoadedKey {
  readonly handle: TfheKeyHandle;
  readonly keySetId: string;
  readonly fingerprint: string;
}

/** The functions the addon exports; each validates its arguments and throws TypeError/RangeError. */
export interface NativeAddon {
  capabilities(): Capabilities;
  setThreads(threads: number): void;
  // TFHE (native/addon/tfhe_binding.cc). Ciphertext batches are BigUint64Arrays of
  // count * (lweDimension + 1) words; keys are opaque handles, wiped by tfheFreeKey or the GC.
  /** Client key and evaluation keys from OS randomness. */
  tfheGenerateKeys(parameters: TfheNativeParameters): Promise<[clientKey: TfheKeyHandle, evaluationKeys: TfheKeyHandle]>;
  /** Releases and wipes the keys now; the handle is unusable afterwards. */
  tfheFreeKey(key: TfheKeyHandle): void;
  tfheKeyInfo(key: TfheKeyHandle): TfheKeyInfo;
  /** Encrypts messages in [-2^p, 2^p) under the big key (dimension k*N); 1 <= p <= 31. */
  tfheEncrypt(clientKey: TfheKeyHandle, messages: Int32Array, count: number, precision: number): BigUint64Array;
  /** (p+1)-bit signed messages in [-2^p, 2^p); 1 <= p <= 31. */
  tfheDecrypt(clientKey: TfheKeyHandle, ciphertexts: BigUint64Array, count: number, precision: number): Int32Array;
  /** Raw phases (plaintext + noise) under the big (k*N) or small (n) key, chosen by lweDimension. */
  tfheDecryptPhases(clientKey: TfheKeyHandle, ciphertexts: BigUint64Array, count: number, lweDimension: number): BigUint64Array;
  /**
   * KS-PBS of each (input, table) pair in `jobs` (an Int32Array of pairs), or of every input
   * through every table (input-major) when jobs is null. Inputs are read at `precision`
   * (2^(precision+1) <= N); tables: tableCount * 2^precision entries in
   * [-2^outputPrecision, 2^outputPrecision), encoded in the outputs at outputPrecision (1..31).
   */
  tfheLookup(
    evaluationKeys: TfheKeyHandle,
    ciphertexts: BigUint64Array,
    count: number,
    tables: Int32Array,
    tableCount: number,
    precision: number,
    jobs: Int32Array | null,
    outputPrecision: number,
  ): Promise<BigUint64Array>;
  /** Keyswitched copies under the small key (n + 1 words each). */
  tfheKeyswitch(evaluationKeys: TfheKeyHandle, ciphertexts: BigUint64Array, count: number): Promise<BigUint64Array>;
  tfheAdd(a: BigUint64Array, b: BigUint64Array, count: number, lweDimension: number): BigUint64Array;
  tfheSubtract(a: BigUint64Array, b: BigUint64Array, count: number, lweDimension: number): BigUint64Array;
  tfheNegate(a: BigUint64Array, count: number, lweDimension: number): BigUint64Array;
  tfheMultiplyByIntegers(a: BigUint64Array, count: number, lweDimension: number, factors: Int32Array): BigUint64Array;
  tfheAddConstants(
    a: BigUint64Array,
    count: number,
    lweDimension: number,
    constants: Int32Array,
    precision: number,
  ): BigUint64Array;
  /** out[o] = sum_i weights[o * count + i] * a[i], for o < outputCount. */
  tfheDotProduct(
    a: BigUint64Array,
    count: number,
    lweDimension: number,
    weights: Int32Array,
    outputCount: number,
  ): Promise<BigUint64Array>;
  // Serialization (native/tfhe/serialization). Loads reject bad data with an Error whose
  // `code` is ERR_TFHE_*; bad arguments with TypeError/RangeError.
  /** SHA-256 of the canonical parameter block, 64 hex digits. */
  tfheParameterFingerprint(parameters: TfheNativeParameters): string;
  /** A client key alone, with a fresh key set id. */
  tfheGenerateClientKey(parameters: TfheNativeParameters): Promise<TfheKeyHandle>;
  /** Evaluation keys whose masks come from one public seed (a 'compressed-evaluation' handle). */
  tfheGenerateCompressedEvaluationKeys(clientKey: TfheKeyHandle): Promise<TfheKeyHandle>;
  /** The usable (Fourier-domain) evaluation keys of a compressed handle. */
  tfheDecompressEvaluationKeys(compressed: TfheKeyHandle): Promise<TfheKeyHandle>;
  /** A batch under any key's big (k*N) or small (n) key, tagged with its parameters and key set. */
  tfheSerializeCiphertexts(
    key: TfheKeyHandle,
    ciphertexts: BigUint64Array,
    count: number,
    lweDimension: number,
    precision: number,
  ): Uint8Array;
  /** The SECRET key; includeSecretKey must be true. */
  tfheSerializeClientKey(clientKey: TfheKeyHandle, includeSecretKey: true): Uint8Array;
  /** From a compressed handle: compressed (seed + bodies) or with every mask expanded. */
  tfheSerializeEvaluationKeys(compressed: TfheKeyHandle, compressedForm: boolean): Promise<Uint8Array>;
  tfheReadHeader(bytes: Uint8Array): TfheSerializedHeader;
  tfheDeserializeCiphertexts(
    bytes: Uint8Array,
    options: TfheLoadOptions,
  ): {
    readonly data: BigUint64Array;
    readonly count: number;
    readonly lweDimension: number;
    readonly precision: number;
    readonly keySetId: string;
    readonly fingerprint: string;
  };
  tfheDeserializeClientKey(bytes: Uint8Array, options: TfheLoadOptions): Promise<TfheLoadedKey>;
  /** Either evaluation-key form, loaded to Fourier-domain keys. */
  tfheDeserializeEvaluationKeys(
    bytes: Uint8Array,
    options: TfheLoadOptions,
  ): Promise<TfheLoadedKey & { readonly compressed: boolean }>;
  /**
   * Microseconds of processor time (the process's, so run it alone) per forward / backward
   * negacyclic FFT of this size, with the kernels in use; roundTripsExact: every timed backward
   * transform gave its input polynomial back exactly.
   */
  tfheMeasureFourier(
    polynomialSize: number,
    repetitions: number,
  ): Promise<{
    readonly forwardMicroseconds: number;
    readonly backwardMicroseconds: number;
    readonly roundTripsExact: boolean;
  }>;
  /** out[m x n] = a[m x k] @ b[k x n] (row-major) with exact int64 accumulators. */
  integerMatmul(a: Int32Array, b: Int32Array, m: number, k: number, n: number): Promise<BigInt64Array>;
  /**
   * 2-D convolution of input [N, C, H, W] (padded with padValue) by weights [O, C / group, kh, kw],
   * exact int64 output [N, O, H', W']. pads = [top, left, bottom, right] (ONNX order).
   */
  integerConv2d(
    input: Int32Array,
    inputShape: readonly number[],
    weights: Int32Array,
    weightShape: readonly number[],
    group: number,
    strides: readonly number[],
    pads: readonly number[],
    dilations: readonly number[],
    padValue: number,
  ): Promise<BigInt64Array>;
  /**
   * Float 2-D convolution, same shape arguments as integerConv2d (zero padding): products summed
   * in float64, bias added, rounded to float32 once. Synchronous (the float interpreter is).
   */
  floatConv2d(
    input: Float32Array,
    inputShape: readonly number[],
    weights: Float32Array,
    weightShape: readonly number[],
    group: number,
    strides: readonly number[],
    pads: readonly number[],
    dilations: readonly number[],
    bias: Float32Array | null,
  ): Float32Array;
  /** Window sums [N, C, H', W'] of input [N, C, H, W]; taps outside the input read padValue. */
  integerSumPool2d(
    input: Int32Array,
    inputShape: readonly number[],
    kernelShape: readonly number[],
    strides: readonly number[],
    pads: readonly number[],
    dilations: readonly number[],
    ceilMode: boolean,
    padValue: number,
  ): Promise<BigInt64Array>;
  /** Window maxima [N, C, H', W'] of input [N, C, H, W]; taps outside the input read padValue. */
  integerMaxPool2d(
    input: Int32Array,
    inputShape: readonly number[],
    kernelShape: readonly number[],
    strides: readonly number[],
    pads: readonly number[],
    dilations: readonly number[],
    ceilMode: boolean,
    padValue: number,
  ): Promise<Int32Array>;
}

const packageRoot = path.join(__dirname, '..');

function loadAddon(): NativeAddon {
  try {
    // node-gyp-build picks build/Release (a local source build) or a matching prebuilt binary
    // in prebuilds/<platform>-<arch>/; PREBUILDS_ONLY=1 skips the local build.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const load = require('node-gyp-build') as (dir: string) => unknown;
    return load(packageRoot) as NativeAddon;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `cipherquant: could not load its native addon for ${process.platform}-${process.arch} ` +
        `(Node ${process.version}, N-API ${process.versions.napi}).\n` +
        `  reason: ${reason}\n` +
        `  No prebuilt binary matched and no source build was found in ${path.join(packageRoot, 'build')}.\n` +
        `  Fix: run \`npm rebuild cipherquant\` with a C++17 compiler, make and Python 3 installed ` +
        `(node-gyp builds it from binding.gyp), or use a platform with prebuilt binaries (linux-x64).`,
      { cause: error },
    );
  }
}

export const native: NativeAddon = loadAddon();
