// The statistics of a compiled circuit as one plain object (for --json) and as text lines.

import type { tfhe } from '../index';
import { formatBytes, formatMilliseconds, formatProbability, formatTable } from './format';

export interface CircuitSummary {
  readonly parameterSet: string;
  readonly messagePrecision: number;
  readonly lookupCount: number;
  readonly keyswitchCount: number;
  readonly lookups: readonly {
    name: string; count: number; inputBits: number; inputRange: readonly [number, number]; inputPrecision: number; outputPrecision: number; log2FailureProbability: number;
  }[];
  readonly outputs: readonly { name: string; range: readonly [number, number]; precision: number }[];
  readonly pError: number;
  readonly pErrorSource: string;
  readonly predictedGlobalFailureProbability: number;
  readonly keySizes: { bootstrapKeyBytes: number; keyswitchKeyBytes: number; evaluationKeyBytes: number; ciphertextBytes: number };
  readonly inputBytesPerSample: number;
  readonly outputBytesPerSample: number;
  readonly estimatedMsPerSample: number;
}

export function circuitSummary(statistics: tfhe.CircuitStatistics): CircuitSummary {
  const { keySizes } = statistics;
  return {
    parameterSet: statistics.parameterSet,
    messagePrecision: statistics.messagePrecision,
    lookupCount: statistics.lookupCount,
    keyswitchCount: statistics.keyswitchCount,
    lookups: statistics.lookups.map((l) => ({
      name: l.name,
      count: l.count,
      inputBits: l.inputBits,
      inputRange: [l.inputRange.min, l.inputRange.max] as const,
      inputPrecision: l.inputPrecision,
      outputPrecision: l.outputPrecision,
      log2FailureProbability: l.log2FailureProbability,
    })),
    outputs: statistics.outputs.map((o) => ({ name: o.name, range: [o.range.min, o.range.max] as const, precision: o.precision })),
    pError: statistics.pError,
    pErrorSource: statistics.pErrorSource,
    predictedGlobalFailureProbability: statistics.predictedGlobalFailureProbability,
    keySizes: {
      bootstrapKeyBytes: keySizes.bootstrapKeyBytes,
      keyswitchKeyBytes: keySizes.keyswitchKeyBytes,
      evaluationKeyBytes: keySizes.bootstrapKeyBytes + keySizes.keyswitchKeyBytes,
      ciphertextBytes: keySizes.bigCiphertextBytes,
    },
    inputBytesPerSample: statistics.inputBytesPerSample,
    outputBytesPerSample: statistics.outputBytesPerSample,
    estimatedMsPerSample: statistics.latency.msPerSample,
  };
}

export function circuitSummaryLines(summary: CircuitSummary): string[] {
  const { keySizes } = summary;
  return [
    `parameters        ${summary.parameterSet}, messages up to ${summary.messagePrecision} bits`,
    `lookups           ${summary.lookupCount} per sample (${summary.keyswitchCount} keyswitches)`,
    `failure target    ${formatProbability(summary.pError)} per lookup (${summary.pErrorSource}); predicted per sample ${formatProbability(summary.predictedGlobalFailureProbability)}`,
    `evaluation keys   ${formatBytes(keySizes.evaluationKeyBytes)} (bootstrap ${formatBytes(keySizes.bootstrapKeyBytes)}, keyswitch ${formatBytes(keySizes.keyswitchKeyBytes)})`,
    `ciphertexts       ${formatBytes(summary.inputBytesPerSample)} in, ${formatBytes(summary.outputBytesPerSample)} out per sample`,
    `estimated latency ${formatMilliseconds(summary.estimatedMsPerSample)} per sample`,
    ...formatTable(
      ['lookup op', 'count', 'bits', 'input range', 'reads -> writes bits'],
      summary.lookups.map((l) => [l.name, l.count, l.inputBits, `[${l.inputRange[0]}, ${l.inputRange[1]}]`, `${l.inputPrecision} -> ${l.outputPrecision}`]),
    ).map((line) => `  ${line}`),
    ...formatTable(
      ['output', 'range', 'bits'],
      summary.outputs.map((o) => [o.name, `[${o.range[0]}, ${o.range[1]}]`, o.precision]),
    ).map((line) => `  ${line}`),
  ];
}
