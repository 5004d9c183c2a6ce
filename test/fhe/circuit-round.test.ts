// Rounded shifts (builder.roundedShift): a wide accumulator read by a narrow lookup. The clear
// semantics, the coupling of chain precisions, the bootstraps that clear EXACT's dropped bits
// (chunks of 2 bootstraps each, 1 for a single bit), and execute == simulate == clear for EXACT
// on ciphertexts; APPROXIMATE within one of exact.
import test from 'ava';

import { CircuitBuilder, type CircuitInputs, type FheCircuit } from '../../lib/fhe/circuit';
import { clearingBootstraps, clearingChunks } from '../../lib/fhe/circuit/rounding';
import { generateKeys, type ClientKey, type EvaluationKeys } from '../../lib/fhe/tfhe';
import type { ParameterSet } from '../../lib/fhe/parameters';
import type { Tensor } from '../../lib/tensor';

const keyCache = new Map<string, Promise<{ clientKey: ClientKey; evaluationKeys: EvaluationKeys }>>();
function keysFor(parameters: ParameterSet): Promise<{ clientKey: ClientKey; evaluationKeys: EvaluationKeys }> {
  if (!keyCache.has(parameters.name)) keyCache.set(parameters.name, generateKeys(parameters));
  return keyCache.get(parameters.name)!;
}

async function execute(circuit: FheCircuit, inputs: CircuitInputs): Promise<Tensor<'int32'>[]> {
  const { clientKey, evaluationKeys } = await keysFor(circuit.parameters);
  const outputs = await circuit.run(circuit.encrypt(inputs, clientKey), { evaluationKeys });
  return circuit.decrypt(outputs, clientKey);
}

/** floor((x + 2^(bits-1)) / 2^bits), written out with integer arithmetic. */
function reference(x: number, bits: number): number {
  const unit = 2 ** bits;
  const shifted = x + unit / 2;
  return (shifted - (((shifted % unit) + unit) % unit)) / unit;
}

/** Every integer of [min, max], as a batch of one-element samples. */
const every = (min: number, max: number): Int32Array => Int32Array.from({ length: max - min + 1 }, (_, i) => min + i);

test('clear: floor((x + 2^(bits-1)) / 2^bits), ties up, negative values included', (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [1], { min: -300, max: 300 });
  for (const bits of [1, 3, 6]) b.output(b.roundedShift(x, bits, { name: `r${bits}` }));
  const inputs = every(-300, 300);
  const circuit = b.compile({ inputset: inputs });
  const outputs = circuit.clear(inputs);
  [1, 3, 6].forEach((bits, k) => t.deepEqual(Array.from(outputs[k].data), Array.from(inputs, (v) => reference(v, bits)), `bits ${bits}`));
});

test('chains: the input chain is exactly `bits` wider than what reads the result, and the lookup reads the narrow one', (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [3], { min: 0, max: 1000 });
  const rounded = b.roundedShift(x, 7, { name: 'rounded' });
  b.output(b.lookup(rounded, (v) => 3 * v, { name: 'triple' }));
  const circuit = b.compile();
  // 1000 + 64 >> 7 = 8: [0, 8] needs 4 bits; the 10-bit input is carried at 4 + 7 = 11 bits
  t.is(circuit.precisionOf('rounded'), 4);
  t.is(circuit.precisionOf('x'), 11);
  const stats = circuit.statistics;
  t.is(stats.lookups[0].inputPrecision, 4);
  // 7 bits to a 4-bit result: chunks of 4 and 3, 2 bootstraps each
  t.like(stats.rounds[0], { name: 'rounded', count: 3, bits: 7, exactness: 'EXACT', inputPrecision: 11, outputPrecision: 4, bootstraps: 12 });
  t.is(stats.lookupCount, 3 + 12, 'the clearing bootstraps count as lookups');
  t.true(stats.rounds[0].log2FailureProbability <= Math.log2(stats.pError));
  t.regex(stats.chains[circuit.program.chainOf[0]].driver, /roundedShift 'rounded' drops 7 bits/);
});

test('chains: a wider reader elsewhere in the input chain widens the rounded chain too', (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [2], { min: 0, max: 63 });
  b.output(b.lookup(b.roundedShift(x, 4, { name: 'narrow' }), (v) => v, { name: 'read_narrow' }));
  b.output(b.lookup(b.multiplyByConstant(x, 4, { name: 'wide' }), (v) => v & 1, { name: 'read_wide' }));
  const circuit = b.compile();
  // x * 4 spans [0, 252]: 8 bits, one more than the 3 + 4 the rounded shift alone needs
  t.is(circuit.precisionOf('wide'), 8);
  t.is(circuit.precisionOf('narrow'), 4);
  t.is(circuit.statistics.lookups[0].inputPrecision, 4);
});

