// QuantizedArray accepts the members of its three structs as flat fields, as Concrete ML's
// keyword arguments do: `{ isSigned: true, scale, zeroPoint }`. A flat field overrides the same
// member of a struct passed alongside it. A struct touched by flat fields must end up complete:
// filling half of it would otherwise leave the rest to be silently recomputed from the values.

import { FLAG_NAMES, QuantizationOptions, type QuantizationFlags } from './options';
import { UniformQuantizationParameters } from './parameters';
import { MinMaxQuantizationStats } from './stats';
import type { ZeroPointLike } from './zero-point';

export interface QuantizedArrayInit extends QuantizationFlags {
  /** true: `values` are reals to quantize; false: they are integers to de-quantize. */
  valueIsFloat?: boolean;
  options?: QuantizationOptions;
  stats?: MinMaxQuantizationStats;
  params?: UniformQuantizationParameters;
  rmin?: number;
  rmax?: number;
  scale?: number;
  zeroPoint?: ZeroPointLike;
  /** Defaults to 2^(nBits-1) when isSigned, else 0, if scale and zeroPoint are given. */
  offset?: number;
}

const STATS_FIELDS = ['rmin', 'rmax'] as const;
const PARAMS_FIELDS = ['scale', 'zeroPoint', 'offset'] as const;
const OTHER_FIELDS = ['valueIsFloat', 'options', 'stats', 'params'] as const;
const KNOWN_FIELDS: readonly string[] = [...OTHER_FIELDS, ...FLAG_NAMES, ...STATS_FIELDS, ...PARAMS_FIELDS];

export interface ResolvedFields {
  valueIsFloat: boolean;
  options: QuantizationOptions;
  stats: MinMaxQuantizationStats | null;
  params: UniformQuantizationParameters | null;
}

export function resolveFields(nBits: number, init: QuantizedArrayInit): ResolvedFields {
  if (typeof init !== 'object' || init === null) throw new TypeError('QuantizedArray fields must be an object');
  const unknown = Object.keys(init).filter((key) => !KNOWN_FIELDS.includes(key));
  if (unknown.length > 0) {
    throw new TypeError(`unknown QuantizedArray field(s) ${unknown.join(', ')} (known: ${KNOWN_FIELDS.join(', ')})`);
  }
  const { valueIsFloat = true } = init;
  if (typeof valueIsFloat !== 'boolean') throw new TypeError('valueIsFloat must be a boolean');
  checkInstance(init.options, QuantizationOptions, 'options');
  checkInstance(init.stats, MinMaxQuantizationStats, 'stats');
  checkInstance(init.params, UniformQuantizationParameters, 'params');

  // The array's nBits wins over the one in `options`, as in the reference.
  const flags: QuantizationFlags = {};
  for (const name of FLAG_NAMES) if (init[name] !== undefined) flags[name] = init[name];
  const options = (init.options ?? new QuantizationOptions(nBits)).with({ nBits, ...flags });

  return { valueIsFloat, options, stats: resolveStats(init), params: resolveParams(init, options) };
}

function resolveStats(init: QuantizedArrayInit): MinMaxQuantizationStats | null {
  const given = STATS_FIELDS.filter((name) => init[name] !== undefined);
  if (given.length === 0) return init.stats ?? null;
  const rmin = init.rmin ?? init.stats?.rmin;
  const rmax = init.rmax ?? init.stats?.rmax;
  if (rmin === undefined || rmax === undefined) {
    throw new TypeError(`partly filled statistics: ${given.join(', ')} given but ${rmin === undefined ? 'rmin' : 'rmax'} missing`);
  }
  return new MinMaxQuantizationStats({ rmin, rmax, dtype: init.stats?.dtype ?? 'float64' });
}

function resolveParams(init: QuantizedArrayInit, options: QuantizationOptions): UniformQuantizationParameters | null {
  const given = PARAMS_FIELDS.filter((name) => init[name] !== undefined);
  if (given.length === 0) return init.params ?? null;
  const scale = init.scale ?? init.params?.scale;
  const zeroPoint = init.zeroPoint ?? init.params?.zeroPoint;
  const missing = [scale === undefined ? 'scale' : '', zeroPoint === undefined ? 'zeroPoint' : ''].filter(Boolean);
  if (missing.length > 0) {
    throw new TypeError(`partly filled quantization parameters: ${given.join(', ')} given but ${missing.join(', ')} missing`);
  }
  // The reference demands offset too; it only matters for clipping and follows from the sign
  // (2^(n-1) for signed integers), so it is derived here when left out.
  const offset = init.offset ?? init.params?.offset ?? (options.isSigned ? 2 ** (options.nBits - 1) : 0);
  return new UniformQuantizationParameters({ scale: scale as number, zeroPoint: zeroPoint as ZeroPointLike, offset });
}

function checkInstance(value: unknown, type: abstract new (...args: never[]) => unknown, name: string): void {
  if (value !== undefined && !(value instanceof type)) throw new TypeError(`${name} must be a ${type.name}`);
}
