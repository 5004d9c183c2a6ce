// 2-D convolution and sum pooling of a per-sample [C, H, W] tensor as linear maps: each output
// is a dot product over its receptive field (im2col without the copy); taps that fall in the
// padding read the clear pad value, folded into the row's constant.

import type { ConvOptions, PoolOptions } from '../../kernels';
import { LinearMapBuilder, type LinearMap } from './linear-map';
import { formatShape, type Shape } from './shapes';

/** Conv and pooling attributes are the clear kernels' own (ONNX order, padValue for padding taps). */
export type Conv2dOptions = ConvOptions;
export type SumPool2dOptions = PoolOptions;

interface Window {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly pads: readonly number[];
  readonly dilations: readonly number[];
}

function positiveIntegers(values: readonly number[], count: number, name: string, what: string, allowZero = false): readonly number[] {
  if (values.length !== count || values.some((v) => !Number.isInteger(v) || v < (allowZero ? 0 : 1))) {
    throw new RangeError(`${what}: ${name} must be ${count} ${allowZero ? 'non-negative' : 'positive'} integers, got ${JSON.stringify(values)}`);
  }
  return values;
}

function outputSize(size: number, window: Window, axis: 0 | 1, ceilMode: boolean): number {
  const span = window.dilations[axis] * (window.kernel[axis] - 1) + 1;
  const padded = size + window.pads[axis] + window.pads[axis + 2];
  const steps = (padded - span) / window.strides[axis];
  let count = (ceilMode ? Math.ceil(steps) : Math.floor(steps)) + 1;
  // ONNX: with ceil_mode, a last window that would start past the input and its leading pad is dropped.
  if (ceilMode && (count - 1) * window.strides[axis] >= size + window.pads[axis]) count--;
  return count;
}

function outputShape(inputShape: Shape, window: Window, ceilMode: boolean, what: string): [number, number] {
  const oh = outputSize(inputShape[1], window, 0, ceilMode);
  const ow = outputSize(inputShape[2], window, 1, ceilMode);
  if (oh < 1 || ow < 1) {
    throw new RangeError(`${what}: a ${window.kernel.join('x')} window does not fit input ${formatShape(inputShape)} with pads ${JSON.stringify(window.pads)}`);
  }
  return [oh, ow];
}

/**
 * Visits the taps of output position (oy, ox): the flat input offset within one channel plane,
 * or -1 for a padding tap.
 */
function forEachTap(inputShape: Shape, window: Window, oy: number, ox: number, visit: (ky: number, kx: number, at: number) => void): void {
  const [, height, width] = inputShape;
  for (let ky = 0; ky < window.kernel[0]; ky++) {
    const iy = oy * window.strides[0] - window.pads[0] + ky * window.dilations[0];
    for (let kx = 0; kx < window.kernel[1]; kx++) {
      const ix = ox * window.strides[1] - window.pads[1] + kx * window.dilations[1];
      visit(ky, kx, iy < 0 || iy >= height || ix < 0 || ix >= width ? -1 : iy * width + ix);
    }
  }
}

function poolWindow(options: SumPool2dOptions, what: string): Window {
  return {
    kernel: positiveIntegers(options.kernelShape, 2, 'kernelShape', what),
    strides: positiveIntegers(options.strides ?? [1, 1], 2, 'strides', what),
    pads: positiveIntegers(options.pads ?? [0, 0, 0, 0], 4, 'pads', what, true),
    dilations: positiveIntegers(options.dilations ?? [1, 1], 2, 'dilations', what),
  };
}

function checkInput(inputShape: Shape, what: string): void {
  if (inputShape.length !== 3) {
    throw new RangeError(`${what}: expects a per-sample [C, H, W] input, got ${formatShape(inputShape)} (reshape 1-D inputs to [C, 1, L])`);
  }
}

