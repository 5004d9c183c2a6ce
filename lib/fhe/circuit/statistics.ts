// What a compiled circuit costs and how safe it is, per sample.

import { keySizes, lookupCost, type KeySizes } from '../cost';
import type { ParameterSet } from '../parameters';
import type { FailureTarget } from './failure-target';
import type { IntegerRange } from './integers';
import type { RoundingExactness } from './graph';
import { bootstrapsOf, type LookupStep, type Program, type RoundStep } from './program';

export interface LookupOpStatistics {
  readonly name: string;
  /** Lookups per sample (one per element). */
  readonly count: number;
  readonly channels: number;
  readonly inputRange: IntegerRange;
  readonly inputBits: number;
  /** p_in: the precision its input chain is encoded at (>= inputBits). */
  readonly inputPrecision: number;
  /** p_out: the precision its table outputs are encoded at (its output chain's). */
  readonly outputPrecision: number;
  readonly nu: number;
  readonly log2FailureProbability: number;
}

/** A rounded shift: how many bits it drops and, for EXACT, the bootstraps that clear them. */
export interface RoundStatistics {
  readonly name: string;
  /** Elements per sample. */
  readonly count: number;
  readonly bits: number;
  readonly exactness: RoundingExactness;
  /** Precision of the chain it reads, and of the one it writes (bits fewer). */
  readonly inputPrecision: number;
  readonly outputPrecision: number;
  /** Clearing bootstraps per sample: count * clearingBootstraps(bits) for EXACT (rounding.ts), 0 for APPROXIMATE. */
  readonly bootstraps: number;
  /** The noisiest clearing bootstrap's nu and log2 failure probability (EXACT). */
  readonly nu: number;
  readonly log2FailureProbability: number;
}

/** One chain: values joined by leveled ops, sharing one encoding (lib/fhe/circuit/chains.ts). */
export interface ChainStatistics {
  readonly index: number;
  /** Message bits (plus the padding bit) of every ciphertext in the chain. */
  readonly precision: number;
  /** What sets the precision: the widest lookup input it feeds, or its widest output. */
  readonly driver: string;
  /** Tensors (nodes) in the chain. */
  readonly tensors: number;
  /** Names of the lookup ops that read it, that write it, and of the outputs in it. */
  readonly lookupsReading: readonly string[];
  readonly lookupsWriting: readonly string[];
  readonly outputs: readonly string[];
  /** The chain's point (lookup input or output) most likely to fail, its nu and log2 probability. */
  readonly weakest: string;
  readonly nu: number;
  readonly log2FailureProbability: number;
}

/** A decrypted output: its chain's precision and the probability that decryption is wrong. */
export interface OutputStatistics {
  readonly name: string;
  readonly range: IntegerRange;
  readonly precision: number;
  readonly nu: number;
  readonly log2FailureProbability: number;
}

export interface LatencyEstimate {
  /** 'measured' once execute has run on this circuit, else 'model' (lookupCost at a nominal rate). */
  readonly basis: 'model' | 'measured';
  /** Wall milliseconds per lookup with all threads busy. */
  readonly msPerLookup: number;
  /** Lookups only: the linear ops are orders of magnitude cheaper. */
  readonly msPerSample: number;
  /** Totals over every execute run of this circuit so far. */
  readonly measuredLookups: number;
  readonly measuredLookupMilliseconds: number;
}

export interface CircuitStatistics {
  readonly parameterSet: string;
  /** The widest chain's message bits (plus the padding bit); each chain has its own (chains). */
  readonly messagePrecision: number;
  /** Every chain with its precision and noise verdict (a wide output chain may drive the set). */
  readonly chains: readonly ChainStatistics[];
  /** Every output with its precision and decryption failure probability. */
  readonly outputs: readonly OutputStatistics[];
  /** Programmable bootstraps per sample: every lookup, and the clearing bootstraps of EXACT rounded shifts. */
  readonly lookupCount: number;
  /** One keyswitch per bootstrap (KS-PBS). */
  readonly keyswitchCount: number;
  readonly lookups: readonly LookupOpStatistics[];
  readonly rounds: readonly RoundStatistics[];
  /** The per-lookup failure target the parameters were chosen for, and where it came from. */
  readonly pError: number;
  readonly pErrorSource: FailureTarget['source'];
  /** The noisiest lookup's predicted failure probability (log2) with the chosen set. */
  readonly predictedLog2FailurePerLookup: number;
  /** Predicted probability that any lookup of one sample fails. */
  readonly predictedGlobalFailureProbability: number;
  readonly keySizes: KeySizes;
  /** Ciphertext bytes a client sends / receives per sample. */
  readonly inputBytesPerSample: number;
  readonly outputBytesPerSample: number;
  readonly threads: number;
  readonly latency: LatencyEstimate;
}

