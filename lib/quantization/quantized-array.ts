// A tensor held both as reals and as their integers, kept in sync through one quantizer. Ops
// of a quantized graph need one or the other: table lookups take the reals, integer kernels
// (matmul, conv) and encrypted outputs take the integers.

import type { Tensor } from '../tensor';
import { resolveFields, type QuantizedArrayInit } from './fields';
import { checkRecord, decodeTensor, type TensorJSON, encodeTensor } from './json';
import { checkNBits } from './n-bits';
import { UniformQuantizationParameters } from './parameters';
import { UniformQuantizer, type UniformQuantizerJSON } from './quantizer';
import { MinMaxQuantizationStats } from './stats';
import { type TensorLike } from '../tensor';
import { type FloatTensor, floatValues, integerValues, isFloatTensor, isIntegerTensor, tensorsEqual } from './values';

export type { QuantizedArrayInit } from './fields';

export interface QuantizedArrayJSON {
  nBits: number;
  quantizer: UniformQuantizerJSON;
  values: TensorJSON;
  qvalues: TensorJSON;
}

export class QuantizedArray {
  readonly nBits: number;
  readonly quantizer: UniformQuantizer;
  #values!: FloatTensor;
  #qvalues!: Tensor;

  /**
   * With `valueIsFloat` (the default): quantizes `values`, computing the statistics and the
   * parameters unless given. With `valueIsFloat: false`: `values` are integers (e.g. the
   * decrypted output of a circuit) and `scale` and `zeroPoint` (or `params`) are required;
   * `values` then holds their de-quantized reals.
   */
  constructor(nBits: number, values: TensorLike, init: QuantizedArrayInit = {}) {
    this.nBits = checkNBits(nBits);
    const { valueIsFloat, options, stats, params } = resolveFields(nBits, init);
    if (valueIsFloat) {
      const floats = floatValues(values, 'values');
      const usedStats = stats ?? MinMaxQuantizationStats.computeQuantizationStats(floats);
      const usedParams = params ?? UniformQuantizationParameters.computeQuantizationParameters(options, usedStats);
      this.quantizer = new UniformQuantizer({ options, stats: usedStats, params: usedParams });
      this.#values = floats;
      this.quant();
    } else {
      if (params === null) {
        throw new TypeError('valueIsFloat: false needs the quantization parameters: give scale and zeroPoint, or params');
      }
      this.quantizer = new UniformQuantizer({ options, stats, params });
      this.#qvalues = integerValues(values, 'qvalues');
      this.dequant();
    }
  }

  /** The reals: float32 or float64 as given, float64 once de-quantized. */
  get values(): FloatTensor {
    return this.#values;
  }

  /** The integers: int32 when quantized here, the given integer dtype otherwise. */
  get qvalues(): Tensor {
    return this.#qvalues;
  }

  /** Re-quantizes `values` into `qvalues` and returns them. */
  quant(): Tensor {
    this.#qvalues = this.quantizer.quant(this.#values);
    return this.#qvalues;
  }

  /** De-quantizes `qvalues` into `values` (float64) and returns them. */
  dequant(): Tensor<'float64'> {
    const values = this.quantizer.dequant(this.#qvalues);
    this.#values = values;
    return values;
  }

  /** Replaces the reals (copied) and returns their integers under the same quantizer. */
  updateValues(values: TensorLike): Tensor {
    this.#values = floatValues(values, 'values');
    return this.quant();
  }

  /** Replaces the integers (copied) and returns their reals under the same quantizer. */
  updateQuantizedValues(qvalues: TensorLike): Tensor<'float64'> {
    this.#qvalues = integerValues(qvalues, 'qvalues');
    return this.dequant();
  }

  /** Same nBits, equal quantizers, and elementwise equal values and qvalues. */
  equals(other: QuantizedArray): boolean {
    return (
      other.nBits === this.nBits &&
      other.quantizer.equals(this.quantizer) &&
      tensorsEqual(other.values, this.values) &&
      tensorsEqual(other.qvalues, this.qvalues)
    );
  }

  toJSON(): QuantizedArrayJSON {
    return {
      nBits: this.nBits,
      quantizer: this.quantizer.toJSON(),
      values: encodeTensor(this.#values),
      qvalues: encodeTensor(this.#qvalues),
    };
  }

  /** Restores exactly what toJSON wrote, without recomputing anything. */
  static fromJSON(json: unknown): QuantizedArray {
    const record = checkRecord(json, ['nBits', 'quantizer', 'values', 'qvalues'], 'QuantizedArray JSON');
    const quantizer = UniformQuantizer.fromJSON(record.quantizer);
    const values = decodeTensor(record.values, 'QuantizedArray JSON values');
    const qvalues = decodeTensor(record.qvalues, 'QuantizedArray JSON qvalues');
    if (!isFloatTensor(values)) throw new TypeError(`QuantizedArray JSON values must be float32 or float64, got ${values.dtype}`);
    if (!isIntegerTensor(qvalues)) throw new TypeError(`QuantizedArray JSON qvalues must be integers, got ${qvalues.dtype}`);
    if (values.shape.join() !== qvalues.shape.join()) {
      throw new TypeError(`QuantizedArray JSON values [${values.shape.join(', ')}] and qvalues [${qvalues.shape.join(', ')}] differ in shape`);
    }
    // Built from the integers (which checks them), then given back the stored reals and the
    // stored quantizer (which may carry noClipping, not a constructor field).
    const array = new QuantizedArray(checkNBits(record.nBits), qvalues, {
      valueIsFloat: false,
      options: quantizer.options,
      params: quantizer.params,
    });
    return array.#restore(quantizer, values);
  }

  #restore(quantizer: UniformQuantizer, values: FloatTensor): this {
    (this as { quantizer: UniformQuantizer }).quantizer = quantizer;
    this.#values = values;
    return this;
  }
}
