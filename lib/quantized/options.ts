// User-facing options of buildQuantizedModule: bit widths (Concrete ML's n_bits, int or dict) and
// accumulator rounding (rounding_threshold_bits).

export const DEFAULT_MODEL_BITS = 5;

export interface NBitsDict {
  readonly modelInputs?: number;
  readonly opInputs: number;
  readonly opWeights: number;
  readonly modelOutputs?: number;
}

export interface ResolvedNBits {
  readonly modelInputs: number;
  readonly opInputs: number;
  readonly opWeights: number;
  readonly modelOutputs: number;
}

export type RoundingMethod = 'EXACT' | 'APPROXIMATE';

export interface ResolvedRounding {
  readonly nBits: number;
  readonly method: RoundingMethod;
}

export type RoundingThresholdBits = number | { readonly nBits: number; readonly method?: RoundingMethod } | null;

function checkBits(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 24) {
    throw new RangeError(`${what} must be an integer in [1, 24], got ${String(value)}`);
  }
  return value;
}

/** Concrete ML's get_n_bits_dict: an int n gives {max(5,n), n, n, max(5,n)}. */
export function resolveNBits(nBits: number | NBitsDict): ResolvedNBits {
  if (typeof nBits === 'number') {
    const n = checkBits(nBits, 'nBits');
    return { modelInputs: Math.max(DEFAULT_MODEL_BITS, n), opInputs: n, opWeights: n, modelOutputs: Math.max(DEFAULT_MODEL_BITS, n) };
  }
  if (typeof nBits !== 'object' || nBits === null) throw new TypeError('nBits must be an integer or { opInputs, opWeights, modelInputs?, modelOutputs? }');
  const known = ['modelInputs', 'opInputs', 'opWeights', 'modelOutputs'];
  const unknown = Object.keys(nBits).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new TypeError(`unknown nBits key(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
  const opInputs = checkBits(nBits.opInputs, 'nBits.opInputs');
  const opWeights = checkBits(nBits.opWeights, 'nBits.opWeights');
  const modelInputs = checkBits(nBits.modelInputs ?? DEFAULT_MODEL_BITS, 'nBits.modelInputs');
  const modelOutputs = checkBits(nBits.modelOutputs ?? Math.max(DEFAULT_MODEL_BITS, opInputs), 'nBits.modelOutputs');
  if (modelOutputs < opInputs) {
    throw new RangeError(`nBits.modelOutputs (${modelOutputs}) must be at least nBits.opInputs (${opInputs}): outputs quantized coarser than op inputs lose accuracy for nothing`);
  }
  return { modelInputs, opInputs, opWeights, modelOutputs };
}

/** null, n (EXACT) or { nBits, method }; n in [2, 8] as in Concrete ML. */
export function resolveRounding(value: RoundingThresholdBits | undefined): ResolvedRounding | null {
  if (value === undefined || value === null) return null;
  const { nBits, method = 'EXACT' } = typeof value === 'number' ? { nBits: value } : value;
  if (typeof nBits !== 'number' || !Number.isInteger(nBits) || nBits < 2 || nBits > 8) {
    throw new RangeError(`roundingThresholdBits must be an integer in [2, 8], got ${String(nBits)}`);
  }
  if (method !== 'EXACT' && method !== 'APPROXIMATE') {
    throw new RangeError(`roundingThresholdBits.method must be 'EXACT' or 'APPROXIMATE', got ${String(method)}`);
  }
  return { nBits, method };
}
