// Concrete ML's power-of-two round-PBS pass (lib/quantized/power-of-two.ts). Parity of the
// integers with Concrete ML is in parity.test.ts (brevitas_pot_mlp, brevitas_pot_cnn); these
// check the pieces: the log2 test, which paths match, the report and the JSON round trip.
import test from 'ava';
import { buildQuantizedModule, QuantizedModule } from '../../lib/quantized';
import { bitWidthOfRange, roundBitPattern } from '../../lib/quantized/integers';
import { applyPowerOfTwoRounding, integerLog2 } from '../../lib/quantized/power-of-two';
import { buildOptionsOf, float64, loadCase } from './fixtures';

test('integerLog2 accepts what numpy.allclose(2^rint(log2 v), v, rtol=0.01) accepts', (t) => {
  t.is(integerLog2(0.125), -3);
  t.is(integerLog2(1), 0);
  t.is(integerLog2(8), 3);
  t.is(integerLog2(0.126), -3, 'within 1%');
  t.is(integerLog2(0.13), null, '4% off');
  t.is(integerLog2(3), null);
  // allclose's absolute tolerance (1e-8) swamps tiny scales: 3e-9 is 24% off 2^-28 yet accepted
  t.is(integerLog2(3e-9), -28);
  t.is(integerLog2(0), null);
  t.is(integerLog2(-0.5), null);
  t.is(integerLog2(Number.NaN), null);
});

async function build(name: string, roundingThresholdBits?: number) {
  const { model, reference } = loadCase(name);
  const options = { ...buildOptionsOf(reference), ...(roundingThresholdBits === undefined ? {} : { roundingThresholdBits }) };
  return { module: await buildQuantizedModule(model, float64(reference.inputset), options), reference };
}

function lsbsByOp(module: QuantizedModule): Record<string, number> {
  return Object.fromEntries(module.layers.filter(({ op }) => op.lsbsRemoved('matmul') > 0).map(({ op }) => [op.name, op.lsbsRemoved('matmul')]));
}

test('MLP: the two Gemms followed by Relu -> Quant -> Gemm are shifted, the last one is not', async (t) => {
  const { module } = await build('brevitas_pot_mlp');
  // Concrete ML: -(log2 1 + log2 0.125 - log2 1) = 3 and -(0 - 3 - log2 2) = 4 (reference.json)
  t.deepEqual(lsbsByOp(module), { '/fc1/Gemm': 3, '/fc2/Gemm': 4 });
  // running the pass again finds the same paths and changes nothing
  const again = applyPowerOfTwoRounding(module.layers);
  t.deepEqual(again.optimized.map(({ op, lsbsToRemove }) => [op.name, lsbsToRemove]), [['/fc1/Gemm', 3], ['/fc2/Gemm', 4]]);
  t.is(again.ignored, 0);
});

test('CNN: Conv -> Relu -> Quant -> Conv matches, a Flatten on the way to the Gemm breaks the path', async (t) => {
  const { module } = await build('brevitas_pot_cnn');
  t.deepEqual(lsbsByOp(module), { '/conv1/Conv': 3 });
});

test('a user-set roundingThresholdBits wins: matching paths are counted as ignored', async (t) => {
  const { module } = await build('brevitas_pot_mlp', 6);
  const result = applyPowerOfTwoRounding(module.layers);
  t.deepEqual(result.optimized, []);
  t.is(result.ignored, 2);
  // the lsbs come from the global rule (accumulator width - 6), not from the scales
  for (const { op } of module.layers) {
    const record = op.accumulators.get('matmul');
    if (record === undefined) continue;
    t.is(op.lsbsRemoved('matmul'), Math.max(0, bitWidthOfRange(record.min, record.max) - 6), op.name);
  }
});

test('the bit-width report shows the shifted accumulator of a shifted op', async (t) => {
  const { module } = await build('brevitas_pot_mlp');
  const report = module.bitwidthAndRangeReport();
  for (const { op } of module.layers) {
    const lsbs = op.lsbsRemoved('matmul');
    const record = op.accumulators.get('matmul');
    if (lsbs === 0 || record === undefined) continue;
    const [min, max] = roundBitPattern(Float64Array.of(record.min, record.max), lsbs);
    t.deepEqual(report[op.name].accumulator.range, [min / 2 ** lsbs, max / 2 ** lsbs], op.name);
    t.true(report[op.name].accumulator.bitwidth <= 16);
  }
});

test('toJSON / fromJSON keeps the shifts and the integers', async (t) => {
  const { module, reference } = await build('brevitas_pot_cnn');
  const restored = QuantizedModule.fromJSON(JSON.parse(JSON.stringify(module.toJSON())));
  t.deepEqual(lsbsByOp(restored), { '/conv1/Conv': 3 });
  const [qx] = restored.quantizeInput(float64(reference.testInputs));
  const [qy] = await restored.quantizedForward(qx);
  t.deepEqual(Array.from(qy.data), reference.quantizedOutputs.data);
});
