// TFHE benchmark: one JSON line per measurement. Usage:
//   npx tsx scripts/bench-tfhe.ts [SET_NAME ...] [--repetitions N]
// Defaults to the 1_1, 2_2 and 3_3 sets at 2^-128. Each set reports keygen time and key sizes,
// encrypt/decrypt per ciphertext, then keyswitch, KS-PBS and PBS (KS-PBS minus keyswitch) per
// ciphertext on 1 thread and on all threads, and the FFT's share of PBS time.
import { native } from '../lib/native';
import { parameters, type ParameterSet } from '../lib/fhe/parameters';
import * as tfhe from '../lib/fhe/tfhe';

const args = process.argv.slice(2);
const repetitionsFlag = args.indexOf('--repetitions');
const repetitions = repetitionsFlag >= 0 ? Number(args[repetitionsFlag + 1]) : 4;
const names = args.filter((arg, i) => !arg.startsWith('--') && (repetitionsFlag < 0 || i !== repetitionsFlag + 1));
const sets: ParameterSet[] = (names.length > 0 ? names : ['TUNIFORM_1_1_PFAIL_2M128', 'TUNIFORM_2_2_PFAIL_2M128',
  'TUNIFORM_3_3_PFAIL_2M128']).map((name) => {
  const set = (parameters as Record<string, ParameterSet>)[name];
  if (!set) throw new Error(`unknown parameter set ${name}; known: ${Object.keys(parameters).join(', ')}`);
  return set;
});

const emit = (record: Record<string, unknown>) => console.log(JSON.stringify(record));

async function timeMs<T>(run: () => Promise<T> | T): Promise<[number, T]> {
  const start = performance.now();
  const result = await run();
  return [performance.now() - start, result];
}

async function benchmarkSet(params: ParameterSet): Promise<void> {
  const set = params.name;
  const [keygenMs, { clientKey, evaluationKeys }] = await timeMs(() => tfhe.generateKeys(params));
  emit({ set, metric: 'keygen', ms: keygenMs, threads: native.capabilities().threads,
    keyswitchKeyBytes: evaluationKeys.sizes.keyswitchKey, bootstrapKeyBytes: evaluationKeys.sizes.bootstrapKey });

  const precision = Math.min(params.precision, 4);
  const entries = 2 ** precision;
  const messages = Int32Array.from({ length: 64 }, (_, i) => i % entries);
  const [encryptMs, ct] = await timeMs(() => tfhe.encrypt(clientKey, messages, { precision }));
  const [decryptMs] = await timeMs(() => tfhe.decrypt(clientKey, ct));
  emit({ set, metric: 'encrypt', msPerCiphertext: encryptMs / messages.length });
  emit({ set, metric: 'decrypt', msPerCiphertext: decryptMs / messages.length });

  const table = Int32Array.from({ length: entries }, (_, m) => entries - 1 - m);
  const fourier = await native.tfheMeasureFourier(params.polynomialSize, 2000);
  const allThreads = native.capabilities().hardwareThreads;
  for (const threads of [...new Set([1, allThreads])]) {
    native.setThreads(threads);
    // Single-ciphertext latency on 1 thread; on all threads a batch of one per thread
    // (throughput per ciphertext).
    const batch = threads === 1 ? 1 : threads * 2;
    const input = tfhe.encrypt(clientKey, messages.subarray(0, batch), { precision });
    await tfhe.lookup(evaluationKeys, input, table); // warm-up: page in the keys
    let keyswitchMs = 0;
    let lookupMs = 0;
    for (let r = 0; r < repetitions; ++r) {
      keyswitchMs += (await timeMs(() => tfhe.keyswitch(evaluationKeys, input)))[0];
      const [ms, out] = await timeMs(() => tfhe.lookup(evaluationKeys, input, table));
      lookupMs += ms;
      const got = tfhe.decrypt(clientKey, out);
      for (let i = 0; i < batch; ++i) {
        if (got[i] !== table[messages[i]]) throw new Error(`${set}: wrong lookup result ${got[i]} for ${messages[i]}`);
      }
    }
    const perCiphertext = (ms: number) => ms / repetitions / batch;
    const ksPbs = perCiphertext(lookupMs);
    const ks = perCiphertext(keyswitchMs);
    const pbs = ksPbs - ks;
    const { lweDimension: n, glweDimension: k, pbsLevel: level } = params;
    // Per CMux: (k+1)*level forward and (k+1) backward transforms (tfhe.md, "FFT and speed").
    const fftMs = (n * ((k + 1) * level * fourier.forwardMicroseconds + (k + 1) * fourier.backwardMicroseconds)) / 1000;
    emit({ set, metric: 'keyswitch', threads, batch, msPerCiphertext: ks });
    emit({ set, metric: 'ks-pbs', threads, batch, msPerCiphertext: ksPbs });
    emit({ set, metric: 'pbs', threads, batch, msPerCiphertext: pbs,
      ...(threads === 1 ? { fftMs, fftShare: fftMs / pbs, fftForwardUs: fourier.forwardMicroseconds,
        fftBackwardUs: fourier.backwardMicroseconds } : {}) });
  }
  native.setThreads(allThreads);
  clientKey.free();
  evaluationKeys.free();
}

async function main(): Promise<void> {
  emit({ metric: 'machine', ...native.capabilities() });
  for (const params of sets) await benchmarkSet(params);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
