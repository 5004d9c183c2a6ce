// The affine map between reals and integers: x ≈ scale * (q - zeroPoint). `offset` shifts the
// unsigned integer range [0, 2^n - 1] to the signed one [-offset, 2^n - 1 - offset].

import { checkRecord, decodeNumber, encodeNumber, type JsonNumber } from './json';
import type { QuantizationOptions } from './options';
import { roundHalfToEven } from './rounding';
import type { MinMaxQuantizationStats } from './stats';
import { toWidth } from './precision';
import {
  decodeZeroPoint,
  encodeZeroPoint,
  toZeroPoint,
  type ZeroPoint,
  type ZeroPointJSON,
  type ZeroPointLike,
  zeroPointsEqual,
} from './zero-point';

/**
 * Below this range width a tensor counts as constant (Concrete ML's STABILITY_CONST): a scale of
 * (rmax - rmin) / (2^n - 1) would be near 0 and blow up x / scale.
 */
export const STABILITY_CONST = 1e-6;

export interface UniformQuantizationParametersInit {
  scale: number;
  zeroPoint: ZeroPointLike;
  offset: number;
}

export interface UniformQuantizationParametersJSON {
  scale: JsonNumber;
  zeroPoint: ZeroPointJSON;
  offset: number;
}

export class UniformQuantizationParameters {
  /** float64, always (the reference forces numpy.float64). May be negative: see the constant rule. */
  readonly scale: number;
  readonly zeroPoint: ZeroPoint;
  readonly offset: number;

  constructor(init: UniformQuantizationParametersInit) {
    if (typeof init !== 'object' || init === null) {
      throw new TypeError('quantization parameters must be an object { scale, zeroPoint, offset }');
    }
    const known = ['scale', 'zeroPoint', 'offset'];
    const unknown = Object.keys(init).filter((key) => !known.includes(key));
    if (unknown.length > 0) throw new TypeError(`unknown quantization parameter(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
    const missing = known.filter((key) => (init as unknown as Record<string, unknown>)[key] === undefined);
    if (missing.length > 0) throw new TypeError(`missing quantization parameter(s) ${missing.join(', ')}`);
    const { scale, zeroPoint, offset } = init;
    if (typeof scale !== 'number') throw new TypeError(`scale must be a number, got ${String(scale)}`);
    // 0 or a non-finite scale cannot come from statistics and would make x / scale meaningless
    if (!Number.isFinite(scale) || scale === 0) throw new RangeError(`scale must be finite and non-zero, got ${scale}`);
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`offset must be a non-negative integer, got ${String(offset)}`);
    }
    this.scale = scale;
    this.zeroPoint = toZeroPoint(zeroPoint);
    this.offset = offset;
    Object.freeze(this);
  }

  /**
   * Parameters for `options` over the range in `stats`. Arithmetic follows the reference step by
   * step, including its widths: with float32 statistics the range rmax - rmin is a float32 and
   * everything else is float64, as numpy 1.26 evaluates those scalar expressions.
   */
  static computeQuantizationParameters(
    options: QuantizationOptions,
    stats: MinMaxQuantizationStats,
  ): UniformQuantizationParameters {
    const { rmin, rmax } = stats;
    const levels = 2 ** options.nBits - 1;
    const range = toWidth(stats.dtype, rmax - rmin);
    // the reference would carry on with an infinite scale and produce NaNs later
    if (!Number.isFinite(range)) {
      throw new RangeError(`the range rmax - rmin = ${rmax} - (${rmin}) overflows ${stats.dtype}`);
    }

    if (range < STABILITY_CONST) {
      // A single value: signed integers make no sense, so offset is 0 even when isSigned. The
      // value is still wanted as an integer that can multiply others, so it must not
      // quantize to 0 ...
      if (Math.abs(rmax) < STABILITY_CONST) {
        // ... unless it is 0 itself, where scale = rmax would divide by 0.
        return new UniformQuantizationParameters({ scale: 1, zeroPoint: integer(roundHalfToEven(-rmin)), offset: 0 });
      }
      // scale = the value itself, so it quantizes to exactly 1.
      return new UniformQuantizationParameters({ scale: rmax, zeroPoint: 0, offset: 0 });
    }

    const offset = options.isSigned ? 2 ** (options.nBits - 1) : 0;
    if (options.isSymmetric) {
      const scale = Math.max(Math.abs(rmax), Math.abs(rmin)) / (levels - offset);
      return new UniformQuantizationParameters({ scale, zeroPoint: 0, offset });
    }
    const scale = range / levels;
    // QAT values already lie on a grid through 0 (they come from a fake-quantized layer).
    if (options.isQat) return new UniformQuantizationParameters({ scale, zeroPoint: 0, offset });
    // The integer that rmin maps to is -offset and rmax maps to levels - offset; this is the
    // zero point of that line, computed as the reference does rather than as round(-rmin / scale),
    // which can round differently at ties.
    const zeroPoint = roundHalfToEven((rmax * -offset - rmin * (levels - offset)) / range);
    return new UniformQuantizationParameters({ scale, zeroPoint: integer(zeroPoint), offset });
  }

  /** Same scale, offset and zero point (elementwise for per-channel zero points). */
  equals(other: UniformQuantizationParameters): boolean {
    return other.scale === this.scale && other.offset === this.offset && zeroPointsEqual(other.zeroPoint, this.zeroPoint);
  }

  toJSON(): UniformQuantizationParametersJSON {
    return { scale: encodeNumber(this.scale), zeroPoint: encodeZeroPoint(this.zeroPoint), offset: this.offset };
  }

  static fromJSON(json: unknown): UniformQuantizationParameters {
    const record = checkRecord(json, ['scale', 'zeroPoint', 'offset'], 'UniformQuantizationParameters JSON');
    return new UniformQuantizationParameters({
      scale: decodeNumber(record.scale, 'UniformQuantizationParameters JSON scale'),
      zeroPoint: decodeZeroPoint(record.zeroPoint, 'UniformQuantizationParameters JSON zeroPoint'),
      offset: record.offset as number,
    });
  }
}

/** The reference casts zero points to int64: no -0 and no fraction survive. */
function integer(x: number): number {
  return x + 0;
}
