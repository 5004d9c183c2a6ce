// TFHE benchmark: one JSON line per measurement. Usage:
//   npx tsx scripts/bench-tfhe.ts [SET_NAME ...] [--repetitions N] [--one-thread]
// Defaults to the 1_1, 2_2 and 3_3 sets at 2^-128. Each set reports keygen time and key sizes,
// encrypt/decrypt per ciphertext, then keyswitch, KS-PBS and PBS (KS-PBS minus keyswitch) per
// ciphertext on 1 thread and on all threads, the throughput of a batched lookup on 1 thread,
// and the FFT's share of PBS time. --one-thread keeps to the one-thread latencies and the FFT's
// share (what scripts/compare-tfhe-rs.ts sets beside tfhe-rs).
//
// Timings: `msPerCiphertext` is the mean wall time over the repetitions (as before), `minMs...`
// the fastest repetition, and `cpuMs...` the process CPU time (all threads) per ciphertext.
// On a shared machine wall time includes waiting for a core; CPU time does not, so on one
// thread it is the figure to compare across runs (the `loadAverage` of each line says how
// busy the machine was).
import * as os from 'node:os';

import { native } from '../lib/native';
import { parameters, type ParameterSet } from '../lib/fhe/parameters';
import * as tfhe from '../lib/fhe/tfhe';

const args = process.argv.slice(2);
const repetitionsFlag = args.indexOf('--repetitions');
const repetitions = repetitionsFlag >= 0 ? Number(args[repetitionsFlag + 1]) : 4;
const oneThread = args.includes('--one-thread');
const names = args.filter((arg, i) => !arg.startsWith('--') && (repetitionsFlag < 0 || i !== repetitionsFlag + 1));
const sets: ParameterSet[] = (names.length > 0 ? names : ['TUNIFORM_1_1_PFAIL_2M128', 'TUNIFORM_2_2_PFAIL_2M128',
  'TUNIFORM_3_3_PFAIL_2M128']).map((name) => {
  const set = (parameters as Record<string, ParameterSet>)[name];
  if (!set) throw new Error(`unknown parameter set ${name}; known: ${Object.keys(parameters).join(', ')}`);
  return set;
});
// Ciphertexts in the one-call batch whose throughput is compared with single lookups.
const BATCH = 8;

const emit = (record: Record<string, unknown>) =>
  console.log(JSON.stringify({ ...record, loadAverage: Number(os.loadavg()[0].toFixed(2)) }));

interface Timing {
  wallMs: number;
  cpuMs: number;
}

async function timed<T>(run: () => Promise<T> | T): Promise<[Timing, T]> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await run();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return [{ wallMs, cpuMs: (used.user + used.system) / 1000 }, result];
}

/** Mean, fastest and CPU time per ciphertext over repeated timings of `batch` ciphertexts. */
function perCiphertext(timings: Timing[], batch: number) {
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    msPerCiphertext: mean(timings.map((t) => t.wallMs)) / batch,
    minMsPerCiphertext: Math.min(...timings.map((t) => t.wallMs)) / batch,
    cpuMsPerCiphertext: Math.min(...timings.map((t) => t.cpuMs)) / batch,
  };
}

