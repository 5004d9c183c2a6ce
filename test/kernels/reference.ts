// The definitions of the integer kernels, one output at a time with BigInt sums, for the
// tests and the dispatch probe. 2-D layout: 1-D cases use height 1.

export interface ConvCase {
  readonly inputShape: readonly [number, number, number, number]; // N, C, H, W
  readonly weightShape: readonly [number, number, number, number]; // O, C / group, kh, kw
  readonly group: number;
  readonly strides: readonly [number, number];
  readonly pads: readonly [number, number, number, number]; // top, left, bottom, right
  readonly dilations: readonly [number, number];
  readonly padValue: number;
}

export interface PoolCase {
  readonly inputShape: readonly [number, number, number, number];
  readonly kernelShape: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly dilations: readonly [number, number];
  readonly ceilMode: boolean;
  readonly padValue: number;
}

/** Window positions along one axis (ONNX, with ceil mode dropping a window that starts in the end padding). */
export function windowCount(
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBegin: number,
  padEnd: number,
  ceilMode = false,
): number {
  const room = input + padBegin + padEnd - dilation * (kernel - 1) - 1;
  if (room < 0) return 0;
  let count = (ceilMode ? Math.ceil(room / stride) : Math.floor(room / stride)) + 1;
  if (ceilMode && (count - 1) * stride >= input + padBegin) count--;
  return count;
}

export function referenceConv(x: Int32Array, w: Int32Array, c: ConvCase): BigInt64Array {
  const [n, channels, height, width] = c.inputShape;
  const [outChannels, perGroup, kh, kw] = c.weightShape;
  const oh = windowCount(height, kh, c.strides[0], c.dilations[0], c.pads[0], c.pads[2]);
  const ow = windowCount(width, kw, c.strides[1], c.dilations[1], c.pads[1], c.pads[3]);
  const outPerGroup = outChannels / c.group;
  const out = new BigInt64Array(n * outChannels * oh * ow);
  let index = 0;
  for (let b = 0; b < n; b++)
    for (let o = 0; o < outChannels; o++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let sum = 0n;
          for (let ci = 0; ci < perGroup; ci++)
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const y = i * c.strides[0] + u * c.dilations[0] - c.pads[0];
                const z = j * c.strides[1] + v * c.dilations[1] - c.pads[1];
                const channel = Math.floor(o / outPerGroup) * perGroup + ci;
                const inside = y >= 0 && y < height && z >= 0 && z < width;
                const value = inside ? x[((b * channels + channel) * height + y) * width + z] : c.padValue;
                sum += BigInt(value) * BigInt(w[((o * perGroup + ci) * kh + u) * kw + v]);
              }
          out[index++] = sum;
        }
  return out;
}

// Every tap of every window, in output order: the input value or padValue outside the input.
function poolTaps(x: Int32Array, c: PoolCase, fold: (index: number, value: number) => void): number {
  const [n, channels, height, width] = c.inputShape;
  const [kh, kw] = c.kernelShape;
  const oh = windowCount(height, kh, c.strides[0], c.dilations[0], c.pads[0], c.pads[2], c.ceilMode);
  const ow = windowCount(width, kw, c.strides[1], c.dilations[1], c.pads[1], c.pads[3], c.ceilMode);
  let index = 0;
  for (let plane = 0; plane < n * channels; plane++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++, index++)
        for (let u = 0; u < kh; u++)
          for (let v = 0; v < kw; v++) {
            const y = i * c.strides[0] + u * c.dilations[0] - c.pads[0];
            const z = j * c.strides[1] + v * c.dilations[1] - c.pads[1];
            const inside = y >= 0 && y < height && z >= 0 && z < width;
            fold(index, inside ? x[(plane * height + y) * width + z] : c.padValue);
          }
  return index;
}

export function referenceSumPool(x: Int32Array, c: PoolCase): BigInt64Array {
  const sums: bigint[] = [];
  poolTaps(x, c, (i, v) => (sums[i] = (sums[i] ?? 0n) + BigInt(v)));
  return BigInt64Array.from(sums);
}

export function referenceMaxPool(x: Int32Array, c: PoolCase): Int32Array {
  const maxima: number[] = [];
  poolTaps(x, c, (i, v) => (maxima[i] = Math.max(maxima[i] ?? -Infinity, v)));
  return Int32Array.from(maxima);
}

/** Cases covering odd sizes, groups, strides, pads, dilations, 1-D, and both tile tails. */
export const CONV_CASES: readonly ConvCase[] = [
  { inputShape: [2, 3, 7, 5], weightShape: [5, 3, 3, 3], group: 1, strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], padValue: 3 },
  { inputShape: [1, 4, 11, 9], weightShape: [6, 4, 3, 2], group: 1, strides: [2, 3], pads: [0, 2, 1, 0], dilations: [1, 1], padValue: -7 },
  { inputShape: [1, 2, 10, 12], weightShape: [3, 2, 3, 3], group: 1, strides: [1, 1], pads: [2, 2, 2, 2], dilations: [2, 3], padValue: 128 },
  { inputShape: [2, 4, 6, 6], weightShape: [6, 2, 3, 3], group: 2, strides: [1, 2], pads: [1, 0, 1, 0], dilations: [1, 1], padValue: 0 },
  { inputShape: [1, 6, 9, 8], weightShape: [6, 1, 3, 3], group: 6, strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1], padValue: 5 },
  { inputShape: [3, 3, 1, 31], weightShape: [7, 3, 1, 5], group: 1, strides: [1, 2], pads: [0, 2, 0, 2], dilations: [1, 2], padValue: -1 },
  { inputShape: [1, 16, 20, 20], weightShape: [9, 16, 3, 3], group: 1, strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], padValue: 0 },
  { inputShape: [1, 32, 3, 3], weightShape: [37, 32, 3, 3], group: 1, strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], padValue: 2 },
];

export const POOL_CASES: readonly PoolCase[] = [
  { inputShape: [2, 3, 8, 8], kernelShape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1], ceilMode: false, padValue: 0 },
  { inputShape: [1, 4, 13, 19], kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1], ceilMode: false, padValue: 90 },
  { inputShape: [1, 2, 5, 41], kernelShape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], ceilMode: false, padValue: -90 },
  { inputShape: [2, 2, 7, 9], kernelShape: [3, 3], strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1], ceilMode: true, padValue: 77 },
  { inputShape: [1, 2, 10, 29], kernelShape: [2, 3], strides: [3, 3], pads: [0, 1, 0, 1], dilations: [1, 1], ceilMode: true, padValue: 1 },
  { inputShape: [1, 2, 12, 20], kernelShape: [3, 2], strides: [1, 2], pads: [2, 1, 2, 1], dilations: [2, 3], ceilMode: false, padValue: 60 },
  { inputShape: [3, 2, 1, 50], kernelShape: [1, 4], strides: [1, 2], pads: [0, 3, 0, 3], dilations: [1, 1], ceilMode: false, padValue: 99 },
];
