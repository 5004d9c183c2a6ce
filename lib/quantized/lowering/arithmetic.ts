// Add/Sub, Mul and MatMul of two independent encrypted tensors (with a constant, or when both
// operands derive from one encrypted tensor, Add/Sub/Mul are univariate: see univariate.ts).
//   Add/Sub: each operand re-quantized to the common scale by one lookup (fused with whatever
//            function the operand carries), then an integer add/subtract.
//   Mul:     q0*q1 - zp0*q1 - zp1*q0 with the product by the square trick (2 lookups).
//   MatMul:  x @ w - zw*sum_k(x) - zx*sum_k(w) + K*zx*zw, every product of x @ w by the square
//            trick (2*M*K*N lookups), the sums over K linear; rounding, scale and the output
//            requantization are the next lookup, as after a clear-weight Gemm.

import type { CircuitTensor } from '../../fhe/circuit';
import { roundHalfToEven } from '../../quantization';
import { Tensor } from '../../tensor';
import { attrInt } from '../attributes';
import { roundBitPattern } from '../integers';
import { scalarZeroPoint, type QuantizedOp } from '../op';
import { QuantizedAdd } from '../ops/add';
import type { QuantizedValue } from '../value';
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
  let base = squareTrickProducts(ctx, op, x0.tensor, x1.tensor, 'products');
  if (zp0 !== 0) base = ctx.builder.subtract(base, ctx.builder.multiplyByConstant(x1.tensor, zp0, { name: ctx.name(op, 'zp0_times_input1') }), { name: ctx.name(op, 'minus_zp0_term') });
  if (zp1 !== 0) base = ctx.builder.subtract(base, ctx.builder.multiplyByConstant(x0.tensor, zp1, { name: ctx.name(op, 'zp1_times_input0') }), { name: ctx.name(op, 'minus_zp1_term') });
  const scale = x0.quantizer.scale * x1.quantizer.scale;
  const zeroPoint = zp0 * zp1;
  if (op.producesGraphOutput) return identityOf(base, op.makeOutputQuantParameters(ZERO, scale, zeroPoint).quantizer);
  return roundedThenReal(op, base, op.lsbsRemoved('product_q_values'), (product) => (product + zeroPoint) * scale);
}

/** Lsbs the module rounds off a + b and a - b before squaring them (Gemm's 'add' and 'sub'). */
interface SquareTrickRounding {
  readonly sum: number;
  readonly difference: number;
}

const quarterSquare = (v: number): number => Math.floor((v * v) / 4);

/**
 * a * b elementwise (numpy broadcasting) by the square trick, floor((a+b)^2/4) - floor((a-b)^2/4),
 * exact because a+b and a-b have the same parity: two lookups per product. With rounding, the
 * module squares a+b and a-b rounded to multiples of 2^lsbs (no longer exact), which the lookups
 * then read narrower.
 */
function squareTrickProducts(ctx: LoweringContext, op: QuantizedOp, a: CircuitTensor, b: CircuitTensor, part: string, rounding: SquareTrickRounding = { sum: 0, difference: 0 }): CircuitTensor {
  const sum = ctx.builder.add(a, b, { name: ctx.name(op, `${part}_sum`) });
  const difference = ctx.builder.subtract(a, b, { name: ctx.name(op, `${part}_difference`) });
  const sumSquared = ctx.integerLookup(op, sum, quarterSquare, `${part}_sum_squared`, rounding.sum);
  const differenceSquared = ctx.integerLookup(op, difference, quarterSquare, `${part}_difference_squared`, rounding.difference);
  return ctx.builder.subtract(sumSquared, differenceSquared, { name: ctx.name(op, part) });
}

/**
 * The circuit runs one sample at a time, so a product of two encrypted tensors must keep the
 * samples apart: per sample [..., M, K] @ [..., K, N] with the same leading axes. ONNX Gemm is
 * 2-D: with both operands encrypted, its rows and B's are samples, and it multiplies across them.
 */
