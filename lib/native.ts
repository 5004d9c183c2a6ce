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

/** The functions the addon exports; each validates its arguments and throws TypeError/RangeError. */
export interface NativeAddon {
  capabilities(): Capabilities;
  setThreads(threads: number): void;
  /** out[m x n] = a[m x k] @ b[k x n] (row-major) with exact int64 accumulators. */
  integerMatmul(a: Int32Array, b: Int32Array, m: number, k: number, n: number): Promise<BigInt64Array>;
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
