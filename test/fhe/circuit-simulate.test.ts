// Simulation: the ciphertexts' arithmetic on clear integers. At the default failure rate it
// equals the clear executor; at a forced rate it injects off-by-one table reads whose count
// follows the binomial law; outside the calibrated window it reproduces the negacyclic reads
// of the programmable bootstrap.
import test from 'ava';

import { CircuitBuilder, type FheCircuit } from '../../lib/fhe/circuit';

const quiet = { warn: (): void => undefined };

/** A small conv + pool + MLP circuit with per-channel lookups, calibrated on `samples`. */
function smallNetwork(samples: Int32Array): FheCircuit {
  const b = new CircuitBuilder();
  const x = b.input('image', [1, 4, 4], { min: 0, max: 3 });
  const conv = b.conv2d(x, { data: [1, -1, 0, 1, 0, 1, 1, -1], shape: [2, 1, 2, 2] }, { name: 'conv', bias: [0, 1], pads: [0, 0, 1, 1] });
  const act = b.lookup(conv, (v, c) => Math.min(Math.max(v + c, 0), 7), { name: 'act', channelAxis: 0 });
  const pooled = b.sumPool2d(act, { kernelShape: [2, 2], strides: [2, 2], name: 'pool' });
  const flat = b.reshape(pooled, [8]);
  const fc = b.matmul(flat, { data: Array.from({ length: 24 }, (_, i) => ((i * 7) % 5) - 2), shape: [8, 3] }, { name: 'fc' });
  b.output(b.lookup(fc, (v) => v >> 3, { name: 'requantize' }), 'scores');
  return b.compile({ inputset: samples, logger: quiet });
}

const images = Int32Array.from({ length: 16 * 12 }, (_, i) => ((i * 2654435761) >>> 13) % 4);

test('at the default rate (2^-128) simulate equals clear, batch at once', (t) => {
  const circuit = smallNetwork(images);
  const report = circuit.simulateWithReport(images, { seed: 7 });
  t.is(report.injectedErrors, 0);
  t.is(report.lookups, 12 * circuit.statistics.lookupCount);
  t.deepEqual(report.outputs[0], circuit.clear(images)[0]);
  t.deepEqual(report.outputs[0].shape, [12, 3]);
});

/** log P(X = k) for X ~ Binomial(n, p). */
function logBinomial(n: number, k: number, p: number): number {
  let logChoose = 0;
  for (let i = 1; i <= k; i++) logChoose += Math.log((n - k + i) / i);
  return logChoose + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/** Exact two-sided tails P(X <= k) and P(X >= k). */
function binomialTails(n: number, k: number, p: number): [number, number] {
  let below = 0;
  let above = 0;
  for (let i = 0; i <= n; i++) {
    const probability = Math.exp(logBinomial(n, i, p));
    if (i <= k) below += probability;
    if (i >= k) above += probability;
  }
  return [below, above];
}

test('a forced rate injects errors as often as asked (exact binomial test) and changes results', (t) => {
  const circuit = smallNetwork(images);
  const rate = 0.03;
  const many = Int32Array.from({ length: images.length * 10 }, (_, i) => images[i % images.length]);
  const report = circuit.simulateWithReport(many, { seed: 11, pError: rate });
  const [below, above] = binomialTails(report.lookups, report.injectedErrors, rate);
  t.log(`${report.injectedErrors} errors in ${report.lookups} lookups at rate ${rate}`);
  t.true(Math.min(below, above) > 1e-4, `${report.injectedErrors} of ${report.lookups} is implausible at ${rate}`);
  t.notDeepEqual(Array.from(report.outputs[0].data), Array.from(circuit.clear(many)[0].data));
});

test('the seed makes simulation reproducible', (t) => {
  const circuit = smallNetwork(images);
  const run = (seed: number): number[] => Array.from(circuit.simulate(images, { seed, pError: 0.1 })[0].data);
  t.deepEqual(run(3), run(3));
  t.notDeepEqual(run(3), run(4));
});

test('an injected error reads the neighbouring table entry', (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [14], { min: 1, max: 14 });
  b.output(b.lookup(x, (v) => v, { name: 'identity' }));
  const circuit = b.compile({ inputset: [Array.from({ length: 14 }, (_, i) => i + 1)].flat() });
  const inputs = Array.from({ length: 14 * 20 }, (_, i) => (i % 14) + 1);
  const always = circuit.simulate(inputs, { seed: 5, pError: 1 })[0].data;
  const offsets = Array.from(always, (v, i) => v - inputs[i]);
  // Below box 0 (input 1, shifted to 0) the bootstrap wraps into the negated table: -f(16) = 16 (mod 32).
  t.true(offsets.every((d, i) => d === 1 || d === -1 || (inputs[i] === 1 && always[i] === 16)));
  t.true(offsets.includes(1) && offsets.includes(-1) && offsets.includes(15));
});

test('outside the calibrated window simulate reads the table negacyclically, as the bootstrap does', (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [2], { min: 0, max: 3 });
  const s = b.reduceSum(x, undefined, { name: 'sum' });
  b.output(b.lookup(s, (v) => 2 * v - 1, { name: 'odd' }));
  const circuit = b.compile({ inputset: [0, 1, 1, 2] }); // sum in [1, 3]
  t.is(circuit.precision, 2); // the lookup's output spans [1, 5]: 3 bits with the padding bit
  // sum = 6 reaches the bootstrap as 6 - 1 = 5 >= 2^2: it reads -table[1] = -3 = 5 (mod 8) lifted from 1.
  t.deepEqual(Array.from(circuit.simulate([3, 3], { seed: 1 })[0].data), [5]);
  t.deepEqual(Array.from(circuit.clear([3, 3], { checkRanges: false })[0].data), [11]);
  t.throws(() => circuit.clear([3, 3]), { message: /outside \[1, 4\]/ });
});
