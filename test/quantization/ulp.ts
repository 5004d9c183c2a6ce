// Distance in units in the last place between two float64 numbers: how many representable
// doubles lie between them. 0 means identical (with +0 and -0 counted as equal), 1 means
// neighbours. Used to compare with reference floats computed by another implementation.

const view = new DataView(new ArrayBuffer(8));

// Maps a double to an integer that grows with the double: positive doubles keep their bit
// pattern, negative ones are mirrored below zero. Adjacent doubles map to adjacent integers.
function orderedBits(x: number): bigint {
  view.setFloat64(0, x);
  const bits = view.getBigInt64(0);
  return bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
}

export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  const d = orderedBits(a) - orderedBits(b);
  return Number(d < 0n ? -d : d);
}
