// Shared by the performance tests: the fastest of several runs, the figure least disturbed by
// the other work on a shared machine.

/** Milliseconds of the fastest of `runs` calls of `action` (awaited when it returns a promise). */
export async function bestOfMs(runs: number, action: () => Promise<unknown> | unknown): Promise<number> {
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await action();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}
