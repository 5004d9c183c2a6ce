// ReduceSum on integers: sum the integers along the axes; the zero point scales with the count
// (n * zp). Axis 0 is the batch and cannot be reduced.

import { Tensor } from '../../tensor';
import { runFloatNode } from '../float-ops';
import { QuantizedOp, type QImplOptions, quantizedInput, scalarZeroPoint } from '../op';
import { type OpValue, type RawValue, toFloat64 } from '../value';

export class QuantizedReduceSum extends QuantizedOp {
  static override readonly rawInputs = new Set([1]);
  static override readonly isMixing = true;

  override canFuse(): boolean {
    return false;
  }

  override calibrate(inputs: readonly (Tensor | RawValue | undefined)[]): Tensor {
    const raw = toFloat64(this.floatImpl(this.calibrationInputs(inputs)));
    const samples = this.setOutputQuantizerFrom(raw);
    return samples.values;
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[], options: QImplOptions = {}): Promise<OpValue> {
    const prepared = this.prepareInputs(inputs, 'quantize');
    const x = quantizedInput(this, prepared, 0, 'input');
    const axesTensor = prepared[1];
    if (!(axesTensor instanceof Tensor)) throw new TypeError(`${this.describe()}: axes must be a constant tensor`);
    const axes = Array.from(axesTensor.data as ArrayLike<number | bigint>, Number).map((a) => (a < 0 ? a + x.shape.length : a));
    if (axes.includes(0)) throw new RangeError(`${this.describe()}: axis 0 is the batch axis and cannot be summed`);
    const sums = runFloatNode(this.node, this.opset, [toFloat64(x.qvalues), axesTensor]);
    const count = axes.reduce((n, a) => n * x.shape[a], 1);
    const zeroPoint = count * scalarZeroPoint(this, x, 'input');
    if (this.producesGraphOutput) {
      return this.makeOutputQuantParameters(new Tensor(Int32Array.from(sums.data as Float64Array), sums.shape), x.quantizer.scale, zeroPoint);
    }
    const shifted = new Float64Array(sums.size);
    for (let i = 0; i < shifted.length; i++) shifted[i] = (sums.data as Float64Array)[i] - zeroPoint;
    const rounded = this.roundAccumulator(shifted, options.calibrateRounding ?? false, 'single_rounding_op');
    this.recordLookupInput('accumulator', rounded, this.lsbsRemoved('single_rounding_op'));
    const out = new Float64Array(rounded.length);
    for (let i = 0; i < out.length; i++) out[i] = x.quantizer.scale * rounded[i];
    return this.prepareOutput(new Tensor(out, sums.shape));
  }
}

