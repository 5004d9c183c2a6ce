// Conv on integers (1-D as 2-D, dilation 1): the input is padded with its zero point, then
//   acc = conv(qx, qw) - zw * conv(qx, ones)                       (encrypted; rounded if asked)
//   out = sx*sw * (acc + nw*zx*zw - zx*sum(qw[o])) + bias[o]       per output channel o
// As a graph output: acc with scale sx*sw and per-channel zero point zx*sum(qw[o]) - nw*zx*zw - bias/(sx*sw).
// Per-channel QDQ weights (weights.ts) make sw and zw per output channel; a graph output with
// per-channel scales is requantized to the output quantizer instead.

import { Tensor } from '../../tensor';
import { attrInt, attrInts } from '../attributes';
import { conv2dOutputShape, integerConv2d, padSpatial } from '../kernels';
import { int32Of, toInt32Tensor } from '../integers';
import { QuantizedOp, type QImplOptions, quantizedInput, scalarZeroPoint } from '../op';
import { type OpValue, QuantizedValue } from '../value';
import { weightChannels } from '../weights';
import { biasOverScale } from './gemm';

export class QuantizedConv extends QuantizedOp {
  static override readonly isMixing = true;
  static override readonly perChannelWeightsInput = 1;

  override canFuse(): boolean {
    return false;
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[], options: QImplOptions = {}): Promise<OpValue> {
    const prepared = this.prepareInputs(inputs, 'quantize');
    const x = quantizedInput(this, prepared, 0, 'input');
    const w = weightChannels(this, prepared, 1, 0, 'weights');
    const bias = prepared[2] instanceof QuantizedValue ? prepared[2] : undefined;
    const spatial = w.shape.length - 2;
    if (spatial !== 1 && spatial !== 2) throw new RangeError(`${this.describe()}: only 1-D and 2-D convolutions are supported, got ${spatial}-D`);
    const dilations = attrInts(this.node, 'dilations') ?? new Array(spatial).fill(1);
    if (dilations.some((d) => d !== 1)) throw new RangeError(`${this.describe()}: dilation ${dilations.join('x')} is not supported (Concrete supports 1 only)`);
    if (attrInts(this.node, 'pads') === undefined && (this.node.attributes.get('auto_pad') ?? null) !== null) {
      throw new RangeError(`${this.describe()}: auto_pad is not supported; give explicit pads`);
    }
    const group = attrInt(this.node, 'group', 1);
    const pads = attrInts(this.node, 'pads') ?? new Array(2 * spatial).fill(0);
    const strides = attrInts(this.node, 'strides') ?? new Array(spatial).fill(1);
    const zx = scalarZeroPoint(this, x, 'input');
    const zw = w.zeroPoints;
    // Concrete pads with int(zx): truncation toward 0 of a zero point that is always integral here.
    const padValue = Math.trunc(zx);

    // 1-D [N, C, L] as 2-D [N, C, 1, L]
    const xShape2d = spatial === 1 ? [x.shape[0], x.shape[1], 1, x.shape[2]] : [...x.shape];
    const wShape2d = spatial === 1 ? [w.shape[0], w.shape[1], 1, w.shape[2]] : [...w.shape];
    const pads2d = spatial === 1 ? [0, pads[0], 0, pads[1]] : pads;
    const strides2d = spatial === 1 ? [1, strides[0]] : strides;
    if (xShape2d[1] !== wShape2d[1] * group) {
      throw new RangeError(`${this.describe()}: input has ${xShape2d[1]} channels, weights expect ${wShape2d[1] * group} (C / group = ${wShape2d[1]})`);
    }
    const padded = padSpatial(int32Of(x.qvalues), xShape2d, pads2d, padValue);
    const shape = { input: padded.shape, weights: wShape2d, strides: strides2d, group };
    const wData = int32Of(w.qvalues);
    let acc = await integerConv2d(padded.data, wData, shape);
    const [batch, outChannels, outH, outW] = conv2dOutputShape(shape);
    const plane = outH * outW;
    const channelOf = (i: number): number => Math.floor(i / plane) % outChannels;
    if (zw.some((z) => z !== 0)) {
      const windowSums = await integerConv2d(padded.data, new Int32Array(wData.length).fill(1), shape);
      for (let i = 0; i < acc.length; i++) acc[i] -= zw[channelOf(i)] * windowSums[i];
    }
    const outShape = spatial === 1 ? [batch, outChannels, outW] : [batch, outChannels, outH, outW];
    const perChannel = wData.length / outChannels;
    const sumWeights = new Float64Array(outChannels);
    for (let o = 0; o < outChannels; o++) {
      let sum = 0;
      for (let i = 0; i < perChannel; i++) sum += wData[o * perChannel + i];
      sumWeights[o] = zx * sum;
    }
    const finalTerm = Float64Array.from(zw, (z) => perChannel * zx * z);
    const scale = Float64Array.from(w.scales, (s) => x.quantizer.scale * s);

    // one output scale needed: per-channel scales fall through to the requantization below
    if (this.producesGraphOutput && !w.perChannelScale) {
      const zeroPoint = new Float64Array(outChannels);
      for (let o = 0; o < outChannels; o++) zeroPoint[o] = sumWeights[o] - finalTerm[o] - (bias === undefined ? 0 : biasOverScale(bias, o, scale[o]));
      const zpShape = spatial === 1 ? [1, outChannels, 1] : [1, outChannels, 1, 1];
      return this.makeOutputQuantParameters(toInt32Tensor(acc, outShape, this.describe()), scale[0], new Tensor(zeroPoint, zpShape));
    }
    const precomputedBias = bias !== undefined && bias.quantizer.options.isPrecomputedQat;
    if (precomputedBias) {
      const q = bias.qvalues.data;
      for (let i = 0; i < acc.length; i++) acc[i] += q[channelOf(i)];
    }
    acc = this.roundAccumulator(acc, options.calibrateRounding ?? false, 'matmul');
    this.recordLookupInput('accumulator', acc, this.lsbsRemoved('matmul'));
    const out = new Float64Array(acc.length);
    const biasValues = bias !== undefined && !precomputedBias ? bias.values.data : undefined;
    for (let i = 0; i < acc.length; i++) {
      const o = channelOf(i);
      out[i] = scale[o] * (acc[i] + finalTerm[o] - sumWeights[o]);
      if (biasValues !== undefined) out[i] += biasValues[o];
    }
    return this.prepareOutput(new Tensor(out, outShape));
  }
}
