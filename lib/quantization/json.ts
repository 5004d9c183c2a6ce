// JSON encoding that loses nothing. JSON.stringify writes every finite float64 in the shortest
// form that parses back to the same bits, so plain JSON numbers are exact, with one exception:
// -0 is written as 0. A dequantized value is -0 whenever q == zeroPoint and the scale is
// negative (a constant negative tensor has scale = rmax < 0), so -0 gets its own spelling, "-0".
// Non-finite numbers never reach here: every struct rejects them at construction.

import { type DType, isDType, sizeOf, Tensor } from '../tensor';

export type JsonNumber = number | '-0';

/** A tensor as JSON: data in row-major order; int64/uint64 elements as decimal strings. */
export interface TensorJSON {
  dtype: DType;
  shape: number[];
  data: (JsonNumber | string)[];
}

export function encodeNumber(x: number): JsonNumber {
  return Object.is(x, -0) ? '-0' : x;
}

export function decodeNumber(value: unknown, what: string): number {
  if (value === '-0') return -0;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${what} must be a finite JSON number (or "-0"), got ${JSON.stringify(value)}`);
  }
  return value;
}

export function encodeTensor(tensor: Tensor): TensorJSON {
  const data: (JsonNumber | string)[] = new Array(tensor.size);
  const source = tensor.data;
  if (source instanceof BigInt64Array || source instanceof BigUint64Array) {
    for (let i = 0; i < source.length; i++) data[i] = source[i].toString();
  } else {
    for (let i = 0; i < source.length; i++) data[i] = encodeNumber(source[i]);
  }
  return { dtype: tensor.dtype, shape: [...tensor.shape], data };
}

export function decodeTensor(json: unknown, what: string): Tensor {
  const record = checkRecord(json, ['dtype', 'shape', 'data'], what);
  const dtype = record.dtype;
  if (!isDType(dtype)) {
    throw new TypeError(`${what}.dtype is not a tensor dtype: ${JSON.stringify(record.dtype)}`);
  }
  const shape = record.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new TypeError(`${what}.shape must be an array of non-negative integers`);
  }
  const items = record.data;
  if (!Array.isArray(items) || items.length !== sizeOf(shape)) {
    throw new TypeError(`${what}.data must be an array of ${sizeOf(shape)} elements`);
  }
  const { data } = Tensor.zeros(dtype, shape);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    items.forEach((item, i) => {
      if (typeof item !== 'string' || !/^-?\d+$/.test(item)) {
        throw new TypeError(`${what}.data[${i}] must be a decimal integer string`);
      }
      data[i] = BigInt(item);
      if (data[i] !== BigInt(item)) throw new RangeError(`${what}.data[${i}] = ${item} does not fit ${dtype}`);
    });
  } else {
    items.forEach((item, i) => {
      const value = decodeNumber(item, `${what}.data[${i}]`);
      data[i] = value;
      // a silent wrap or rounding would break the promise of a lossless round trip
      if (!Object.is(data[i], value)) throw new RangeError(`${what}.data[${i}] = ${value} does not fit ${dtype}`);
    });
  }
  return new Tensor(data, shape, dtype);
}

/**
 * Checks that `json` is a plain object holding exactly `keys` (all required) and returns it.
 * Loading is strict so that a typo or a foreign file fails loudly instead of loading defaults.
 */
export function checkRecord(json: unknown, keys: readonly string[], what: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new TypeError(`${what} must be a JSON object`);
  }
  const record = json as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !keys.includes(key));
  if (unknown.length > 0) throw new TypeError(`${what} has unknown field(s) ${unknown.join(', ')}`);
  const missing = keys.filter((key) => !Object.hasOwn(record, key));
  if (missing.length > 0) throw new TypeError(`${what} is missing field(s) ${missing.join(', ')}`);
  return record;
}

export function decodeBoolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${what} must be a boolean, got ${JSON.stringify(value)}`);
  return value;
}
