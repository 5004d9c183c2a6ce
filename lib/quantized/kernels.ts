// Integer kernels of the clear forward pass. Matmul runs on the native core (exact int64
// accumulators, AVX2 + scalar); Conv is im2col + that matmul; pools are direct loops. Inputs
// arrive already padded (Concrete ML pads with the zero point before it convolves), so the
// kernels take no pads. The 'typescript' backend runs everything in plain loops: it is the
// reference the perf test compares against and a fallback that needs no addon.
//
// When lib/kernels.ts (native conv / pool kernels) lands, only this file changes.

import { native } from '../native';
import { bigToFloat64 } from './integers';

export type KernelBackend = 'native' | 'typescript';
let backend: KernelBackend = 'native';

/** Chooses the kernels of every later forward pass; returns the previous choice. */
export function setKernelBackend(next: KernelBackend): KernelBackend {
  const previous = backend;
  backend = next;
  return previous;
}

/** out[m x n] = a[m x k] @ b[k x n], exact (accumulators held as float64 integers, < 2^53). */
export async function integerMatmul(a: Int32Array, b: Int32Array, m: number, k: number, n: number): Promise<Float64Array> {
  if (m === 0 || n === 0) return new Float64Array(m * n);
  if (backend === 'native' && k > 0) return bigToFloat64(await native.integerMatmul(a, b, m, k, n));
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      if (av === 0) continue;
      const row = i * n;
      const bRow = p * n;
      for (let j = 0; j < n; j++) out[row + j] += av * b[bRow + j];
    }
  }
  return out;
}

export interface Conv2dShape {
  /** [N, C, H, W] of the padded input. */
  readonly input: readonly number[];
  /** [O, C / group, kh, kw]. */
  readonly weights: readonly number[];
  readonly strides: readonly number[];
  readonly group: number;
}

export function conv2dOutputShape(shape: Conv2dShape): [number, number, number, number] {
  const [n, , h, w] = shape.input;
  const [o, , kh, kw] = shape.weights;
  return [n, o, Math.floor((h - kh) / shape.strides[0]) + 1, Math.floor((w - kw) / shape.strides[1]) + 1];
}

/** Convolution (no padding, dilation 1) as one matmul per group over im2col columns. */
export async function integerConv2d(input: Int32Array, weights: Int32Array, shape: Conv2dShape): Promise<Float64Array> {
  const [batch, channels, height, width] = shape.input;
  const [outChannels, groupChannels, kh, kw] = shape.weights;
  const [, , outH, outW] = conv2dOutputShape(shape);
  const [sh, sw] = shape.strides;
  const group = shape.group;
  const outPerGroup = outChannels / group;
  const k = groupChannels * kh * kw;
  const positions = batch * outH * outW;
  const out = new Float64Array(batch * outChannels * outH * outW);
  const columns = new Int32Array(k * positions);
  for (let g = 0; g < group; g++) {
    // columns[(c, i, j), (n, y, x)] = input[n, g*groupChannels + c, y*sh + i, x*sw + j]
    for (let c = 0; c < groupChannels; c++) {
      const channel = g * groupChannels + c;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const row = ((c * kh + i) * kw + j) * positions;
          let column = 0;
          for (let b = 0; b < batch; b++) {
            const plane = (b * channels + channel) * height * width;
            for (let y = 0; y < outH; y++) {
              const line = plane + (y * sh + i) * width + j;
              for (let x = 0; x < outW; x++) columns[row + column++] = input[line + x * sw];
            }
          }
        }
      }
    }
    const groupWeights = weights.subarray(g * outPerGroup * k, (g + 1) * outPerGroup * k);
    const product = await integerMatmul(groupWeights, columns, outPerGroup, k, positions);
    // product[o, (n, y, x)] -> out[n, g*outPerGroup + o, y, x]
    const plane = outH * outW;
    for (let o = 0; o < outPerGroup; o++) {
      for (let b = 0; b < batch; b++) {
        const from = o * positions + b * plane;
        const to = (b * outChannels + g * outPerGroup + o) * plane;
        out.set(product.subarray(from, from + plane), to);
      }
    }
  }
  return out;
}

export interface Pool2dShape {
  /** [N, C, H, W] of the padded input. */
  readonly input: readonly number[];
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
}

export function pool2dOutputShape(shape: Pool2dShape): [number, number, number, number] {
  const [n, c, h, w] = shape.input;
  const [kh, kw] = shape.kernel;
  return [n, c, Math.floor((h - kh) / shape.strides[0]) + 1, Math.floor((w - kw) / shape.strides[1]) + 1];
}

function pool2d(input: Int32Array, shape: Pool2dShape, initial: number, combine: (acc: number, v: number) => number): Float64Array {
  const [batch, channels, height, width] = shape.input;
  const [kh, kw] = shape.kernel;
  const [sh, sw] = shape.strides;
  const [, , outH, outW] = pool2dOutputShape(shape);
  const out = new Float64Array(batch * channels * outH * outW);
  let at = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * height * width;
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        let acc = initial;
        for (let i = 0; i < kh; i++) {
          const line = base + (y * sh + i) * width + x * sw;
          for (let j = 0; j < kw; j++) acc = combine(acc, input[line + j]);
        }
        out[at++] = acc;
      }
    }
  }
  return out;
}

/** Window sums per channel (AveragePool's numerator). */
export function integerSumPool2d(input: Int32Array, shape: Pool2dShape): Float64Array {
  return pool2d(input, shape, 0, (acc, v) => acc + v);
}

/** Window maxima per channel. */
export function integerMaxPool2d(input: Int32Array, shape: Pool2dShape): Float64Array {
  return pool2d(input, shape, -Infinity, (acc, v) => (v > acc ? v : acc));
}

/** Pads the spatial axes of an [N, C, H, W] tensor with `value`; pads = [top, left, bottom, right]. */
export function padSpatial(input: Int32Array, shape: readonly number[], pads: readonly number[], value: number): { data: Int32Array; shape: number[] } {
  const [batch, channels, height, width] = shape;
  const [top, left, bottom, right] = pads;
  if (top === 0 && left === 0 && bottom === 0 && right === 0) return { data: input, shape: [...shape] };
  const outH = height + top + bottom;
  const outW = width + left + right;
  const out = new Int32Array(batch * channels * outH * outW).fill(value);
  for (let plane = 0; plane < batch * channels; plane++) {
    for (let y = 0; y < height; y++) {
      const from = (plane * height + y) * width;
      out.set(input.subarray(from, from + width), (plane * outH + y + top) * outW + left);
    }
  }
  return { data: out, shape: [batch, channels, outH, outW] };
}
