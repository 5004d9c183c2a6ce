// Decoded GraphProto -> validated OnnxGraph: attributes typed, initializers converted,
// names checked, nodes sorted topologically.
import type { Tensor } from '../tensor';
import { AttributeType, type AttributeObject, type GraphProtoObject, type NodeObject, type ValueInfoObject } from './proto-types';
import type { Attribute, Dimension, OnnxGraph, OnnxNode, ValueInfo } from './graph';
import { normalizeDomain } from './graph';
import { dtypeFromOnnx, onnxTypeName } from './dtypes';
import { tensorFromProto } from './tensor-proto';
import type { ExternalDataContext } from './external-data';
import { OnnxError, describeNode, formatShape } from './errors';
import { sortTopologically } from './topological-sort';

const textDecoder = new TextDecoder();

function convertAttribute(attr: AttributeObject, where: string, context: ExternalDataContext): Attribute {
  const what = `${where}, attribute '${attr.name ?? ''}'`;
  const tensor = (t: NonNullable<AttributeObject['t']>): Tensor => {
    try {
      return tensorFromProto(t, context);
    } catch (error) {
      if (error instanceof OnnxError) throw new OnnxError(`${what}: ${error.message}`, error.code);
      throw error;
    }
  };
  if (attr.refAttrName) {
    throw new OnnxError(`${what} refers to a function attribute, which only functions may do`, 'malformed');
  }
  switch (attr.type) {
    case AttributeType.FLOAT: return { kind: 'float', value: attr.f ?? 0 };
    case AttributeType.INT: return { kind: 'int', value: attr.i ?? 0n };
    case AttributeType.STRING: return { kind: 'string', value: textDecoder.decode(attr.s ?? new Uint8Array()) };
    case AttributeType.TENSOR:
      if (attr.t === undefined) throw new OnnxError(`${what} is a tensor attribute without a tensor`, 'malformed');
      return { kind: 'tensor', value: tensor(attr.t) };
    case AttributeType.FLOATS: return { kind: 'floats', value: Object.freeze([...attr.floats]) };
    case AttributeType.INTS: return { kind: 'ints', value: Object.freeze([...attr.ints]) };
    case AttributeType.STRINGS:
      return { kind: 'strings', value: Object.freeze(attr.strings.map((s) => textDecoder.decode(s))) };
    case AttributeType.TENSORS: return { kind: 'tensors', value: Object.freeze(attr.tensors.map(tensor)) };
    case undefined:
    case AttributeType.UNDEFINED:
      throw new OnnxError(`${what} has no type`, 'malformed');
    default:
      return { kind: 'unsupported', type: attr.type };
  }
}

function convertNode(node: NodeObject, index: number, context: ExternalDataContext): OnnxNode {
  const opType = node.opType ?? '';
  const name = node.name ?? '';
  const where = name ? `node '${name}' (${opType})` : `node #${index} (${opType})`;
  if (opType === '') throw new OnnxError(`${where} has no op_type`, 'malformed');
  const attributes = new Map<string, Attribute>();
  for (const attr of node.attribute) {
    const attrName = attr.name ?? '';
    if (attributes.has(attrName)) {
      throw new OnnxError(`${where} has attribute '${attrName}' twice`, 'invalid-graph');
    }
    attributes.set(attrName, convertAttribute(attr, where, context));
  }
  return Object.freeze({
    name,
    opType,
    domain: normalizeDomain(node.domain),
    inputs: Object.freeze([...node.input]),
    outputs: Object.freeze([...node.output]),
    attributes,
  });
}

export function convertValueInfo(info: ValueInfoObject, where: string): ValueInfo {
  const name = info.name ?? '';
  if (name === '') throw new OnnxError(`${where} has a value without a name`, 'malformed');
  const tensorType = info.type?.tensorType;
  if (info.type !== undefined && tensorType === undefined) {
    throw new OnnxError(`${where} '${name}' is not a tensor (sequences, maps and optionals are not supported)`, 'unsupported-type');
  }
  const elemType = tensorType?.elemType ?? 0;
  let shape: Dimension[] | undefined;
  if (tensorType?.shape !== undefined) {
    shape = tensorType.shape.dim.map((d) => {
      if (d.dimValue !== undefined) return Number(d.dimValue);
      if (d.dimParam !== undefined && d.dimParam !== '') return d.dimParam;
      return null;
    });
  }
  return Object.freeze({
    name,
    dtype: dtypeFromOnnx(elemType),
    elemType,
    shape: shape === undefined ? undefined : Object.freeze(shape),
  });
}

