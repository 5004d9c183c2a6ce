// Quantized op class -> its lowering (the FHE counterpart of ONNX_OPS_TO_QUANTIZED_IMPL).
// A subclass without an entry of its own uses its nearest registered ancestor's.

import { QuantizedOp } from '../op';
import { QuantizedAdd, QuantizedSub } from '../ops/add';
import { QuantizedBrevitasQuant } from '../ops/brevitas-quant';
import { QuantizedConv } from '../ops/conv';
import { QuantizedGemm, QuantizedMatMul } from '../ops/gemm';
import {
  QuantizedConcat, QuantizedExpand, QuantizedFlatten, QuantizedGather, QuantizedPad, QuantizedReshape, QuantizedSlice,
  QuantizedSqueeze, QuantizedTranspose, QuantizedUnsqueeze,
} from '../ops/movement';
import { QuantizedDiv, QuantizedMul } from '../ops/mul';
import { QuantizedAvgPool, QuantizedMaxPool } from '../ops/pool';
import { QuantizedDequantizeLinear, QuantizedQuantizeLinear } from '../ops/qdq';
import { QuantizedReduceSum } from '../ops/reduce-sum';
import {
  QuantizedBatchNormalization, QuantizedClip, QuantizedComparison, QuantizedIdentity, QuantizedPRelu, QuantizedUnivariate,
  QuantizedUnivariateOfEncrypted, QuantizedWhere,
} from '../ops/univariate';
import { lowerAddEncrypted, lowerMulEncrypted } from './arithmetic';
import type { Lowered, LoweredValue, LoweringContext } from './lowered';
import { lowerConv, lowerGemm } from './mixing';
import { lowerConcat, lowerIndexMovement, lowerPad } from './movement';
import { lowerAvgPool, lowerMaxPool, lowerReduceSum } from './pool';
import { lowerUnivariate } from './univariate';

export type Lowering = (ctx: LoweringContext, op: QuantizedOp, inputs: readonly (LoweredValue | undefined)[]) => Lowered;

/** Univariate when one operand is a constant or both derive from one encrypted tensor. */
function univariateOr(encrypted: Lowering): Lowering {
  return (ctx, op, inputs) => (op.canFuse() || op.constants.size > 0 || inputs.length === 1 ? lowerUnivariate(ctx, op, inputs) : encrypted(ctx, op, inputs));
}

const lowerDiv: Lowering = (ctx, op, inputs) => {
  if (op.canFuse() || op.constants.size > 0) return lowerUnivariate(ctx, op, inputs);
  throw new RangeError(`${op.describe()}: Div of two independent encrypted tensors is not lowered yet`);
};

export const QUANTIZED_OPS_TO_LOWERING: ReadonlyMap<typeof QuantizedOp, Lowering> = new Map<typeof QuantizedOp, Lowering>([
  [QuantizedUnivariate, lowerUnivariate],
  [QuantizedClip, lowerUnivariate],
  [QuantizedPRelu, lowerUnivariate],
  [QuantizedUnivariateOfEncrypted, lowerUnivariate],
  [QuantizedComparison, lowerUnivariate],
  [QuantizedWhere, lowerUnivariate],
  [QuantizedIdentity, lowerUnivariate],
  [QuantizedBatchNormalization, lowerUnivariate],
  [QuantizedBrevitasQuant, lowerUnivariate],
  [QuantizedQuantizeLinear, lowerUnivariate],
  [QuantizedDequantizeLinear, lowerUnivariate],
  [QuantizedGemm, lowerGemm],
  [QuantizedMatMul, lowerGemm],
  [QuantizedConv, lowerConv],
  [QuantizedAvgPool, lowerAvgPool],
  [QuantizedMaxPool, lowerMaxPool],
  [QuantizedReduceSum, lowerReduceSum],
  [QuantizedAdd, univariateOr(lowerAddEncrypted)],
  [QuantizedSub, univariateOr(lowerAddEncrypted)],
  [QuantizedMul, univariateOr(lowerMulEncrypted)],
  [QuantizedDiv, lowerDiv],
  [QuantizedReshape, lowerIndexMovement],
  [QuantizedFlatten, lowerIndexMovement],
  [QuantizedTranspose, lowerIndexMovement],
  [QuantizedSqueeze, lowerIndexMovement],
  [QuantizedUnsqueeze, lowerIndexMovement],
  [QuantizedExpand, lowerIndexMovement],
  [QuantizedSlice, lowerIndexMovement],
  [QuantizedGather, lowerIndexMovement],
  [QuantizedConcat, lowerConcat],
  [QuantizedPad, lowerPad],
]);

export function loweringOf(op: QuantizedOp): Lowering {
  for (let c: unknown = op.constructor; c !== QuantizedOp && typeof c === 'function'; c = Object.getPrototypeOf(c)) {
    const found = QUANTIZED_OPS_TO_LOWERING.get(c as typeof QuantizedOp);
    if (found !== undefined) return found;
  }
  const supported = [...new Set([...QUANTIZED_OPS_TO_LOWERING.keys()].map((c) => c.name))].sort().join(', ');
  throw new UnloweredOpError(`${op.describe()}: ${op.class.name} has no FHE lowering. Lowered ops: ${supported} (Shape and ConstantOfShape as clear values)`);
}

export class UnloweredOpError extends RangeError {
  override name = 'UnloweredOpError';
}
