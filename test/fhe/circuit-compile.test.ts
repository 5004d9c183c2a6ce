// Compiling circuits: ranges, the modular encoding (precision from lookup inputs and outputs,
// wrap-around between lookups), overflow and 16-bit errors, noise bounds (nu), the failure
// target options and their warnings, the parameter choice, statistics. No keys are generated.
import test from 'ava';

import { CircuitBuilder, setCircuitLogger, type CircuitTensor, type FheCircuit } from '../../lib/fhe/circuit';
import { keySizes } from '../../lib/fhe/cost';
import { log2FailureProbability } from '../../lib/fhe/noise';
import {
  GAUSSIAN_2_2_PFAIL_2M128, parameters, TUNIFORM_1_1_PFAIL_2M128, TUNIFORM_2_2_PFAIL_2M128, TUNIFORM_2_2_PFAIL_2M64, TUNIFORM_3_3_PFAIL_2M128, TUNIFORM_4_4_PFAIL_2M128,
} from '../../lib/fhe/parameters';

/** A logger that records warnings, for the duration of one compile. */
function capture(): { warnings: string[]; logger: { warn(message: string): void } } {
  const warnings: string[] = [];
  return { warnings, logger: { warn: (message) => warnings.push(message) } };
}

/** x in `range` -> one identity lookup -> output; the lookup reads the whole range. */
function identityLookup(range: { min: number; max: number }, options = {}): FheCircuit {
  const b = new CircuitBuilder();
  const x = b.input('x', [3], range);
  b.output(b.lookup(x, (v) => v, { name: 'identity' }));
  return b.compile(options);
}

/** x through an identity lookup: its noise is then one bootstrap output's, the unit of nu. */
function refreshed(b: CircuitBuilder, x: CircuitTensor): CircuitTensor {
  return b.lookup(x, (v) => v, { name: `${x.name}.refreshed` });
}

/** A lookup fed by a dot product with one row of `weights` over independent bootstrap outputs in [0, 1]. */
function lookupAfterRow(weights: number[], options = {}): FheCircuit {
  const b = new CircuitBuilder();
  const x = refreshed(b, b.input('x', [weights.length], { min: 0, max: 1 }));
  const h = b.matmul(x, { data: weights, shape: [weights.length, 1] }, { name: 'row', range: { min: 0, max: 3 } });
  b.output(b.lookup(h, (v) => v & 1, { name: 'parity' }));
  return b.compile(options);
}

test('the precision is the widest lookup input, counted from its minimum (negative ranges too)', (t) => {
  t.is(identityLookup({ min: 0, max: 3 }).precision, 2);
  t.is(identityLookup({ min: -5, max: 2 }).precision, 3);
  t.is(identityLookup({ min: -300, max: -285 }).precision, 4);
  t.is(identityLookup({ min: 7, max: 7 }).precision, 1);
  const shifted = identityLookup({ min: -5, max: 2 });
  const step = shifted.program.steps.find((s) => s.kind === 'lookup');
  t.like(step, { shift: 5, inputBits: 3, inputRange: { min: -5, max: 2 } });
});

test('outputs need their width within 2^(p+1) (p plus the padding bit), wherever the range sits', (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [2], { min: -300, max: -290 });
  b.output(b.addConstant(x, 1));
  const circuit = b.compile();
  t.is(circuit.precision, 3); // 11 values need 4 bits: 3 + the padding bit
  const inputs = Int32Array.of(-300, -290, -295, -291);
  t.deepEqual(circuit.simulate(inputs)[0].data, Int32Array.of(-299, -289, -294, -290));
  t.deepEqual(circuit.clear(inputs)[0].data, Int32Array.of(-299, -289, -294, -290));
});

