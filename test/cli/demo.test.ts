// `cipherquant demo --samples 2 --rounding-method EXACT --json` end to end (EXACT, so that the
// encrypted predictions must equal the clear ones), when that compile is both possible and
// affordable on this machine; otherwise the test logs why it did not run.
import test from 'ava';

import { DEMO_N_BITS, DEMO_ROUNDING_BITS } from '../../lib/cli/demo';
import { loadDemoData } from '../../lib/cli/demo-data';
import { buildQuantizedModule } from '../../lib/quantized';
import { runCli } from './helpers';

/** The demo's rounding, EXACT. */
const exact = DEMO_ROUNDING_BITS === null || typeof DEMO_ROUNDING_BITS === 'number' ? DEMO_ROUNDING_BITS : { ...DEMO_ROUNDING_BITS, method: 'EXACT' as const };

/** Keygen + 2 encrypted samples must fit the ~1 minute budget of this test. */
const AFFORDABLE_MS_PER_SAMPLE = 5_000;

async function whyNotAffordable(): Promise<string | null> {
  const data = loadDemoData();
  const module = await buildQuantizedModule(data.model, data.inputset, { nBits: DEMO_N_BITS, roundingThresholdBits: exact });
  try {
    const { latency, parameterSet } = (await module.compile(data.inputset)).statistics;
    if (latency.msPerSample > AFFORDABLE_MS_PER_SAMPLE) return `estimated ${Math.round(latency.msPerSample)} ms per sample with ${parameterSet}`;
  } catch (error) {
    return `the demo model does not compile with its defaults yet: ${(error as Error).message}`;
  }
  return null;
}

test('demo --samples 2 --rounding-method EXACT --json: one JSON object on stdout, progress on stderr', async (t) => {
  const reason = await whyNotAffordable();
  if (reason !== null) {
    t.log(`not run: ${reason}`);
    t.pass();
    return;
  }
  const run = await runCli('demo', '--samples', '2', '--rounding-method', 'EXACT', '--json');
  t.is(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  t.log(run.stdout);
  t.is(result.samples, 2);
  for (const mode of ['clear', 'simulated', 'encrypted']) t.true(result.accuracy[mode] >= 0 && result.accuracy[mode] <= 1, mode);
  t.is(result.encryptedMatchesClear, 2, 'encrypted predictions equal the clear ones');
  t.true(result.msPerSample > 0 && result.keygenMs > 0 && result.compileMs > 0);
  t.true(result.circuit.keySizes.evaluationKeyBytes > 0);
  // 24 lookups after 24 accumulators rounded from 10 to 4 bits: the 6 dropped bits cleared
  // in chunks of 4 and 2, 2 bootstraps each
  t.is(result.circuit.lookupCount, 24 + 24 * 4);
  t.regex(run.stderr, /encrypted\s+\[#+\] 240\/240 lookups/);
  t.regex(run.stderr, /keygen/);
});
