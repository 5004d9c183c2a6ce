// TensorProto (decoded) -> Tensor. Data may sit in raw_data (little-endian bytes), in one of
// the typed repeated fields, or in an external file.
import { Tensor, sizeOf, type DType, type TypedArray } from '../tensor';
import type { TensorProtoObject } from './proto-types';
import { BYTES_PER_ELEMENT, requireDtypeFromOnnx } from './dtypes';
import { readExternalData, type ExternalDataContext } from './external-data';
import { OnnxError } from './errors';

const EXTERNAL = 1;

export function dimsToShape(dims: readonly bigint[], what: string): number[] {
  return dims.map((d) => {
    if (d < 0n || d > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new OnnxError(`${what}: dimension ${d} is not a valid tensor size`);
    }
    return Number(d);
  });
}

/**
 * Reads little-endian bytes into a new, aligned typed array. raw_data is a view into the model
 * buffer at an arbitrary offset, so it cannot be reinterpreted in place.
 */
export function fromLittleEndian(bytes: Uint8Array, dtype: DType, count: number): TypedArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    case 'int8':
      // Copy through a fresh Uint8Array: Buffer.slice would share the pooled buffer.
      return new Int8Array(Uint8Array.from(bytes.subarray(0, count)).buffer);
    case 'uint8':
    case 'bool':
      return Uint8Array.from(bytes.subarray(0, count));
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
      return out;
    }
    case 'uint16': {
      const out = new Uint16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, true);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      return out;
    }
    case 'uint32': {
      const out = new Uint32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint32(i * 4, true);
      return out;
    }
    case 'int64': {
      const out = new BigInt64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getBigInt64(i * 8, true);
      return out;
    }
    case 'uint64': {
      const out = new BigUint64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getBigUint64(i * 8, true);
      return out;
    }
  }
}

function fromTypedFields(proto: TensorProtoObject, dtype: DType, count: number, what: string): TypedArray {
  const check = (length: number, fieldName: string): void => {
    if (length !== count) {
      throw new OnnxError(`${what}: ${fieldName} holds ${length} values but the shape needs ${count}`);
    }
  };
  switch (dtype) {
    case 'float32':
      check(proto.floatData.length, 'float_data');
      return Float32Array.from(proto.floatData);
    case 'float64':
      check(proto.doubleData.length, 'double_data');
      return Float64Array.from(proto.doubleData);
    case 'int64':
      check(proto.int64Data.length, 'int64_data');
      return BigInt64Array.from(proto.int64Data);
    case 'uint64':
      check(proto.uint64Data.length, 'uint64_data');
      return BigUint64Array.from(proto.uint64Data);
    case 'uint32':
      // The spec stores uint32 in uint64_data.
      check(proto.uint64Data.length, 'uint64_data');
      return Uint32Array.from(proto.uint64Data, (v) => Number(v));
    case 'int8':
      check(proto.int32Data.length, 'int32_data');
      return Int8Array.from(proto.int32Data);
    case 'uint8':
    case 'bool':
      check(proto.int32Data.length, 'int32_data');
      return Uint8Array.from(proto.int32Data);
    case 'int16':
      check(proto.int32Data.length, 'int32_data');
      return Int16Array.from(proto.int32Data);
    case 'uint16':
      check(proto.int32Data.length, 'int32_data');
      return Uint16Array.from(proto.int32Data);
    case 'int32':
      check(proto.int32Data.length, 'int32_data');
      return Int32Array.from(proto.int32Data);
  }
}

/** Converts a decoded TensorProto; `context` is needed only for external data. */
export function tensorFromProto(proto: TensorProtoObject, context?: ExternalDataContext): Tensor {
  const name = proto.name ?? '';
  const what = `tensor '${name}'`;
  const dtype = requireDtypeFromOnnx(proto.dataType ?? 0, what);
  const shape = dimsToShape(proto.dims, what);
  const count = sizeOf(shape);
  const byteCount = count * BYTES_PER_ELEMENT[dtype];
  let data: TypedArray;
  if (proto.dataLocation === EXTERNAL) {
    if (context === undefined) throw new OnnxError(`${what} has external data, which is not allowed here`);
    data = fromLittleEndian(readExternalData(proto.externalData, name, byteCount, context), dtype, count);
  } else if (proto.rawData !== undefined && proto.rawData.length > 0) {
    if (proto.rawData.length !== byteCount) {
      throw new OnnxError(`${what}: raw_data has ${proto.rawData.length} bytes but shape [${shape.join(', ')}] of ${dtype} needs ${byteCount}`);
    }
    data = fromLittleEndian(proto.rawData, dtype, count);
  } else {
    data = fromTypedFields(proto, dtype, count, what);
  }
  return new Tensor(data, shape, dtype);
}