test('intermediate values may wrap modulo 2^(p+1): only lookup inputs and outputs must fit', (t) => {
  const b = new CircuitBuilder();
  const x = refreshed(b, b.input('x', [4], { min: 0, max: 3 }));
  const big = b.multiplyByConstant(x, 1000, { name: 'big' });
  const almost = b.multiplyByConstant(x, 999, { name: 'almost' });
  const back = b.subtract(big, almost, { name: 'back' }); // = x, through values up to 3000
  b.output(b.lookup(back, (v) => 3 - v, { name: 'flip' }));
  // Interval arithmetic cannot see that big - almost = x; the inputset can.
  t.throws(() => b.compile(), { message: /lookup 'flip' reads 'back' in \[-2997, 3000\] \(13 bits\)/ });
  const circuit = b.compile({ inputset: [0, 1, 2, 3] });
  t.is(circuit.precision, 2);
  t.deepEqual(circuit.report().find((r) => r.name === 'big')?.range, { min: 0, max: 3000 });
  // 1000 and 999 reduce to 0 and -1 modulo 8: the noise bound sees weights of size 1.
  t.is(circuit.statistics.lookups.find((l) => l.name === 'flip')?.nu, 1);
  const inputs = Int32Array.of(0, 1, 2, 3);
  t.deepEqual(circuit.clear(inputs)[0].data, Int32Array.of(3, 2, 1, 0));
  t.deepEqual(circuit.simulate(inputs, { seed: 1 })[0].data, Int32Array.of(3, 2, 1, 0));
});

