// Builds small ONNX models in memory for tests, through the same protobufjs schema the loader
// uses: the schema is then checked both ways (a test model that fails to round-trip would
// show up as a loader error).
import { ModelProtoType } from '../../lib/onnx/schema';
import { onnxFromDtype } from '../../lib/onnx/dtypes';
import type { DType, Tensor } from '../../lib/tensor';

export interface TensorSpec {
  name: string;
  tensor: Tensor;
  /** Store as raw_data (default) or in the typed repeated field. */
  raw?: boolean;
}

function littleEndianBytes(tensor: Tensor): Uint8Array {
  const data = tensor.data;
  // Typed arrays are little-endian on every platform Node runs on.
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

export function tensorProto({ name, tensor, raw = true }: TensorSpec): Record<string, unknown> {
  const proto: Record<string, unknown> = {
    name,
    dims: tensor.shape.map((d) => d.toString()),
    dataType: onnxFromDtype(tensor.dtype),
  };
  if (raw) {
    proto.rawData = littleEndianBytes(tensor);
    return proto;
  }
  const values = Array.from(tensor.data as ArrayLike<number | bigint>);
  switch (tensor.dtype) {
    case 'float32': proto.floatData = values; break;
    case 'float64': proto.doubleData = values; break;
    case 'int64': proto.int64Data = values.map(String); break;
    case 'uint64': case 'uint32': proto.uint64Data = values.map(String); break;
    default: proto.int32Data = values.map(Number);
  }
  return proto;
}

export type AttributeSpec = number | string | number[] | { float: number } | { floats: number[] } | { tensor: Tensor };

function attributeProto(name: string, value: AttributeSpec): Record<string, unknown> {
  if (typeof value === 'number') return { name, type: 2, i: value.toString() };
  if (typeof value === 'string') return { name, type: 3, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: 7, ints: value.map(String) };
  if ('float' in value) return { name, type: 1, f: value.float };
  if ('floats' in value) return { name, type: 6, floats: value.floats };
  return { name, type: 4, t: tensorProto({ name: '', tensor: value.tensor }) };
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attributes?: Record<string, AttributeSpec>;
}

export interface ValueSpec {
  name: string;
  dtype: DType;
  /** Numbers are fixed dimensions, strings symbolic ones. */
  shape?: (number | string)[];
}

export interface ModelSpec {
  nodes: NodeSpec[];
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  initializers?: TensorSpec[];
  /** Raw initializer protos, for tests that need fields this helper does not set. */
  rawInitializers?: Record<string, unknown>[];
  valueInfo?: ValueSpec[];
  opset?: number;
  extraOpsets?: { domain: string; version: number }[];
}

function valueInfo({ name, dtype, shape }: ValueSpec): Record<string, unknown> {
  const tensorType: Record<string, unknown> = { elemType: onnxFromDtype(dtype) };
  if (shape !== undefined) {
    tensorType.shape = { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d.toString() } : { dimParam: d })) };
  }
  return { name, type: { tensorType } };
}

export function buildModel(spec: ModelSpec): Uint8Array {
  const model = {
    irVersion: '8',
    producerName: 'cipherquant-tests',
    opsetImport: [{ domain: '', version: String(spec.opset ?? 17) }, ...(spec.extraOpsets ?? []).map((o) => ({ domain: o.domain, version: String(o.version) }))],
    graph: {
      name: 'test',
      node: spec.nodes.map((n) => ({
        opType: n.op,
        name: n.name ?? '',
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attributeProto(k, v)),
      })),
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
      initializer: [...(spec.initializers ?? []).map(tensorProto), ...(spec.rawInitializers ?? [])],
      valueInfo: (spec.valueInfo ?? []).map(valueInfo),
    },
  };
  const message = ModelProtoType.fromObject(model);
  return ModelProtoType.encode(message).finish();
}

/** A one-node model whose inputs are all graph inputs (shapes left open). */
export function singleOpModel(
  op: string,
  inputs: { name: string; dtype: DType }[],
  outputs: { name: string; dtype: DType }[],
  attributes: Record<string, AttributeSpec> = {},
  opset = 17,
  initializers: TensorSpec[] = [],
): Uint8Array {
  const initialized = new Set(initializers.map((i) => i.name));
  return buildModel({
    nodes: [{ op, inputs: inputs.map((i) => i.name), outputs: outputs.map((o) => o.name), attributes, name: `${op.toLowerCase()}_0` }],
    inputs: inputs.filter((i) => !initialized.has(i.name)),
    outputs,
    initializers,
    opset,
  });
}
