// Univariate ops (activations, BatchNormalization, Clip, Brevitas Quant, and Add/Sub/Mul/Div/
// Pow/comparisons with a constant or of one encrypted producer): no circuit node at all. The op
// composes into the function its input carries, so rescale + bias + activation + requantization
// of a whole chain becomes ONE lookup when an integer op (or a graph output) needs the integers.
// The function is the module's clear semantics itself (prepareInputs, floatImpl, prepareOutput),
// so each table entry equals what quantizedForward computes. Constants that differ along one
// per-sample axis give per-channel tables; along two axes the op is refused.

import type { Tensor } from '../../tensor';
import type { QuantizedOp } from '../op';
import { QuantizedBrevitasQuant } from '../ops/brevitas-quant';
import { QuantizedDequantizeLinear, QuantizedQuantizeLinear } from '../ops/qdq';
import { QuantizedIdentity } from '../ops/univariate';
import { type OpValue, QuantizedValue, RawValue } from '../value';
import { isLowered, type Lowered, type LoweredValue, type LoweringContext } from './lowered';

/** The op's quantized forward on values (synchronous copy of the univariate qImpl paths). */
export function applyUnivariate(op: QuantizedOp, values: readonly (OpValue | undefined)[]): QuantizedValue {
  const x = values.find((v): v is QuantizedValue => v instanceof QuantizedValue);
  if (x === undefined) throw new TypeError(`${op.describe()}: no encrypted input`);
  if (op instanceof QuantizedBrevitasQuant) {
    const params = op.outputParams;
    if (params === null) throw new Error(`${op.describe()} must be calibrated first`);
    const input = values[0];
    if (input instanceof QuantizedValue && input.quantizer.options.isEquivalent(op.quantOptions) && input.quantizer.scale === params.scale && input.quantizer.zeroPoint === params.zeroPoint) {
      return input;
    }
    const result = op.floatImpl(op.prepareInputs(values, 'float'));
    return QuantizedValue.fromFloat(op.bitWidth, result as Tensor<'float64'>, { options: op.quantOptions, stats: op.outputStats, params });
  }
  if (op instanceof QuantizedDequantizeLinear) return x;
  if (op instanceof QuantizedQuantizeLinear) {
    const internals = op as unknown as { fakeQuantize(t: Tensor): Tensor<'float64'>; quantOptions: QuantizedValue['quantizer']['options']; params: QuantizedValue['quantizer']['params'] };
    const result = internals.fakeQuantize(x.values);
    return QuantizedValue.fromFloat(internals.quantOptions.nBits, result, { options: internals.quantOptions, stats: op.outputStats, params: internals.params });
  }
  if (op instanceof QuantizedIdentity) op.outputParams = x.quantizer.params;
  return op.prepareOutput(op.floatImpl(op.prepareInputs(values, 'float')));
}

/** Per-sample axes along which a clear operand varies (numpy alignment against [batch, ...shape]). */
function varyingAxes(op: QuantizedOp, tensor: Tensor, rank: number, axes: Set<number>): void {
  const shape = tensor.shape;
  for (let k = 0; k < shape.length; k++) {
    if (shape[k] <= 1) continue;
    const full = rank - shape.length + k;
    if (full <= 0) throw new RangeError(`${op.describe()}: a constant of shape [${shape.join(', ')}] varies along the batch axis`);
    axes.add(full - 1);
  }
}

export function lowerUnivariate(ctx: LoweringContext, op: QuantizedOp, inputs: readonly (LoweredValue | undefined)[]): Lowered {
  void ctx;
  const encrypted = inputs.filter(isLowered);
  if (encrypted.length === 0) throw new TypeError(`${op.describe()}: no encrypted input`);
  const base = encrypted[0].base;
  if (encrypted.some((l) => l.base !== base)) {
    throw new RangeError(`${op.describe()}: its encrypted inputs are different tensors after data movement or integer ops; one lookup cannot combine them`);
  }
  const shape = encrypted[0].shape;
  const rank = shape.length + 1;
  const axes = new Set<number>();
  for (const l of encrypted) if (l.axis !== null) axes.add(l.axis);
  for (const constant of op.constants.values()) varyingAxes(op, constant.tensor, rank, axes);
  for (const input of inputs) if (input instanceof RawValue) varyingAxes(op, input.tensor, rank, axes);
  if (axes.size > 1) {
    throw new RangeError(`${op.describe()}: its function varies along axes ${[...axes].map((a) => a + 1).join(' and ')}; lookups are per channel along one axis only`);
  }
  const axis = axes.size === 1 ? [...axes][0] : null;
  if (axis !== null && axis >= shape.length) throw new RangeError(`${op.describe()}: a constant broadcasts the encrypted tensor to a larger shape; not supported inside a lookup`);
  const rounding = Math.max(0, ...encrypted.map((l) => l.rounding ?? 0));
  return {
    base,
    shape,
    axis,
    rounding,
    evaluate: (ints) => applyUnivariate(op, inputs.map((input) => (input === undefined || input instanceof RawValue ? input : input.evaluate(ints)))),
  };
}
