// AveragePool: window sums of the integers padded with the zero point (count_include_pad = 1),
// optionally rounded, then (sum / window - zp) * scale, which the next table lookup consumes.
// MaxPool: integer window maxima of the integers padded with the zero point.

import { Tensor } from '../../tensor';
import { attrInt, attrInts, attrString } from '../attributes';
import { conv2dOutputShape, integerConv2d, integerMaxPool2d, integerSumPool2d, padSpatial, pool2dOutputShape } from '../kernels';
import { int32Of } from '../integers';
import { QuantizedOp, type QImplOptions, quantizedInput, scalarZeroPoint } from '../op';
import type { OpValue, QuantizedValue } from '../value';

interface PoolAttributes {
  kernel: number[];
  strides: number[];
  pads: number[];
}

function poolAttributes(op: QuantizedOp, x: QuantizedValue): PoolAttributes {
  const kernel = attrInts(op.node, 'kernel_shape');
  if (kernel === undefined || kernel.length !== 2 || x.shape.length !== 4) {
    throw new RangeError(`${op.describe()}: only 2-D pooling of [N, C, H, W] inputs is supported`);
  }
  if (attrString(op.node, 'auto_pad', 'NOTSET') !== 'NOTSET') throw new RangeError(`${op.describe()}: auto_pad is not supported; give explicit pads`);
  if (attrInt(op.node, 'ceil_mode', 0) !== 0) throw new RangeError(`${op.describe()}: ceil_mode = 1 is not supported`);
  const dilations = attrInts(op.node, 'dilations') ?? [1, 1];
  if (dilations.some((d) => d !== 1)) throw new RangeError(`${op.describe()}: dilations other than 1 are not supported`);
  return { kernel, strides: attrInts(op.node, 'strides') ?? [1, 1], pads: attrInts(op.node, 'pads') ?? [0, 0, 0, 0] };
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
    const { kernel, strides, pads } = poolAttributes(this, x);
    const zp = scalarZeroPoint(this, x, 'input');
    const padded = padSpatial(int32Of(x.qvalues), x.shape, pads, Math.trunc(zp));
    const shape = { input: padded.shape, kernel, strides };
    const sums = this.roundAccumulator(await integerSumPool2d(padded.data, shape), options.calibrateRounding ?? false, 'single_rounding_op');
    this.recordLookupInput('accumulator', sums, this.lsbsRemoved('single_rounding_op'));
    const normalization = 1 / (kernel[0] * kernel[1]);
    const out = new Float64Array(sums.length);
    for (let i = 0; i < sums.length; i++) out[i] = (sums[i] * normalization - zp) * x.quantizer.scale;
    return this.prepareOutput(new Tensor(out, pool2dOutputShape(shape)));
  }
}

export class QuantizedMaxPool extends QuantizedOp {
  override canFuse(): boolean {
    return false;
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[]): Promise<OpValue> {
    const prepared = this.prepareInputs(inputs, 'quantize');
    const x = quantizedInput(this, prepared, 0, 'input');
    const { kernel, strides, pads } = poolAttributes(this, x);
    const zp = scalarZeroPoint(this, x, 'input');
    const padded = padSpatial(int32Of(x.qvalues), x.shape, pads, zp);
    const shape = { input: padded.shape, kernel, strides };
    const maxima = await integerMaxPool2d(padded.data, shape);
    // Encrypted maxima are built from table lookups on pairwise differences of the window.
    this.recordDifferences(padded.data);
    const out = new Float64Array(maxima.length);
    for (let i = 0; i < maxima.length; i++) out[i] = (maxima[i] - zp) * x.quantizer.scale;
    return this.prepareOutput(new Tensor(out, pool2dOutputShape(shape)));
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
