// Add/Sub and Mul of two independent encrypted tensors (with a constant, or when both operands
// derive from one encrypted tensor, these ops are univariate: see univariate.ts).
//   Add/Sub: each operand re-quantized to the common scale by one lookup (fused with whatever
//            function the operand carries), then an integer add/subtract.
//   Mul:     q0*q1 - zp0*q1 - zp1*q0 with the product by the square trick (2 lookups).

import { roundHalfToEven } from '../../quantization';
import { Tensor } from '../../tensor';
import { roundBitPattern } from '../integers';
import { scalarZeroPoint, type QuantizedOp } from '../op';
import { QuantizedAdd } from '../ops/add';
import { identityOf, roundedThenReal, type Lowered, type LoweredValue, type LoweringContext } from './lowered';

function operands(op: QuantizedOp, inputs: readonly (LoweredValue | undefined)[]): [Lowered, Lowered] {
  const [a, b] = inputs;
  if (a === undefined || b === undefined || !('base' in a) || !('base' in b)) throw new TypeError(`${op.describe()}: both operands must be encrypted`);
  return [a, b];
}

const ZERO = new Tensor(new Int32Array(1), [1]) as Tensor<'int32'>;

export function lowerAddEncrypted(ctx: LoweringContext, op: QuantizedOp, inputs: readonly (LoweredValue | undefined)[]): Lowered {
  const [a, b] = operands(op, inputs);
  if (op.outputParams === null) throw new Error(`${op.describe()} must be calibrated first`);
  const qa = ctx.prepared(op, a).quantizer;
  const qb = ctx.prepared(op, b).quantizer;
  const scale = op.producesGraphOutput ? Math.min(qa.scale, qb.scale) : op.outputParams.scale;
  const toCommonScale = (lowered: Lowered, part: string) => ctx.lookup(op, lowered, (value) => {
    const q = op.prepareQuantizedInput(value);
    const reals = q.quantizer.dequant(q.qvalues);
    const out = new Int32Array(reals.size);
    for (let i = 0; i < out.length; i++) out[i] = roundHalfToEven(reals.data[i] / scale + 0);
    return new Tensor(out, reals.shape);
  }, part);
  const left = toCommonScale(a, 'input0_rescaled');
  const right = toCommonScale(b, 'input1_rescaled');
  const sign = (op.constructor as typeof QuantizedAdd).sign;
  const base = sign === 1
    ? ctx.builder.add(left, right, { name: ctx.name(op, 'sum') })
    : ctx.builder.subtract(left, right, { name: ctx.name(op, 'sum') });
  if (op.producesGraphOutput) return identityOf(base, op.makeOutputQuantParameters(ZERO, scale, 0).quantizer);
  return {
    base,
    shape: base.shape,
    axis: null,
    evaluate: (ints) => {
      const out = new Float64Array(ints.size);
      for (let i = 0; i < out.length; i++) out[i] = scale * (ints.data[i] - 0);
      return op.prepareOutput(new Tensor(out, ints.shape));
    },
  };
}

export function lowerMulEncrypted(ctx: LoweringContext, op: QuantizedOp, inputs: readonly (LoweredValue | undefined)[]): Lowered {
  const [a, b] = operands(op, inputs);
  const lsbs0 = op.lsbsRemoved('input0_q_values_copy');
  const lsbs1 = op.lsbsRemoved('input1_q_values_copy');
  const prepared = (lowered: Lowered, lsbs: number, part: string) => {
    if (lsbs === 0) return ctx.integers(op, lowered, part);
    const { quantizer, value } = ctx.prepared(op, lowered);
    const tensor = ctx.lookup(op, lowered, (v) => {
      const q = op.prepareQuantizedInput(v).qvalues;
      return new Tensor(roundBitPattern(Float64Array.from(q.data), lsbs), q.shape);
    }, `${part}_rounded`, lsbs);
    return { tensor, quantizer, value };
  };
  const x0 = prepared(a, lsbs0, 'input0');
  const x1 = prepared(b, lsbs1, 'input1');
  const zp0 = scalarZeroPoint(op, x0.value, 'first operand');
  const zp1 = scalarZeroPoint(op, x1.value, 'second operand');
  let base = ctx.builder.multiplyEncrypted(x0.tensor, x1.tensor, { name: ctx.name(op, 'products') });
  if (zp0 !== 0) base = ctx.builder.subtract(base, ctx.builder.multiplyByConstant(x1.tensor, zp0, { name: ctx.name(op, 'zp0_times_input1') }), { name: ctx.name(op, 'minus_zp0_term') });
  if (zp1 !== 0) base = ctx.builder.subtract(base, ctx.builder.multiplyByConstant(x0.tensor, zp1, { name: ctx.name(op, 'zp1_times_input0') }), { name: ctx.name(op, 'minus_zp1_term') });
  const scale = x0.quantizer.scale * x1.quantizer.scale;
  const zeroPoint = zp0 * zp1;
  if (op.producesGraphOutput) return identityOf(base, op.makeOutputQuantParameters(ZERO, scale, zeroPoint).quantizer);
  return roundedThenReal(op, base, op.lsbsRemoved('product_q_values'), (product) => (product + zeroPoint) * scale);
}