test('ranges: declared ranges are checked against the worst case; the inputset widens them', (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [2], { min: 0, max: 7 });
  const s = b.reduceSum(x, undefined, { name: 'sum', range: { min: 0, max: 9 } });
  b.output(s);
  t.deepEqual(b.compile().report().find((r) => r.name === 'sum')?.range, { min: 0, max: 9 });
  t.deepEqual(b.compile({ inputset: [7, 7, 1, 2] }).report().find((r) => r.name === 'sum')?.range, { min: 0, max: 14 });

  const wrong = new CircuitBuilder();
  const y = wrong.input('y', [2], { min: 0, max: 7 });
  wrong.output(wrong.reduceSum(y, undefined, { name: 'sum', range: { min: 0, max: 15 } }));
  t.throws(() => wrong.compile(), { message: /reduceSum 'sum': declared range \[0, 15\] is impossible: its inputs' ranges allow only \[0, 14\]/ });
  t.throws(() => b.compile({ inputset: [8, 0] }), { message: /input 'x': value 8 at flat index 0 is not an integer in its range \[0, 7\]/ });
});

test('overflow is caught at compile time: beyond 2^53, beyond int32 at an output, lookups over 16 bits', (t) => {
  const exact = new CircuitBuilder();
  const x = exact.input('x', [2], { min: 0, max: 2 ** 30 });
  const h = exact.multiplyByConstant(x, 2 ** 30, { name: 'huge' });
  exact.output(exact.reduceSum(h));
  t.throws(() => exact.compile(), { message: /multiplyByConstant 'huge': its values may reach \[0, 1152921504606847000\], beyond 2\^53/ });

  const wideOutput = new CircuitBuilder();
  const y = wideOutput.input('y', [1], { min: 0, max: 2 ** 20 });
  wideOutput.output(wideOutput.multiplyByConstant(y, 4096), 'scaled');
  t.throws(() => wideOutput.compile(), { message: /output 'scaled' spans \[0, 4294967296\], beyond int32/ });

  const wideLookup = new CircuitBuilder();
  const z = wideLookup.input('z', [4], { min: -(2 ** 15), max: 2 ** 15 });
  wideLookup.output(wideLookup.lookup(z, (v) => v >> 10, { name: 'rescale' }));
  t.throws(() => wideLookup.compile(), {
    message: /lookup 'rescale': its input 'z' spans \[-32768, 32768\], 17 bits; table lookups read at most 16 bits: lower nBits .* or set roundingThresholdBits/,
  });
});

test('no parameter set for the precision: the error names what drives it and what to change', (t) => {
  // 9 bits fit 4_4's tables (N = 2^16 reads up to 15 bits) but not its noise at 2^-128.
  const error = t.throws(() => identityLookup({ min: 0, max: 511 }));
  t.regex(error.message, /no parameter set keeps the input of lookup 'identity' \(nu = 0\.00, 9-bit messages\) under the failure target 2\^-128\.0 per lookup: the closest, TUNIFORM_4_4_PFAIL_2M128/);
  t.regex(error.message, /9 bits: lookup 'identity' reads 'x' in \[0, 511\] \(9 bits\)/);
  t.regex(error.message, /nBits.*roundingThresholdBits/);
  // Tables: 2^(p_in + 1) <= N.
  const tables = t.throws(() => identityLookup({ min: 0, max: 65535 }));
  t.regex(tables.message, /no parameter set has tables for 16-bit lookup inputs \(the largest, TUNIFORM_4_4_PFAIL_2M128, N = 65536, reads at most 15 bits\); lookup 'identity' reads 'x' in \[0, 65535\] \(16 bits\)/);
  t.throws(() => identityLookup({ min: 0, max: 511 }, { parameters: TUNIFORM_1_1_PFAIL_2M128 }), {
    message: /no parameter set has tables for 9-bit lookup inputs \(the largest given, TUNIFORM_1_1_PFAIL_2M128, N = 512, reads at most 8 bits\)/,
  });
  t.throws(() => identityLookup({ min: 0, max: 15 }, { parameters: TUNIFORM_1_1_PFAIL_2M128 }), { message: /the closest, TUNIFORM_1_1_PFAIL_2M128, reaches/ });
});

test('among the named sets, the choice follows the precision and the 2-norm nu feeding the lookups', (t) => {
  const named = { parameterSearch: false };
  t.is(identityLookup({ min: 0, max: 3 }, named).parameters, TUNIFORM_1_1_PFAIL_2M128);
  t.is(identityLookup({ min: 0, max: 7 }, named).parameters, TUNIFORM_2_2_PFAIL_2M64); // reaches 2^-128 at 3 bits, cheaper
  t.is(identityLookup({ min: 0, max: 15 }, named).parameters, TUNIFORM_2_2_PFAIL_2M128);
  t.is(identityLookup({ min: 0, max: 63 }, named).parameters, TUNIFORM_3_3_PFAIL_2M128);
  t.is(identityLookup({ min: 0, max: 255 }, named).parameters, TUNIFORM_4_4_PFAIL_2M128);
  // At 4 bits, 2_2 holds 2^-128 up to nu^2 ~ 17: a row of 16 ones (nu^2 16) stays, 32 ones do not.
  const lookup4 = (ones: number): FheCircuit => {
    const b = new CircuitBuilder();
    const x = refreshed(b, b.input('x', [ones], { min: 0, max: 1 }));
    const h = b.matmul(x, { data: new Array<number>(ones).fill(1), shape: [ones, 1] }, { range: { min: 0, max: 15 } });
    b.output(b.lookup(h, (v) => v % 4, { name: 'probe' }));
    return b.compile({ parameterSearch: false });
  };
  t.is(lookup4(16).statistics.lookups.find((l) => l.name === 'probe')?.nu, 4);
  t.is(lookup4(16).parameters, TUNIFORM_2_2_PFAIL_2M128);
  t.is(lookup4(32).parameters, TUNIFORM_3_3_PFAIL_2M128);
  t.true(log2FailureProbability(TUNIFORM_2_2_PFAIL_2M128, 4, Math.sqrt(32)) > -128);
  t.is(identityLookup({ min: 0, max: 15 }, { parameters: TUNIFORM_4_4_PFAIL_2M128 }).parameters, TUNIFORM_4_4_PFAIL_2M128);
});

test('fresh inputs weigh almost nothing: the weights of a first layer do not decide the parameters', (t) => {
  const row = (refresh: boolean): FheCircuit => {
    const b = new CircuitBuilder();
    const input = b.input('x', [64], { min: 0, max: 1 });
    const x = refresh ? refreshed(b, input) : input;
    const h = b.matmul(x, { data: new Array<number>(64).fill(1), shape: [64, 1] }, { range: { min: 0, max: 15 } });
    b.output(b.lookup(h, (v) => v % 4, { name: 'probe' }));
    return b.compile({ parameterSearch: false });
  };
  const first = row(false);
  t.is(first.parameters, TUNIFORM_2_2_PFAIL_2M128);
  t.true(first.statistics.lookups[0].nu < 1e-6); // 8 fresh standard deviations, in bootstrap units
  const later = row(true);
  t.is(later.statistics.lookups.find((l) => l.name === 'probe')?.nu, 8);
  t.is(later.parameters, TUNIFORM_3_3_PFAIL_2M128);
});

test('noise bounds: squared 2-norm for independent noise, coherent sums for shared noise, reduced weights', (t) => {
  const rowNu = (weights: number[]): number | undefined => lookupAfterRow(weights).statistics.lookups.find((l) => l.name === 'parity')?.nu;
  t.is(rowNu([1, 2, 2]), 3);
  // p = 2 for this circuit: 7 = -1 modulo 8, so the row [7, 7] adds the noise of [-1, -1].
  t.is(rowNu([7, 7]), Math.SQRT2);
  const nuOf = (make: (b: CircuitBuilder, x: CircuitTensor, y: CircuitTensor) => CircuitTensor): number => {
    const b = new CircuitBuilder();
    const x = refreshed(b, b.input('x', [2], { min: 0, max: 1 }));
    const y = refreshed(b, b.input('y', [2], { min: 0, max: 1 }));
    b.output(b.lookup(make(b, x, y), (v) => v & 1, { name: 'probe' }));
    return b.compile().statistics.lookups.find((l) => l.name === 'probe')!.nu;
  };
  t.is(nuOf((b, x, y) => b.add(x, y)), Math.SQRT2);
  t.is(nuOf((b, x) => b.add(x, x)), 2);
  // Operands sharing noise sources get the coherent bound (sqrt(1) + sqrt(1))^2, even where it cancels.
  t.is(nuOf((b, x) => b.subtract(x, b.transpose(x))), 2);
  t.is(nuOf((b, x) => b.add(x, b.multiplyByConstant(x, 2))), 3);
  // A duplicated element summed with itself: the gather breaks independence, the 1-norm applies.
  t.is(nuOf((b, x) => b.reduceSum(b.gather(x, [0, 0]), undefined, { keepDims: true, range: { min: 0, max: 2 } })), 2);
  t.is(nuOf((b, x) => b.reduceSum(x, undefined, { range: { min: 0, max: 2 } })), Math.SQRT2);
  // Lookup outputs are fresh: a product's two squares are independent of each other.
  t.is(nuOf((b, x, y) => b.multiplyEncrypted(x, y)), Math.SQRT2);
});

test('failure targets: default 2^-128, pError, globalPError (not both), and a warning below 2^-64', (t) => {
  const quiet = capture();
  const byDefault = identityLookup({ min: 0, max: 15 }, { logger: quiet.logger });
  t.is(byDefault.statistics.pError, 2 ** -128);
  t.is(byDefault.statistics.pErrorSource, 'default');
  t.deepEqual(quiet.warnings, []);

  const at64 = capture();
  const relaxed = identityLookup({ min: 0, max: 15 }, { pError: 2 ** -64, logger: at64.logger, parameterSearch: false });
  t.is(relaxed.parameters, TUNIFORM_2_2_PFAIL_2M64);
  t.deepEqual(at64.warnings, []);

  const at40 = capture();
  identityLookup({ min: 0, max: 15 }, { pError: 2 ** -40, logger: at40.logger });
  t.is(at40.warnings.length, 1);
  t.regex(at40.warnings[0], /pError is 2\^-40\.0 per table lookup, above 2\^-64/);

  const global = capture();
  const perRun = identityLookup({ min: 0, max: 15 }, { globalPError: 1e-5, logger: global.logger });
  t.is(perRun.statistics.pErrorSource, 'globalPError');
  t.true(Math.abs(1 - (1 - perRun.statistics.pError) ** 3 - 1e-5) < 1e-15);
  t.regex(global.warnings[0], /globalPError 0\.00001 over 3 lookups gives 2\^-18\.2 per table lookup/);

  t.throws(() => identityLookup({ min: 0, max: 3 }, { pError: 2 ** -80, globalPError: 2 ** -70 }), { message: /not both/ });
  t.throws(() => identityLookup({ min: 0, max: 3 }, { pError: 0 }), { message: /pError must be a probability in \(0, 1\)/ });
  t.throws(() => identityLookup({ min: 0, max: 3 }, { globalPError: 1 }), { message: /globalPError must be a probability/ });
});

test('the settable logger receives warnings when compile is given none', (t) => {
  const seen = capture();
  const previous = setCircuitLogger(seen.logger);
  try {
    identityLookup({ min: 0, max: 3 }, { pError: 0.01 });
  } finally {
    setCircuitLogger(previous);
  }
  t.is(seen.warnings.length, 1);
});

test('the failure target is met or the error names the noisiest lookup', (t) => {
  const error = t.throws(() => identityLookup({ min: 0, max: 15 }, { parameters: TUNIFORM_2_2_PFAIL_2M64 }));
  t.regex(error.message, /no parameter set keeps the input of lookup 'identity' \(nu = 0\.00, 4-bit messages\) under the failure target 2\^-128\.0 per lookup: the closest, TUNIFORM_2_2_PFAIL_2M64, reaches 2\^-7\d\.\d\. Lower the precision/);
  const noisy = t.throws(() => lookupAfterRow([3, 3, 3, 3], { parameters: TUNIFORM_1_1_PFAIL_2M128, pError: 2 ** -200 }));
  t.regex(noisy.message, /keeps the input of lookup 'parity' \(nu = 6\.00, 2-bit messages\).*Lower the 2-norm of the clear weights feeding it/);
});

test('statistics: counts, failure probabilities, sizes and a latency estimate', (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [2, 3], { min: 0, max: 3 });
  const y = b.lookup(x, (v, c) => (v + c) % 4, { name: 'perChannel', channelAxis: 0 });
  const z = b.lookup(b.add(y, x), (v) => v >> 1, { name: 'second' });
  b.output(z, 'z');
  const circuit = b.compile();
  const stats = circuit.statistics;
  t.is(stats.lookupCount, 12);
  t.is(stats.keyswitchCount, 12);
  t.is(stats.messagePrecision, 3);
  t.is(stats.parameterSet, circuit.parameters.name);
  t.deepEqual(stats.lookups.map((l) => [l.name, l.count, l.channels, l.inputBits]), [['perChannel', 6, 2, 2], ['second', 6, 1, 3]]);
  t.deepEqual(stats.keySizes, keySizes(circuit.parameters));
  t.is(stats.inputBytesPerSample, 6 * keySizes(circuit.parameters).bigCiphertextBytes);
  t.true(stats.predictedLog2FailurePerLookup <= -128);
  const expectedGlobal = 6 * 2 ** stats.lookups[0].log2FailureProbability + 6 * 2 ** stats.lookups[1].log2FailureProbability;
  t.true(Math.abs(stats.predictedGlobalFailureProbability - expectedGlobal) <= expectedGlobal * 1e-9);
  t.is(stats.latency.basis, 'model');
  t.true(stats.latency.msPerSample > 0 && stats.latency.msPerSample === stats.latency.msPerLookup * 12);
  // Two stages: the second lookup waits for the first.
  t.deepEqual(circuit.program.stages.map((s) => s.lookups.length), [0, 1, 1]);
});

