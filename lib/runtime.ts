// Control of the native runtime: which kernels run and on how many threads.
import { type Capabilities, native } from './native';

export type { Capabilities };

/**
 * The native code paths in use: `simd` is 'avx2+fma' when the CPU supports it and
 * CIPHERQUANT_FORCE_SCALAR is not set, else 'scalar'; `threads` is the pool size.
 */
export function capabilities(): Capabilities {
  return native.capabilities();
}

/**
 * Sets the number of native threads (1..1024, the calling thread included). The default is
 * CIPHERQUANT_THREADS when set, else the hardware's thread count.
 */
export function setThreads(threads: number): void {
  native.setThreads(threads);
}
