// Calibration statistics: the range [rmin, rmax] of a whole tensor. Min/max over everything is
// the only statistic the reference uses (no per-channel ranges, no percentiles), so the range
// of an inputset is simply the min and max over all of its samples.

import { checkRecord, decodeNumber, encodeNumber, type JsonNumber } from './json';
import { type FloatDType, isFloatDType } from './precision';
import { Tensor, type TensorLike } from '../tensor';
import { arithmeticDType, checkNonEmpty, notFinite } from './values';

export interface MinMaxQuantizationStatsInit {
  rmin: number;
  rmax: number;
  /**
   * Width of the numbers rmin and rmax: 'float32' when they were taken from a float32 tensor.
   * It matters because the reference computes rmax - rmin in that width (numpy keeps
   * float32 - float32 in float32), which changes the scale of a float32 tensor.
   */
  dtype?: FloatDType;
}

export interface MinMaxQuantizationStatsJSON {
  rmin: JsonNumber;
  rmax: JsonNumber;
  dtype: FloatDType;
}

export class MinMaxQuantizationStats {
  readonly rmin: number;
  readonly rmax: number;
  readonly dtype: FloatDType;

  constructor(init: MinMaxQuantizationStatsInit) {
    if (typeof init !== 'object' || init === null) throw new TypeError('statistics must be an object { rmin, rmax }');
    const unknown = Object.keys(init).filter((key) => !['rmin', 'rmax', 'dtype'].includes(key));
    if (unknown.length > 0) throw new TypeError(`unknown statistics field(s) ${unknown.join(', ')} (known: rmin, rmax, dtype)`);
    const { rmin, rmax, dtype = 'float64' } = init;
    for (const [name, value] of [['rmin', rmin], ['rmax', rmax]] as const) {
      if (typeof value !== 'number') throw new TypeError(`statistics ${name} must be a number, got ${String(value)}`);
      if (!Number.isFinite(value)) throw new RangeError(`statistics ${name} must be finite, got ${value}`);
    }
    // the reference would silently treat a reversed range as a constant tensor
    if (rmin > rmax) throw new RangeError(`statistics rmin (${rmin}) must not exceed rmax (${rmax})`);
    if (!isFloatDType(dtype)) throw new TypeError(`statistics dtype must be 'float32' or 'float64', got ${String(dtype)}`);
    if (dtype === 'float32' && (Math.fround(rmin) !== rmin || Math.fround(rmax) !== rmax)) {
      throw new RangeError(`float32 statistics must hold float32 numbers, got rmin ${rmin}, rmax ${rmax}`);
    }
    this.rmin = rmin;
    this.rmax = rmax;
    this.dtype = dtype;
    Object.freeze(this);
  }

  /** Min and max over the whole tensor, in the tensor's width (float32 for float32 data). */
  static computeQuantizationStats(values: TensorLike): MinMaxQuantizationStats {
    const tensor = Tensor.from(values);
    checkNonEmpty(tensor, 'values');
    const data = tensor.data;
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      throw new TypeError('statistics of int64 tensors are not supported: convert them to float64 first');
    }
    let rmin = Infinity;
    let rmax = -Infinity;
    for (let i = 0; i < data.length; i++) {
      const value = data[i];
      if (!Number.isFinite(value)) throw notFinite('values', i, value);
      if (value < rmin) rmin = value;
      if (value > rmax) rmax = value;
    }
    return new MinMaxQuantizationStats({ rmin, rmax, dtype: arithmeticDType(tensor) });
  }

  /** Same rmin and rmax (Concrete ML compares the numbers, not their width). */
  equals(other: MinMaxQuantizationStats): boolean {
    return other.rmin === this.rmin && other.rmax === this.rmax;
  }

  toJSON(): MinMaxQuantizationStatsJSON {
    return { rmin: encodeNumber(this.rmin), rmax: encodeNumber(this.rmax), dtype: this.dtype };
  }

  static fromJSON(json: unknown): MinMaxQuantizationStats {
    const record = checkRecord(json, ['rmin', 'rmax', 'dtype'], 'MinMaxQuantizationStats JSON');
    return new MinMaxQuantizationStats({
      rmin: decodeNumber(record.rmin, 'MinMaxQuantizationStats JSON rmin'),
      rmax: decodeNumber(record.rmax, 'MinMaxQuantizationStats JSON rmax'),
      dtype: record.dtype as FloatDType,
    });
  }
}