test('APPROXIMATE: only lookups and outputs may read the result; bits and exactness are checked', (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [2], { min: 0, max: 255 });
  const r = b.roundedShift(x, 4, { exactness: 'APPROXIMATE', name: 'r' });
  b.output(b.matmul(r, { data: [1, 1], shape: [2, 1] }, { name: 'sum' }));
  t.throws(() => b.compile(), { message: /matmul 'sum' reads the APPROXIMATE roundedShift 'r'.*only lookups and outputs/ });
  t.throws(() => b.roundedShift(x, 0), { message: /bits must be an integer in \[1, 30\], got 0/ });
  t.throws(() => b.roundedShift(x, 2.5), { message: /bits must be an integer/ });
  t.throws(() => b.roundedShift(x, 2, { exactness: 'ROUGH' as never }), { message: /exactness must be 'EXACT' or 'APPROXIMATE'/ });
});

test('a rounded shift whose input would need more than 30 bits is refused, naming it', (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [1], { min: 0, max: 1023 });
  b.output(b.lookup(b.roundedShift(x, 8, { name: 'r' }), (v) => v));
  // a 10-bit range read at 3 bits: an 11-bit chain
  t.is(b.compile().precisionOf('x'), 11);
  const c = new CircuitBuilder();
  const y = c.input('y', [1], { min: 0, max: 2 ** 24 });
  // the result, scaled back up, spans [0, 2^25]: 25 bits and the padding bit, + 15 dropped = 40 > 30
  c.output(c.multiplyByConstant(c.roundedShift(y, 15, { name: 'r15' }), 2 ** 16), 'scaled');
  t.throws(() => c.compile(), { message: /roundedShift 'r15': its input 'y' would need 40 bits \(25 for what reads its result, 15 dropped\).*at most 30 bits/ });
});

test('two rounded shifts of one input that drop different bit counts cannot share a chain: refused, naming one', (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [2], { min: 0, max: 255 });
  b.output(b.add(b.roundedShift(x, 3, { name: 'r3' }), b.roundedShift(x, 5, { name: 'r5' }), { name: 'sum' }), 'sum');
  t.throws(() => b.compile(), { message: /roundedShift 'r[35]': its input 'x' reaches the values it writes through another rounded shift that drops a different number of bits/ });
});

test('EXACT on ciphertexts: a layer whose 8-bit accumulator is rounded to 2 bits; execute == simulate == clear', async (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [6], { min: 0, max: 7 });
  const w = [3, -2, 1, 4, -1, 2, 2, 1, -3, 1, 3, -2];
  const acc = b.matmul(x, { data: w, shape: [6, 2] }, { name: 'acc', bias: [5, 40] });
  const rounded = b.roundedShift(acc, 5, { name: 'rounded' });
  const y = b.lookup(rounded, (v, c) => v * v + c, { name: 'square', channelAxis: 0 });
  b.output(y, 'y');
  b.output(rounded, 'rounded');
  const samples = Int32Array.from({ length: 8 * 6 }, (_, i) => ((i * 2654435761) >>> 13) % 8);
  const circuit = b.compile({ inputset: samples });
  const stats = circuit.statistics;
  t.log(`${stats.parameterSet}: acc at ${circuit.precisionOf('acc')} bits, lookup reads ${stats.lookups[0].inputPrecision}; `
    + `${stats.lookupCount} bootstraps per sample, sign bootstrap 2^${stats.rounds[0].log2FailureProbability.toFixed(1)}`);
  t.is(stats.lookups[0].inputPrecision, circuit.precisionOf('acc') - 5);
  const clear = circuit.clear(samples);
  t.deepEqual(circuit.simulate(samples, { seed: 3 }), clear, 'simulate');
  const encrypted = await execute(circuit, samples);
  encrypted.forEach((out, k) => t.deepEqual(Array.from(out.data), Array.from(clear[k].data), `output ${circuit.outputs[k].name}`));
});

test('EXACT on ciphertexts: 6 bits dropped from every integer of [-128, 127], ties and negatives included', async (t) => {
  // The last sign bootstraps read the highest dropped bits, whose phase margin a pending
  // constant once ate away (~3% of these 256 elements came out one off): all must be exact.
  const b = new CircuitBuilder();
  const x = b.input('x', [1], { min: -128, max: 127 });
  // decrypted as it is: the cheapest set (N = 512), whose modulus-switch noise is the largest
  b.output(b.roundedShift(x, 6, { name: 'r' }), 'r');
  const inputs = every(-128, 127); // ties at every 64k + 32
  const circuit = b.compile({ inputset: inputs });
  const expected = Array.from(inputs, (v) => reference(v, 6));
  t.deepEqual(Array.from(circuit.clear(inputs)[0].data), expected);
  const [encrypted] = await execute(circuit, inputs);
  t.deepEqual(Array.from(encrypted.data), expected);
});

