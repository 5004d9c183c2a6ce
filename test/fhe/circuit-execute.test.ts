// Encrypted execution of hand-built circuits: execute == clear == simulate, bit for bit, on
// small batches (a few hundred lookups in all). Keys are generated once per parameter set and
// shared through the client/server entry points (encrypt / run / decrypt with explicit keys);
// one circuit also goes through its own cached keygen.
import test from 'ava';

import { CircuitBuilder, EncryptedTensors, type CircuitInputs, type FheCircuit, type RunOptions } from '../../lib/fhe/circuit';
import { lookupCost } from '../../lib/fhe/cost';
import { TUNIFORM_1_1_PFAIL_2M128, TUNIFORM_2_2_PFAIL_2M128, type ParameterSet } from '../../lib/fhe/parameters';
import { generateKeys, type ClientKey, type EvaluationKeys } from '../../lib/fhe/tfhe';
import type { Tensor } from '../../lib/tensor';

const keyCache = new Map<string, Promise<{ clientKey: ClientKey; evaluationKeys: EvaluationKeys }>>();
function keysFor(parameters: ParameterSet): Promise<{ clientKey: ClientKey; evaluationKeys: EvaluationKeys }> {
  if (!keyCache.has(parameters.name)) keyCache.set(parameters.name, generateKeys(parameters));
  return keyCache.get(parameters.name)!;
}

async function execute(circuit: FheCircuit, inputs: CircuitInputs, options: RunOptions = {}): Promise<Tensor<'int32'>[]> {
  const { clientKey, evaluationKeys } = await keysFor(circuit.parameters);
  const encrypted = circuit.encrypt(inputs, clientKey);
  const outputs = await circuit.run(encrypted, { ...options, evaluationKeys });
  return circuit.decrypt(outputs, clientKey);
}

/** execute == clear == simulate on every output. */
async function checkAllExecutors(
  t: { deepEqual: (a: unknown, b: unknown, m?: string) => void; log: (...values: unknown[]) => void },
  circuit: FheCircuit,
  inputs: CircuitInputs,
  options: RunOptions = {},
): Promise<void> {
  const clear = circuit.clear(inputs);
  const batch = clear[0].shape[0];
  t.log(`${circuit.parameters.name}, p = ${circuit.precision}, ${batch} x ${circuit.statistics.lookupCount} lookups`);
  t.deepEqual(circuit.simulate(inputs, { seed: 1 }), clear, 'simulate');
  const encrypted = await execute(circuit, inputs, options);
  encrypted.forEach((out, k) => t.deepEqual(Array.from(out.data), Array.from(clear[k].data), `output ${circuit.outputs[k].name}`));
  t.deepEqual(encrypted.map((o) => o.shape), clear.map((o) => o.shape));
}

const seeded = (length: number, modulus: number, seed: number): Int32Array =>
  Int32Array.from({ length }, (_, i) => (((i + seed) * 2654435761) >>> 11) % modulus);

test('a 2-layer integer MLP with ReLU-like requantizing lookups (batch of 6)', async (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [5], { min: 0, max: 3 });
  const w1 = [1, 0, -1, 1, 0, 1, 1, 0, -1, 1, 0, -1, 1, 1, 0, 0, 0, 1, 1, -1];
  const h = b.matmul(x, { data: w1, shape: [5, 4] }, { name: 'fc1', bias: [0, -1, 1, 0] });
  const relu = b.lookup(h, (v) => Math.min(Math.max(v, 0) >> 1, 3), { name: 'relu1' });
  const o = b.matmul(relu, { data: [1, -1, 0, 1, 1, 1, -1, 0, 1, 1, 0, -1], shape: [4, 3] }, { name: 'fc2' });
  b.output(b.lookup(o, (v) => Math.max(v, 0), { name: 'relu2' }), 'scores');
  b.output(o, 'logits');
  const samples = seeded(6 * 5, 4, 1);
  const circuit = b.compile({ inputset: samples });
  await checkAllExecutors(t, circuit, samples);
});

test('per-channel tables along an axis (one stage of two ops, cut into chunks of 5)', async (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [3, 4], { min: -2, max: 1 });
  b.output(b.lookup(x, (v, c) => (v + c) * (c - 1), { name: 'perRow', channelAxis: 0 }));
  b.output(b.lookup(x, (v, c) => (c % 2 === 0 ? v : -v), { name: 'perColumn', channelAxis: 1 }));
  const samples = Int32Array.from(seeded(2 * 12, 4, 3), (v) => v - 2);
  const circuit = b.compile({ inputset: samples });
  t.deepEqual(circuit.program.stages.map((s) => s.lookups.length), [0, 2]);
  const progress: number[] = [];
  await checkAllExecutors(t, circuit, samples, { lookupChunk: 5, onProgress: (p) => progress.push(p.lookupsDone) });
  t.deepEqual(progress, [5, 10, 15, 20, 25, 30, 35, 40, 45, 48]);
});

test('conv + per-channel activation + sum pool, on the smallest set that fits', async (t) => {
  const b = new CircuitBuilder();
  const x = b.input('image', [1, 4, 4], { min: 0, max: 1 });
  const conv = b.conv2d(x, { data: [1, 0, 0, 1, 0, 1, -1, 0], shape: [2, 1, 2, 2] }, { name: 'conv', strides: [2, 2], pads: [1, 1, 1, 1], padValue: 1 });
  const act = b.lookup(conv, (v, c) => (c === 0 ? v >> 1 : Math.max(v, 0)), { name: 'act', channelAxis: 0 });
  b.output(b.sumPool2d(act, { kernelShape: [2, 2], strides: [1, 1], name: 'pool' }), 'pooled');
  const samples = seeded(2 * 16, 2, 5);
  const circuit = b.compile({ inputset: samples });
  t.true(lookupCost(circuit.parameters) <= lookupCost(TUNIFORM_1_1_PFAIL_2M128), circuit.parameters.name);
  await checkAllExecutors(t, circuit, samples);
});

