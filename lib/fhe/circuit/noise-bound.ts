// An upper bound of each tensor's noise variance, in units of the programmable bootstrap's
// output variance s2_BR (so that a lookup fed by the tensor has nu^2 = that bound, as in
// tfhe.md "Constraint before a TLU"). Lookup outputs count 1. Fresh encryptions count 1 too:
// their variance is far below s2_BR for every named set (2^-95.6 vs 2^-28.9 for 2_2).
//
// Linear ops grow the bound by the squared 2-norm of their (reduced) weights when the noises
// they combine are independent; otherwise by the squared 1-norm. Independence is tracked per
// tensor: `sources` are the lookups/inputs whose noise reaches it, and `independent` says that
// no two of its elements share noise (a matmul output, a broadcast or x + x break that).

import type { CircuitGraph, CircuitNode } from './graph';
import { noiseGrowth } from './linear-map';

export interface NoiseBound {
  readonly variance: number;
  readonly sources: ReadonlySet<number>;
  readonly independent: boolean;
}

export interface ReducedOperands {
  /** Centered weights of a linear node. */
  linearWeights(id: number): Int32Array;
  /** Centered factors of a scale node. */
  scaleFactors(id: number): Int32Array;
}

function disjoint(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  for (const x of a) if (b.has(x)) return false;
  return true;
}

function union(sets: readonly ReadonlySet<number>[]): Set<number> {
  const out = new Set<number>();
  for (const set of sets) for (const x of set) out.add(x);
  return out;
}

function gatherNoise(node: CircuitNode & { kind: 'gather' }, inputs: readonly NoiseBound[]): NoiseBound {
  const seen = new Map<number, Set<number>>();
  let injective = true;
  for (let i = 0; i < node.size; i++) {
    const from = node.index[i];
    if (from < 0) continue;
    const slot = node.source === null ? 0 : node.source[i];
    let elements = seen.get(slot);
    if (elements === undefined) seen.set(slot, (elements = new Set()));
    if (elements.has(from)) injective = false;
    elements.add(from);
  }
  const used = [...seen.keys()].map((slot) => inputs[slot]);
  let independent = injective && used.every((b) => b.independent);
  for (let i = 0; i < used.length && independent; i++) {
    for (let j = i + 1; j < used.length; j++) if (!disjoint(used[i].sources, used[j].sources)) independent = false;
  }
  return {
    variance: Math.max(0, ...used.map((b) => b.variance)),
    sources: union(used.map((b) => b.sources)),
    independent,
  };
}

function maxSquare(values: Int32Array): number {
  let max = 0;
  for (const v of values) max = Math.max(max, v * v);
  return max;
}

export function noiseBounds(graph: CircuitGraph, reduced: ReducedOperands): NoiseBound[] {
  const bounds: NoiseBound[] = [];
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((id) => bounds[id]);
    switch (node.kind) {
      case 'input':
      case 'lookup':
        bounds.push({ variance: 1, sources: new Set([node.id]), independent: true });
        break;
      case 'reshape':
      case 'offset':
        bounds.push(inputs[0]);
        break;
      case 'scale':
        bounds.push({ ...inputs[0], variance: inputs[0].variance * maxSquare(reduced.scaleFactors(node.id)) });
        break;
      case 'add':
      case 'subtract': {
        const [a, b] = inputs;
        const apart = disjoint(a.sources, b.sources);
        const variance = apart ? a.variance + b.variance : (Math.sqrt(a.variance) + Math.sqrt(b.variance)) ** 2;
        bounds.push({ variance, sources: union([a.sources, b.sources]), independent: apart && a.independent && b.independent });
        break;
      }
      case 'linear': {
        const growth = noiseGrowth(node.map, reduced.linearWeights(node.id), inputs[0].independent);
        bounds.push({
          variance: inputs[0].variance * growth.factor,
          sources: inputs[0].sources,
          independent: inputs[0].independent && growth.columnsUsedOnce,
        });
        break;
      }
      case 'gather':
        bounds.push(gatherNoise(node, inputs));
        break;
    }
  }
  return bounds;
}
