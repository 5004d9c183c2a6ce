// Gemm/MatMul and Conv with clear weights (both operands encrypted: arithmetic.ts). The tensor
// that feeds the lookup is the module's accumulator, acc = qx @ (qw - zw) (conv(qx, qw - zw) for
// Conv, input padded with int(zx)); rounding, + K*zx*zw - zx*sum(qw), scale, bias and the output
// requantization (and every univariate op after it) are the lookup's function, per output
// channel. Weights are read as the op reads them (weights.ts): per-channel QDQ weights bring a
// scale and zero point per output channel, which only the lookup's function (and qw - zw) sees.

import { Tensor } from '../../tensor';
import { attrFloat, attrInt, attrInts } from '../attributes';
import { int32Of, roundBitPattern } from '../integers';
import { type PreparedInput, type QuantizedOp, scalarZeroPoint } from '../op';
import { biasOverScale } from '../ops/gemm';
import { weightChannels, type WeightChannels } from '../weights';
import { QuantizedValue } from '../value';
import { lowerMatMulEncrypted } from './arithmetic';
import { channelsOf, evalShapeOf, identityOf, isLowered, type Lowered, type LoweredValue, type LoweringContext } from './lowered';

/**
 * The clear weights as the op itself reads them (weights.ts): integers, and a scale and zero
 * point per output channel (per-channel QDQ weights keep theirs; per-tensor ones repeat).
 */
function weightsOf(op: QuantizedOp, index: number, axis: number, what: string): WeightChannels {
  const constant = op.constants.get(index);
  if (constant === undefined || (constant.quantized === null && constant.perChannel === undefined)) {
    throw new RangeError(`${op.describe()}: the lowering needs ${what} (input ${index}) to be a clear constant`);
  }
  const prepared: PreparedInput[] = [];
  prepared[index] = constant.quantized ?? undefined;
  return weightChannels(op, prepared, index, axis, what);
}

function biasInput(op: QuantizedOp, index: number): QuantizedValue | undefined {
  const constant = op.constants.get(index);
  if (constant === undefined) return undefined;
  if (constant.quantized === null) throw new TypeError(`${op.describe()}: the bias must be a constant float tensor`);
  return constant.quantized;
}

/** The part after the accumulator, exactly as the op's qImpl computes it, for channel-indexed integers. */
function postAccumulator(
  op: QuantizedOp,
  scale: Float64Array,
  finalTerm: Float64Array,
  sumWeights: Float64Array,
  bias: QuantizedValue | undefined,
  axis: number,
  lsbs: number,
): (ints: Tensor<'int32'>) => QuantizedValue {
  const precomputed = bias !== undefined && bias.quantizer.options.isPrecomputedQat;
  const biasValues = bias !== undefined && !precomputed ? bias.values.data : undefined;
  return (ints) => {
    const channel = channelsOf(ints.shape, axis);
    const acc = roundBitPattern(Float64Array.from(ints.data), lsbs);
    const out = new Float64Array(acc.length);
    for (let i = 0; i < acc.length; i++) {
      const c = channel(i);
      out[i] = scale[c] * (acc[i] + finalTerm[c] - sumWeights[c]);
      if (biasValues !== undefined) out[i] += biasValues[c % biasValues.length];
    }
    return op.prepareOutput(new Tensor(out, ints.shape));
  };
}

/** A graph output: the accumulator itself, with a per-channel zero point along `axis`. */
function outputLowered(op: QuantizedOp, base: Lowered['base'], scale: number, zeroPoint: Float64Array, zpShape: number[], axis: number): Lowered {
  const probeShape = [1, ...evalShapeOf(base.shape, axis)];
  const probe = op.makeOutputQuantParameters(new Tensor(new Int32Array(probeShape.reduce((a, b) => a * b, 1)), probeShape) as Tensor<'int32'>, scale, new Tensor(zeroPoint, zpShape));
  return { ...identityOf(base, probe.quantizer), axis };
}