test('encrypted x encrypted products by the square trick, elementwise and as a matmul', async (t) => {
  const b = new CircuitBuilder();
  const u = b.input('u', [2, 2], { min: 0, max: 2 });
  const v = b.input('v', [2, 2], { min: -1, max: 1 });
  b.output(b.multiplyEncrypted(u, v, { name: 'product' }));
  b.output(b.matmulEncrypted(u, v, { name: 'matmul' }));
  const us = seeded(2 * 4, 3, 7);
  const vs = Int32Array.from(seeded(2 * 4, 3, 8), (x) => x - 1);
  const circuit = b.compile({ inputset: [us, vs] });
  await checkAllExecutors(t, circuit, [us, vs]);
  const [product] = circuit.clear([us, vs]);
  t.deepEqual(Array.from(product.data), Array.from(us, (x, i) => x * vs[i] + 0));
});

test('data movement on ciphertexts: transpose, slice, pad, concat, gather, broadcast, reshape', async (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [2, 3], { min: 0, max: 3 });
  const moved = b.concat([b.transpose(x), b.pad(b.slice(b.transpose(x), { starts: [1], ends: [3], axes: [0] }), [1, 0, 0, 0], 2)], 0);
  const picked = b.gather(b.reshape(moved, [12]), [11, 0, 5, 5, 9]);
  b.output(moved, 'moved');
  b.output(b.lookup(picked, (v) => 3 - v, { name: 'flip' }), 'flipped');
  b.output(b.add(b.broadcastTo(b.slice(x, { starts: [0], ends: [1] }), [2, 3]), x), 'broadcast');
  const samples = seeded(2 * 6, 4, 9);
  const circuit = b.compile({ inputset: samples });
  await checkAllExecutors(t, circuit, samples);
});

test('maxima and max pooling from ReLU lookups', async (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [1, 3, 3], { min: 0, max: 3 });
  b.output(b.maxPool2d(x, { kernelShape: [2, 2], strides: [1, 1], name: 'maxPool' }));
  const samples = seeded(2 * 9, 4, 11);
  const circuit = b.compile({ inputset: samples });
  await checkAllExecutors(t, circuit, samples);
});

test('wrap-around between lookups, and reads outside the calibrated window, match simulate', async (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [2], { min: 0, max: 3 });
  const back = b.subtract(b.multiplyByConstant(x, 1000), b.multiplyByConstant(x, 999), { name: 'back' });
  const s = b.reduceSum(back, undefined, { name: 'sum' });
  b.output(b.lookup(s, (v) => 2 * v - 1, { name: 'odd' }));
  const circuit = b.compile({ inputset: [0, 1, 1, 2] }); // sum calibrated to [1, 3]
  await checkAllExecutors(t, circuit, [0, 1, 1, 2, 2, 1]);
  // sum = 6 lands past 2^p after its shift: the bootstrap's negacyclic read, as simulate predicts.
  const outside = [3, 3, 0, 3];
  t.deepEqual(Array.from((await execute(circuit, outside))[0].data), Array.from(circuit.simulate(outside, { seed: 1 })[0].data));
});

test('cached keygen, encryptRunDecrypt, measured statistics, and misuse errors', async (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [4], { min: -8, max: 7 });
  b.output(b.lookup(x, (v) => Math.abs(v) >> 1, { name: 'abs' }));
  const circuit = b.compile();
  t.true(lookupCost(circuit.parameters) <= lookupCost(TUNIFORM_2_2_PFAIL_2M128), circuit.parameters.name);
  t.throws(() => circuit.encrypt([1, 2, 3, 4]), { message: /no client key; await circuit.keygen\(\) first/ });
  await t.throwsAsync(circuit.run(new EncryptedTensors(1, [])), { message: /no evaluation keys/ });
  const keys = await circuit.keygen();
  t.is(await circuit.keygen(), keys);
  t.is(circuit.keys, keys);
  const inputs = [-8, -1, 0, 7, 5, -5, 3, -3];
  const progress: number[] = [];
  const out = await circuit.encryptRunDecrypt(inputs, { onProgress: (p) => progress.push(p.lookupsDone) });
  t.deepEqual(Array.from(out[0].data), inputs.map((v) => Math.abs(v) >> 1));
  t.deepEqual(progress, [8]);
  t.is(circuit.statistics.latency.basis, 'measured');
  t.log(`measured ${circuit.statistics.latency.msPerLookup.toFixed(1)} ms per lookup (wall, ${circuit.statistics.threads} threads)`);

  const encrypted = circuit.encrypt(inputs);
  t.throws(() => circuit.decrypt(new EncryptedTensors(3, encrypted.tensors)), { message: /decrypt: 'abs' needs 3 x 4 ciphertexts/ });
  const other = await keysFor(TUNIFORM_1_1_PFAIL_2M128);
  await t.throwsAsync(circuit.run(encrypted, { evaluationKeys: other.evaluationKeys }), { message: /evaluation keys are for TUNIFORM_1_1_PFAIL_2M128/ });
  t.throws(() => circuit.encrypt([8, 0, 0, 0]), { message: /value 8 at flat index 0 is not an integer in its range \[-8, 7\]/ });
  circuit.freeKeys();
  t.is(circuit.keys, undefined);
  t.true(keys.clientKey.freed && keys.evaluationKeys.freed);
});
