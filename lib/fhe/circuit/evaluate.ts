// Exact evaluation of the circuit graph on clear integers (float64, exact below 2^53): the
// reference semantics. Calibration and the clear executor both run it; values are laid out
// sample-major ([batch, ...shape] flattened).

import { describeNode, type CircuitGraph, type CircuitNode } from './graph';
import { EXACT_INTEGER_LIMIT } from './integers';
import { evaluateExact } from './linear-map';
import { roundedShift } from './rounding';

function checkExact(value: number, node: CircuitNode, at: number): number {
  if (!(Math.abs(value) < EXACT_INTEGER_LIMIT)) {
    throw new RangeError(`${describeNode(node)}: value ${value} at element ${at} exceeds 2^53, where integers stop being exact`);
  }
  return value;
}

/** Applies a lookup's function to every element; a non-integer result is the caller's bug, named here. */
export function applyLookupFunction(node: CircuitNode & { kind: 'lookup' }, input: Float64Array): Float64Array {
  const out = new Float64Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const channel = node.channelOf === null ? 0 : node.channelOf[i % node.size];
    const value = node.fn(input[i], channel);
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`${describeNode(node)}: its function returned ${value} for input ${input[i]} (channel ${channel}); lookups must map integers to safe integers`);
    }
    out[i] = value;
  }
  return out;
}

export function evaluateNode(node: CircuitNode, inputs: readonly Float64Array[], batch: number): Float64Array {
  const size = node.size;
  switch (node.kind) {
    case 'input':
    case 'reshape':
      return inputs[0];
    case 'linear':
      return evaluateExact(node.map, inputs[0], batch, describeNode(node));
    case 'add':
    case 'subtract': {
      const [a, b] = inputs;
      const sign = node.kind === 'add' ? 1 : -1;
      const out = new Float64Array(a.length);
      for (let i = 0; i < out.length; i++) out[i] = checkExact(a[i] + sign * b[i], node, i);
      return out;
    }
    case 'scale': {
      const out = new Float64Array(inputs[0].length);
      for (let i = 0; i < out.length; i++) out[i] = checkExact(inputs[0][i] * node.factors[i % size], node, i);
      return out;
    }
    case 'offset': {
      const out = new Float64Array(inputs[0].length);
      for (let i = 0; i < out.length; i++) out[i] = checkExact(inputs[0][i] + node.constants[i % size], node, i);
      return out;
    }
    case 'gather': {
      const out = new Float64Array(batch * size);
      const inputSizes = inputs.map((values) => values.length / batch);
      for (let b = 0; b < batch; b++) {
        for (let i = 0; i < size; i++) {
          const from = node.index[i];
          const slot = node.source === null ? 0 : node.source[i];
          out[b * size + i] = from < 0 ? node.padValue : inputs[slot][b * inputSizes[slot] + from];
        }
      }
      return out;
    }
    case 'lookup':
      return applyLookupFunction(node, inputs[0]);
    case 'round':
      return inputs[0].map((v) => roundedShift(v, node.bits));
  }
}

/** The last node (by id) that reads each node; outputs are read "forever". */
export function lastUses(graph: CircuitGraph): Int32Array {
  const last = new Int32Array(graph.nodes.length).fill(-1);
  for (const node of graph.nodes) for (const input of node.inputs) last[input] = node.id;
  for (const output of graph.outputs) last[output.id] = graph.nodes.length;
  return last;
}

/**
 * Runs every node in order on `batch` samples and hands each result to `visit`; results are
 * dropped after their last use. Returns the outputs' values.
 */
export function evaluateGraph(
  graph: CircuitGraph,
  inputs: readonly Float64Array[],
  batch: number,
  visit?: (node: CircuitNode, values: Float64Array) => void,
): Float64Array[] {
  const values = new Array<Float64Array | undefined>(graph.nodes.length);
  const last = lastUses(graph);
  graph.inputs.forEach((id, slot) => {
    values[id] = inputs[slot];
  });
  for (const node of graph.nodes) {
    const operands = node.inputs.map((id) => values[id]!);
    const result = node.kind === 'input' ? values[node.id]! : evaluateNode(node, operands, batch);
    values[node.id] = result;
    visit?.(node, result);
    for (const id of node.inputs) if (last[id] === node.id) values[id] = undefined;
    if (last[node.id] < 0) values[node.id] = undefined;
  }
  return graph.outputs.map((output) => values[output.id]!);
}
