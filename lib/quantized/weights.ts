// The clear weights of Gemm/MatMul/Conv as integers with one scale and one zero point per output
// channel. Per-tensor weights repeat theirs; per-channel QDQ weights (DequantizeLinear with an
// axis) bring their own, used exactly as the file gives them, so the accumulator stays the
// integer product and only the rescale after it (the table lookup) differs per channel.

import type { Tensor } from '../tensor';
import { type PreparedInput, type QuantizedOp, quantizedInput, scalarZeroPoint } from './op';

export interface WeightChannels {
  readonly qvalues: Tensor<'int32'>;
  readonly shape: readonly number[];
  /** Per output channel. */
  readonly scales: Float64Array;
  readonly zeroPoints: Float64Array;
  /** Scales that differ between channels: the accumulator has no single scale. */
  readonly perChannelScale: boolean;
}

/**
 * Input `index` of `op`, whose output channels lie along `axis` (axis -1: the last one).
 * Per-channel QDQ weights along another axis are refused: their scale would vary inside a sum.
 */
export function weightChannels(op: QuantizedOp, prepared: readonly PreparedInput[], index: number, axis: number, what: string): WeightChannels {
  const perChannel = op.constants.get(index)?.perChannel;
  if (perChannel === undefined) {
    const w = quantizedInput(op, prepared, index, what);
    const zeroPoint = scalarZeroPoint(op, w, what);
    const count = w.shape.at(axis) ?? 1;
    return { qvalues: w.qvalues, shape: w.shape, scales: new Float64Array(count).fill(w.quantizer.scale), zeroPoints: new Float64Array(count).fill(zeroPoint), perChannelScale: false };
  }
  const name = op.node.inputs[index];
  const shape = perChannel.qvalues.shape;
  const outAxis = (axis + shape.length) % shape.length;
  const count = shape[outAxis];
  if (perChannel.axis !== outAxis) {
    throw new RangeError(`${op.describe()}: ${what} '${name}' has per-channel scales along axis ${perChannel.axis}, but its output channels are along axis ${outAxis}; only per-output-channel scales can be applied exactly`);
  }
  if (perChannel.scales.length !== count) {
    throw new RangeError(`${op.describe()}: ${what} '${name}' has ${perChannel.scales.length} per-channel scales for ${count} output channels`);
  }
  const first = perChannel.scales[0];
  return {
    qvalues: perChannel.qvalues,
    shape,
    scales: perChannel.scales,
    zeroPoints: perChannel.zeroPoints,
    perChannelScale: perChannel.scales.some((s) => s !== first),
  };
}
