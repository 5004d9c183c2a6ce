// Inputsets (calibration samples along axis 0) from .npy files or JSON: nested arrays, or
// {"data": [...], "shape": [...]} with data flat or nested. Returned as float64 tensors, which
// is what quantization takes.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tensor } from '../tensor';
import { InputFileError } from './errors';
import { NpyError, readNpy } from './npy';

export function readFileBytes(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new InputFileError(`cannot read ${what} '${file}': ${reason}`);
  }
}

export function readInputset(file: string): Tensor<'float64'> {
  const bytes = readFileBytes(file, 'inputset');
  const extension = path.extname(file).toLowerCase();
  try {
    const tensor = extension === '.npy' ? toFloat64(readNpy(bytes)) : tensorFromJson(parseJson(bytes, file));
    if (tensor.rank < 2 || tensor.shape[0] === 0) {
      throw new InputFileError(`inputset '${file}' must hold samples along axis 0 (shape [samples, ...features]), got shape [${tensor.shape.join(', ')}]`);
    }
    return tensor;
  } catch (error) {
    if (error instanceof NpyError || error instanceof JsonInputsetError) throw new InputFileError(`inputset '${file}': ${error.message}`);
    throw error;
  }
}

class JsonInputsetError extends Error {}

export function parseJson(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new InputFileError(`'${file}' is not valid JSON (${(error as Error).message}); inputsets are .npy or .json files`);
  }
}

/** Nested arrays, or { data, shape }: a float64 tensor, every entry a finite number. */
export function tensorFromJson(json: unknown): Tensor<'float64'> {
  if (Array.isArray(json)) {
    const shape = nestedShape(json);
    return new Tensor(flatNumbers(json, shape), shape);
  }
  if (typeof json === 'object' && json !== null && 'data' in json) {
    const { data, shape } = json as { data: unknown; shape?: unknown };
    if (!Array.isArray(data)) throw new JsonInputsetError('"data" must be an array');
    const given = shape === undefined ? nestedShape(data) : checkedShape(shape);
    const values = flatNumbers(data, nestedShape(data));
    const size = given.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new JsonInputsetError(`"shape" [${given.join(', ')}] holds ${size} values but "data" has ${values.length}`);
    return new Tensor(values, given);
  }
  throw new JsonInputsetError('expected nested arrays of numbers or an object {"data": [...], "shape": [...]}');
}

function checkedShape(shape: unknown): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new JsonInputsetError(`"shape" must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return shape as number[];
}

function nestedShape(value: unknown[]): number[] {
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return shape;
}

function flatNumbers(value: unknown[], shape: readonly number[]): Float64Array {
  const out = new Float64Array(shape.reduce((a, b) => a * b, 1));
  let next = 0;
  const walk = (item: unknown, depth: number, where: string): void => {
    if (depth === shape.length) {
      if (typeof item !== 'number' || !Number.isFinite(item)) throw new JsonInputsetError(`entry ${where} is ${JSON.stringify(item) ?? String(item)}, not a finite number`);
      out[next++] = item;
      return;
    }
    if (!Array.isArray(item) || item.length !== shape[depth]) {
      throw new JsonInputsetError(`ragged arrays: entry ${where || '[]'} should be an array of ${shape[depth]} items`);
    }
    item.forEach((child, i) => walk(child, depth + 1, `${where}[${i}]`));
  };
  walk(value, 0, '');
  return out;
}

function toFloat64(tensor: Tensor): Tensor<'float64'> {
  if (tensor.dtype === 'float64') return tensor as Tensor<'float64'>;
  const data = tensor.data as ArrayLike<number | bigint>;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return new Tensor(out, tensor.shape);
}
