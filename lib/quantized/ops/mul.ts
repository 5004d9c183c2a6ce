// Mul / Div. With a constant (or one encrypted producer) they are univariate table lookups.
// Two encrypted tensors: Mul computes q0*q1 - zp0*q1 - zp1*q0 (scale s0*s1), each product by
// two table lookups; Div multiplies by the reciprocal of the divisor, re-quantized with a
// quantizer calibrated on 1 / divisor.

import { UniformQuantizer } from '../../quantization';
import { Tensor } from '../../tensor';
import { QuantizedOp, type QImplOptions, quantizedInput, scalarZeroPoint } from '../op';
import { type OpValue, QuantizedValue, RawValue, toFloat64 } from '../value';
import { broadcastIndexer, broadcastShape } from './add';

interface EncryptedOperands {
  shape: number[];
  a: Float64Array;
  b: Float64Array;
}

function broadcastOperands(op: QuantizedOp, a: Tensor, b: Tensor): EncryptedOperands {
  const shape = broadcastShape(op, a.shape, b.shape);
  const size = shape.reduce((x, y) => x * y, 1);
  const indexA = broadcastIndexer(a.shape, shape);
  const indexB = broadcastIndexer(b.shape, shape);
  const outA = new Float64Array(size);
  const outB = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    outA[i] = Number(a.data[indexA(i)]);
    outB[i] = Number(b.data[indexB(i)]);
  }
  return { shape, a: outA, b: outB };
}

export class QuantizedMul extends QuantizedOp {
  static override readonly isMixing = true;

  override canFuse(): boolean {
    return this.intInputNames.size === 1;
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[], options: QImplOptions = {}): Promise<OpValue> {
    if (inputs.length === 1 || inputs.some((value) => value instanceof RawValue) || this.canFuse()) return super.qImpl(inputs);
    const calibrateRounding = options.calibrateRounding ?? false;
    const prepared = this.prepareInputs(inputs, 'quantize');
    const q0 = quantizedInput(this, prepared, 0, 'first operand');
    const q1 = quantizedInput(this, prepared, 1, 'second operand');
    const zp0 = scalarZeroPoint(this, q0, 'first operand');
    const zp1 = scalarZeroPoint(this, q1, 'second operand');
    const operands = broadcastOperands(this, q0.qvalues, q1.qvalues);
    const x0 = this.roundAccumulator(operands.a, calibrateRounding, 'input0_q_values_copy');
    const x1 = this.roundAccumulator(operands.b, calibrateRounding, 'input1_q_values_copy');
    const sums = new Float64Array(x0.length);
    const differences = new Float64Array(x0.length);
    let product: Float64Array = new Float64Array(x0.length);
    for (let i = 0; i < x0.length; i++) {
      sums[i] = x0[i] + x1[i];
      differences[i] = x0[i] - x1[i];
      product[i] = x0[i] * x1[i];
      if (zp0) product[i] -= zp0 * x1[i];
      if (zp1) product[i] -= zp1 * x0[i];
    }
    this.recordLookupInput('sum', sums);
    this.recordLookupInput('difference', differences);
    const scale = q0.quantizer.scale * q1.quantizer.scale;
    // Concrete ML 1.9 gives this zero point as +zp0*zp1 although the integers hold
    // (q0-zp0)(q1-zp1) - zp0*zp1; kept for parity (see the report).
    const zeroPoint = zp0 * zp1;
    if (this.producesGraphOutput) {
      return this.makeOutputQuantParameters(new Tensor(Int32Array.from(product), operands.shape), scale, zeroPoint);
    }
    product = this.roundAccumulator(product, calibrateRounding, 'product_q_values');
    const out = new Float64Array(product.length);
    for (let i = 0; i < product.length; i++) out[i] = (product[i] + zeroPoint) * scale;
    return this.prepareOutput(new Tensor(out, operands.shape));
  }
}

export class QuantizedDiv extends QuantizedOp {
  static override readonly isMixing = true;
  dividerQuantizer: UniformQuantizer | null = null;
  minNonZeroValue: number | null = null;

  override canFuse(): boolean {
    return this.intInputNames.size === 1;
  }

  override calibrate(inputs: readonly (Tensor | RawValue | undefined)[]): Tensor {
    const divisor = inputs[1];
    if (!this.canFuse() && inputs.length === 2 && divisor instanceof Tensor) {
      const data = toFloat64(divisor).data;
      let at = 0;
      for (let i = 1; i < data.length; i++) if (Math.abs(data[i]) < Math.abs(data[at])) at = i;
      if (data[at] === 0) throw new RangeError(`${this.describe()}: the divisor is 0 in the calibration data`);
      this.minNonZeroValue = data[at];
      const reciprocal = new Float64Array(data.length);
      for (let i = 0; i < data.length; i++) reciprocal[i] = 1 / data[i];
      this.dividerQuantizer = QuantizedValue.fromFloat(this.nBits, new Tensor(reciprocal, divisor.shape) as Tensor<'float64'>).quantizer;
    }
    return super.calibrate(inputs);
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[], options: QImplOptions = {}): Promise<OpValue> {
    if (this.canFuse()) return super.qImpl(inputs);
    const divider = this.dividerQuantizer;
    if (divider === null || this.minNonZeroValue === null) throw new Error(`${this.describe()} must be calibrated first`);
    const prepared = this.prepareInputs(inputs, 'quantize');
    const q0 = quantizedInput(this, prepared, 0, 'dividend');
    const q1 = quantizedInput(this, prepared, 1, 'divisor');
    const divisor = q1.quantizer.dequant(q1.qvalues);
    const reciprocal = new Float64Array(divisor.size);
    for (let i = 0; i < reciprocal.length; i++) reciprocal[i] = 1 / (divisor.data[i] === 0 ? this.minNonZeroValue : divisor.data[i]);
    const qReciprocal = divider.quant(new Tensor(reciprocal, divisor.shape));
    this.recordLookupInput('divisor', q1.qvalues.data);
    const zp0 = scalarZeroPoint(this, q0, 'dividend');
    const zpd = typeof divider.zeroPoint === 'number' ? divider.zeroPoint : 0;
    const operands = broadcastOperands(this, q0.qvalues, qReciprocal);
    let product: Float64Array = new Float64Array(operands.a.length);
    for (let i = 0; i < product.length; i++) {
      product[i] = operands.a[i] * operands.b[i];
      if (zp0) product[i] -= zp0 * (operands.b[i] - zpd);
      if (zpd) product[i] -= zpd * (operands.a[i] - zp0);
    }
    const scale = q0.quantizer.scale * divider.scale;
    const zeroPoint = zp0 * zpd;
    if (this.producesGraphOutput) return this.makeOutputQuantParameters(new Tensor(Int32Array.from(product), operands.shape), scale, zeroPoint);
    product = this.roundAccumulator(product, options.calibrateRounding ?? false, 'single_rounding_op');
    const out = new Float64Array(product.length);
    for (let i = 0; i < product.length; i++) out[i] = (product[i] - zeroPoint) * scale;
    return this.prepareOutput(new Tensor(out, operands.shape));
  }

  override extraState(): Record<string, unknown> {
    return { dividerQuantizer: this.dividerQuantizer?.toJSON() ?? null, minNonZeroValue: this.minNonZeroValue };
  }

  override restoreExtraState(state: Record<string, unknown>): void {
    this.minNonZeroValue = (state.minNonZeroValue as number | null) ?? null;
    this.dividerQuantizer = state.dividerQuantizer ? UniformQuantizer.fromJSON(state.dividerQuantizer) : null;
  }
}
