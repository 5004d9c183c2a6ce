// --n-bits, --rounding-threshold-bits, --rounding-method, --p-error, --global-p-error: the
// options of buildQuantizedModule and compile, parsed from text.

import type { NBitsDict, RoundingThresholdBits } from '../quantized';
import { integerOption, type OptionSpecs, type ParsedArguments, probabilityOption, stringOption } from './args';
import { UsageError } from './errors';

export const QUANTIZATION_OPTION_SPECS: OptionSpecs = {
  'n-bits': { type: 'string' },
  'rounding-threshold-bits': { type: 'string' },
  'rounding-method': { type: 'string' },
};

export const FAILURE_OPTION_SPECS: OptionSpecs = {
  'p-error': { type: 'string' },
  'global-p-error': { type: 'string' },
};

export const QUANTIZATION_OPTIONS_HELP = [
  '  --n-bits N|opInputs=N,opWeights=N[,modelInputs=N,modelOutputs=N]   quantization bits',
  '  --rounding-threshold-bits N|none   round accumulators to N bits before their lookup',
  '  --rounding-method EXACT|APPROXIMATE   how they are rounded (default EXACT)',
];

export const FAILURE_OPTIONS_HELP = [
  '  --p-error P           failure probability per lookup (default 2^-128), e.g. 2^-40',
  '  --global-p-error P    failure probability per sample instead (not with --p-error)',
];

const N_BITS_KEYS = ['opInputs', 'opWeights', 'modelInputs', 'modelOutputs'] as const;

export function nBitsOption(values: ParsedArguments['values'], fallback: number | NBitsDict): number | NBitsDict {
  const text = stringOption(values, 'n-bits');
  if (text === undefined) return fallback;
  if (/^\d+$/.test(text.trim())) return integerOption(values, 'n-bits', { min: 1, max: 24 }) as number;
  const dict: Record<string, number> = {};
  for (const part of text.split(',')) {
    const [key, value, ...rest] = part.split('=').map((s) => s.trim());
    if (!(N_BITS_KEYS as readonly string[]).includes(key) || rest.length > 0 || !/^\d+$/.test(value ?? '')) {
      throw new UsageError(`--n-bits must be an integer or opInputs=N,opWeights=N[,modelInputs=N,modelOutputs=N], got '${text}'`);
    }
    dict[key] = Number(value);
  }
  if (dict.opInputs === undefined || dict.opWeights === undefined) throw new UsageError(`--n-bits needs both opInputs and opWeights, got '${text}'`);
  return dict as unknown as NBitsDict;
}

export function roundingOption(values: ParsedArguments['values'], fallback: RoundingThresholdBits): RoundingThresholdBits {
  const text = stringOption(values, 'rounding-threshold-bits');
  const method = stringOption(values, 'rounding-method');
  if (method !== undefined && method !== 'EXACT' && method !== 'APPROXIMATE') {
    throw new UsageError(`--rounding-method must be EXACT or APPROXIMATE, got '${method}'`);
  }
  if (text === 'none') return null;
  const nBits = text === undefined ? undefined : integerOption(values, 'rounding-threshold-bits', { min: 2, max: 8 });
  if (nBits === undefined) {
    if (method === undefined || fallback === null) return fallback;
    return { nBits: typeof fallback === 'number' ? fallback : fallback.nBits, method };
  }
  return method === undefined ? nBits : { nBits, method };
}

export function failureOptions(values: ParsedArguments['values']): { pError?: number; globalPError?: number } {
  const pError = probabilityOption(values, 'p-error');
  const globalPError = probabilityOption(values, 'global-p-error');
  if (pError !== undefined && globalPError !== undefined) throw new UsageError('give --p-error or --global-p-error, not both');
  return { ...(pError === undefined ? {} : { pError }), ...(globalPError === undefined ? {} : { globalPError }) };
}
