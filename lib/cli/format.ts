// Numbers for people: byte sizes, durations, probabilities, aligned tables.

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatMilliseconds(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
}

export function formatProbability(p: number): string {
  if (p === 0) return '0';
  return `2^${Math.log2(p).toFixed(1)}`;
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** Rows of cells as left-aligned columns (numbers right-aligned). */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((row) => row[c]?.length ?? 0)));
  return cells.map((row, r) =>
    row.map((cell, c) => (r > 0 && typeof rows[r - 1][c] === 'number' ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd(),
  );
}
