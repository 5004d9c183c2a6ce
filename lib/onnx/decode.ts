// Bytes -> plain decoded objects, with int64 as bigint (never a lossy number).
import type * as protobuf from 'protobufjs';
import { ModelProtoType, TensorProtoType } from './schema';
import type { ModelProtoObject, TensorProtoObject } from './proto-types';
import { OnnxError } from './errors';

const TO_OBJECT: protobuf.IConversionOptions = { longs: BigInt, enums: Number, arrays: true, defaults: false };

function decodeWith<T>(type: protobuf.Type, bytes: Uint8Array, what: string): T {
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (error) {
    throw new OnnxError(`${what} is not valid protobuf: ${(error as Error).message}`, 'malformed');
  }
  return type.toObject(message, TO_OBJECT) as T;
}

export function decodeModelProto(bytes: Uint8Array): ModelProtoObject {
  return decodeWith<ModelProtoObject>(ModelProtoType, bytes, 'model');
}

export function decodeTensorProto(bytes: Uint8Array): TensorProtoObject {
  return decodeWith<TensorProtoObject>(TensorProtoType, bytes, 'tensor');
}
