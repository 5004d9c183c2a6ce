// When float ops leave TypeScript for the native float kernel (native/kernels/float_conv.cc):
// float32 only, and only for layers large enough that the call pays for itself.
import { native } from '../../native';

// Below this many multiply-adds the TypeScript loop is as fast as the native call (which packs
// the weights and wakes the thread pool every time). Measured here, convTypeScript against
// convNative: a tie at 160-256 multiply-adds, native 7x faster at 2,600 (a batch-1 3x3 conv).
export const NATIVE_MIN_MACS = 1024;

export interface NativeConv2d {
  input: Float32Array;
  inputShape: readonly number[];
  weights: Float32Array;
  weightShape: readonly number[];
  group: number;
  strides: readonly number[];
  /** [top, left, bottom, right] */
  pads: readonly number[];
  dilations: readonly number[];
  bias: Float32Array | undefined;
}

export function nativeFloatConv2d(c: NativeConv2d): Float32Array {
  return native.floatConv2d(c.input, c.inputShape, c.weights, c.weightShape, c.group, c.strides, c.pads, c.dilations, c.bias ?? null);
}
