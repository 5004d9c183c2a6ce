// Chains: each run of leveled ops between lookups, inputs and outputs has its own message
// precision; lookups read at their input chain's and write at their output chain's. Narrow
// lookups feeding a wide output compile at the lookups' width, with a set chosen for both; the
// encrypted run equals clear and simulate bit for bit (TUNIFORM_1_1, a few dozen lookups).
import test from 'ava';

import { CircuitBuilder, EncryptedTensors, type FheCircuit } from '../../lib/fhe/circuit';
import type { LookupStep } from '../../lib/fhe/circuit/program';
import { lookupCost } from '../../lib/fhe/cost';
import { TUNIFORM_1_1_PFAIL_2M128, TUNIFORM_2_2_PFAIL_2M128, TUNIFORM_3_3_PFAIL_2M128 } from '../../lib/fhe/parameters';
import { generateKeys } from '../../lib/fhe/tfhe';

/** Per-channel 2-bit tables with 7-bit images: channel c maps v to +-[-60, -20, 20, 60][v] + c. */
const spread = (v: number, c: number): number => [-60, -20, 20, 60][v] * (c % 2 === 0 ? 1 : -1) + c;

/**
 * x [4] in [0, 3]; a = spread(x) per channel (2 -> 8 bits), sum = reduceSum(a) in [-240, 252]
 * (9 bits with the padding bit: p = 8); parity = x & 1 (2 -> 2 bits), count = parity . [1, 1, 1, 0]
 * in [0, 3], affine = 100 * count - 150 read at 2 bits and written at 8 (in [-150, 150]).
 */
function mixedCircuit(): FheCircuit {
  const b = new CircuitBuilder();
  const x = b.input('x', [4], { min: 0, max: 3 });
  const a = b.lookup(x, spread, { name: 'spread', channelAxis: 0 });
  b.output(b.reduceSum(a, undefined, { name: 'sum' }), 'sum');
  b.output(a, 'spread');
  const bits = b.lookup(x, (v) => v & 1, { name: 'parity' });
  b.output(bits, 'parity');
  const count = b.matmul(bits, { data: [1, 1, 1, 0], shape: [4, 1] }, { name: 'count' });
  b.output(b.lookup(count, (v) => 100 * v - 150, { name: 'affine' }), 'affine');
  return b.compile();
}

function lookupStep(circuit: FheCircuit, name: string): LookupStep {
  const id = circuit.graph.nodes.findIndex((node) => node.name === name);
  return circuit.program.steps[id] as LookupStep;
}

test('each chain gets the precision of what it feeds; lookups read at one and write at another', (t) => {
  const circuit = mixedCircuit();
  t.is(circuit.precisionOf('x'), 2); // read by 2-bit lookups only
  t.is(circuit.precisionOf('spread'), 8); // feeds 'sum' in [-240, 252]: 493 values
  t.is(circuit.precisionOf('sum'), 8);
  t.is(circuit.precisionOf('parity'), 2); // feeds 'count' in [0, 3], read by a lookup: 2 bits
  t.is(circuit.precisionOf('affine'), 8); // [-150, 150]: 301 values
  t.is(circuit.precision, 8);
  t.deepEqual([lookupStep(circuit, 'spread').inputPrecision, lookupStep(circuit, 'spread').outputPrecision], [2, 8]);
  t.deepEqual([lookupStep(circuit, 'parity').inputPrecision, lookupStep(circuit, 'parity').outputPrecision], [2, 2]);
  t.deepEqual([lookupStep(circuit, 'affine').inputPrecision, lookupStep(circuit, 'affine').outputPrecision], [2, 8]);
  // 4-entry tables (2-bit input) holding 8-bit residues: channel 1 is -spread + 1.
  t.deepEqual(Array.from(lookupStep(circuit, 'spread').tables[1]), [61, 21, -19, -59]);
  t.deepEqual(Array.from(lookupStep(circuit, 'affine').tables[0]), [-150, -50, 50, 150]);
  // One set for all: the 2-bit lookups (nu^2 up to 3) and the 8-bit outputs (nu^2 up to 4) fit the smallest.
  t.true(lookupCost(circuit.parameters) <= lookupCost(TUNIFORM_1_1_PFAIL_2M128));
  const stats = circuit.statistics;
  t.is(stats.messagePrecision, 8);
  t.deepEqual(stats.chains.map((c) => c.precision), [2, 8, 2, 8]);
  t.deepEqual(stats.chains.map((c) => [c.lookupsReading, c.lookupsWriting, c.outputs]), [
    [['spread', 'parity'], [], []],
    [[], ['spread'], ['sum', 'spread']],
    [['affine'], ['parity'], ['parity']],
    [[], ['affine'], ['affine']],
  ]);
  t.regex(stats.chains[1].driver, /output 'sum' spans \[-240, 252\] \(8 bits and the padding bit\)/);
  t.regex(stats.chains[2].driver, /lookup 'affine' reads 'count' in \[0, 3\] \(2 bits\)/);
  t.is(stats.chains[1].weakest, "output 'sum'");
  t.is(stats.chains[1].nu, 2);
  t.true(stats.chains.every((c) => c.log2FailureProbability <= -128), JSON.stringify(stats.chains.map((c) => c.log2FailureProbability)));
  t.deepEqual(stats.outputs.map((o) => [o.name, o.precision, o.nu]), [['sum', 8, 2], ['spread', 8, 1], ['parity', 2, 1], ['affine', 8, 1]]);
  t.deepEqual(stats.lookups.map((l) => [l.name, l.inputBits, l.inputPrecision, l.outputPrecision]), [
    ['spread', 2, 2, 8], ['parity', 2, 2, 2], ['affine', 2, 2, 8],
  ]);
});

