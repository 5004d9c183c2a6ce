// Plain TypeScript versions of the native integer kernels (same signatures as native.integerMatmul,
// integerConv2d, integerSumPool2d, integerMaxPool2d), for benchmarks that run a whole
// QuantizedModule on either: float64 accumulators, exact while |sums| stay below 2^53 (checked).
import { native } from '../../lib/native';

type NativeKernels = Pick<typeof native, 'integerMatmul' | 'integerConv2d' | 'integerSumPool2d' | 'integerMaxPool2d'>;

function maxAbs(values: Int32Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  return max;
}

function checkExact(what: string, bound: number): void {
  if (bound >= 2 ** 53) throw new RangeError(`typescript ${what}: sums may reach ${bound}, beyond float64's exact integers`);
}

/** Exact integers below 2^53 as int64, written as two 32-bit words (no BigInt per element). */
function toInt64(values: Float64Array): BigInt64Array {
  const out = new BigInt64Array(values.length);
  const words = new Int32Array(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const high = Math.floor(values[i] / 2 ** 32);
    words[2 * i] = values[i] - high * 2 ** 32; // low word; the store wraps it to int32
    words[2 * i + 1] = high;
  }
  return out;
}

function matmul(a: Int32Array, b: Int32Array, m: number, k: number, n: number): Float64Array {
  checkExact('integerMatmul', maxAbs(a) * maxAbs(b) * k);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p];
      for (let j = 0; j < n; j++) out[i * n + j] += x * b[p * n + j];
    }
  }
  return out;
}

interface Window {
  outH: number;
  outW: number;
  inputIndex: (axis: 0 | 1, position: number, tap: number) => number;
}

function window2d(height: number, width: number, kernel: readonly number[], strides: readonly number[], pads: readonly number[], dilations: readonly number[], ceilMode: boolean): Window {
  const length = (input: number, axis: 0 | 1) => {
    const span = input + pads[axis] + pads[axis + 2] - dilations[axis] * (kernel[axis] - 1) - 1;
    if (!ceilMode) return Math.floor(span / strides[axis]) + 1;
    let out = Math.ceil(span / strides[axis]) + 1;
    if ((out - 1) * strides[axis] >= input + pads[axis]) out--;
    return out;
  };
  return {
    outH: length(height, 0),
    outW: length(width, 1),
    inputIndex: (axis, position, tap) => position * strides[axis] + tap * dilations[axis] - pads[axis],
  };
}

function conv2d(input: Int32Array, inputShape: readonly number[], weights: Int32Array, weightShape: readonly number[], group: number,
  strides: readonly number[], pads: readonly number[], dilations: readonly number[], padValue: number): Float64Array {
  const [batch, channels, height, width] = inputShape;
  const [outChannels, groupChannels, kh, kw] = weightShape;
  checkExact('integerConv2d', Math.max(maxAbs(input), Math.abs(padValue)) * maxAbs(weights) * groupChannels * kh * kw);
  const win = window2d(height, width, [kh, kw], strides, pads, dilations, false);
  const out = new Float64Array(batch * outChannels * win.outH * win.outW);
  const perGroup = outChannels / group;
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outChannels; o++) {
      const plane = (n * outChannels + o) * win.outH * win.outW;
      const g = Math.floor(o / perGroup);
      for (let c = 0; c < groupChannels; c++) {
        const image = (n * channels + g * groupChannels + c) * height * width;
        for (let u = 0; u < kh; u++) {
          for (let v = 0; v < kw; v++) {
            const weight = weights[((o * groupChannels + c) * kh + u) * kw + v];
            for (let i = 0; i < win.outH; i++) {
              const y = win.inputIndex(0, i, u);
              for (let j = 0; j < win.outW; j++) {
                const z = win.inputIndex(1, j, v);
                const value = y < 0 || y >= height || z < 0 || z >= width ? padValue : input[image + y * width + z];
                out[plane + i * win.outW + j] += weight * value;
              }
            }
          }
        }
      }
    }
  }
  return out;
}

function pool2d(reduce: 'sum' | 'max', input: Int32Array, inputShape: readonly number[], kernel: readonly number[], strides: readonly number[],
  pads: readonly number[], dilations: readonly number[], ceilMode: boolean, padValue: number): Float64Array {
  const [batch, channels, height, width] = inputShape;
  const win = window2d(height, width, kernel, strides, pads, dilations, ceilMode);
  const out = new Float64Array(batch * channels * win.outH * win.outW);
  let at = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    for (let i = 0; i < win.outH; i++) {
      for (let j = 0; j < win.outW; j++) {
        let acc = reduce === 'sum' ? 0 : -Infinity;
        for (let u = 0; u < kernel[0]; u++) {
          const y = win.inputIndex(0, i, u);
          for (let v = 0; v < kernel[1]; v++) {
            const z = win.inputIndex(1, j, v);
            const value = y < 0 || y >= height || z < 0 || z >= width ? padValue : input[(plane * height + y) * width + z];
            acc = reduce === 'sum' ? acc + value : Math.max(acc, value);
          }
        }
        out[at++] = acc;
      }
    }
  }
  return out;
}

const TYPESCRIPT_KERNELS: NativeKernels = {
  integerMatmul: async (a, b, m, k, n) => toInt64(matmul(a, b, m, k, n)),
  integerConv2d: async (...args) => toInt64(conv2d(...args)),
  integerSumPool2d: async (...args) => toInt64(pool2d('sum', ...args)),
  integerMaxPool2d: async (...args) => Int32Array.from(pool2d('max', ...args)),
};

/** Runs `action` with the native integer kernels replaced by the TypeScript loops above. */
export async function withTypeScriptKernels<T>(action: () => Promise<T>): Promise<T> {
  const saved: NativeKernels = {
    integerMatmul: native.integerMatmul,
    integerConv2d: native.integerConv2d,
    integerSumPool2d: native.integerSumPool2d,
    integerMaxPool2d: native.integerMaxPool2d,
  };
  Object.assign(native, TYPESCRIPT_KERNELS);
  try {
    return await action();
  } finally {
    Object.assign(native, saved);
  }
}