/** Does a tensor agree with what a value_info declares? Returns the disagreement, if any. */
export function describeMismatch(info: ValueInfo, tensor: Tensor): string | undefined {
  if (info.elemType !== 0 && info.dtype !== tensor.dtype) {
    return `declared ${onnxTypeName(info.elemType)} but holds ${tensor.dtype}`;
  }
  if (info.shape !== undefined) {
    const fits =
      info.shape.length === tensor.shape.length &&
      info.shape.every((d, i) => typeof d !== 'number' || d === tensor.shape[i]);
    if (!fits) {
      const declared = `[${info.shape.map((d) => (d === null ? '?' : d)).join(', ')}]`;
      return `declared shape ${declared} but holds shape ${formatShape(tensor.shape)}`;
    }
  }
  return undefined;
}

export interface BuildGraphOptions {
  readonly context: ExternalDataContext;
  /** Throws when an op is not supported (the registry check). */
  readonly checkOp: (node: OnnxNode) => void;
}

export function buildGraph(proto: GraphProtoObject, options: BuildGraphOptions): OnnxGraph {
  const { context } = options;
  if (proto.sparseInitializer.length > 0) {
    throw new OnnxError('sparse initializers are not supported', 'unsupported-type');
  }

  const initializers = new Map<string, Tensor>();
  for (const initializer of proto.initializer) {
    const name = initializer.name ?? '';
    if (name === '') throw new OnnxError('an initializer has no name', 'malformed');
    if (initializers.has(name)) throw new OnnxError(`initializer '${name}' is defined twice`, 'invalid-graph');
    initializers.set(name, tensorFromProto(initializer, context));
  }

  const nodes = proto.node.map((node, index) => convertNode(node, index, context));
  const declaredInputs = proto.input.map((v) => convertValueInfo(v, 'graph input'));
  const outputs = proto.output.map((v) => convertValueInfo(v, 'graph output'));
  const valueInfos = new Map<string, ValueInfo>();
  for (const v of proto.valueInfo) {
    const info = convertValueInfo(v, 'value_info');
    valueInfos.set(info.name, info);
  }

  // Every value has exactly one source: a graph input, an initializer, or one node output.
  const producer = new Map<string, string>();
  const claim = (name: string, source: string): void => {
    const previous = producer.get(name);
    if (previous !== undefined) {
      throw new OnnxError(`tensor '${name}' is defined twice: by ${previous} and by ${source}`, 'invalid-graph');
    }
    producer.set(name, source);
  };
  const inputs: ValueInfo[] = [];
  for (const input of declaredInputs) {
    const initializer = initializers.get(input.name);
    if (initializer === undefined) {
      claim(input.name, 'a graph input');
      inputs.push(input);
      continue;
    }
    // IR < 4 lists initializers among inputs too; the declaration must match the data.
    const mismatch = describeMismatch(input, initializer);
    if (mismatch) throw new OnnxError(`initializer '${input.name}': graph input ${mismatch}`, 'invalid-graph');
  }
  for (const name of initializers.keys()) claim(name, 'an initializer');
  for (const [name, info] of valueInfos) {
    const initializer = initializers.get(name);
    const mismatch = initializer && describeMismatch(info, initializer);
    if (mismatch) throw new OnnxError(`initializer '${name}': value_info ${mismatch}`, 'invalid-graph');
  }
  const nodeNames = new Set<string>();
  for (const node of nodes) {
    if (node.name !== '') {
      if (nodeNames.has(node.name)) throw new OnnxError(`two nodes are named '${node.name}'`, 'invalid-graph');
      nodeNames.add(node.name);
    }
    for (const output of node.outputs) if (output !== '') claim(output, describeNode(node));
  }

  for (const node of nodes) {
    for (const input of node.inputs) {
      if (input !== '' && !producer.has(input)) {
        throw new OnnxError(`${describeNode(node)} reads tensor '${input}', which no node, input or initializer defines`, 'invalid-graph');
      }
    }
  }
  for (const output of outputs) {
    if (!producer.has(output.name)) {
      throw new OnnxError(`graph output '${output.name}' is not produced by any node, input or initializer`, 'invalid-graph');
    }
  }

  const sorted = sortTopologically(nodes);
  for (const node of sorted) options.checkOp(node);

  return Object.freeze({
    name: proto.name ?? '',
    inputs: Object.freeze(inputs),
    outputs: Object.freeze(outputs),
    initializers,
    nodes: Object.freeze(sorted),
    valueInfos,
  });
}