test('clear checks that values stay where encrypted execution is exact', (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [2], { min: 0, max: 15 });
  const s = b.reduceSum(x, undefined, { name: 'sum' });
  b.output(b.lookup(s, (v) => v >> 2, { name: 'quarter' }));
  const circuit = b.compile({ inputset: [[1, 2], [3, 4]].flat() }); // sum calibrated to [3, 7]: p = 3
  t.is(circuit.precision, 3);
  t.deepEqual(circuit.clear([5, 5])[0].data, Int32Array.of(2)); // 10 < 3 + 2^3
  t.throws(() => circuit.clear([15, 15]), { message: /clear: tensor 'sum' \(input of lookup 'quarter'\) takes 30 at sample 0, element 0, outside \[3, 10\]/ });
  t.deepEqual(circuit.clear([15, 15], { checkRanges: false })[0].data, Int32Array.of(7));
});

test('executors check their inputs: shapes, batch, integers, ranges', (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [2, 2], { min: 0, max: 3 });
  const y = b.input('y', [2], { min: -1, max: 1 });
  b.output(b.add(x, y));
  const circuit = b.compile();
  t.deepEqual(circuit.clear([{ data: [0, 1, 2, 3], shape: [2, 2] }, [1, -1]])[0].shape, [1, 2, 2]);
  t.deepEqual(circuit.clear([{ data: new Int32Array(8), shape: [2, 2, 2] }, new Int32Array(4)])[0].shape, [2, 2, 2]);
  t.throws(() => circuit.clear([[0, 1, 2, 3]]), { message: /expected 2 inputs \(x, y\), got 1/ });
  t.throws(() => circuit.clear([{ data: [0, 1, 2, 3], shape: [4] }, [0, 0]]), { message: /input 'x' has shape \[4\]; expected \[batch, \.\.\.\[2, 2\]\]/ });
  t.throws(() => circuit.clear([[0, 1, 2], [0, 0]]), { message: /input 'x' needs a multiple of 4 values/ });
  t.throws(() => circuit.clear([new Int32Array(8), [0, 0]]), { message: /batch size: 'x' has 2, 'y' has 1/ });
  t.throws(() => circuit.simulate([[0, 1, 2, 0.5], [0, 0]]), { message: /value 0.5 at flat index 3 is not an integer in its range \[0, 3\]/ });
  t.throws(() => circuit.clear([[0, 1, 2, 3], [0, 2]]), { message: /input 'y': value 2/ });
});

