// Tabulating a lookup's function. A lookup input x in [min, max] reaches the programmable
// bootstrap as x - min, so entry i of the table is fn(min + i, channel). The table has 2^p_in
// entries; those past max cover inputs a little outside the calibrated range, and where fn is
// undefined there (throws, or returns a non-integer) they repeat the last defined entry.

import { describeNode, type LookupNode } from './graph';
import { centeredInt32, formatRange, type IntegerRange } from './integers';

function valueAt(node: LookupNode, x: number, channel: number): number | undefined {
  try {
    const value = node.fn(x, channel);
    return Number.isSafeInteger(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** fn(min + i, channel) for i < count, per channel. */
export function tabulate(node: LookupNode, range: IntegerRange, count: number): Float64Array[] {
  return Array.from({ length: node.channels }, (_, channel) => {
    const table = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const x = range.min + i;
      const value = valueAt(node, x, channel);
      if (value === undefined) {
        if (x <= range.max) {
          let detail: string;
          try {
            detail = `returned ${node.fn(x, channel)}`;
          } catch (error) {
            detail = `threw ${error instanceof Error ? error.message : String(error)}`;
          }
          throw new RangeError(`${describeNode(node)}: its function ${detail} for input ${x} (channel ${channel}), inside its `
            + `input range ${formatRange(range)}; lookups must map integers to safe integers`);
        }
        table[i] = table[i - 1];
      } else {
        table[i] = value;
      }
    }
    return table;
  });
}

/** The range of fn over its input range, all channels together. */
export function lookupImage(node: LookupNode, inputRange: IntegerRange): IntegerRange {
  let min = Infinity;
  let max = -Infinity;
  for (const table of tabulate(node, inputRange, inputRange.max - inputRange.min + 1)) {
    for (const v of table) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return { min, max };
}

/**
 * The 2^p_in-entry tables the native lookup takes, entries as centered residues modulo
 * 2^(p_out + 1) (the output chain's encoding; p_out defaults to p_in).
 */
export function lookupTables(node: LookupNode, inputRange: IntegerRange, inputPrecision: number, outputPrecision = inputPrecision): Int32Array[] {
  return tabulate(node, inputRange, 2 ** inputPrecision).map((table) => centeredInt32(table, outputPrecision));
}
