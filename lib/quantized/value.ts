// What flows between quantized ops. As in Concrete ML, an encrypted tensor travels as its reals
// and its integers under one quantizer: an op that computes on integers (Gemm, Conv, Add of two
// encrypted tensors) takes the integers, or re-quantizes the reals with its own options when the
// quantizers differ; an op that becomes a table lookup takes the reals. Clear values (shapes,
// integer constants) travel as RawValue and are never quantized.

import {
  MinMaxQuantizationStats,
  QuantizationOptions,
  UniformQuantizationParameters,
  UniformQuantizer,
} from '../quantization';
import { Tensor } from '../tensor';

export type FloatTensor = Tensor<'float32'> | Tensor<'float64'>;

export class QuantizedValue {
  readonly values: FloatTensor;
  readonly qvalues: Tensor<'int32'>;
  readonly quantizer: UniformQuantizer;

  private constructor(values: FloatTensor, qvalues: Tensor<'int32'>, quantizer: UniformQuantizer) {
    this.values = values;
    this.qvalues = qvalues;
    this.quantizer = quantizer;
  }

  /**
   * Quantizes reals. Missing stats are taken from the values, missing params computed from
   * options + stats; `nBits` wins over options.nBits (Concrete ML's QuantizedArray rule).
   */
  static fromFloat(
    nBits: number,
    values: FloatTensor,
    init: { options?: QuantizationOptions; stats?: MinMaxQuantizationStats | null; params?: UniformQuantizationParameters | null } = {},
  ): QuantizedValue {
    const options = (init.options ?? new QuantizationOptions(nBits)).with({ nBits });
    const stats = init.stats ?? MinMaxQuantizationStats.computeQuantizationStats(values);
    const params = init.params ?? UniformQuantizationParameters.computeQuantizationParameters(options, stats);
    const quantizer = new UniformQuantizer({ options, stats, params });
    return new QuantizedValue(values, quantizer.quant(values), quantizer);
  }

  /** Integers under a known quantizer; the reals are their de-quantized values. */
  static fromIntegers(qvalues: Tensor<'int32'>, quantizer: UniformQuantizer): QuantizedValue {
    return new QuantizedValue(quantizer.dequant(qvalues), qvalues, quantizer);
  }

  /** Integers with the quantizer built from parts (options with nBits, stats, params). */
  static fromParts(
    nBits: number,
    qvalues: Tensor<'int32'>,
    options: QuantizationOptions,
    stats: MinMaxQuantizationStats | null,
    params: UniformQuantizationParameters,
  ): QuantizedValue {
    return QuantizedValue.fromIntegers(qvalues, new UniformQuantizer({ options: options.with({ nBits }), stats, params }));
  }

  /** Exactly these three parts, nothing recomputed (JSON loading). */
  static restore(values: FloatTensor, qvalues: Tensor<'int32'>, quantizer: UniformQuantizer): QuantizedValue {
    return new QuantizedValue(values, qvalues, quantizer);
  }

  get shape(): readonly number[] {
    return this.qvalues.shape;
  }

  /** The same quantizer over other integers (data movement ops). */
  withIntegers(qvalues: Tensor<'int32'>): QuantizedValue {
    return QuantizedValue.fromIntegers(qvalues, this.quantizer);
  }
}

/** A clear value that is never quantized: shapes, indices, integer constants. */
export class RawValue {
  constructor(readonly tensor: Tensor) {}
}

export type OpValue = QuantizedValue | RawValue;

/** Float64 copy of any numeric tensor (numpy computes these ops in float64). */
export function toFloat64(tensor: Tensor): Tensor<'float64'> {
  if (tensor.dtype === 'float64') return tensor as Tensor<'float64'>;
  const data = tensor.data;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return new Tensor(out, tensor.shape);
}

export function isFloatTensor(tensor: Tensor): tensor is FloatTensor {
  return tensor.dtype === 'float32' || tensor.dtype === 'float64';
}
