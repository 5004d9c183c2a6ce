// AveragePool: window sums of the integers padded with the zero point (count_include_pad = 1),
// optionally rounded, then (sum / window - zp) * scale, which the next table lookup consumes.
// MaxPool: integer window maxima of the integers padded with the zero point.
//
// ceil_mode = 1 follows ONNX: ceil in the output size, minus any window that would start in the
// right padding. Its last windows run past the explicit padding; the points out there are not
// part of the window. AvgPool pads them with 0 and divides each window by its own count of
// points (input + explicit padding), as Concrete ML does; MaxPool repeats the last row / column,
// which every such window already holds, so its maximum is unchanged.

import { slidingWindow } from '../../onnx/ops/spatial';
import { Tensor } from '../../tensor';
import { attrInt, attrInts, attrString } from '../attributes';
import { conv2dOutputShape, integerConv2d, integerMaxPool2d, integerSumPool2d, padSpatial, pool2dOutputShape } from '../kernels';
import { int32Of } from '../integers';
import { QuantizedOp, type QImplOptions, quantizedInput, scalarZeroPoint } from '../op';
import type { OpValue } from '../value';

export interface PoolGeometry {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  /** Explicit pads [top, left, bottom, right], filled with the zero point. */
  readonly pads: readonly number[];
  /** ceil_mode: rows / columns past the explicit padding that the last windows reach, [bottom, right]. */
  readonly beyond: readonly [number, number];
  /** [outH, outW] */
  readonly output: readonly [number, number];
}

/** Window geometry of a 2-D pool over an [N, C, H, W] input, ceil_mode included. */
export function poolGeometry(op: QuantizedOp, inputShape: readonly number[]): PoolGeometry {
  const kernel = attrInts(op.node, 'kernel_shape');
  if (kernel === undefined || kernel.length !== 2 || inputShape.length !== 4) {
    throw new RangeError(`${op.describe()}: only 2-D pooling of [N, C, H, W] inputs is supported`);
  }
  if (attrString(op.node, 'auto_pad', 'NOTSET') !== 'NOTSET') throw new RangeError(`${op.describe()}: auto_pad is not supported; give explicit pads`);
  const ceilMode = attrInt(op.node, 'ceil_mode', 0);
  if (ceilMode !== 0 && ceilMode !== 1) throw new RangeError(`${op.describe()}: ceil_mode must be 0 or 1, got ${ceilMode}`);
  const dilations = attrInts(op.node, 'dilations') ?? [1, 1];
  if (dilations.some((d) => d !== 1)) throw new RangeError(`${op.describe()}: dilations other than 1 are not supported`);
  const strides = attrInts(op.node, 'strides') ?? [1, 1];
  const pads = attrInts(op.node, 'pads') ?? [0, 0, 0, 0];
  const spatial = inputShape.slice(2);
  const [outH, outW] = slidingWindow(op.node, spatial, kernel, ceilMode === 1).outSpatial;
  const beyond = [outH, outW].map((out, d) => Math.max(0, (out - 1) * strides[d] + kernel[d] - (spatial[d] + pads[d] + pads[d + 2])));
  return { kernel, strides, pads, beyond: [beyond[0], beyond[1]], output: [outH, outW] };
}

/** The kernels' [N, C, outH, outW] on the padded input, which must be the geometry's output. */
function outputShape(op: QuantizedOp, geometry: PoolGeometry, padded: readonly number[]): number[] {
  const shape = pool2dOutputShape({ input: padded, kernel: geometry.kernel, strides: geometry.strides });
  if (shape[2] !== geometry.output[0] || shape[3] !== geometry.output[1]) {
    throw new RangeError(`${op.describe()}: pads [${geometry.pads.join(', ')}] hold whole windows of padding, which ceil_mode drops and floor mode keeps; use pads smaller than the kernel`);
  }
  return shape;
}

function hasBeyond(geometry: PoolGeometry): boolean {
  return geometry.beyond[0] > 0 || geometry.beyond[1] > 0;
}

/** Per output position (row-major [outH, outW]): how many of its points lie in the input or its explicit padding. */
export function windowCounts(geometry: PoolGeometry, inputShape: readonly number[]): Int32Array {
  const { kernel, strides, pads, output } = geometry;
  const limits = [inputShape[2] + pads[0] + pads[2], inputShape[3] + pads[1] + pads[3]];
  const covered = (d: number, index: number) => Math.min(kernel[d], limits[d] - index * strides[d]);
  const counts = new Int32Array(output[0] * output[1]);
  for (let i = 0; i < output[0]; i++) for (let j = 0; j < output[1]; j++) counts[i * output[1] + j] = covered(0, i) * covered(1, j);
  return counts;
}

/** Repeats the last row and column `beyond` times (MaxPool's ceil_mode windows). */
function repeatEdges(data: Int32Array, shape: readonly number[], beyond: readonly [number, number]): { data: Int32Array; shape: number[] } {
  const [batch, channels, height, width] = shape;
  const [outH, outW] = [height + beyond[0], width + beyond[1]];
  const out = new Int32Array(batch * channels * outH * outW);
  for (let plane = 0; plane < batch * channels; plane++) {
    for (let y = 0; y < outH; y++) {
      const from = (plane * height + Math.min(y, height - 1)) * width;
      for (let x = 0; x < outW; x++) out[(plane * outH + y) * outW + x] = data[from + Math.min(x, width - 1)];
    }
  }
  return { data: out, shape: [batch, channels, outH, outW] };
}