function checkPerSampleShapes(op: QuantizedOp, a: readonly number[], b: readonly number[]): void {
  const lead = a.slice(0, -2);
  const fits = op.opType === 'MatMul' && a.length >= 2 && a.length === b.length && lead.every((d, i) => d === b[i]) && a.at(-1) === b.at(-2);
  if (fits) return;
  const shapes = `[batch, ${a.join(', ')}] by [batch, ${b.join(', ')}]`;
  const attributes = op.opType === 'Gemm' ? ` (transA = ${attrInt(op.node, 'transA', 0)}, transB = ${attrInt(op.node, 'transB', 0)})` : '';
  throw new RangeError(
    `${op.describe()}: ${op.opType} of two encrypted tensors ${shapes}${attributes} is not lowered: the circuit runs one sample at a time, ` +
      'so only MatMul of [batch, ..., M, K] by [batch, ..., K, N] (the same leading axes; e.g. x @ Transpose(y, perm = [0, 2, 1])) is supported' +
      (op.opType === 'Gemm' ? '; ONNX Gemm is 2-D, so its rows are the samples and it multiplies across them' : ''),
  );
}

/** A scalar integer zero point: the terms it brings are products of ciphertexts by clear integers. */
function integerZeroPoint(op: QuantizedOp, value: QuantizedValue, what: string): number {
  const zeroPoint = scalarZeroPoint(op, value, what);
  if (!Number.isInteger(zeroPoint)) throw new RangeError(`${op.describe()}: ${what} has the zero point ${zeroPoint}; an encrypted product needs an integer one`);
  return zeroPoint;
}

/** x [..., M, K] @ w [..., K, N]: the M*K*N products by the square trick, summed over K. */
function encryptedMatmul(ctx: LoweringContext, op: QuantizedOp, x: CircuitTensor, w: CircuitTensor): CircuitTensor {
  const lead = x.shape.slice(0, -2);
  const [m, k] = x.shape.slice(-2);
  const n = w.shape[w.shape.length - 1];
  const rows = ctx.builder.reshape(x, [...lead, m, k, 1], { name: ctx.name(op, 'input0_rows') });
  const columns = ctx.builder.reshape(w, [...lead, 1, k, n], { name: ctx.name(op, 'input1_columns') });
  const rounding = { sum: op.lsbsRemoved('add'), difference: op.lsbsRemoved('sub') };
  const products = squareTrickProducts(ctx, op, rows, columns, 'products', rounding);
  return ctx.builder.reduceSum(products, [lead.length + 1], { name: ctx.name(op, 'products_summed'), keepDims: false });
}

export function lowerMatMulEncrypted(ctx: LoweringContext, op: QuantizedOp, inputs: readonly (LoweredValue | undefined)[]): Lowered {
  const [a, b] = operands(op, inputs);
  checkPerSampleShapes(op, a.shape, b.shape);
  const x = ctx.integers(op, a, 'input0');
  const w = ctx.integers(op, b, 'input1');
  const zx = integerZeroPoint(op, x.value, 'input A');
  const zw = integerZeroPoint(op, w.value, 'input B');
  const { builder } = ctx;
  let base = encryptedMatmul(ctx, op, x.tensor, w.tensor);
  if (zw !== 0) {
    const rowSums = builder.reduceSum(x.tensor, [-1], { name: ctx.name(op, 'input0_row_sums') });
    base = builder.subtract(base, builder.multiplyByConstant(rowSums, zw, { name: ctx.name(op, 'zw_times_row_sums') }), { name: ctx.name(op, 'minus_zw_term') });
  }
  if (zx !== 0) {
    const columnSums = builder.reduceSum(w.tensor, [-2], { name: ctx.name(op, 'input1_column_sums') });
    base = builder.subtract(base, builder.multiplyByConstant(columnSums, zx, { name: ctx.name(op, 'zx_times_column_sums') }), { name: ctx.name(op, 'minus_zx_term') });
  }
  const k = x.tensor.shape[x.tensor.shape.length - 1];
  if (zx * zw !== 0) base = builder.addConstant(base, k * zx * zw, { name: ctx.name(op, 'accumulator') });
  const scale = x.quantizer.scale * w.quantizer.scale;
  return roundedThenReal(op, base, op.lsbsRemoved('matmul'), (acc) => scale * acc);
}
