// Plain-object shapes of decoded ONNX messages, as `toObject(..., { longs: BigInt, arrays: true })`
// returns them: int64 as bigint, bytes as Uint8Array views into the model buffer, absent
// optional fields as undefined, absent repeated fields as [].

export interface StringStringEntry {
  key?: string;
  value?: string;
}

export interface TensorProtoObject {
  dims: bigint[];
  dataType?: number;
  floatData: number[];
  int32Data: number[];
  stringData: Uint8Array[];
  int64Data: bigint[];
  name?: string;
  rawData?: Uint8Array;
  externalData: StringStringEntry[];
  dataLocation?: number;
  doubleData: number[];
  uint64Data: bigint[];
  segment?: unknown;
}

export interface DimensionObject {
  dimValue?: bigint;
  dimParam?: string;
}

export interface TypeProtoObject {
  tensorType?: { elemType?: number; shape?: { dim: DimensionObject[] } };
  sequenceType?: unknown;
  mapType?: unknown;
  optionalType?: unknown;
  sparseTensorType?: unknown;
}

export interface ValueInfoObject {
  name?: string;
  type?: TypeProtoObject;
}

export interface AttributeObject {
  name?: string;
  refAttrName?: string;
  type?: number;
  f?: number;
  i?: bigint;
  s?: Uint8Array;
  t?: TensorProtoObject;
  g?: GraphProtoObject;
  sparseTensor?: unknown;
  tp?: TypeProtoObject;
  floats: number[];
  ints: bigint[];
  strings: Uint8Array[];
  tensors: TensorProtoObject[];
  graphs: GraphProtoObject[];
}

export interface NodeObject {
  input: string[];
  output: string[];
  name?: string;
  opType?: string;
  domain?: string;
  attribute: AttributeObject[];
}

export interface GraphProtoObject {
  node: NodeObject[];
  name?: string;
  initializer: TensorProtoObject[];
  sparseInitializer: unknown[];
  input: ValueInfoObject[];
  output: ValueInfoObject[];
  valueInfo: ValueInfoObject[];
}

export interface OperatorSetIdObject {
  domain?: string;
  version?: bigint;
}

export interface ModelProtoObject {
  irVersion?: bigint;
  opsetImport: OperatorSetIdObject[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: bigint;
  docString?: string;
  graph?: GraphProtoObject;
  metadataProps: StringStringEntry[];
  functions: unknown[];
}

/** ONNX TensorProto.DataType numbers (IR spec). */
export const OnnxDataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
} as const;

/** AttributeProto.AttributeType numbers (IR spec). */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const;
