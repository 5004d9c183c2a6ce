// AveragePool (window sums of the integers padded with int(zp), then one lookup that rounds,
// divides and requantizes), MaxPool (a tree of pairwise maxima, one lookup per pair, padded
// with zp, ceil_mode windows reading repeated edges as the module does; then the op's
// requantization, fused into the next lookup) and ReduceSum.

import { Tensor } from '../../tensor';
import { attrInt, attrInts, attrString } from '../attributes';
import { scalarZeroPoint, type QuantizedOp } from '../op';
import { poolGeometry } from '../ops/pool';
import type { QuantizedValue } from '../value';
import { identityOf, roundedThenReal, type Lowered, type LoweredValue, type LoweringContext } from './lowered';

function encrypted(op: QuantizedOp, value: LoweredValue | undefined): Lowered {
  if (value === undefined || !('base' in value)) throw new TypeError(`${op.describe()}: the input must be encrypted`);
  return value;
}

interface PoolWindow {
  readonly kernel: number[];
  readonly strides: number[];
  readonly pads: number[];
  /** ceil_mode: rows and columns past the explicit padding that the last windows reach. */
  readonly beyond: readonly [number, number];
}

function poolWindow(op: QuantizedOp, shape: readonly number[]): PoolWindow {
  const kernel = attrInts(op.node, 'kernel_shape');
  if (kernel === undefined || kernel.length !== 2 || shape.length !== 3) throw new RangeError(`${op.describe()}: only 2-D pooling of [N, C, H, W] inputs is supported`);
  if (attrString(op.node, 'auto_pad', 'NOTSET') !== 'NOTSET') throw new RangeError(`${op.describe()}: auto_pad is not supported`);
  const dilations = attrInts(op.node, 'dilations') ?? [1, 1];
  if (dilations.some((d) => d !== 1)) throw new RangeError(`${op.describe()}: dilations other than 1 are not supported`);
  // ceil_mode changes nothing unless its last windows run past the explicit padding
  const beyond = attrInt(op.node, 'ceil_mode', 0) === 0 ? [0, 0] as const : poolGeometry(op, [1, ...shape]).beyond;
  return { kernel, strides: attrInts(op.node, 'strides') ?? [1, 1], pads: attrInts(op.node, 'pads') ?? [0, 0, 0, 0], beyond };
}

/** Repeats the last `count` indices of an axis of `size`: the module's ceil_mode edge rows and columns. */
function edgeRepeated(size: number, count: number): number[] {
  return Array.from({ length: size + count }, (_, i) => Math.min(i, size - 1));
}

function zeroPointOf(op: QuantizedOp, value: QuantizedValue): number {
  return scalarZeroPoint(op, value, 'input');
}

export function lowerAvgPool(ctx: LoweringContext, op: QuantizedOp, inputs: readonly (LoweredValue | undefined)[]): Lowered {
  if (attrInt(op.node, 'count_include_pad', 0) !== 1) throw new RangeError(`${op.describe()}: count_include_pad must be 1`);
  const { tensor, quantizer, value } = ctx.integers(op, encrypted(op, inputs[0]), 'input');
  const { kernel, strides, pads, beyond } = poolWindow(op, tensor.shape);
  if (beyond[0] > 0 || beyond[1] > 0) {
    // each such window is divided by its own count of points: a table per output position
    throw new RangeError(`${op.describe()}: ceil_mode = 1 with windows past the padding (${beyond[0]} rows, ${beyond[1]} columns) is not lowered to FHE yet; `
      + 'pad the input so that the windows tile it, or use ceil_mode = 0');
  }
  const zp = zeroPointOf(op, value);
  const base = ctx.builder.sumPool2d(tensor, { kernelShape: kernel, strides, pads, padValue: Math.trunc(zp), name: ctx.name(op, 'window_sums') });
  const normalization = 1 / (kernel[0] * kernel[1]);
  return roundedThenReal(op, base, op.lsbsRemoved('single_rounding_op'), (sum) => (sum * normalization - zp) * quantizer.scale);
}

export function lowerMaxPool(ctx: LoweringContext, op: QuantizedOp, inputs: readonly (LoweredValue | undefined)[]): Lowered {
  const { tensor, quantizer, value } = ctx.integers(op, encrypted(op, inputs[0]), 'input');
  const { kernel, strides, pads, beyond } = poolWindow(op, tensor.shape);
  const zp = zeroPointOf(op, value);
  let input = tensor;
  let windowPads = pads;
  if (beyond[0] > 0 || beyond[1] > 0) {
    // as the module: pad with zp, repeat the last row and column into the ceil_mode windows
    const [, height, width] = tensor.shape;
    input = ctx.builder.pad(tensor, [0, pads[0], pads[1], 0, pads[2], pads[3]], zp, { name: ctx.name(op, 'padded') });
    input = ctx.builder.gather(input, edgeRepeated(height + pads[0] + pads[2], beyond[0]), 1, { name: ctx.name(op, 'ceil_rows') });
    input = ctx.builder.gather(input, edgeRepeated(width + pads[1] + pads[3], beyond[1]), 2, { name: ctx.name(op, 'ceil_columns') });
    windowPads = [0, 0, 0, 0];
  }
  const base = ctx.builder.maxPool2d(input, { kernelShape: kernel, strides, pads: windowPads, padValue: zp, name: ctx.name(op, 'maxima') });
  return {
    base,
    shape: base.shape,
    axis: null,
    evaluate: (ints) => {
      const out = new Float64Array(ints.size);
      for (let i = 0; i < out.length; i++) out[i] = (ints.data[i] - zp) * quantizer.scale;
      return op.prepareOutput(new Tensor(out, ints.shape));
    },
  };
}

export function lowerReduceSum(ctx: LoweringContext, op: QuantizedOp, inputs: readonly (LoweredValue | undefined)[]): Lowered {
  const { tensor, quantizer, value } = ctx.integers(op, encrypted(op, inputs[0]), 'input');
  const axesConstant = op.constants.get(1)?.tensor;
  if (axesConstant === undefined) throw new TypeError(`${op.describe()}: axes must be a constant tensor`);
  const rank = tensor.shape.length + 1;
  const axes = Array.from(axesConstant.data as ArrayLike<number | bigint>, Number).map((a) => (a < 0 ? a + rank : a));
  if (axes.includes(0)) throw new RangeError(`${op.describe()}: axis 0 is the batch axis and cannot be summed`);
  const keepDims = attrInt(op.node, 'keepdims', 1) === 1;
  const base = ctx.builder.reduceSum(tensor, axes.map((a) => a - 1), { keepDims, name: ctx.name(op, 'sums') });
  const count = axes.reduce((n, a) => n * tensor.shape[a - 1], 1);
  const zeroPoint = count * zeroPointOf(op, value);
  if (op.producesGraphOutput) {
    return identityOf(base, op.makeOutputQuantParameters(new Tensor(new Int32Array(1), [1]) as Tensor<'int32'>, quantizer.scale, zeroPoint).quantizer);
  }
  // the module rounds sum - zp: that difference is the base, so a rounded shift can narrow it
  const shifted = zeroPoint === 0 ? base : ctx.builder.addConstant(base, -zeroPoint, { name: ctx.name(op, 'sums_minus_zero_point') });
  return roundedThenReal(op, shifted, op.lsbsRemoved('single_rounding_op'), (sum) => quantizer.scale * sum);
}

