// execute == simulate == quantizedForward on ciphertexts for every parity fixture that compiles
// (test/fixtures/quantized), too slow for npm test: keygen per fixture, then its test inputs
// encrypted, run and decrypted. One JSON line per fixture; exits non-zero on any mismatch.
// `npm run execute:fixtures [-- name ...]`

import { buildQuantizedModule } from '../lib/quantized';
import { Tensor } from '../lib/tensor';
import { buildOptionsOf, caseNames, float64, loadCase } from '../test/quantized/fixtures';

/** Samples of a, then of b. */
function joined(a: Tensor<'float64'>, b: Tensor<'float64'>): Tensor<'float64'> {
  const data = new Float64Array(a.size + b.size);
  data.set(a.data);
  data.set(b.data, a.size);
  return new Tensor(data, [a.shape[0] + b.shape[0], ...a.shape.slice(1)]) as Tensor<'float64'>;
}

void (async () => {
  const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : caseNames();
  let failures = 0;
  for (const name of names) {
    const { model, reference } = loadCase(name);
    const module = await buildQuantizedModule(model, float64(reference.inputset), buildOptionsOf(reference));
    const testInputs = float64(reference.testInputs);
    const [q] = module.quantizeInput(testInputs);
    const [expected] = await module.quantizedForward(q);
    let circuit;
    try {
      // calibrated on the inputset and the test inputs: a circuit is exact on the ranges it was compiled for
      circuit = await module.compile(joined(float64(reference.inputset), testInputs));
    } catch (error) {
      console.log(JSON.stringify({ fixture: name, compiled: false, reason: (error as Error).message.split('\n')[0] }));
      continue;
    }
    const stats = circuit.statistics;
    let started = performance.now();
    await circuit.keygen();
    const keygenMs = performance.now() - started;
    started = performance.now();
    const [decrypted] = await circuit.encryptRunDecrypt(q);
    const executeMs = performance.now() - started;
    const [simulated] = circuit.simulate(q, { seed: 1 });
    const same = (a: ArrayLike<number>) => Array.from(a).every((v, i) => v === expected.data[i]);
    const exact = same(decrypted.data) && same(simulated.data);
    if (!exact) failures++;
    console.log(JSON.stringify({
      fixture: name, compiled: true, parameterSet: stats.parameterSet, bootstrapsPerSample: stats.lookupCount, samples: q.shape[0],
      keygenMs, msPerSample: executeMs / q.shape[0], executeEqualsClear: same(decrypted.data), simulateEqualsClear: same(simulated.data),
    }));
    circuit.freeKeys();
  }
  process.exitCode = failures === 0 ? 0 : 1;
})();
