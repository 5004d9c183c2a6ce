// FHE compile of QuantizedModules: parameters where they fit, simulate == clear at the default
// failure target, execute == clear on encrypted data, the 16-bit rule, lowering errors.
import test from 'ava';
import { OnnxModel } from '../../lib/onnx';
import { buildQuantizedModule, compileOnnxModel, type QuantizedModule, UnloweredOpError } from '../../lib/quantized';
import { loweringOf } from '../../lib/quantized/lowering/registry';
import { QuantizedUnfold } from '../../lib/quantized/ops/pool';
import { Tensor } from '../../lib/tensor';
import { buildOptionsOf, caseNames, float64, loadCase } from './fixtures';
import { NOT_LOWERED } from './lowering-limits';

/** Fixtures whose circuits get a parameter set (named or searched); the others must say why not. */
const FITS = new Set(['torch_mlp_3bits', 'brevitas_qat_mlp', 'torch_mlp_dict_rounding', 'sklearn_logistic_regression', 'brevitas_pot_mlp', 'brevitas_pot_cnn']);

/**
 * The module built on the fixture's inputset; `inputset` for compile also holds the test inputs
 * (a circuit is exact on the ranges it was compiled for: outputs of unseen inputs may leave them).
 */
async function moduleOf(name: string): Promise<{ module: QuantizedModule; inputset: Tensor<'float64'>; testInputs: Tensor<'float64'> }> {
  const { model, reference } = loadCase(name);
  const calibration = float64(reference.inputset);
  const testInputs = float64(reference.testInputs);
  const data = new Float64Array(calibration.size + testInputs.size);
  data.set(calibration.data);
  data.set(testInputs.data, calibration.size);
  const inputset = new Tensor(data, [calibration.shape[0] + testInputs.shape[0], ...calibration.shape.slice(1)]) as Tensor<'float64'>;
  return { module: await buildQuantizedModule(model, calibration, buildOptionsOf(reference)), inputset, testInputs };
}

for (const name of caseNames()) {
  test(`${name}: compile gives parameters and simulate == clear == quantizedForward, or names what does not fit`, async (t) => {
    const { module, inputset, testInputs } = await moduleOf(name);
    const [q] = module.quantizeInput(testInputs);
    const [expected] = await module.quantizedForward(q);
    const refused = NOT_LOWERED.get(name);
    if (refused !== undefined) {
      await t.throwsAsync(module.compile(inputset), { message: refused });
      return;
    }
    let circuit;
    try {
      circuit = await module.compile(inputset);
    } catch (error) {
      t.false(FITS.has(name), `${name} should compile: ${(error as Error).message}`);
      t.regex((error as Error).message, /no parameter set|16-bit/);
      t.regex((error as Error).message, /nBits/);
      // the clear path does not need parameters
      const lowered = await module.lower(q);
      t.deepEqual(Array.from(lowered.clear(q)[0].data), Array.from(expected.data));
      t.is(module.fheCircuit, null);
      return;
    }
    t.true(FITS.has(name), `${name} compiles now: add it to FITS`);
    t.is(module.fheCircuit, circuit);
    t.deepEqual(Array.from(circuit.clear(q)[0].data), Array.from(expected.data), 'clear');
    t.deepEqual(Array.from(circuit.simulate(q, { seed: 7 })[0].data), Array.from(expected.data), 'simulate at the default target');
    const [simulated] = await module.forward(testInputs, { fhe: 'simulate', seed: 3 });
    const [clear] = await module.forward(testInputs);
    t.deepEqual(Array.from(simulated.data), Array.from(clear.data), 'forward simulate == disable');
    t.log(`${circuit.statistics.parameterSet}, ${circuit.statistics.lookupCount} lookups per sample`);
  });
}

