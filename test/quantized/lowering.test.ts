// The lowering QuantizedModule -> circuit: circuit integers equal quantizedForward bit for bit
// on every Concrete ML fixture (no parameters needed), and the lookup report.
import test from 'ava';
import { buildQuantizedModule } from '../../lib/quantized';
import { buildOptionsOf, caseNames, float64, loadCase } from './fixtures';

for (const name of caseNames()) {
  test(`${name}: circuit clear == quantizedForward`, async (t) => {
    const { model, reference } = loadCase(name);
    const module = await buildQuantizedModule(model, float64(reference.inputset), buildOptionsOf(reference));
    for (const inputs of [reference.testInputs, reference.inputset]) {
      const [q] = module.quantizeInput(float64(inputs));
      const lowered = await module.lower(q);
      const [expected] = await module.quantizedForward(q);
      const [actual] = lowered.clear(q);
      t.deepEqual([...actual.shape], [...expected.shape]);
      t.deepEqual(Array.from(actual.data), Array.from(expected.data));
    }
  });
}
