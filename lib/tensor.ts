// The one tensor type of the library: a flat typed array plus a shape (row-major).
// It converts to and from onnxruntime-node's `{ type, data, dims }` so users can pass
// what they already have.

export type DType =
  | 'float32'
  | 'float64'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool';

export interface DTypeArrays {
  float32: Float32Array;
  float64: Float64Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  bool: Uint8Array;
}

export type TypedArray = DTypeArrays[DType];

const ARRAY_CONSTRUCTORS = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
} as const;

/** What onnxruntime-node's Tensor looks like, structurally (no dependency on it). */
export interface OrtTensorLike {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** Anything a user may pass where a tensor is expected (a bare typed array is 1-D). */
export type TensorLike = Tensor | TypedArray | OrtTensorLike | NestedNumbers;
export type NestedNumbers = number | readonly NestedNumbers[];

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && Object.hasOwn(ARRAY_CONSTRUCTORS, value);
}

export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof BigUint64Array) return 'uint64';
  throw new TypeError(`unsupported tensor data: ${Object.prototype.toString.call(data)}`);
}

export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

function checkShape(shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(`invalid tensor shape [${shape.join(', ')}]: dimensions must be non-negative integers`);
    }
  }
}

export class Tensor<D extends DType = DType> {
  readonly dtype: D;
  readonly data: DTypeArrays[D];
  readonly shape: readonly number[];

  /**
   * Wraps `data` (not copied) with `shape`; the shape defaults to 1-D. `dtype` is needed only
   * for 'bool', which shares Uint8Array with 'uint8'.
   */
  constructor(data: DTypeArrays[D], shape: readonly number[] = [data.length], dtype?: D) {
    checkShape(shape);
    const inferred = dtypeOf(data);
    const resolved = (dtype ?? inferred) as D;
    if (ARRAY_CONSTRUCTORS[resolved] !== data.constructor) {
      throw new TypeError(`tensor dtype ${resolved} does not match data of type ${inferred}`);
    }
    if (sizeOf(shape) !== data.length) {
      throw new RangeError(
        `tensor shape [${shape.join(', ')}] holds ${sizeOf(shape)} elements but data has ${data.length}`,
      );
    }
    this.dtype = resolved;
    this.data = data;
    this.shape = Object.freeze([...shape]);
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  static zeros<D extends DType>(dtype: D, shape: readonly number[]): Tensor<D> {
    checkShape(shape);
    const data = new ARRAY_CONSTRUCTORS[dtype](sizeOf(shape)) as DTypeArrays[D];
    return new Tensor(data, shape, dtype);
  }

  /** Same data, another shape with the same number of elements. */
  reshape(shape: readonly number[]): Tensor<D> {
    return new Tensor(this.data, shape, this.dtype);
  }

  /**
   * Accepts a Tensor (returned as is), a typed array (wrapped as 1-D, not copied), an
   * onnxruntime-node tensor, or nested number arrays (float64, shape from the nesting; ragged
   * nesting is an error).
   */
  static from(value: TensorLike): Tensor {
    if (value instanceof Tensor) return value;
    if (ArrayBuffer.isView(value)) return new Tensor(value as TypedArray);
    if (typeof value === 'number' || Array.isArray(value)) return fromNested(value as NestedNumbers);
    if (isOrtTensorLike(value)) return Tensor.fromOrt(value);
    throw new TypeError('expected a Tensor, an onnxruntime-node tensor or nested number arrays');
  }

  static fromOrt(value: OrtTensorLike): Tensor {
    const dtype = value.type as DType;
    if (!(dtype in ARRAY_CONSTRUCTORS)) {
      throw new TypeError(`onnxruntime tensor type '${value.type}' is not supported`);
    }
    const data = value.data;
    if (!(data instanceof ARRAY_CONSTRUCTORS[dtype])) {
      throw new TypeError(`onnxruntime tensor of type '${value.type}' holds unexpected data`);
    }
    return new Tensor(data as TypedArray, value.dims, dtype);
  }

  /** `{ type, data, dims }`, ready for `new ort.Tensor(type, data, dims)`. */
  toOrt(): { type: D; data: DTypeArrays[D]; dims: number[] } {
    return { type: this.dtype, data: this.data, dims: [...this.shape] };
  }
}

function isOrtTensorLike(value: unknown): value is OrtTensorLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as OrtTensorLike).type === 'string' &&
    Array.isArray((value as OrtTensorLike).dims)
  );
}

function fromNested(value: NestedNumbers): Tensor<'float64'> {
  const shape: number[] = [];
  for (let v: NestedNumbers = value; Array.isArray(v); v = (v as readonly NestedNumbers[])[0] ?? 0) {
    shape.push((v as readonly NestedNumbers[]).length);
    if ((v as readonly NestedNumbers[]).length === 0) break;
  }
  const data = new Float64Array(sizeOf(shape));
  let at = 0;
  const walk = (v: NestedNumbers, depth: number): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number') throw new TypeError('nested arrays are ragged: expected a number');
      data[at++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new TypeError(`nested arrays are ragged at depth ${depth}: expected length ${shape[depth]}`);
    }
    for (const item of v as readonly NestedNumbers[]) walk(item, depth + 1);
  };
  walk(value, 0);
  return new Tensor(data, shape);
}
