// Integer range of every tensor. Each node's range is what the caller declared and what the
// inputset showed, hulled; with neither, the worst case its inputs' ranges allow (the bound).
// A declared range outside the bound cannot happen and is refused. Lookups read at most 16 bits.

import { describeNode, type CircuitGraph, type CircuitNode } from './graph';
import { contains, EXACT_INTEGER_LIMIT, formatRange, hull, rangeBits, type IntegerRange } from './integers';
import { boundOf } from './linear-map';
import { approximateRoundRange, roundedShiftBound } from './rounding';
import { lookupImage } from './tables';

/** Table lookups read inputs of at most this many bits (as Concrete; also the native limit). */
export const MAX_LOOKUP_BITS = 16;

/** What to change when a lookup input is too wide, for errors. */
export const PRECISION_ADVICE = 'lower nBits (fewer bits per weight and activation) or set roundingThresholdBits '
  + '(rounds the accumulator that feeds the lookup)';

export function checkLookupInputBits(node: CircuitNode, inputName: string, range: IntegerRange): void {
  const bits = rangeBits(range);
  if (bits > MAX_LOOKUP_BITS) {
    throw new RangeError(`${describeNode(node)}: its input '${inputName}' spans ${formatRange(range)}, ${bits} bits; `
      + `table lookups read at most ${MAX_LOOKUP_BITS} bits: ${PRECISION_ADVICE}`);
  }
}

function scaleBound(factors: Int32Array, range: IntegerRange): IntegerRange {
  let min = Infinity;
  let max = -Infinity;
  for (const f of new Set(factors)) {
    const a = f * range.min;
    const b = f * range.max;
    min = Math.min(min, a, b);
    max = Math.max(max, a, b);
  }
  return { min, max };
}

function offsetBound(constants: Float64Array, range: IntegerRange): IntegerRange {
  let low = Infinity;
  let high = -Infinity;
  for (const c of constants) {
    low = Math.min(low, c);
    high = Math.max(high, c);
  }
  return { min: range.min + low, max: range.max + high };
}

function gatherBound(node: CircuitNode & { kind: 'gather' }, inputs: readonly IntegerRange[]): IntegerRange {
  let result: IntegerRange | undefined;
  const used = new Set<number>();
  let padded = false;
  for (let i = 0; i < node.size; i++) {
    if (node.index[i] < 0) padded = true;
    else used.add(node.source === null ? 0 : node.source[i]);
  }
  for (const slot of used) result = hull(result, inputs[slot]);
  if (padded) result = hull(result, { min: node.padValue, max: node.padValue });
  return result!;
}

/** The worst-case range of a node's values given its inputs' ranges. */
export function boundOfNode(graph: CircuitGraph, node: CircuitNode, inputs: readonly IntegerRange[]): IntegerRange {
  switch (node.kind) {
    case 'input':
      return node.declaredRange;
    case 'reshape':
      return inputs[0];
    case 'linear':
      return boundOf(node.map, inputs[0]);
    case 'add':
      return { min: inputs[0].min + inputs[1].min, max: inputs[0].max + inputs[1].max };
    case 'subtract':
      return { min: inputs[0].min - inputs[1].max, max: inputs[0].max - inputs[1].min };
    case 'scale':
      return scaleBound(node.factors, inputs[0]);
    case 'offset':
      return offsetBound(node.constants, inputs[0]);
    case 'gather':
      return gatherBound(node, inputs);
    case 'lookup':
      checkLookupInputBits(node, graph.nodes[node.inputs[0]].name, inputs[0]);
      return lookupImage(node, inputs[0]);
    case 'round':
      return roundedShiftBound(inputs[0], node.bits, node.exactness);
  }
}

function readsApproximateRound(graph: CircuitGraph, node: CircuitNode): boolean {
  const input = graph.nodes[node.inputs[0]];
  return input.kind === 'round' && input.exactness === 'APPROXIMATE';
}

/** Ranges by node id; `observed` holds the inputset's min/max per node (or nothing). */
export function resolveRanges(graph: CircuitGraph, observed?: readonly (IntegerRange | undefined)[]): IntegerRange[] {
  const ranges: IntegerRange[] = [];
  for (const node of graph.nodes) {
    const bound = boundOfNode(graph, node, node.inputs.map((id) => ranges[id]));
    if (node.declaredRange !== undefined && !contains(bound, node.declaredRange)) {
      throw new RangeError(`${describeNode(node)}: declared range ${formatRange(node.declaredRange)} is impossible: `
        + `its inputs' ranges allow only ${formatRange(bound)}`);
    }
    let range = node.kind === 'input' ? node.declaredRange : hull(node.declaredRange, observed?.[node.id]) ?? bound;
    if (node.kind === 'round' && node.exactness === 'APPROXIMATE') range = approximateRoundRange(range, bound);
    // a lookup after an APPROXIMATE round may read one past what calibration saw: all it can write
    if (node.kind === 'lookup' && readsApproximateRound(graph, node)) range = hull(range, bound)!;
    if (Math.max(-range.min, range.max) >= EXACT_INTEGER_LIMIT) {
      throw new RangeError(`${describeNode(node)}: its values may reach ${formatRange(range)}, beyond 2^53 where integers stop `
        + 'being exact; give it a calibrated range or an inputset');
    }
    ranges.push(range);
  }
  return ranges;
}