export function lowerGemm(ctx: LoweringContext, op: QuantizedOp, inputs: readonly (LoweredValue | undefined)[]): Lowered {
  if (isLowered(inputs[1])) return lowerMatMulEncrypted(ctx, op, inputs);
  const isGemm = op.opType === 'Gemm';
  if (isGemm) {
    const alpha = attrFloat(op.node, 'alpha', 1);
    const beta = attrFloat(op.node, 'beta', 1);
    if (alpha !== 1 || (beta !== 0 && beta !== 1)) throw new RangeError(`${op.describe()}: only alpha = 1 and beta in {0, 1} are supported`);
    if (attrInt(op.node, 'transA', 0) === 1) throw new RangeError(`${op.describe()}: transA is not supported by the lowering (it would move the batch axis)`);
  }
  const transB = isGemm && attrInt(op.node, 'transB', 0) === 1;
  const hasBias = isGemm && attrFloat(op.node, 'beta', 1) === 1;
  const x = inputs[0];
  if (x === undefined || !('base' in x)) throw new TypeError(`${op.describe()}: input A must be encrypted`);
  const { tensor, quantizer: qx } = ctx.integers(op, x, 'input');
  // output columns of B: its rows under transB
  const w = weightsOf(op, 1, transB ? 0 : -1, 'input B');
  if (w.shape.length !== 2) throw new RangeError(`${op.describe()}: the second operand must be 2-D`);
  let [k, n] = w.shape;
  const raw = int32Of(w.qvalues);
  let wData = raw;
  if (transB) {
    wData = new Int32Array(raw.length);
    for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) wData[j * k + i] = raw[i * n + j];
    [k, n] = [n, k];
  }
  const zx = scalarZeroPoint(op, QuantizedValue.fromIntegers(new Tensor(new Int32Array(1), [1]) as Tensor<'int32'>, qx), 'input A');
  const zw = w.zeroPoints;
  const shifted = new Int32Array(wData.length);
  for (let i = 0; i < wData.length; i++) shifted[i] = wData[i] - zw[i % n];
  const bias = hasBias ? biasInput(op, 2) : undefined;
  const sumWeights = new Float64Array(n);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) sumWeights[j] += wData[p * n + j];
  for (let j = 0; j < n; j++) sumWeights[j] *= zx;
  const finalTerm = Float64Array.from(zw, (z) => k * zx * z);
  const scale = Float64Array.from(w.scales, (s) => qx.scale * s);
  const accumulator = { name: ctx.name(op, 'accumulator') };
  // as the op: a graph output with one scale is the accumulator itself (the bias, precomputed
  // or not, goes into its zero point); otherwise a precomputed QAT bias joins the accumulator
  if (op.producesGraphOutput && !w.perChannelScale) {
    const base = ctx.builder.matmul(tensor, { data: shifted, shape: [k, n] }, accumulator);
    const zeroPoint = new Float64Array(n);
    for (let j = 0; j < n; j++) zeroPoint[j] = sumWeights[j] - finalTerm[j] + (bias === undefined ? 0 : biasOverScale(bias, j, -scale[j]));
    return outputLowered(op, base, scale[0], zeroPoint, [1, n], base.shape.length - 1);
  }
  const precomputed = bias !== undefined && bias.quantizer.options.isPrecomputedQat;
  const base = ctx.builder.matmul(tensor, { data: shifted, shape: [k, n] }, {
    ...accumulator,
    ...(precomputed ? { bias: Array.from({ length: n }, (_, j) => Number(bias.qvalues.data[j % bias.qvalues.size])) } : {}),
  });
  const axis = base.shape.length - 1;
  const lsbs = op.lsbsRemoved('matmul');
  return { base, shape: base.shape, axis, rounding: lsbs, evaluate: postAccumulator(op, scale, finalTerm, sumWeights, precomputed ? undefined : bias, axis, lsbs) };
}