test('lookup functions: non-integers inside the range are errors; undefined entries past it repeat the last', (t) => {
  const b = new CircuitBuilder();
  const x = b.input('x', [2], { min: 0, max: 3 });
  b.output(b.lookup(x, (v) => v / 2, { name: 'half' }));
  t.throws(() => b.compile(), { message: /lookup 'half': its function returned 0\.5 for input 1 \(channel 0\), inside its input range \[0, 3\]/ });

  const c = new CircuitBuilder();
  const y = c.input('y', [2], { min: 0, max: 7 });
  const s = c.reduceSum(y, undefined, { name: 'sum' });
  const strict = (v: number): number => {
    if (v > 9) throw new RangeError('outside the domain');
    return 9 - v;
  };
  c.output(c.lookup(s, strict, { name: 'strict' }));
  c.output(c.multiplyByConstant(s, 3), 'tripled'); // spans [6, 27]: p = 4, so the table covers sums 2..17
  const circuit = c.compile({ inputset: [4, 5, 0, 2] }); // sum in [2, 9]
  t.is(circuit.precision, 4);
  const step = circuit.program.steps.find((st) => st.kind === 'lookup');
  // 16 entries (the input chain is at p = 4 for 'tripled'); the output chain of 'strict' holds
  // [0, 7]: p = 2, so entries are residues modulo 8 (7 -> -1), lifted back on decryption.
  t.is(circuit.precisionOf('strict'), 2);
  t.deepEqual(step?.kind === 'lookup' ? [step.inputPrecision, step.outputPrecision] : [], [4, 2]);
  t.deepEqual(step?.kind === 'lookup' ? Array.from(step.tables[0]) : [], [-1, -2, -3, -4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  t.deepEqual(Array.from(circuit.simulate([4, 4], { seed: 1 })[0].data), [1]);
  t.deepEqual(Array.from(circuit.simulate([7, 7], { seed: 1 })[0].data), [0]);
});

test('candidates widen the choice (the Gaussian set is cheaper at 4 bits)', (t) => {
  const all = Object.values(parameters);
  t.is(identityLookup({ min: 0, max: 15 }, { candidates: all }).parameters, GAUSSIAN_2_2_PFAIL_2M128);
});