/** conv(x, W) with W of shape [O, C / group, kh, kw]; output [O, H', W']. */
export function conv2dMap(inputShape: Shape, weights: Int32Array, weightShape: Shape, options: Conv2dOptions, what: string): {
  readonly map: LinearMap;
  readonly shape: Shape;
} {
  checkInput(inputShape, what);
  if (weightShape.length !== 4 || weights.length !== weightShape.reduce((a, b) => a * b, 1)) {
    throw new RangeError(`${what}: weights must be [O, C / group, kh, kw] with matching data, got shape ${formatShape(weightShape)} and ${weights.length} values`);
  }
  const [outChannels, groupChannels, kh, kw] = weightShape;
  const group = options.group ?? 1;
  const [channels, height, width] = inputShape;
  if (!Number.isInteger(group) || group < 1 || channels !== groupChannels * group || outChannels % group !== 0) {
    throw new RangeError(`${what}: input has ${channels} channels and weights ${formatShape(weightShape)} with group ${group}: need C = ${groupChannels} * group and O divisible by group`);
  }
  const window: Window = {
    kernel: [kh, kw],
    strides: positiveIntegers(options.strides ?? [1, 1], 2, 'strides', what),
    pads: positiveIntegers(options.pads ?? [0, 0, 0, 0], 4, 'pads', what, true),
    dilations: positiveIntegers(options.dilations ?? [1, 1], 2, 'dilations', what),
  };
  const padValue = options.padValue ?? 0;
  const [oh, ow] = outputShape(inputShape, window, false, what);
  const plane = height * width;
  const outPerGroup = outChannels / group;
  const builder = new LinearMapBuilder(channels * plane, what);
  for (let o = 0; o < outChannels; o++) {
    const firstChannel = Math.floor(o / outPerGroup) * groupChannels;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ci = 0; ci < groupChannels; ci++) {
          const base = ((o * groupChannels + ci) * kh) * kw;
          forEachTap(inputShape, window, oy, ox, (ky, kx, at) => {
            const w = weights[base + ky * kw + kx];
            if (at < 0) builder.addConstant(w * padValue);
            else builder.term((firstChannel + ci) * plane + at, w);
          });
        }
        builder.endRow();
      }
    }
  }
  return { map: builder.build(), shape: [outChannels, oh, ow] };
}

/** Window sums per channel (AveragePool before its division, count_include_pad = 1); output [C, H', W']. */
export function sumPool2dMap(inputShape: Shape, options: SumPool2dOptions, what: string): { readonly map: LinearMap; readonly shape: Shape } {
  checkInput(inputShape, what);
  const window = poolWindow(options, what);
  const padValue = options.padValue ?? 0;
  const [channels, height, width] = inputShape;
  const [oh, ow] = outputShape(inputShape, window, options.ceilMode ?? false, what);
  const plane = height * width;
  const builder = new LinearMapBuilder(channels * plane, what);
  for (let c = 0; c < channels; c++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        forEachTap(inputShape, window, oy, ox, (_ky, _kx, at) => {
          if (at < 0) builder.addConstant(padValue);
          else builder.term(c * plane + at, 1);
        });
        builder.endRow();
      }
    }
  }
  return { map: builder.build(), shape: [channels, oh, ow] };
}

/**
 * For max pooling: one index map per window tap (ky, kx), each of shape [C, H', W'], giving the
 * input element that tap reads at every output position (-1 in the padding).
 */
export function windowTapMaps(inputShape: Shape, options: SumPool2dOptions, what: string): { readonly maps: Int32Array[]; readonly shape: Shape } {
  checkInput(inputShape, what);
  const window = poolWindow(options, what);
  const [channels, height, width] = inputShape;
  const [oh, ow] = outputShape(inputShape, window, options.ceilMode ?? false, what);
  const taps = window.kernel[0] * window.kernel[1];
  const maps = Array.from({ length: taps }, () => new Int32Array(channels * oh * ow));
  for (let c = 0; c < channels; c++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const out = (c * oh + oy) * ow + ox;
        forEachTap(inputShape, window, oy, ox, (ky, kx, at) => {
          maps[ky * window.kernel[1] + kx][out] = at < 0 ? -1 : c * height * width + at;
        });
      }
    }
  }
  return { maps, shape: [channels, oh, ow] };
}
