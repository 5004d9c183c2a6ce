// Standard QDQ (QuantizeLinear -> DequantizeLinear), which Concrete ML lacks. A pair acts like a
// Brevitas Quant: QuantizeLinear fake-quantizes in float (so calibration keeps seeing reals) and
// hands the next integer op integers on the graph's own grid (precomputed QAT quantizer: scale,
// zero point, int8 -> signed 8 bits, uint8 -> unsigned); DequantizeLinear then passes its input
// through. Per-tensor scale only on encrypted values: one scale per tensor is what the integer
// ops rescale by.

import { QuantizationOptions, UniformQuantizationParameters } from '../../quantization';
import { Tensor } from '../../tensor';
import { QuantizedOp, type QuantizedOpInit } from '../op';
import { type OpValue, QuantizedValue, type RawValue, toFloat64 } from '../value';

const BITS: Record<string, { nBits: number; signed: boolean }> = {
  int8: { nBits: 8, signed: true },
  uint8: { nBits: 8, signed: false },
  int16: { nBits: 16, signed: true },
  uint16: { nBits: 16, signed: false },
};

export class QuantizedQuantizeLinear extends QuantizedOp {
  static override readonly rawInputs = new Set([1, 2]);
  readonly params: UniformQuantizationParameters;
  readonly quantOptions: QuantizationOptions;

  constructor(init: QuantizedOpInit) {
    super(init);
    const scale = this.constants.get(1)?.tensor;
    const zeroPoint = this.constants.get(2)?.tensor;
    if (scale === undefined || scale.size !== 1 || (zeroPoint !== undefined && zeroPoint.size !== 1)) {
      throw new RangeError(`${this.describe()}: an encrypted QuantizeLinear needs a constant per-tensor scale and zero point`);
    }
    const type = zeroPoint === undefined ? BITS.uint8 : BITS[zeroPoint.dtype];
    if (type === undefined) throw new RangeError(`${this.describe()}: zero point type ${zeroPoint?.dtype} is not supported (int8, uint8, int16, uint16)`);
    this.params = new UniformQuantizationParameters({
      scale: Number(scale.data[0]),
      zeroPoint: zeroPoint === undefined ? 0 : Number(zeroPoint.data[0]),
      offset: type.signed ? 2 ** (type.nBits - 1) : 0,
    });
    this.quantOptions = new QuantizationOptions(type.nBits, { isSigned: type.signed, isQat: true, isPrecomputedQat: true });
  }

  /** x -> scale * (clip(rint(x / scale + zp)) - zp), in float64. */
  private fakeQuantize(x: Tensor): Tensor<'float64'> {
    const values = toFloat64(x);
    const quantized = QuantizedValue.fromFloat(this.quantOptions.nBits, values, { options: this.quantOptions, params: this.params });
    return quantized.quantizer.dequant(quantized.qvalues);
  }

  override calibrate(inputs: readonly (Tensor | RawValue | undefined)[]): Tensor {
    const [x] = this.calibrationInputs(inputs);
    if (!(x instanceof Tensor)) throw new TypeError(`${this.describe()}: the input must be a float tensor`);
    const result = this.fakeQuantize(x);
    this.outputStats = QuantizedValue.fromFloat(this.quantOptions.nBits, result).quantizer.stats;
    this.outputParams = this.params;
    return result;
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[]): Promise<OpValue> {
    const x = inputs[0];
    if (!(x instanceof QuantizedValue)) throw new TypeError(`${this.describe()}: the input must be encrypted`);
    const result = this.fakeQuantize(x.values);
    return QuantizedValue.fromFloat(this.quantOptions.nBits, result, { options: this.quantOptions, stats: this.outputStats, params: this.params });
  }
}

export class QuantizedDequantizeLinear extends QuantizedOp {
  static override readonly rawInputs = new Set([1, 2]);

  constructor(init: QuantizedOpInit) {
    super(init);
    void init;
  }

  override calibrate(inputs: readonly (Tensor | RawValue | undefined)[]): Tensor {
    const [x] = this.calibrationInputs(inputs);
    if (!(x instanceof Tensor) || (x.dtype !== 'float32' && x.dtype !== 'float64')) {
      throw new TypeError(`${this.describe()}: DequantizeLinear must follow a QuantizeLinear of an encrypted tensor`);
    }
    this.setOutputQuantizerFrom(x as Tensor<'float64'>);
    return x;
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[]): Promise<OpValue> {
    const x = inputs[0];
    if (!(x instanceof QuantizedValue)) throw new TypeError(`${this.describe()}: the input must be encrypted`);
    return x;
  }
}
