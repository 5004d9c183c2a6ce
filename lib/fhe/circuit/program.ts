// The compiled form of a circuit: plain data that the simulate and execute executors walk.
// Every node has the message precision p of its chain (lib/fhe/circuit/chains.ts); clear
// operands are already reduced to centered residues modulo 2^(p+1) of their chain, lookups
// carry their tables (2^p_in entries, encoded at p_out), and the nodes are grouped into stages so that every lookup of a stage goes to
// the native core in one batched call.

import type { Chain } from './chains';
import type { RoundingExactness } from './graph';
import type { IntegerRange } from './integers';
import type { LinearMap } from './linear-map';
import { clearingBootstraps } from './rounding';
import type { TensorSpec } from './io';

export interface LookupStep {
  readonly kind: 'lookup';
  readonly id: number;
  readonly input: number;
  /** Centered -min of the input range (at the input precision): what brings the input into [0, 2^p_in). */
  readonly shift: number;
  /** One 2^p_in-entry table per channel, entries centered modulo 2^(p_out + 1). */
  readonly tables: readonly Int32Array[];
  readonly channelOf: Int32Array | null;
  readonly inputRange: IntegerRange;
  /** Bits the input range needs (the input chain's precision may be larger). */
  readonly inputBits: number;
  /** p_in: precision of the chain the input belongs to; the lookup reads 2^p_in entries. */
  readonly inputPrecision: number;
  /** p_out: precision of the chain the lookup's outputs belong to; table entries are encoded at it. */
  readonly outputPrecision: number;
  /**
   * nu of the linear combination feeding the lookup under the chosen set: its noise bound in
   * bootstrap-output standard deviations (fresh input noise converted).
   */
  readonly nu: number;
  readonly log2FailureProbability: number;
}

/**
 * A rounded shift on ciphertexts: the input read `bits` bits narrower. EXACT first clears the
 * dropped bits: + 2^(bits-1), then chunk by chunk from the lowest (rounding.ts clearingChunks)
 * bootstraps that read the chunk and subtract it (execute.ts runRound).
 */
export interface RoundStep {
  readonly kind: 'round';
  readonly id: number;
  readonly input: number;
  readonly bits: number;
  readonly exactness: RoundingExactness;
  /** p_in = p_out + bits. */
  readonly inputPrecision: number;
  readonly outputPrecision: number;
  /** EXACT: the noisiest clearing bootstrap's nu and log2 failure; APPROXIMATE: 0 and -Infinity. */
  readonly nu: number;
  readonly log2FailureProbability: number;
  /**
   * APPROXIMATE: the standard deviation, in units of the result, of the noise its reader adds
   * before rounding the dropped bits away (what decides ties); EXACT: 0.
   */
  readonly readStd: number;
}

export type ProgramStep =
  | { readonly kind: 'input'; readonly id: number; readonly slot: number }
  | {
    readonly kind: 'linear';
    readonly id: number;
    readonly input: number;
    readonly map: LinearMap;
    readonly weights: Int32Array;
    readonly constants: Int32Array | null;
  }
  | { readonly kind: 'add' | 'subtract'; readonly id: number; readonly a: number; readonly b: number }
  | { readonly kind: 'scale'; readonly id: number; readonly input: number; readonly factors: Int32Array }
  | { readonly kind: 'offset'; readonly id: number; readonly input: number; readonly constants: Int32Array }
  | {
    readonly kind: 'gather';
    readonly id: number;
    readonly inputs: readonly number[];
    readonly source: Int32Array | null;
    readonly index: Int32Array;
    readonly padValue: number;
  }
  | { readonly kind: 'reshape'; readonly id: number; readonly input: number }
  | LookupStep
  | RoundStep;

/**
 * Lookups that can run together, then the other nodes that only need them and earlier stages
 * (EXACT rounded shifts among them: their bootstraps run one chunk of dropped bits after another).
 */
export interface Stage {
  readonly lookups: readonly number[];
  readonly others: readonly number[];
}

/** A chain with the noise verdict of its most fragile point under the chosen set. */
export interface CompiledChain extends Chain {
  /** The point (lookup input or output) most likely to fail, 'nothing' for a chain with neither. */
  readonly weakest: string;
  readonly nu: number;
  readonly log2FailureProbability: number;
}

export interface Program {
  /** The widest chain's precision. */
  readonly precision: number;
  /** Message precision of every node (its chain's), by node id. */
  readonly precisions: Int32Array;
  /** Chain index of every node, by node id. */
  readonly chainOf: Int32Array;
  readonly chains: readonly CompiledChain[];
  /** Per output (in order): nu and log2 probability that its decryption is wrong. */
  readonly outputNoise: readonly { readonly nu: number; readonly log2FailureProbability: number }[];
  /** By node id. */
  readonly steps: readonly ProgramStep[];
  /** Per-sample element count by node id. */
  readonly sizes: readonly number[];
  readonly stages: readonly Stage[];
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /** How many times each node is read (outputs count once more): values are dropped at 0. */
  readonly readers: Int32Array;
}

/** The node ids a step reads (repeats included: readers counts them the same way). */
export function stepInputs(step: ProgramStep): readonly number[] {
  switch (step.kind) {
    case 'input':
      return [];
    case 'gather':
      return step.inputs;
    case 'add':
    case 'subtract':
      return [step.a, step.b];
    default:
      return [step.input];
  }
}

/** Programmable bootstraps a step costs per sample: one per lookup element, clearingBootstraps per element of an EXACT round. */
export function bootstrapsOf(step: ProgramStep, size: number): number {
  if (step.kind === 'lookup') return size;
  if (step.kind === 'round' && step.exactness === 'EXACT') return size * clearingBootstraps(step.bits, step.outputPrecision);
  return 0;
}
