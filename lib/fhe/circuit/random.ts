// A small seeded generator for error injection in simulation (sfc32, seeded through splitmix32).
// Not for keys: keys come from the native core's CSPRNG.

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export interface Random {
  /** Uniform in [0, 1) with 53 random bits. */
  next(): number;
}

export function seededRandom(seed: number): Random {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next32();
  return { next: () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992 };
}

/**
 * Number of independent trials before the next success of probability p (geometric), drawn
 * in one step so that tiny probabilities (2^-128) cost nothing per lookup.
 */
export function trialsBeforeSuccess(random: Random, p: number): number {
  if (p <= 0) return Infinity;
  if (p >= 1) return 0;
  const u = 1 - random.next(); // (0, 1]
  return Math.floor(Math.log(u) / Math.log1p(-p));
}