async function benchmarkSet(params: ParameterSet): Promise<void> {
  const set = params.name;
  const [keygen, { clientKey, evaluationKeys }] = await timed(() => tfhe.generateKeys(params));
  emit({ set, metric: 'keygen', ms: keygen.wallMs, threads: native.capabilities().threads,
    keyswitchKeyBytes: evaluationKeys.sizes.keyswitchKey, bootstrapKeyBytes: evaluationKeys.sizes.bootstrapKey });

  const precision = Math.min(params.precision, 4);
  const entries = 2 ** precision;
  const messages = Int32Array.from({ length: 64 }, (_, i) => i % entries);
  const [encryptTime, ct] = await timed(() => tfhe.encrypt(clientKey, messages, { precision }));
  const [decryptTime] = await timed(() => tfhe.decrypt(clientKey, ct));
  emit({ set, metric: 'encrypt', msPerCiphertext: encryptTime.wallMs / messages.length });
  emit({ set, metric: 'decrypt', msPerCiphertext: decryptTime.wallMs / messages.length });

  const table = Int32Array.from({ length: entries }, (_, m) => entries - 1 - m);
  const lookupChecked = async (input: tfhe.CiphertextBatch, batch: number): Promise<Timing> => {
    const [time, out] = await timed(() => tfhe.lookup(evaluationKeys, input, table));
    const got = tfhe.decrypt(clientKey, out);
    for (let i = 0; i < batch; ++i) {
      if (got[i] !== table[messages[i]]) throw new Error(`${set}: wrong lookup result ${got[i]} for ${messages[i]}`);
    }
    return time;
  };
  const allThreads = native.capabilities().hardwareThreads;
  const { lweDimension: n, glweDimension: k, pbsLevel: level } = params;
  for (const threads of [...new Set([1, oneThread ? 1 : allThreads])]) {
    native.setThreads(threads);
    // Single-ciphertext latency on 1 thread; on all threads a batch of two per thread
    // (throughput per ciphertext).
    const batch = threads === 1 ? 1 : threads * 2;
    const input = tfhe.encrypt(clientKey, messages.subarray(0, batch), { precision });
    await tfhe.lookup(evaluationKeys, input, table); // warm-up: page in the keys
    const keyswitchTimes: Timing[] = [];
    const lookupTimes: Timing[] = [];
    for (let r = 0; r < repetitions; ++r) {
      keyswitchTimes.push((await timed(() => tfhe.keyswitch(evaluationKeys, input)))[0]);
      lookupTimes.push(await lookupChecked(input, batch));
    }
    const ks = perCiphertext(keyswitchTimes, batch);
    const ksPbs = perCiphertext(lookupTimes, batch);
    const pbs = {
      msPerCiphertext: ksPbs.msPerCiphertext - ks.msPerCiphertext,
      minMsPerCiphertext: ksPbs.minMsPerCiphertext - ks.minMsPerCiphertext,
      cpuMsPerCiphertext: ksPbs.cpuMsPerCiphertext - ks.cpuMsPerCiphertext,
    };
    emit({ set, metric: 'keyswitch', threads, batch, ...ks });
    emit({ set, metric: 'ks-pbs', threads, batch, ...ksPbs });
    if (threads !== 1) {
      emit({ set, metric: 'pbs', threads, batch, ...pbs });
      continue;
    }
    // The FFT's share: transforms per PBS (per CMux (k+1)*level forward and k+1 backward,
    // tfhe.md "FFT and speed") times their cost measured alone (processor time, like the
    // PBS's), over the PBS's CPU time. The least disturbed of three measurements, like the
    // PBS's fastest CPU time.
    let forwardUs = Infinity;
    let backwardUs = Infinity;
    for (let r = 0; r < 3; ++r) {
      const fourier = await native.tfheMeasureFourier(params.polynomialSize, 1000);
      if (!fourier.roundTripsExact) throw new Error(`${set}: the timed FFTs did not round-trip exactly`);
      forwardUs = Math.min(forwardUs, fourier.forwardMicroseconds);
      backwardUs = Math.min(backwardUs, fourier.backwardMicroseconds);
    }
    const fftMs = (n * ((k + 1) * level * forwardUs + (k + 1) * backwardUs)) / 1000;
    emit({ set, metric: 'pbs', threads, batch, ...pbs, fftMs, fftShare: fftMs / pbs.cpuMsPerCiphertext,
      fftForwardUs: forwardUs, fftBackwardUs: backwardUs });
    if (oneThread) continue;
    // Throughput of one call on a batch: the keyswitch shares its passes over the key, and the
    // blind rotations run several ciphertexts per pass over the bootstrap key.
    const batchInput = tfhe.encrypt(clientKey, messages.subarray(0, BATCH), { precision });
    const batchTimes: Timing[] = [];
    for (let r = 0; r < Math.max(2, Math.ceil(repetitions / 2)); ++r) batchTimes.push(await lookupChecked(batchInput, BATCH));
    const batched = perCiphertext(batchTimes, BATCH);
    emit({ set, metric: 'ks-pbs-batched', threads, batch: BATCH, ...batched,
      lookupsPerSecond: 1000 / batched.minMsPerCiphertext,
      cpuSpeedupOverSingle: ksPbs.cpuMsPerCiphertext / batched.cpuMsPerCiphertext });
  }
  native.setThreads(allThreads);
  clientKey.free();
  evaluationKeys.free();
}

async function main(): Promise<void> {
  emit({ metric: 'machine', ...native.capabilities(), cpus: os.cpus().length, model: os.cpus()[0]?.model });
  for (const params of sets) await benchmarkSet(params);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
