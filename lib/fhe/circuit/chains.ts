// Chains: the encoding regions of a circuit. Leveled ops (linear maps, add/subtract, scale,
// offset, gather, reshape) compute on ciphertexts of one encoding, so a node and the nodes it
// reads through leveled ops share one message precision; a lookup reads its input at the
// precision of the input's chain and writes its table outputs at the precision of the chain
// its own value belongs to (its readers'). A chain therefore runs from lookup outputs and
// circuit inputs, through leveled ops, to lookup inputs and circuit outputs.
//
// A chain's precision p is the least that makes everything it feeds observable:
//   - every lookup input it holds, shifted by its range minimum, in [0, 2^p);
//   - every circuit output it holds within 2^(p+1) consecutive integers (the padding bit).
// At least 1 bit. A lookup reading 2 bits can feed an output chain of 12.
//
// A rounded shift (builder.roundedShift) also ends a chain and starts another: the same
// ciphertexts, read `bits` bits narrower. Its input chain is then exactly `bits` wider than its
// output chain, which is how a 12-bit accumulator feeds a 4-bit lookup.

import { describeNode, type CircuitGraph } from './graph';
import { formatRange, rangeBits, type IntegerRange } from './integers';

export interface Chain {
  /** Index in the chain list (chains are numbered by their first node id). */
  readonly index: number;
  readonly precision: number;
  /** What sets the precision (an op, its tensor, range and bits), for errors and reports. */
  readonly driver: string;
  /** Node ids, in order. */
  readonly nodes: readonly number[];
  /** Lookup node ids that read a tensor of this chain (at this precision). */
  readonly lookupsReading: readonly number[];
  /** Lookup node ids whose outputs are encoded at this precision. */
  readonly lookupsWriting: readonly number[];
  /** Names of the circuit outputs in this chain. */
  readonly outputs: readonly string[];
}

export interface ChainAssignment {
  /** Chain index of every node, by node id. */
  readonly chainOf: Int32Array;
  readonly chains: readonly Chain[];
  /** Message precision of every node (its chain's), by node id. */
  readonly precisionOf: Int32Array;
}

const INT32_LIMIT = 2 ** 31;

/**
 * The widest chain a rounded shift may read: its EXACT form multiplies ciphertexts by up to 2^p
 * (an int32 factor) and writes a single bit's sign bootstrap at p + 1 bits (the encoding limit, 31).
 */
const MAX_ROUNDED_INPUT_PRECISION = 30;

interface ChainPart {
  nodes: number[];
  lookupsReading: number[];
  lookupsWriting: number[];
  outputs: string[];
  bits: number;
  driver: string;
}

/**
 * A rounded shift reads the same ciphertexts `bits` bits narrower, so its input chain's precision
 * is its output chain's plus `bits`, exactly. Raise both sides until every shift agrees. Agreeing
 * shifts settle within a pass per chain they link (as in Bellman-Ford); shifts that can never
 * agree (two of one input dropping different counts into one chain) raise each other forever.
 */
function coupleRoundedShifts(graph: CircuitGraph, chainOf: Int32Array, parts: ChainPart[]): void {
  const rounds = graph.nodes.filter((node) => node.kind === 'round');
  for (let changed = rounds.length > 0, pass = 0; changed; pass++) {
    changed = false;
    for (const node of rounds) {
      const input = parts[chainOf[node.inputs[0]]];
      const output = parts[chainOf[node.id]];
      if (pass > 2 * rounds.length) {
        throw new RangeError(`${describeNode(node)}: its input '${graph.nodes[node.inputs[0]].name}' reaches the values it writes through `
          + 'another rounded shift that drops a different number of bits; one chain cannot be read at two widths: drop the same number of bits, or round once');
      }
      const wanted = Math.max(input.bits, output.bits + node.bits);
      if (wanted > MAX_ROUNDED_INPUT_PRECISION) {
        throw new RangeError(`${describeNode(node)}: its input '${graph.nodes[node.inputs[0]].name}' would need ${wanted} bits `
          + `(${output.bits} for what reads its result, ${node.bits} dropped); `
          + `rounded shifts read at most ${MAX_ROUNDED_INPUT_PRECISION} bits: drop fewer bits or narrow what reads the result`);
      }
      if (input.bits < wanted) {
        input.bits = wanted;
        input.driver = `${describeNode(node)} drops ${node.bits} bits from it for a ${output.bits}-bit result (${output.driver})`;
        changed = true;
      }
      if (output.bits < wanted - node.bits) {
        output.bits = wanted - node.bits;
        output.driver = `${describeNode(node)} writes it ${node.bits} bits narrower than its input (${input.driver})`;
        changed = true;
      }
    }
  }
}

function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/** Splits the graph into chains and gives each the precision its lookup inputs and outputs need. */
export function assignChains(graph: CircuitGraph, ranges: readonly IntegerRange[]): ChainAssignment {
  const count = graph.nodes.length;
  const parent = Int32Array.from({ length: count }, (_, i) => i);
  for (const node of graph.nodes) {
    if (node.kind === 'lookup' || node.kind === 'round') continue; // its input is read in another encoding
    for (const input of node.inputs) {
      const a = find(parent, node.id);
      const b = find(parent, input);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  }
  const chainOf = new Int32Array(count);
  const rootIndex = new Map<number, number>();
  const parts: ChainPart[] = [];
  for (const node of graph.nodes) {
    const root = find(parent, node.id);
    let index = rootIndex.get(root);
    if (index === undefined) {
      index = parts.length;
      rootIndex.set(root, index);
      parts.push({ nodes: [], lookupsReading: [], lookupsWriting: [], outputs: [], bits: 1, driver: 'nothing in it needs more than 1 bit' });
    }
    chainOf[node.id] = index;
    parts[index].nodes.push(node.id);
    if (node.kind === 'lookup') parts[index].lookupsWriting.push(node.id);
  }
  for (const node of graph.nodes) {
    if (node.kind !== 'lookup') continue;
    const input = graph.nodes[node.inputs[0]];
    const part = parts[chainOf[input.id]];
    part.lookupsReading.push(node.id);
    const bits = rangeBits(ranges[input.id]);
    if (bits > part.bits) {
      part.bits = bits;
      part.driver = `${describeNode(node)} reads '${input.name}' in ${formatRange(ranges[input.id])} (${bits} bits)`;
    }
  }
  for (const output of graph.outputs) {
    const range = ranges[output.id];
    if (range.min < -INT32_LIMIT || range.max >= INT32_LIMIT) {
      throw new RangeError(`output '${output.name}' spans ${formatRange(range)}, beyond int32`);
    }
    const part = parts[chainOf[output.id]];
    part.outputs.push(output.name);
    const bits = Math.max(1, rangeBits(range) - 1);
    if (bits > part.bits) {
      part.bits = bits;
      part.driver = `output '${output.name}' spans ${formatRange(range)} (${bits} bits and the padding bit)`;
    }
  }
  coupleRoundedShifts(graph, chainOf, parts);
  const chains: Chain[] = parts.map((part, index) => ({
    index, precision: part.bits, driver: part.driver, nodes: part.nodes,
    lookupsReading: part.lookupsReading, lookupsWriting: part.lookupsWriting, outputs: part.outputs,
  }));
  const precisionOf = Int32Array.from(chainOf, (c) => chains[c].precision);
  return { chainOf, chains, precisionOf };
}
