// Quantization and de-quantization of tensors with fixed options and parameters:
//   quant(x)   = clip(rint(x / scale + zeroPoint), qmin, qmax)
//   dequant(q) = scale * (q - zeroPoint)
// Widths follow the reference (numpy 1.26): a float64 tensor is computed in float64; a float32
// tensor is divided in float32 and shifted in float32 or float64 depending on the zero point's
// value (precision.ts). De-quantized values are always float64.

import { Tensor, type TensorLike } from '../tensor';
import { checkRecord, decodeBoolean } from './json';
import { QuantizationOptions, type QuantizationOptionsJSON } from './options';
import { UniformQuantizationParameters, type UniformQuantizationParametersJSON } from './parameters';
import { dequantInto, quantInto } from './kernels';
import { float32ScalarOpWidth } from './precision';
import { MinMaxQuantizationStats, type MinMaxQuantizationStatsJSON } from './stats';
import { checkNonEmpty } from './values';
import { broadcastZeroPoint } from './zero-point';

export interface UniformQuantizerInit {
  options: QuantizationOptions;
  /** The calibration range the parameters came from; optional, kept for reports and equality. */
  stats?: MinMaxQuantizationStats | null;
  params: UniformQuantizationParameters;
  /** Skip clipping, for values that are known to be in range or must not be bounded. */
  noClipping?: boolean;
}

export interface UniformQuantizerJSON {
  options: QuantizationOptionsJSON;
  stats: MinMaxQuantizationStatsJSON | null;
  params: UniformQuantizationParametersJSON;
  noClipping: boolean;
}

export class UniformQuantizer {
  readonly options: QuantizationOptions;
  readonly stats: MinMaxQuantizationStats | null;
  readonly params: UniformQuantizationParameters;
  readonly noClipping: boolean;

