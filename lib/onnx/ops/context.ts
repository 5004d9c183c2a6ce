// What an op implementation receives, and the helpers every op uses to read attributes and
// inputs with errors that name the node.
import type { DType, Tensor } from '../../tensor';
import type { Attribute, OnnxNode } from '../graph';
import { OnnxError, describeNode, formatShape } from '../errors';

export interface OpContext {
  readonly node: OnnxNode;
  /** One entry per node input; undefined for an omitted optional input. */
  readonly inputs: readonly (Tensor | undefined)[];
  /** The opset version imported for the node's domain. */
  readonly opset: number;
}

/** Returns one tensor per node output (undefined for outputs the op does not produce). */
export type OpImplementation = (ctx: OpContext) => (Tensor | undefined)[];

export function opError(node: OnnxNode, message: string): OnnxError {
  return new OnnxError(`${describeNode(node)}: ${message}`, 'op-failure');
}

/** For attribute values that are valid ONNX but outside what the interpreter implements. */
export function unsupported(node: OnnxNode, message: string): OnnxError {
  return new OnnxError(`${describeNode(node)}: ${message}`, 'unsupported-attribute');
}

export function input(ctx: OpContext, index: number): Tensor {
  const tensor = ctx.inputs[index];
  if (tensor === undefined) {
    throw opError(ctx.node, `input ${index} is required but missing`);
  }
  return tensor;
}

export function optionalInput(ctx: OpContext, index: number): Tensor | undefined {
  return ctx.inputs[index];
}

function attribute<K extends Attribute['kind']>(
  node: OnnxNode,
  name: string,
  kind: K,
): Extract<Attribute, { kind: K }> | undefined {
  const attr = node.attributes.get(name);
  if (attr === undefined) return undefined;
  if (attr.kind !== kind) {
    throw opError(node, `attribute '${name}' should be of kind ${kind}, got ${attr.kind}`);
  }
  return attr as Extract<Attribute, { kind: K }>;
}

/** int64 attributes as numbers; values past 2^53 (INT64_MAX used as "to the end") only lose exactness, not meaning. */
export function attrInt(node: OnnxNode, name: string, fallback: number): number;
export function attrInt(node: OnnxNode, name: string, fallback?: number): number | undefined;
export function attrInt(node: OnnxNode, name: string, fallback?: number): number | undefined {
  const attr = attribute(node, name, 'int');
  return attr === undefined ? fallback : Number(attr.value);
}

export function attrFloat(node: OnnxNode, name: string, fallback: number): number {
  const attr = attribute(node, name, 'float');
  return attr === undefined ? fallback : attr.value;
}

export function attrString(node: OnnxNode, name: string, fallback: string): string {
  const attr = attribute(node, name, 'string');
  return attr === undefined ? fallback : attr.value;
}

export function attrInts(node: OnnxNode, name: string): number[] | undefined {
  const attr = attribute(node, name, 'ints');
  return attr?.value.map(Number);
}

export function attrFloats(node: OnnxNode, name: string): readonly number[] | undefined {
  return attribute(node, name, 'floats')?.value;
}

export function attrTensor(node: OnnxNode, name: string): Tensor | undefined {
  return attribute(node, name, 'tensor')?.value;
}

/** Normalizes a possibly negative axis for a tensor of `rank` dimensions. */
export function normalizeAxis(node: OnnxNode, axis: number, rank: number): number {
  const normalized = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(normalized) || normalized < 0 || normalized >= rank) {
    throw opError(node, `axis ${axis} is out of range for rank ${rank}`);
  }
  return normalized;
}

/** Reads a 1-D integer tensor (shapes, axes, indices given as inputs) as numbers. */
export function readIntegers(node: OnnxNode, tensor: Tensor, what: string): number[] {
  if (tensor.dtype !== 'int64' && tensor.dtype !== 'int32') {
    throw opError(node, `${what} must be int64 or int32, got ${tensor.dtype}`);
  }
  return Array.from(tensor.data as ArrayLike<number | bigint>, Number);
}

export function requireDtype(node: OnnxNode, tensor: Tensor, what: string, allowed: readonly DType[]): void {
  if (!allowed.includes(tensor.dtype)) {
    throw opError(node, `${what} of type ${tensor.dtype} with shape ${formatShape(tensor.shape)} is not supported (expected ${allowed.join(' or ')})`);
  }
}

export const FLOAT_TYPES: readonly DType[] = ['float32', 'float64'];
