// An upper bound of each tensor's noise variance, in two parts: `bootstrap`, in units of a
// programmable bootstrap's output variance s2_BR (lookup outputs count 1), and `fresh`, in units
// of a fresh encryption's variance (circuit inputs count 1). Fresh noise is ~2^-67 times
// smaller for the named sets (2^-95.6 vs 2^-28.9 for 2_2), so a first layer's weights barely
// matter; the parameter set converts both parts into the nu of tfhe.md's "Constraint before a
// TLU": nu^2 = bootstrap + fresh * s2_fresh / s2_BR.
//
// Linear ops grow the bound by the squared 2-norm of their (reduced) weights when the noises
// they combine are independent; otherwise by the squared 1-norm. Independence is tracked per
// tensor: `sources` are the lookups/inputs whose noise reaches it, and `independent` says that
// no two of its elements share noise (a matmul output, a broadcast or x + x break that).
// Bootstrap and fresh noise are independent of each other, so each part is bounded on its own.

import { blindRotationVariance, freshEncryptionVariance } from '../noise';
import type { ParameterSet } from '../parameters';
import type { CircuitGraph, CircuitNode } from './graph';
import { noiseGrowth } from './linear-map';
import { clearingChunks } from './rounding';

export interface NoiseBound {
  readonly bootstrap: number;
  readonly fresh: number;
  readonly sources: ReadonlySet<number>;
  readonly independent: boolean;
}

export interface ReducedOperands {
  /** Centered weights of a linear node. */
  linearWeights(id: number): Int32Array;
  /** Centered factors of a scale node. */
  scaleFactors(id: number): Int32Array;
}

/** The 2-norm nu a bound amounts to under a parameter set (fresh noise weighed by its variance). */
export function effectiveNu(bound: NoiseBound, parameters: ParameterSet): number {
  return Math.sqrt(bound.bootstrap + bound.fresh * (freshEncryptionVariance(parameters) / blindRotationVariance(parameters)));
}

function scaled(bound: NoiseBound, factor: number, independent = bound.independent): NoiseBound {
  return { bootstrap: bound.bootstrap * factor, fresh: bound.fresh * factor, sources: bound.sources, independent };
}

/** The input plus `count` independent bootstrap outputs per element (an EXACT round's clearing bootstraps). */
function withBootstraps(bound: NoiseBound, count: number, id: number): NoiseBound {
  return { bootstrap: bound.bootstrap + count, fresh: bound.fresh, sources: union([bound.sources, new Set([id])]), independent: bound.independent };
}

/** One bootstrap's read while an EXACT rounded shift clears its dropped bits. */
export interface ClearingRead {
  readonly bound: NoiseBound;
  /** The precision the bootstrap reads at: 0 for a single bit's sign, else the chunk's width. */
  readonly precision: number;
  readonly what: string;
}

/**
 * What each clearing bootstrap of an EXACT rounded shift reads (execute.ts runRound), chunk by
 * chunk (rounding.ts clearingChunks); after j chunks the value carries j bootstrap outputs.
 * A chunk of one bit at offset o: the value times 2^(p - o), the bit on the padding bit, read
 * as a sign. A wider chunk of width c: the value times 2^(p - o - c), read at c bits (the
 * parity), then the same plus the parity bootstrap's output, read at c bits (the chunk).
 */
export function clearingReads(input: NoiseBound, bits: number, precision: number, id: number): ClearingRead[] {
  return clearingChunks(bits, precision - bits).flatMap(({ offset, width }, chunk): ClearingRead[] => {
    const value = withBootstraps(input, chunk, id);
    const where = width === 1 ? `bit ${offset}` : `bits ${offset}..${offset + width - 1}`;
    if (width === 1) return [{ bound: scaled(value, 4 ** (precision - offset)), precision: 0, what: `the sign bootstrap of ${where}` }];
    const shifted = scaled(value, 4 ** (precision - offset - width));
    return [
      { bound: shifted, precision: width, what: `the parity bootstrap of ${where}` },
      { bound: withBootstraps(shifted, 1, id), precision: width, what: `the bootstrap that reads ${where}` },
    ];
  });
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
    bootstrap: Math.max(0, ...used.map((b) => b.bootstrap)),
    fresh: Math.max(0, ...used.map((b) => b.fresh)),
    sources: union(used.map((b) => b.sources)),
    independent,
  };
}

function maxSquare(values: Int32Array): number {
  let max = 0;
  for (const v of values) max = Math.max(max, v * v);
  return max;
}

/** a + b: variances add when the noises are independent, standard deviations when they may not be. */
function sum(a: NoiseBound, b: NoiseBound): NoiseBound {
  const apart = disjoint(a.sources, b.sources);
  const part = (x: number, y: number): number => (apart ? x + y : (Math.sqrt(x) + Math.sqrt(y)) ** 2);
  return {
    bootstrap: part(a.bootstrap, b.bootstrap),
    fresh: part(a.fresh, b.fresh),
    sources: union([a.sources, b.sources]),
    independent: apart && a.independent && b.independent,
  };
}

export function noiseBounds(graph: CircuitGraph, reduced: ReducedOperands, precisionOf: ArrayLike<number>): NoiseBound[] {
  const bounds: NoiseBound[] = [];
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((id) => bounds[id]);
    switch (node.kind) {
      case 'input':
        bounds.push({ bootstrap: 0, fresh: 1, sources: new Set([node.id]), independent: true });
        break;
      case 'lookup':
        bounds.push({ bootstrap: 1, fresh: 0, sources: new Set([node.id]), independent: true });
        break;
      case 'reshape':
      case 'offset':
        bounds.push(inputs[0]);
        break;
      case 'scale':
        bounds.push(scaled(inputs[0], maxSquare(reduced.scaleFactors(node.id))));
        break;
      case 'add':
      case 'subtract':
        bounds.push(sum(inputs[0], inputs[1]));
        break;
      case 'linear': {
        const growth = noiseGrowth(node.map, reduced.linearWeights(node.id), inputs[0].independent);
        bounds.push(scaled(inputs[0], growth.factor, inputs[0].independent && growth.columnsUsedOnce));
        break;
      }
      case 'gather':
        bounds.push(gatherNoise(node, inputs));
        break;
      case 'round':
        // EXACT: each cleared chunk subtracts one bootstrap's output
        bounds.push(node.exactness === 'EXACT' ? withBootstraps(inputs[0], clearingChunks(node.bits, precisionOf[node.id]).length, node.id) : inputs[0]);
        break;
    }
  }
  return bounds;
}
