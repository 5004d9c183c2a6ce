// Ops computed elementwise on reals and re-quantized: under FHE each is one table lookup over
// its input integers (fused with whatever univariate ops precede it). The float semantics are
// the interpreter's (lib/onnx/ops).

import { Tensor } from '../../tensor';
import { QuantizedOp, type QuantizedOpInit } from '../op';
import { QuantizedValue, type OpValue, RawValue } from '../value';

export class QuantizedUnivariate extends QuantizedOp {}

/** Clip's bounds and PRelu's slope are clear parameters, not quantized. */
export class QuantizedClip extends QuantizedOp {
  static override readonly rawInputs = new Set([1, 2]);
}

export class QuantizedPRelu extends QuantizedOp {
  static override readonly rawInputs = new Set([1]);
}

/** Binary ops that are univariate only when fed by one encrypted tensor or a constant. */
export class QuantizedUnivariateOfEncrypted extends QuantizedOp {
  constructor(init: QuantizedOpInit) {
    super(init);
    if (!this.canFuse() && init.constants.size !== 1) {
      throw new RangeError(`${this.describe()}: ${this.opType} of two independent encrypted tensors is not supported (one operand must be a constant or derive from the same encrypted input)`);
    }
  }

  override canFuse(): boolean {
    return this.intInputNames.size === 1;
  }
}

/** Comparisons need a constant operand. */
export class QuantizedComparison extends QuantizedOp {
  constructor(init: QuantizedOpInit) {
    super(init);
    if (init.constants.size < 1) throw new RangeError(`${this.describe()}: ${this.opType} needs a constant operand`);
  }
}

export class QuantizedWhere extends QuantizedOp {
  constructor(init: QuantizedOpInit) {
    super(init);
    if (init.intInputNames.size !== 1) throw new RangeError(`${this.describe()}: Where must depend on exactly one encrypted tensor`);
  }
}

/** Identity keeps the quantizer of its input. */
export class QuantizedIdentity extends QuantizedOp {
  override async qImpl(inputs: readonly (OpValue | undefined)[]): Promise<OpValue> {
    const x = inputs[0];
    if (x instanceof QuantizedValue) this.outputParams = x.quantizer.params;
    return super.qImpl(inputs);
  }
}

/**
 * BatchNormalization with per-channel scale or bias clips its calibrated output to the 0.1 / 99.9
 * percentiles (outliers would waste the few levels of the output), and calibration continues
 * on the de-quantized clipped values.
 */
export class QuantizedBatchNormalization extends QuantizedOp {
  override calibrate(inputs: readonly (Tensor | RawValue | undefined)[]): Tensor {
    let raw = this.floatImpl(this.calibrationInputs(inputs));
    const scale = this.constants.get(1)?.tensor;
    const bias = this.constants.get(2)?.tensor;
    if ((scale?.size ?? 1) > 1 || (bias?.size ?? 1) > 1) raw = clipToPercentiles(raw, 0.1, 99.9);
    const samples = this.setOutputQuantizerFrom(raw as Tensor<'float64'>);
    return samples.quantizer.dequant(samples.qvalues);
  }
}

/** numpy.percentile ('linear') of all elements. */
export function percentile(sorted: Float64Array, p: number): number {
  const position = (p / 100) * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  const fraction = position - low;
  const a = sorted[low];
  const difference = sorted[high] - a;
  // numpy's _lerp interpolates from the upper neighbour when the fraction is >= 0.5
  return fraction >= 0.5 ? sorted[high] - difference * (1 - fraction) : a + difference * fraction;
}

function clipToPercentiles(tensor: Tensor, low: number, high: number): Tensor {
  const data = Float64Array.from(tensor.data as ArrayLike<number>);
  const sorted = Float64Array.from(data).sort();
  const lower = percentile(sorted, low);
  const upper = percentile(sorted, high);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(Math.max(data[i], lower), upper);
  return new Tensor(data, tensor.shape);
}