test('EXACT clears its dropped bits in chunks as wide as the result (at most 8): 2 bootstraps a chunk, 1 for a single bit', (t) => {
  t.deepEqual(clearingChunks(1, 4), [{ offset: 0, width: 1, bootstraps: 1 }]);
  // the demo's accumulators, 10 bits read at 4
  t.deepEqual(clearingChunks(6, 4), [{ offset: 0, width: 4, bootstraps: 2 }, { offset: 4, width: 2, bootstraps: 2 }]);
  t.deepEqual(clearingChunks(7, 3).map((c) => [c.offset, c.width, c.bootstraps]), [[0, 3, 2], [3, 3, 2], [6, 1, 1]]);
  // a 1-bit result: bit by bit
  t.deepEqual(clearingChunks(5, 1).map((c) => c.width), [1, 1, 1, 1, 1]);
  // never wider than 8 bits, whose table every searched set holds
  t.deepEqual(clearingChunks(20, 12).map((c) => c.width), [8, 8, 4]);
  t.deepEqual([[1, 1], [2, 1], [2, 2], [6, 4], [7, 3], [9, 8], [30, 1]].map(([bits, out]) => clearingBootstraps(bits, out)), [1, 2, 2, 4, 5, 3, 30]);
});

test('EXACT on ciphertexts: 7 bits dropped to a 2-bit result (three chunks of 2, then a single bit), ties and negatives included', async (t) => {
  // Both ways of clearing in one shift, each read after the chunk below has been taken off.
  const b = new CircuitBuilder();
  const x = b.input('x', [1], { min: -384, max: 383 });
  b.output(b.roundedShift(x, 7, { name: 'r' }), 'r');
  // ties (128k + 64) with their neighbours, the ends, and values spread between
  const ties = [-320, -192, -64, 64, 192, 320].flatMap((tie) => [tie - 1, tie, tie + 1]);
  const inputs = Int32Array.from(new Set([-384, 383, -1, 0, 1, ...ties, ...Array.from({ length: 40 }, (_, i) => -383 + 19 * i)]));
  const circuit = b.compile({ inputset: inputs });
  // [-3, 3] fits 2 bits and the padding bit
  t.like(circuit.statistics.rounds[0], { outputPrecision: 2, bootstraps: 7 });
  const expected = Array.from(inputs, (v) => reference(v, 7));
  t.deepEqual(Array.from(circuit.clear(inputs)[0].data), expected);
  t.deepEqual(Array.from(circuit.simulate(inputs, { seed: 2 })[0].data), expected, 'simulate');
  const [encrypted] = await execute(circuit, inputs);
  t.deepEqual(Array.from(encrypted.data), expected);
  t.log(`${circuit.statistics.parameterSet}: ${inputs.length} elements, ${circuit.statistics.lookupCount} bootstraps each`);
});

test('EXACT in simulation: failed clearing reads change results, which stay integers of the result\'s range', (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [1], { min: -384, max: 383 });
  b.output(b.roundedShift(x, 7, { name: 'r' }), 'r');
  const inputs = every(-384, 383);
  const circuit = b.compile({ inputset: inputs });
  const expected = Array.from(inputs, (v) => reference(v, 7));
  const [none] = circuit.simulate(inputs, { seed: 4, pError: 0 });
  t.deepEqual(Array.from(none.data), expected);
  const [failing] = circuit.simulate(inputs, { seed: 4, pError: 0.25 });
  const differing = Array.from(failing.data).filter((v, i) => v !== expected[i]).length;
  // 7 reads per element, each failing a quarter of the time; a failure that leaves the read
  // on the same side changes nothing, so fewer elements differ than fail
  t.true(differing > inputs.length / 10 && differing < inputs.length, `${differing} of ${inputs.length} differ`);
  // whatever the failures, results are residues modulo 2^3 of the 2-bit result chain, centered
  t.true(Array.from(failing.data).every((v) => Number.isInteger(v) && Math.abs(v) <= 4));
});

test('APPROXIMATE on ciphertexts and in simulation: within one of exact, and exact away from ties', async (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [1], { min: 0, max: 255 });
  const r = b.roundedShift(x, 6, { exactness: 'APPROXIMATE', name: 'r' });
  b.output(b.lookup(r, (v) => v, { name: 'read' }), 'y');
  const inputs = every(0, 255);
  const circuit = b.compile({ inputset: inputs });
  t.is(circuit.statistics.rounds[0].bootstraps, 0);
  const exact = Array.from(inputs, (v) => reference(v, 6));
  const [encrypted] = await execute(circuit, inputs);
  const [simulated] = circuit.simulate(inputs, { seed: 5 });
  for (const [what, got] of [['execute', encrypted], ['simulate', simulated]] as const) {
    let differing = 0;
    inputs.forEach((v, i) => {
      const diff = got.data[i] - exact[i];
      if (Math.abs(diff) > 1) t.fail(`${what}: ${v} -> ${got.data[i]}, exact ${exact[i]}`);
      // one unit of the result is 64 inputs; the read noise is a small fraction of a unit, so
      // only inputs within 16 of a tie (v mod 64 = 32) may go the other way
      const distance = Math.abs((v % 64) - 32);
      if (diff !== 0) {
        differing++;
        t.true(distance <= 16, `${what}: ${v} is ${distance} from a tie but rounded to ${got.data[i]}`);
      }
    });
    t.log(`${what}: ${differing} of ${inputs.length} rounded the other way`);
  }
});
