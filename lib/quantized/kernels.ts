// Integer kernels of the clear forward pass, on the native core through lib/kernels.ts (exact
// int64 accumulators, AVX2 + scalar). Inputs arrive already padded (Concrete ML pads with the
// zero point before it convolves or pools), so these take no pads. Results are float64
// integers, exact below 2^53, which the quantized ops then rescale.

import * as kernels from '../kernels';
import { Tensor } from '../tensor';
import { bigToFloat64 } from './integers';

/** out[m x n] = a[m x k] @ b[k x n]. */
export async function integerMatmul(a: Int32Array, b: Int32Array, m: number, k: number, n: number): Promise<Float64Array> {
  const product = await kernels.integerMatmul(new Tensor(a, [m, k]), new Tensor(b, [k, n]));
  return bigToFloat64(product.data);
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
  const [n, c, h, w] = kernels.convOutputShape(shape.input, shape.weights, shape);
  return [n, c, h, w];
}

/** Convolution of the padded input (dilation 1). */
export async function integerConv2d(input: Int32Array, weights: Int32Array, shape: Conv2dShape): Promise<Float64Array> {
  const product = await kernels.integerConv(new Tensor(input, shape.input), new Tensor(weights, shape.weights), shape);
  return bigToFloat64(product.data);
}

export interface Pool2dShape {
  /** [N, C, H, W] of the padded input. */
  readonly input: readonly number[];
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
}

const poolOptions = (shape: Pool2dShape) => ({ kernelShape: shape.kernel, strides: shape.strides });

export function pool2dOutputShape(shape: Pool2dShape): [number, number, number, number] {
  const [n, c, h, w] = kernels.poolOutputShape(shape.input, poolOptions(shape));
  return [n, c, h, w];
}

/** Window sums per channel (AveragePool's numerator). */
export async function integerSumPool2d(input: Int32Array, shape: Pool2dShape): Promise<Float64Array> {
  return bigToFloat64((await kernels.integerSumPool(new Tensor(input, shape.input), poolOptions(shape))).data);
}

/** Window maxima per channel. */
export async function integerMaxPool2d(input: Int32Array, shape: Pool2dShape): Promise<Float64Array> {
  return Float64Array.from((await kernels.integerMaxPool(new Tensor(input, shape.input), poolOptions(shape))).data);
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
