// What a compiled circuit costs and how safe it is, per sample.

import { keySizes, lookupCost, type KeySizes } from '../cost';
import type { ParameterSet } from '../parameters';
import type { FailureTarget } from './failure-target';
import type { IntegerRange } from './integers';
import type { LookupStep, Program } from './program';

export interface LookupOpStatistics {
  readonly name: string;
  /** Lookups per sample (one per element). */
  readonly count: number;
  readonly channels: number;
  readonly inputRange: IntegerRange;
  readonly inputBits: number;
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
  /** p: message bits of every ciphertext (plus the padding bit). */
  readonly messagePrecision: number;
  readonly lookupCount: number;
  /** One keyswitch per lookup (KS-PBS). */
  readonly keyswitchCount: number;
  readonly lookups: readonly LookupOpStatistics[];
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
    nu: step.nu,
    log2FailureProbability: step.log2FailureProbability,
  }));
  const lookupCount = lookups.reduce((sum, l) => sum + l.count, 0);
  // log(1 - global) = sum of count * log(1 - p), exact for tiny p
  const logSuccess = lookups.reduce((sum, l) => sum + l.count * Math.log1p(-(2 ** l.log2FailureProbability)), 0);
  const sizes = keySizes(parameters);
  const msPerLookup = measured.lookups > 0
    ? measured.milliseconds / measured.lookups
    : lookupCost(parameters) / MODEL_FLOPS_PER_MS_PER_THREAD / threads;
  return {
    parameterSet: parameters.name,
    messagePrecision: program.precision,
    lookupCount,
    keyswitchCount: lookupCount,
    lookups,
    pError: target.pError,
    pErrorSource: target.source,
    predictedLog2FailurePerLookup: lookups.length === 0 ? -Infinity : Math.max(...lookups.map((l) => l.log2FailureProbability)),
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