test('compileOnnxModel at nBits 2 (TUNIFORM_2_2): execute == clear on encrypted data, forward and low level', async (t) => {
  const model = OnnxModel.load('test/fixtures/quantized/torch_mlp_3bits/model.onnx');
  const inputset = new Tensor(Float64Array.from({ length: 40 * 10 }, (_, i) => Math.sin(i * 0.37) * 2), [40, 10]) as Tensor<'float64'>;
  const stages: string[] = [];
  const { module, circuit } = await compileOnnxModel(model, inputset, { nBits: 2, onProgress: (stage) => stages.push(stage) });
  t.deepEqual(stages, ['quantize', 'lower', 'check', 'parameters', 'done']);
  t.is(module.fheCircuit, circuit);
  t.is(circuit.statistics.lookupCount, 32);
  const samples = new Tensor(inputset.data.slice(0, 30), [3, 10]) as Tensor<'float64'>;
  const [q] = module.quantizeInput(samples);
  const [expected] = await module.quantizedForward(q);
  const keys = await circuit.keygen();
  const started = Date.now();
  const [decrypted] = await circuit.encryptRunDecrypt(q);
  t.log(`${circuit.statistics.parameterSet}: ${circuit.statistics.lookupCount} lookups per sample, ${((Date.now() - started) / 3).toFixed(0)} ms/sample`);
  t.deepEqual(Array.from(decrypted.data), Array.from(expected.data), 'fheCircuit.encryptRunDecrypt');
  t.is(await circuit.keygen(), keys, 'keys cached');
  const out = circuit.decrypt(await circuit.run(circuit.encrypt(q, keys.clientKey)), keys.clientKey);
  t.deepEqual(Array.from(out[0].data), Array.from(expected.data), 'encrypt / run / decrypt');
  const one = new Tensor(samples.data.slice(0, 10), [1, 10]) as Tensor<'float64'>;
  const [y] = await module.forward(one, { fhe: 'execute' });
  const [clear] = await module.forward(one);
  t.deepEqual(Array.from(y.data), Array.from(clear.data), 'forward execute == disable');
  const [simulated] = await module.forward(samples, { fhe: 'simulate' });
  t.deepEqual(Array.from(simulated.data), Array.from((await module.forward(samples))[0].data), 'forward simulate == disable');
  circuit.freeKeys();
});

test('roundingThresholdBits narrows every accumulator lookup: EXACT execute == clear, APPROXIMATE without sign bootstraps', async (t) => {
  const model = OnnxModel.load('test/fixtures/quantized/torch_mlp_3bits/model.onnx');
  const inputset = new Tensor(Float64Array.from({ length: 40 * 10 }, (_, i) => Math.sin(i * 0.37) * 2), [40, 10]) as Tensor<'float64'>;
  const samples = new Tensor(inputset.data.slice(0, 30), [3, 10]) as Tensor<'float64'>;
  for (const method of ['EXACT', 'APPROXIMATE'] as const) {
    const { module, circuit } = await compileOnnxModel(model, inputset, { nBits: 2, roundingThresholdBits: { nBits: 2, method } });
    const { lookups, rounds, lookupCount } = circuit.statistics;
    t.true(rounds.length > 0, `${method}: the accumulators are rounded`);
    for (const round of rounds) {
      const reader = lookups.find((l) => l.inputPrecision === round.outputPrecision);
      t.truthy(reader, `${method}: a lookup reads ${round.name} at ${round.outputPrecision} bits`);
      t.is(round.inputPrecision, round.outputPrecision + round.bits);
      t.is(round.bootstraps, method === 'EXACT' ? round.count * round.bits : 0);
    }
    t.is(lookupCount, lookups.reduce((s, l) => s + l.count, 0) + rounds.reduce((s, r) => s + r.bootstraps, 0));
    const [q] = module.quantizeInput(samples);
    const [expected] = await module.quantizedForward(q);
    t.deepEqual(Array.from(circuit.clear(q)[0].data), Array.from(expected.data), `${method}: clear == quantizedForward`);
    t.log(`${method}: ${circuit.statistics.parameterSet}, ${lookupCount} bootstraps per sample, lookups read ${lookups.map((l) => l.inputPrecision).join('/')} bits`);
    if (method === 'APPROXIMATE') continue; // ties may round the other way on ciphertexts
    t.deepEqual(Array.from(circuit.simulate(q, { seed: 2 })[0].data), Array.from(expected.data), 'EXACT: simulate == quantizedForward');
    const [decrypted] = await circuit.encryptRunDecrypt(q);
    t.deepEqual(Array.from(decrypted.data), Array.from(expected.data), 'EXACT: execute == quantizedForward');
    circuit.freeKeys();
  }
});

test('the 16-bit rule: compile names the op, the width and the options', async (t) => {
  const { model, reference } = loadCase('torch_mlp_6bits');
  const module = await buildQuantizedModule(model, float64(reference.inputset), { nBits: 9 });
  const error = await t.throwsAsync(module.compile(float64(reference.inputset)));
  t.regex(error.message, /limited to 16-bit inputs/);
  t.regex(error.message, /node '\/layers\/layers\.\d\/Gemm' \(Gemm\) reads '.*accumulator' in \[-?\d+, \d+\], (1[7-9]|2\d) bits/);
  t.regex(error.message, /opInputs: 9, opWeights: 9/);
  t.regex(error.message, /roundingThresholdBits not set/);
  t.is(module.fheCircuit, null);
});

test('an op without a lowering: clear error naming the node, its class and what is lowered', (t) => {
  const op = Object.create(QuantizedUnfold.prototype) as QuantizedUnfold;
  Object.defineProperty(op, 'node', { value: { name: 'unfold0', opType: 'Unfold' } });
  const error = t.throws(() => loweringOf(op), { instanceOf: UnloweredOpError });
  t.regex(error.message, /node 'unfold0' \(Unfold\): QuantizedUnfold has no FHE lowering/);
  t.regex(error.message, /QuantizedConv.*QuantizedGemm/);
});