export function lowerConv(ctx: LoweringContext, op: QuantizedOp, inputs: readonly (LoweredValue | undefined)[]): Lowered {
  const x = inputs[0];
  if (x === undefined || !('base' in x)) throw new TypeError(`${op.describe()}: the input must be encrypted`);
  const { tensor, quantizer: qx } = ctx.integers(op, x, 'input');
  const w = weightsOf(op, 1, 0, 'the weights');
  const bias = biasInput(op, 2);
  const spatial = w.shape.length - 2;
  if (spatial !== 1 && spatial !== 2) throw new RangeError(`${op.describe()}: only 1-D and 2-D convolutions are supported`);
  const dilations = attrInts(op.node, 'dilations') ?? new Array<number>(spatial).fill(1);
  if (dilations.some((d) => d !== 1)) throw new RangeError(`${op.describe()}: dilations other than 1 are not supported`);
  const group = attrInt(op.node, 'group', 1);
  const pads = attrInts(op.node, 'pads') ?? new Array<number>(2 * spatial).fill(0);
  const strides = attrInts(op.node, 'strides') ?? new Array<number>(spatial).fill(1);
  const zx = scalarZeroPoint(op, QuantizedValue.fromIntegers(new Tensor(new Int32Array(1), [1]) as Tensor<'int32'>, qx), 'input');
  const zw = w.zeroPoints;
  const wData = int32Of(w.qvalues);
  const outChannels = w.shape[0];
  const perChannel = wData.length / outChannels;
  const shifted = new Int32Array(wData.length);
  for (let i = 0; i < wData.length; i++) shifted[i] = wData[i] - zw[Math.floor(i / perChannel)];
  const sumWeights = new Float64Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    let sum = 0;
    for (let i = 0; i < perChannel; i++) sum += wData[o * perChannel + i];
    sumWeights[o] = zx * sum;
  }
  const finalTerm = Float64Array.from(zw, (z) => perChannel * zx * z);
  const scale = Float64Array.from(w.scales, (s) => qx.scale * s);
  // as the op: a graph output with one scale is the accumulator itself, bias in its zero point
  const asOutput = op.producesGraphOutput && !w.perChannelScale;
  const precomputed = bias !== undefined && bias.quantizer.options.isPrecomputedQat;
  const wShape2d = spatial === 1 ? [w.shape[0], w.shape[1], 1, w.shape[2]] : [...w.shape];
  const input2d = spatial === 1 ? ctx.builder.reshape(tensor, [tensor.shape[0], 1, tensor.shape[1]], { name: ctx.name(op, 'as_2d') }) : tensor;
  let base = ctx.builder.conv2d(input2d, { data: shifted, shape: wShape2d }, {
    name: ctx.name(op, spatial === 1 ? 'accumulator_2d' : 'accumulator'),
    pads: spatial === 1 ? [0, pads[0], 0, pads[1]] : pads,
    strides: spatial === 1 ? [1, strides[0]] : strides,
    group,
    padValue: Math.trunc(zx),
    ...(precomputed && !asOutput ? { bias: Array.from({ length: outChannels }, (_, o) => Number(bias.qvalues.data[o % bias.qvalues.size])) } : {}),
  });
  if (spatial === 1) base = ctx.builder.reshape(base, [base.shape[0], base.shape[2]], { name: ctx.name(op, 'accumulator') });
  if (asOutput) {
    const zeroPoint = new Float64Array(outChannels);
    for (let o = 0; o < outChannels; o++) zeroPoint[o] = sumWeights[o] - finalTerm[o] - (bias === undefined ? 0 : biasOverScale(bias, o, scale[o]));
    return outputLowered(op, base, scale[0], zeroPoint, spatial === 1 ? [1, outChannels, 1] : [1, outChannels, 1, 1], 0);
  }
  const lsbs = op.lsbsRemoved('matmul');
  return { base, shape: base.shape, axis: 0, rounding: lsbs, evaluate: postAccumulator(op, scale, finalTerm, sumWeights, precomputed ? undefined : bias, 0, lsbs) };
}