  constructor(init: UniformQuantizerInit) {
    if (typeof init !== 'object' || init === null) throw new TypeError('UniformQuantizer needs { options, params }');
    const known = ['options', 'stats', 'params', 'noClipping'];
    const unknown = Object.keys(init).filter((key) => !known.includes(key));
    if (unknown.length > 0) throw new TypeError(`unknown UniformQuantizer field(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
    const { options, stats = null, params, noClipping = false } = init;
    if (!(options instanceof QuantizationOptions)) throw new TypeError('UniformQuantizer options must be a QuantizationOptions');
    if (!(params instanceof UniformQuantizationParameters)) {
      throw new TypeError('UniformQuantizer params must be a UniformQuantizationParameters');
    }
    if (stats !== null && !(stats instanceof MinMaxQuantizationStats)) {
      throw new TypeError('UniformQuantizer stats must be a MinMaxQuantizationStats or null');
    }
    if (typeof noClipping !== 'boolean') throw new TypeError('UniformQuantizer noClipping must be a boolean');
    this.options = options;
    this.stats = stats;
    this.params = params;
    this.noClipping = noClipping;
    Object.freeze(this);
  }

  get nBits(): number {
    return this.options.nBits;
  }

  get scale(): number {
    return this.params.scale;
  }

  get zeroPoint(): UniformQuantizationParameters['zeroPoint'] {
    return this.params.zeroPoint;
  }

  get offset(): number {
    return this.params.offset;
  }

  /** Smallest integer after clipping: -offset, one more in narrow range (e.g. -127 for int8). */
  get qmin(): number {
    return -this.params.offset + (this.options.isNarrow ? 1 : 0);
  }

  /** Largest integer after clipping: 2^n - 1 - offset. */
  get qmax(): number {
    return 2 ** this.options.nBits - 1 - this.params.offset;
  }

  /**
   * Integers for `values` (any shape; same shape out). Pass `out` to reuse a buffer of the
   * same length. NaN and infinities are errors, as are results outside int32 with noClipping.
   */
  quant(values: TensorLike, out?: Int32Array): Tensor<'int32'> {
    const tensor = Tensor.from(values);
    checkNonEmpty(tensor, 'values');
    const data = tensor.data;
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      throw new TypeError('cannot quantize int64 values: they are not real numbers to map to integers');
    }
    const result = outputBuffer(out, Int32Array, data.length);
    const { scale, zeroPoint } = this.params;
    // float32 data: numpy picks the width of the division and of the shift from the scalars'
    // values (see float32ScalarOpWidth); a per-channel zero point is an array, hence float64.
    const isFloat32 = data instanceof Float32Array;
    const divideIn32 = isFloat32 && float32ScalarOpWidth(scale, false) === 'float32';
    const shiftIn32 =
      divideIn32 && typeof zeroPoint === 'number' && float32ScalarOpWidth(zeroPoint, Number.isInteger(zeroPoint)) === 'float32';
    quantInto(data, result, {
      scale,
      zeroPoint: typeof zeroPoint === 'number' ? zeroPoint : broadcastZeroPoint(zeroPoint, tensor.shape),
      divideIn32,
      shiftIn32,
      clip: !this.noClipping,
      qmin: this.qmin,
      qmax: this.qmax,
    });
    return new Tensor(result, tensor.shape);
  }

  /** Floats (float64) for integers `qvalues`. Float inputs must hold integers. */
  dequant(qvalues: TensorLike, out?: Float64Array): Tensor<'float64'> {
    const tensor = Tensor.from(qvalues);
    checkNonEmpty(tensor, 'qvalues');
    const q = integerData(tensor);
    const result = outputBuffer(out, Float64Array, q.length);
    const { scale, zeroPoint } = this.params;
    dequantInto(q, result, scale, typeof zeroPoint === 'number' ? zeroPoint : broadcastZeroPoint(zeroPoint, tensor.shape));
    return new Tensor(result, tensor.shape);
  }

  /** All options, statistics, parameters and noClipping equal (Concrete ML's `__eq__`). */
  equals(other: UniformQuantizer): boolean {
    const statsEqual =
      this.stats === null || other.stats === null ? this.stats === other.stats : this.stats.equals(other.stats);
    return (
      other.noClipping === this.noClipping &&
      other.options.equals(this.options) &&
      statsEqual &&
      other.params.equals(this.params)
    );
  }

  toJSON(): UniformQuantizerJSON {
    return {
      options: this.options.toJSON(),
      stats: this.stats === null ? null : this.stats.toJSON(),
      params: this.params.toJSON(),
      noClipping: this.noClipping,
    };
  }

  static fromJSON(json: unknown): UniformQuantizer {
    const record = checkRecord(json, ['options', 'stats', 'params', 'noClipping'], 'UniformQuantizer JSON');
    return new UniformQuantizer({
      options: QuantizationOptions.fromJSON(record.options),
      stats: record.stats === null ? null : MinMaxQuantizationStats.fromJSON(record.stats),
      params: UniformQuantizationParameters.fromJSON(record.params),
      noClipping: decodeBoolean(record.noClipping, 'UniformQuantizer JSON noClipping'),
    });
  }
}

function outputBuffer<T extends Int32Array | Float64Array>(
  out: T | undefined, type: { new (length: number): T; name: string }, length: number,
): T {
  if (out === undefined) return new type(length);
  if (!(out instanceof type) || out.length !== length) {
    throw new TypeError(`out must be a ${type.name} of length ${length}`);
  }
  return out;
}

/** Integer-valued elements as numbers: int64 converted when safe, floats checked to be integers. */
function integerData(tensor: Tensor): ArrayLike<number> {
  const data = tensor.data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    return Float64Array.from(data, (value, i) => {
      const n = Number(value);
      if (!Number.isSafeInteger(n)) throw new RangeError(`qvalues element ${i} (${value}) is beyond 2^53`);
      return n;
    });
  }
  if (data instanceof Float32Array || data instanceof Float64Array) {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isInteger(data[i])) throw new RangeError(`qvalues must be integers, but element ${i} is ${data[i]}`);
    }
  }
  return data;
}
