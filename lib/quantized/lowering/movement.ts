// Data movement: no lookup, the integers move. Reshape, Flatten, Transpose, Squeeze, Unsqueeze,
// Expand, Slice and Gather are lowered generically: the module's own implementation of the node
// runs once on a tensor of element indices (batch 1), and the result is the gather map the
// circuit applies. Concat and Pad use the builder's ops. The output keeps the quantizer the
// module gives it (the input's, or the op's own options for Squeeze/Unsqueeze/Expand).

import { Tensor } from '../../tensor';
import { attrInt } from '../attributes';
import { runFloatNode } from '../float-ops';
import type { QuantizedOp } from '../op';
import { QuantizedValue, RawValue } from '../value';
import { identityOf, type Lowered, type LoweredValue, type LoweringContext } from './lowered';

function encrypted(op: QuantizedOp, value: LoweredValue | undefined, what = 'the input'): Lowered {
  if (value === undefined || !('base' in value)) throw new TypeError(`${op.describe()}: ${what} must be encrypted`);
  return value;
}

/** The quantizer of the module's result: QuantizedValue.fromParts(original nBits, ..., options, x's stats and params). */
function movedQuantizer(op: QuantizedOp, original: QuantizedValue, prepared: QuantizedValue, ownOptions: boolean): QuantizedValue['quantizer'] {
  const options = ownOptions ? op.outputQuantOptions() : prepared.quantizer.options;
  return QuantizedValue.fromParts(original.quantizer.nBits, prepared.qvalues, options, prepared.quantizer.stats, prepared.quantizer.params).quantizer;
}

export function lowerIndexMovement(ctx: LoweringContext, op: QuantizedOp, inputs: readonly (LoweredValue | undefined)[]): Lowered {
  const x = encrypted(op, inputs[0]);
  const { tensor, value: prepared } = ctx.integers(op, x, 'input');
  const original = x.evaluate(new Tensor(new Int32Array(prepared.qvalues.size), prepared.qvalues.shape) as Tensor<'int32'>);
  const isGather = op.opType === 'Gather';
  const ownOptions = (op.constructor as unknown as { ownOutputOptions?: boolean }).ownOutputOptions === true;
  const quantizer = isGather
    ? QuantizedValue.fromParts(prepared.quantizer.nBits, prepared.qvalues, prepared.quantizer.options, prepared.quantizer.stats, prepared.quantizer.params).quantizer
    : movedQuantizer(op, original, prepared, ownOptions);
  // element indices of one sample, through the node's own implementation
  const indices = new Int32Array(tensor.size);
  for (let i = 0; i < indices.length; i++) indices[i] = i;
  const args: (Tensor | undefined)[] = [];
  let variable = 0;
  for (let index = 0; index < op.node.inputs.length; index++) {
    const constant = op.constants.get(index);
    if (constant !== undefined) {
      args.push(constant.quantized?.qvalues ?? constant.tensor);
      continue;
    }
    const input = inputs[variable++];
    if (index === 0) args.push(new Tensor(indices, [1, ...tensor.shape]));
    else if (input instanceof RawValue) args.push(input.tensor);
    else if (input === undefined) args.push(undefined);
    else throw new RangeError(`${op.describe()}: input ${index} must be a clear value`);
  }
  const moved = runFloatNode(op.node, op.opset, args);
  if (moved.shape.length === 0 || moved.shape[0] !== 1) {
    throw new RangeError(`${op.describe()}: the lowering needs the batch axis to stay first (got shape [${moved.shape.join(', ')}] for a batch of 1)`);
  }
  const outShape = moved.shape.slice(1);
  const map = Int32Array.from(moved.data as ArrayLike<number>, Number);
  let base;
  const identityMap = map.length === indices.length && map.every((v, i) => v === i);
  if (identityMap) base = outShape.length === tensor.shape.length && outShape.every((d, i) => d === tensor.shape[i]) ? tensor : ctx.builder.reshape(tensor, outShape, { name: ctx.name(op, 'moved') });
  else {
    const flat = ctx.builder.reshape(tensor, [tensor.size], { name: ctx.name(op, 'flat') });
    base = ctx.builder.gather(flat, map, 0, { indicesShape: outShape, name: ctx.name(op, 'moved') });
  }
  return identityOf(base, quantizer);
}

export function lowerConcat(ctx: LoweringContext, op: QuantizedOp, inputs: readonly (LoweredValue | undefined)[]): Lowered {
  const parts = inputs.map((input, i) => ctx.integers(op, encrypted(op, input, `input ${i}`), `input${i}`));
  const first = parts[0].quantizer;
  const same = parts.every((p) => p.quantizer.scale === first.scale && p.quantizer.zeroPoint === first.zeroPoint && p.quantizer.options.isEquivalent(first.options));
  if (!same) throw new RangeError(`${op.describe()}: all inputs must have the same scale and zero point to be concatenated`);
  const rank = parts[0].tensor.shape.length + 1;
  let axis = attrInt(op.node, 'axis', 0);
  if (axis < 0) axis += rank;
  if (axis === 0) throw new RangeError(`${op.describe()}: concatenation along the batch axis is not supported`);
  const lowered0 = encrypted(op, inputs[0]);
  const original = lowered0.evaluate(new Tensor(new Int32Array(parts[0].value.qvalues.size), parts[0].value.qvalues.shape) as Tensor<'int32'>);
  const quantizer = QuantizedValue.fromParts(original.quantizer.nBits, parts[0].value.qvalues, first.options, first.stats, first.params).quantizer;
  const base = ctx.builder.concat(parts.map((p) => p.tensor), axis - 1, { name: ctx.name(op, 'concat') });
  return identityOf(base, quantizer);
}

export function lowerPad(ctx: LoweringContext, op: QuantizedOp, inputs: readonly (LoweredValue | undefined)[]): Lowered {
  const x = encrypted(op, inputs[0]);
  const { tensor, value } = ctx.integers(op, x, 'input');
  const padsTensor = op.constants.get(1)?.tensor;
  if (padsTensor === undefined) throw new TypeError(`${op.describe()}: pads must be a constant`);
  const pads = Array.from(padsTensor.data as ArrayLike<number | bigint>, Number);
  const rank = tensor.shape.length + 1;
  if (rank !== 4 || pads.length !== 8 || pads[0] !== 0 || pads[1] !== 0 || pads[4] !== 0 || pads[5] !== 0) {
    throw new RangeError(`${op.describe()}: only padding of the height and width of [N, C, H, W] tensors is supported`);
  }
  const zp = value.quantizer.zeroPoint;
  if (typeof zp !== 'number') throw new RangeError(`${op.describe()}: the input must have a scalar zero point`);
  const original = x.evaluate(new Tensor(new Int32Array(value.qvalues.size), value.qvalues.shape) as Tensor<'int32'>);
  const quantizer = QuantizedValue.fromParts(original.quantizer.nBits, value.qvalues, value.quantizer.options, value.quantizer.stats, value.quantizer.params).quantizer;
  const base = ctx.builder.pad(tensor, [0, pads[2], pads[3], 0, pads[6], pads[7]], zp, { name: ctx.name(op, 'padded') });
  return identityOf(base, quantizer);
}