/**
 * Effective KS-PBS flop rate of one thread, for the model estimate: the 2_2 set (lookupCost
 * 2.3e8) measures ~40 ms per lookup per thread on this project's AVX2 machine.
 */
const MODEL_FLOPS_PER_MS_PER_THREAD = 6e6;

export function circuitStatistics(
  program: Program,
  parameters: ParameterSet,
  target: FailureTarget,
  names: readonly string[],
  threads: number,
  measured: { readonly lookups: number; readonly milliseconds: number },
): CircuitStatistics {
  const lookups = program.steps.filter((step): step is LookupStep => step.kind === 'lookup').map((step) => ({
    name: names[step.id],
    count: program.sizes[step.id],
    channels: step.tables.length,
    inputRange: step.inputRange,
    inputBits: step.inputBits,
    inputPrecision: step.inputPrecision,
    outputPrecision: step.outputPrecision,
    nu: step.nu,
    log2FailureProbability: step.log2FailureProbability,
  }));
  const rounds = program.steps.filter((step): step is RoundStep => step.kind === 'round').map((step) => ({
    name: names[step.id],
    count: program.sizes[step.id],
    bits: step.bits,
    exactness: step.exactness,
    inputPrecision: step.inputPrecision,
    outputPrecision: step.outputPrecision,
    bootstraps: bootstrapsOf(step, program.sizes[step.id]),
    nu: step.nu,
    log2FailureProbability: step.log2FailureProbability,
  }));
  const bootstraps = [...lookups, ...rounds.map((r) => ({ count: r.bootstraps, log2FailureProbability: r.log2FailureProbability }))];
  const lookupCount = bootstraps.reduce((sum, l) => sum + l.count, 0);
  // log(1 - global) = sum of count * log(1 - p), exact for tiny p
  const logSuccess = bootstraps.reduce((sum, l) => sum + (l.count === 0 ? 0 : l.count * Math.log1p(-(2 ** l.log2FailureProbability))), 0);
  const sizes = keySizes(parameters);
  const msPerLookup = measured.lookups > 0
    ? measured.milliseconds / measured.lookups
    : lookupCost(parameters) / MODEL_FLOPS_PER_MS_PER_THREAD / threads;
  return {
    parameterSet: parameters.name,
    messagePrecision: program.precision,
    chains: program.chains.map((chain) => ({
      index: chain.index,
      precision: chain.precision,
      driver: chain.driver,
      tensors: chain.nodes.length,
      lookupsReading: chain.lookupsReading.map((id) => names[id]),
      lookupsWriting: chain.lookupsWriting.map((id) => names[id]),
      outputs: chain.outputs,
      weakest: chain.weakest,
      nu: chain.nu,
      log2FailureProbability: chain.log2FailureProbability,
    })),
    outputs: program.outputs.map((spec, k) => ({
      name: spec.name,
      range: spec.range,
      precision: program.precisions[spec.id],
      nu: program.outputNoise[k].nu,
      log2FailureProbability: program.outputNoise[k].log2FailureProbability,
    })),
    lookupCount,
    keyswitchCount: lookupCount,
    lookups,
    pError: target.pError,
    pErrorSource: target.source,
    rounds,
    predictedLog2FailurePerLookup: Math.max(-Infinity, ...bootstraps.filter((l) => l.count > 0).map((l) => l.log2FailureProbability)),
    predictedGlobalFailureProbability: -Math.expm1(logSuccess),
    keySizes: sizes,
    inputBytesPerSample: program.inputs.reduce((sum, s) => sum + s.size, 0) * sizes.bigCiphertextBytes,
    outputBytesPerSample: program.outputs.reduce((sum, s) => sum + s.size, 0) * sizes.bigCiphertextBytes,
    threads,
    latency: {
      basis: measured.lookups > 0 ? 'measured' : 'model',
      msPerLookup,
      msPerSample: msPerLookup * lookupCount,
      measuredLookups: measured.lookups,
      measuredLookupMilliseconds: measured.milliseconds,
    },
  };
}
