// Parity with Concrete ML 1.9: same model, inputset and n_bits give the same quantizers and the
// same integers (test/fixtures/quantized/generate.py records Concrete ML's results).
import test from 'ava';
import { buildQuantizedModule } from '../../lib/quantized';
import type { UniformQuantizer } from '../../lib/quantization';
import { buildOptionsOf, caseNames, float64, loadCase, numberOf, type QuantizerJSON } from './fixtures';

function quantizerFields(q: UniformQuantizer): Record<string, unknown> {
  const zp = q.zeroPoint;
  return {
    nBits: q.nBits,
    isSigned: q.options.isSigned,
    isSymmetric: q.options.isSymmetric,
    isQat: q.options.isQat,
    isNarrow: q.options.isNarrow,
    isPrecomputedQat: q.options.isPrecomputedQat,
    scale: q.scale,
    zeroPoint: typeof zp === 'number' ? zp : Array.from(zp.data),
    offset: q.offset,
  };
}

function expectedFields(q: QuantizerJSON): Record<string, unknown> {
  return {
    nBits: q.nBits,
    isSigned: q.isSigned,
    isSymmetric: q.isSymmetric,
    isQat: q.isQat,
    isNarrow: q.isNarrow,
    isPrecomputedQat: q.isPrecomputedQat,
    scale: q.scale,
    zeroPoint: typeof q.zeroPoint === 'object' ? q.zeroPoint.data.map(numberOf) : numberOf(q.zeroPoint),
    offset: q.offset,
  };
}

for (const name of caseNames()) {
  test(`${name}: quantizers and integers match Concrete ML`, async (t) => {
    const { model, reference } = loadCase(name);
    const module = await buildQuantizedModule(model, float64(reference.inputset), buildOptionsOf(reference));
    t.deepEqual(module.inputQuantizers.map(quantizerFields), reference.inputQuantizers.map(expectedFields), 'input quantizers');
    t.deepEqual(module.outputQuantizers.map(quantizerFields), reference.outputQuantizers.map(expectedFields), 'output quantizers');

    const [qx] = module.quantizeInput(float64(reference.testInputs));
    t.deepEqual(Array.from(qx.data), reference.quantizedInputs.data, 'quantizeInput integers');
    const [qy] = await module.quantizedForward(qx);
    t.deepEqual([...qy.shape], reference.quantizedOutputs.shape, 'quantizedForward shape');
    t.deepEqual(Array.from(qy.data), reference.quantizedOutputs.data, 'quantizedForward integers');
    const [y] = await module.forward(float64(reference.testInputs));
    const expected = float64(reference.outputs).data;
    const worst = y.data.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i]) / Math.max(1e-300, Math.abs(expected[i]))), 0);
    t.true(worst < 1e-12, `de-quantized outputs within 1e-12 relative (worst ${worst})`);

    for (const { op } of module.layers) {
      const ref = Object.values(reference.ops).find((o) => o.name === op.name);
      const lsbs = Object.fromEntries([...op.accumulators].filter(([, r]) => r.lsbsToRemove > 0).map(([id, r]) => [id, r.lsbsToRemove]));
      t.deepEqual(lsbs, ref?.lsbsToRemove ?? {}, `${op.name}: lsbs to remove`);
    }
  });
}
