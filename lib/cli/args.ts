// Command-line options on node:util parseArgs, with errors the user can act on.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArguments {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

/** parseArgs (strict), its errors turned into one-line usage errors naming the command. */
export function parseCommandArguments(command: string, argv: readonly string[], options: OptionSpecs): ParsedArguments {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: values as ParsedArguments['values'], positionals };
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`${command}: ${message}`);
  }
}

export function stringOption(values: ParsedArguments['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** An integer option in [min, max], or the default when absent. */
export function integerOption(values: ParsedArguments['values'], name: string, range: { min: number; max: number }, fallback?: number): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^[+-]?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new UsageError(`--${name} must be an integer in [${range.min}, ${range.max}], got '${text}'`);
  }
  return value;
}

/** A probability in (0, 1): decimal or 2^-k written as '2^-40' / '2**-40'. */
export function probabilityOption(values: ParsedArguments['values'], name: string): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const power = /^2(?:\^|\*\*)(-\d+)$/.exec(text.trim());
  const value = power === null ? Number(text) : 2 ** Number(power[1]);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0 || value >= 1) {
    throw new UsageError(`--${name} must be a probability in (0, 1) such as 1e-9 or 2^-40, got '${text}'`);
  }
  return value;
}

/** Exactly `count` positionals, named in the error. */
export function positionalArguments(command: string, positionals: readonly string[], names: readonly string[]): string[] {
  if (positionals.length !== names.length) {
    const expected = names.length === 0 ? 'no arguments' : names.map((n) => `<${n}>`).join(' ');
    throw new UsageError(`${command}: expected ${expected}, got ${positionals.length === 0 ? 'none' : positionals.map((p) => `'${p}'`).join(' ')}`);
  }
  return [...positionals];
}
