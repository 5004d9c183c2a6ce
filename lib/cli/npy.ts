// A reader of NumPy .npy files: format versions 1-3 (1 = 16-bit header length, 2/3 = 32-bit),
// little-endian float32/float64/int32/int64, C order. Everything else is refused by name.

import { Tensor } from '../tensor';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DTYPES = {
  '<f4': { dtype: 'float32', bytes: 4 },
  '<f8': { dtype: 'float64', bytes: 8 },
  '<i4': { dtype: 'int32', bytes: 4 },
  '<i8': { dtype: 'int64', bytes: 8 },
} as const;

type Descr = keyof typeof DTYPES;

export class NpyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyError';
  }
}

interface NpyHeader {
  readonly descr: Descr;
  readonly shape: number[];
  readonly dataOffset: number;
}

function readHeader(bytes: Uint8Array): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyError('not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let length: number;
  let start: number;
  if (major === 1) [length, start] = [view.getUint16(8, true), 10];
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError('truncated .npy header');
    [length, start] = [view.getUint32(8, true), 12];
  } else throw new NpyError(`unsupported .npy format version ${major}.${bytes[7]} (supported: 1.x, 2.x, 3.x)`);
  if (start + length > bytes.length) throw new NpyError(`truncated .npy header (declares ${length} bytes, file has ${bytes.length - start})`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + length));
  return { ...parseHeaderDict(header), dataOffset: start + length };
}

function parseHeaderDict(header: string): { descr: Descr; shape: number[] } {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyError(`malformed .npy header (needs descr, fortran_order and shape): ${header.trim()}`);
  }
  if (!(descr in DTYPES)) {
    throw new NpyError(`unsupported .npy dtype '${descr}' (supported: little-endian ${Object.keys(DTYPES).join(', ')}); convert with x.astype('<f4')`);
  }
  if (fortran === 'True') throw new NpyError('Fortran-order .npy arrays are not supported; save np.ascontiguousarray(x)');
  const parts = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const shape = parts.map((part) => {
    if (!/^\d+$/.test(part)) throw new NpyError(`malformed .npy shape (${shapeText})`);
    return Number(part);
  });
  return { descr: descr as Descr, shape };
}

/** The array in a .npy file's bytes, as a Tensor of its own dtype. */
export function readNpy(bytes: Uint8Array): Tensor {
  const { descr, shape, dataOffset } = readHeader(bytes);
  const { dtype, bytes: itemBytes } = DTYPES[descr];
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * itemBytes;
  const available = bytes.length - dataOffset;
  if (available !== expected) {
    throw new NpyError(`.npy data holds ${available} bytes, but shape (${shape.join(', ')}) of ${descr} needs ${expected}`);
  }
  // a copy of its own: the data offset need not be aligned (and a Buffer's slice is a view)
  const copy = new Uint8Array(expected);
  copy.set(bytes.subarray(dataOffset, dataOffset + expected));
  const data = copy.buffer;
  switch (dtype) {
    case 'float32': return new Tensor(new Float32Array(data), shape);
    case 'float64': return new Tensor(new Float64Array(data), shape);
    case 'int32': return new Tensor(new Int32Array(data), shape);
    case 'int64': return new Tensor(new BigInt64Array(data), shape);
  }
}

/** A .npy file's bytes (version 1.0), for tests and examples. */
export function writeNpy(tensor: Tensor<'float32' | 'float64' | 'int32' | 'int64'>): Uint8Array {
  const descr = (Object.keys(DTYPES) as Descr[]).find((d) => DTYPES[d].dtype === tensor.dtype) as Descr;
  const shape = tensor.shape.length === 1 ? `(${tensor.shape[0]},)` : `(${tensor.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const prefix = new Uint8Array(10);
  prefix.set(MAGIC);
  prefix.set([1, 0], 6);
  new DataView(prefix.buffer).setUint16(8, header.length, true);
  const data = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), data]);
}