test('a wide output chain drives the parameter set even when every lookup reads 2 bits', (t) => {
  // 16 lookups of images in [-60, 75] summed: [-960, 1200] needs p = 11 at nu = 4.
  const build = (options = {}): FheCircuit => {
    const b = new CircuitBuilder();
    const x = b.input('x', [16], { min: 0, max: 3 });
    b.output(b.reduceSum(b.lookup(x, spread, { name: 'spread', channelAxis: 0 }), undefined, { name: 'total' }), 'total');
    return b.compile(options);
  };
  const circuit = build({ parameterSearch: false });
  t.is(circuit.precisionOf('x'), 2);
  t.is(circuit.precisionOf('total'), 11);
  // 1_1 and 2_2 read 2 bits easily, but their bootstrap noise (model std 2^-15.0, 2^-14.4) times
  // nu = 4 is too wide for 11-bit boxes (half width 2^-13); 3_3's (2^-20.1) is not.
  t.is(circuit.parameters, TUNIFORM_3_3_PFAIL_2M128);
  const total = circuit.statistics.chains.find((c) => c.outputs.includes('total'))!;
  t.is(total.precision, 11);
  t.is(total.weakest, "output 'total'");
  t.true(total.log2FailureProbability <= -128);
  for (const set of [TUNIFORM_1_1_PFAIL_2M128, TUNIFORM_2_2_PFAIL_2M128]) {
    t.throws(() => build({ parameters: set }), {
      message: new RegExp(`no parameter set keeps output 'total' \\(nu = 4\\.00, 11-bit messages\\) under the failure target 2\\^-128\\.0 per lookup: `
        + `the closest, ${set.name}, reaches 2\\^-\\d+\\.\\d\\. Lower the 2-norm of the clear weights feeding it, the precision \\(11 bits: `
        + `output 'total' spans \\[-960, 1200\\] \\(11 bits and the padding bit\\); narrow the output`),
    });
  }
  // Simulation follows the per-chain encodings.
  const inputs = Int32Array.from({ length: 3 * 16 }, (_, i) => (i * 7) % 4);
  t.deepEqual(circuit.simulate(inputs, { seed: 3 }), circuit.clear(inputs));
});

test('encrypted: 2-bit lookups feeding 9-bit outputs (and a 2-bit lookup of a 2-bit chain written by a lookup) equal clear and simulate', async (t) => {
  const circuit = mixedCircuit();
  const { clientKey, evaluationKeys } = await generateKeys(circuit.parameters);
  const samples = Int32Array.of(0, 1, 2, 3, 3, 3, 3, 3, 0, 0, 0, 0, 3, 0, 3, 0, 1, 2, 1, 2, 0, 3, 0, 3);
  const clear = circuit.clear(samples);
  // Computed here, apart from the circuit: sum over channels of spread, and 100 * (odd count) - 150.
  const sums = Array.from({ length: 6 }, (_, s) => [0, 1, 2, 3].reduce((acc, c) => acc + spread(samples[4 * s + c], c), 0));
  const affine = Array.from({ length: 6 }, (_, s) => 100 * [0, 1, 2].filter((c) => samples[4 * s + c] & 1).length - 150);
  t.deepEqual(Array.from(clear[0].data), sums);
  t.deepEqual(Array.from(clear[3].data), affine);
  t.true(sums.some((v) => v > 127) && sums.some((v) => v < -128), 'the sums need more than 8 bits');
  t.deepEqual(circuit.simulate(samples, { seed: 1 }), clear);
  const encrypted = circuit.encrypt(samples, clientKey);
  t.deepEqual(encrypted.tensors.map((tensor) => tensor.precision), [2]);
  const outputs = await circuit.run(encrypted, { evaluationKeys });
  t.deepEqual(outputs.tensors.map((tensor) => tensor.precision), [8, 8, 2, 8]);
  const decrypted = circuit.decrypt(outputs, clientKey);
  decrypted.forEach((out, k) => t.deepEqual(Array.from(out.data), Array.from(clear[k].data), `output ${circuit.outputs[k].name}`));
  t.log(`${circuit.parameters.name}: chains at ${circuit.statistics.chains.map((c) => c.precision).join(', ')} bits, `
    + `${6 * circuit.statistics.lookupCount} lookups`);
  // Ciphertexts at another chain's precision are refused by name.
  const swapped = new EncryptedTensors(6, [outputs.tensors[2], outputs.tensors[1], outputs.tensors[2], outputs.tensors[3]]);
  t.throws(() => circuit.decrypt(swapped, clientKey), {
    message: /decrypt: 'sum' needs 6 x 1 ciphertexts of dimension 2048 at precision 8, got 24 of dimension 2048 at precision 2/,
  });
  clientKey.free();
  evaluationKeys.free();
});
