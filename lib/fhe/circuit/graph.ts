// The circuit IR: a DAG of integer tensors, in creation order (which is a topological order:
// an op only takes tensors that exist). Every node is one of nine primitives; the builder's
// richer ops (convolution, pooling, data movement, encrypted products, maxima) lower to them.

import type { IntegerRange } from './integers';
import type { LinearMap } from './linear-map';
import type { Shape } from './shapes';

/**
 * The function a lookup tabulates: integer in, integer out. `channel` is the index along the
 * lookup's channelAxis (0 without one), so per-channel rescaling constants can differ.
 */
export type LookupFunction = (value: number, channel: number) => number;

interface NodeBase {
  readonly id: number;
  /** Unique within the circuit; used in every error and report. */
  readonly name: string;
  /** The builder method that made the node ('matmul', 'transpose', ...). */
  readonly op: string;
  /** Per-sample shape (no batch dimension). */
  readonly shape: Shape;
  readonly size: number;
  /** Ids of the input nodes. */
  readonly inputs: readonly number[];
  /** A range the caller knows (calibration); the compiler widens it with observed values. */
  readonly declaredRange?: IntegerRange;
}

/** An encrypted circuit input; its range is the domain of the values a client may send. */
export interface InputNode extends NodeBase {
  readonly kind: 'input';
  readonly declaredRange: IntegerRange;
}

/** A clear-weight linear map (matmul, convolution, pooling, sums). */
export interface LinearNode extends NodeBase {
  readonly kind: 'linear';
  readonly map: LinearMap;
}

/** Elementwise a + b or a - b of two encrypted tensors of one shape. */
export interface AddNode extends NodeBase {
  readonly kind: 'add' | 'subtract';
}

/** Elementwise product by clear integers (one per element). */
export interface ScaleNode extends NodeBase {
  readonly kind: 'scale';
  readonly factors: Int32Array;
}

/** Elementwise sum with clear integers (one per element). */
export interface OffsetNode extends NodeBase {
  readonly kind: 'offset';
  readonly constants: Float64Array;
}

/**
 * Data movement: output element i copies element index[i] of input source[i] (source null:
 * input 0), or the clear padValue where index[i] = -1.
 */
export interface GatherNode extends NodeBase {
  readonly kind: 'gather';
  readonly source: Int32Array | null;
  readonly index: Int32Array;
  readonly padValue: number;
}

/** Same elements, another shape. */
export interface ReshapeNode extends NodeBase {
  readonly kind: 'reshape';
}

/** One table lookup per element (a programmable bootstrap), per channel if channelOf is set. */
export interface LookupNode extends NodeBase {
  readonly kind: 'lookup';
  readonly fn: LookupFunction;
  /** Channel of each element, or null for one table. */
  readonly channelOf: Int32Array | null;
  readonly channels: number;
}

/**
 * How a rounded shift computes: EXACT clears the dropped bits with bootstraps (two per chunk
 * as wide as the result, one for a single bit), then reads the rest; APPROXIMATE lets the next lookup read the high bits directly, the
 * dropped bits landing in its box with the noise (the result may be one off near ties).
 */
export type RoundingExactness = 'EXACT' | 'APPROXIMATE';

/**
 * floor((x + 2^(bits-1)) / 2^bits): x divided by 2^bits, rounded to nearest, ties up. The same
 * ciphertexts read with `bits` fewer bits of precision, so the lookup after it is narrower.
 */
export interface RoundNode extends NodeBase {
  readonly kind: 'round';
  readonly bits: number;
  readonly exactness: RoundingExactness;
}

export type CircuitNode = InputNode | LinearNode | AddNode | ScaleNode | OffsetNode | GatherNode | ReshapeNode | LookupNode | RoundNode;

export interface CircuitOutput {
  readonly id: number;
  readonly name: string;
}

export interface CircuitGraph {
  readonly nodes: readonly CircuitNode[];
  /** Node ids of the inputs, in the order executors take them. */
  readonly inputs: readonly number[];
  readonly outputs: readonly CircuitOutput[];
}

export function describeNode(node: CircuitNode): string {
  return `${node.op} '${node.name}'`;
}
