import test from 'ava';

import { integerOption, parseCommandArguments, positionalArguments, probabilityOption } from '../../lib/cli/args';
import { UsageError } from '../../lib/cli/errors';
import { failureOptions, nBitsOption, roundingOption } from '../../lib/cli/quantization-options';

const specs = { samples: { type: 'string' }, json: { type: 'boolean' } } as const;

test('options and positionals are parsed; unknown options and missing values are usage errors', (t) => {
  const { values, positionals } = parseCommandArguments('demo', ['a.onnx', '--samples', '3', '--json'], specs);
  t.deepEqual(positionals, ['a.onnx']);
  t.is(values.samples, '3');
  t.is(values.json, true);
  const unknown = t.throws(() => parseCommandArguments('demo', ['--sample', '3'], specs), { instanceOf: UsageError });
  t.regex(unknown.message, /^demo: .*--sample/);
  t.throws(() => parseCommandArguments('demo', ['--samples'], specs), { instanceOf: UsageError, message: /--samples/ });
  t.throws(() => parseCommandArguments('demo', ['--json=yes'], specs), { instanceOf: UsageError });
});

test('integers are checked against their range', (t) => {
  t.is(integerOption({ samples: '20' }, 'samples', { min: 1, max: 360 }), 20);
  t.is(integerOption({}, 'samples', { min: 1, max: 360 }, 7), 7);
  for (const bad of ['0', '361', '2.5', 'ten', '', '1e2']) {
    t.throws(() => integerOption({ samples: bad }, 'samples', { min: 1, max: 360 }), { instanceOf: UsageError, message: /--samples must be an integer in \[1, 360\]/ });
  }
});

test('probabilities: decimals and powers of two in (0, 1)', (t) => {
  t.is(probabilityOption({ 'p-error': '1e-9' }, 'p-error'), 1e-9);
  t.is(probabilityOption({ 'p-error': '2^-40' }, 'p-error'), 2 ** -40);
  t.is(probabilityOption({ 'p-error': '2**-3' }, 'p-error'), 0.125);
  for (const bad of ['0', '1', '-0.1', 'x', '2^40']) t.throws(() => probabilityOption({ 'p-error': bad }, 'p-error'), { instanceOf: UsageError });
  t.throws(() => failureOptions({ 'p-error': '1e-9', 'global-p-error': '1e-9' }), { message: /not both/ });
  t.deepEqual(failureOptions({ 'global-p-error': '0.001' }), { globalPError: 0.001 });
});

test('n-bits: an integer or a dictionary; rounding: bits, none, method', (t) => {
  t.is(nBitsOption({}, 4), 4);
  t.is(nBitsOption({ 'n-bits': '6' }, 4), 6);
  t.deepEqual(nBitsOption({ 'n-bits': 'opInputs=4,opWeights=3,modelOutputs=6' }, 4), { opInputs: 4, opWeights: 3, modelOutputs: 6 });
  t.throws(() => nBitsOption({ 'n-bits': 'opInputs=4' }, 4), { instanceOf: UsageError, message: /both opInputs and opWeights/ });
  t.throws(() => nBitsOption({ 'n-bits': 'inputs=4,opWeights=3' }, 4), { instanceOf: UsageError });
  t.throws(() => nBitsOption({ 'n-bits': '0' }, 4), { instanceOf: UsageError });
  t.is(roundingOption({}, null), null);
  t.is(roundingOption({}, 4), 4);
  t.is(roundingOption({ 'rounding-threshold-bits': 'none' }, 4), null);
  t.deepEqual(roundingOption({ 'rounding-threshold-bits': '5', 'rounding-method': 'APPROXIMATE' }, null), { nBits: 5, method: 'APPROXIMATE' });
  t.deepEqual(roundingOption({ 'rounding-method': 'APPROXIMATE' }, 4), { nBits: 4, method: 'APPROXIMATE' });
  t.throws(() => roundingOption({ 'rounding-threshold-bits': '9' }, null), { instanceOf: UsageError });
  t.throws(() => roundingOption({ 'rounding-method': 'round' }, null), { instanceOf: UsageError });
});

test('positionals are counted and named', (t) => {
  t.deepEqual(positionalArguments('report', ['m.onnx'], ['model.onnx']), ['m.onnx']);
  t.throws(() => positionalArguments('report', [], ['model.onnx']), { message: 'report: expected <model.onnx>, got none' });
  t.throws(() => positionalArguments('demo', ['x'], []), { message: "demo: expected no arguments, got 'x'" });
});