export class QuantizedAvgPool extends QuantizedOp {
  static override readonly isMixing = true;

  override canFuse(): boolean {
    return false;
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[], options: QImplOptions = {}): Promise<OpValue> {
    const prepared = this.prepareInputs(inputs, 'quantize');
    const x = quantizedInput(this, prepared, 0, 'input');
    if (attrInt(this.node, 'count_include_pad', 0) !== 1) {
      // Concrete ML refuses it too: the divisor would vary near the edges.
      throw new RangeError(`${this.describe()}: count_include_pad must be 1`);
    }
    const geometry = poolGeometry(this, x.shape);
    const { kernel, strides, pads, beyond } = geometry;
    const zp = scalarZeroPoint(this, x, 'input');
    let padded = padSpatial(int32Of(x.qvalues), x.shape, pads, Math.trunc(zp));
    if (hasBeyond(geometry)) padded = padSpatial(padded.data, padded.shape, [0, 0, beyond[0], beyond[1]], 0);
    const shape = { input: padded.shape, kernel, strides };
    const sums = this.roundAccumulator(await integerSumPool2d(padded.data, shape), options.calibrateRounding ?? false, 'single_rounding_op');
    this.recordLookupInput('accumulator', sums, this.lsbsRemoved('single_rounding_op'));
    // Concrete ML multiplies by 1 / count (not a division): the same float64 steps
    const normalization = hasBeyond(geometry) ? Float64Array.from(windowCounts(geometry, x.shape), (count) => 1 / count) : Float64Array.of(1 / (kernel[0] * kernel[1]));
    const out = new Float64Array(sums.length);
    for (let i = 0; i < sums.length; i++) out[i] = (sums[i] * normalization[i % normalization.length] - zp) * x.quantizer.scale;
    return this.prepareOutput(new Tensor(out, outputShape(this, geometry, padded.shape)));
  }
}

export class QuantizedMaxPool extends QuantizedOp {
  override canFuse(): boolean {
    return false;
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[]): Promise<OpValue> {
    const prepared = this.prepareInputs(inputs, 'quantize');
    const x = quantizedInput(this, prepared, 0, 'input');
    const geometry = poolGeometry(this, x.shape);
    const { kernel, strides, pads, beyond } = geometry;
    const zp = scalarZeroPoint(this, x, 'input');
    let padded = padSpatial(int32Of(x.qvalues), x.shape, pads, zp);
    if (hasBeyond(geometry)) padded = repeatEdges(padded.data, padded.shape, beyond);
    const shape = { input: padded.shape, kernel, strides };
    const maxima = await integerMaxPool2d(padded.data, shape);
    // Encrypted maxima are built from table lookups on pairwise differences of the window.
    this.recordDifferences(padded.data);
    const out = new Float64Array(maxima.length);
    for (let i = 0; i < maxima.length; i++) out[i] = (maxima[i] - zp) * x.quantizer.scale;
    return this.prepareOutput(new Tensor(out, outputShape(this, geometry, padded.shape)));
  }

  private recordDifferences(data: Int32Array): void {
    let min = Infinity;
    let max = -Infinity;
    for (const v of data) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    this.recordLookupInput('difference', [min - max, max - min]);
  }
}

/**
 * Unfold (torch.nn.Unfold as Concrete ML exports it): im2col of the integers padded with the
 * zero point, as a grouped convolution by one-hot kernels; output [N, C*kh*kw, L].
 */
export class QuantizedUnfold extends QuantizedOp {
  static override readonly isMixing = true;

  override canFuse(): boolean {
    return false;
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[]): Promise<OpValue> {
    const prepared = this.prepareInputs(inputs, 'quantize');
    const x = quantizedInput(this, prepared, 0, 'input');
    const kernel = attrInts(this.node, 'kernel_shape');
    if (kernel === undefined || kernel.length !== 2 || x.shape.length !== 4) throw new RangeError(`${this.describe()}: only 2-D Unfold of [N, C, H, W] inputs is supported`);
    const strides = attrInts(this.node, 'strides') ?? [1, 1];
    const pads = attrInts(this.node, 'pads') ?? [0, 0, 0, 0];
    const zp = scalarZeroPoint(this, x, 'input');
    const channels = x.shape[1];
    const taps = kernel[0] * kernel[1];
    const padded = padSpatial(int32Of(x.qvalues), x.shape, pads, Math.trunc(zp));
    // one output channel per (channel, tap): a kernel with a single 1 at that tap
    const weights = new Int32Array(channels * taps * taps);
    for (let c = 0; c < channels; c++) for (let tap = 0; tap < taps; tap++) weights[(c * taps + tap) * taps + tap] = 1;
    const shape = { input: padded.shape, weights: [channels * taps, 1, kernel[0], kernel[1]], strides, group: channels };
    const columns = await integerConv2d(padded.data, weights, shape);
    const [batch, outChannels, outH, outW] = conv2dOutputShape(shape);
    const out = new Float64Array(columns.length);
    for (let i = 0; i < columns.length; i++) out[i] = (columns[i] - zp) * x.quantizer.scale;
    return this.prepareOutput(new Tensor(out, [batch, outChannels, outH * outW]));
  }
}
