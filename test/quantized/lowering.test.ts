// The lowering QuantizedModule -> circuit: circuit integers equal quantizedForward bit for bit
// on every Concrete ML fixture (no parameters needed), and the lookup report.
import test from 'ava';
import { OnnxModel } from '../../lib/onnx';
import { Tensor } from '../../lib/tensor';
import { buildQuantizedModule } from '../../lib/quantized';
import { buildOptionsOf, caseNames, float64, loadCase } from './fixtures';
import { NOT_LOWERED } from './lowering-limits';

for (const name of caseNames()) {
  test(`${name}: circuit clear == quantizedForward${NOT_LOWERED.has(name) ? ', or a clear error naming what is not lowered' : ''}`, async (t) => {
    const { model, reference } = loadCase(name);
    const module = await buildQuantizedModule(model, float64(reference.inputset), buildOptionsOf(reference));
    const refused = NOT_LOWERED.get(name);
    if (refused !== undefined) {
      const [q] = module.quantizeInput(float64(reference.inputset));
      await t.throwsAsync(module.lower(q), { message: refused });
      return;
    }
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

test('lowering_ops (Conv1d groups, per-channel Mul, Transpose, Slice, Unsqueeze, Flatten, Gemm): clear == quantizedForward', async (t) => {
  const model = OnnxModel.load('test/fixtures/quantized/lowering_ops/model.onnx');
  const inputset = new Tensor(Float64Array.from({ length: 30 * 12 }, (_, i) => Math.sin(i * 0.71) * 3), [30, 2, 6]) as Tensor<'float64'>;
  for (const nBits of [3, 5]) {
    const module = await buildQuantizedModule(model, inputset, { nBits });
    const [q] = module.quantizeInput(inputset);
    const lowered = await module.lower(q);
    const [expected] = await module.quantizedForward(q);
    const [actual] = lowered.clear(q);
    t.deepEqual([...actual.shape], [30, 3]);
    t.deepEqual(Array.from(actual.data), Array.from(expected.data), `nBits ${nBits}`);
    // conv -> mul -> relu (+ requantization) fused into one per-channel lookup (4 channels)
    const lookups = lowered.graph.nodes.filter((node) => node.kind === 'lookup');
    // at nBits 3 the movement ops' modelOutputs (5-bit) integers are re-quantized to 3 bits before Slice and Gemm
    t.deepEqual(lookups.map((node) => node.name), nBits === 3 ? ['transpose.input', 'slice.input', 'gemm.input'] : ['transpose.input']);
    t.is((lookups[0] as { channels: number }).channels, 4);
    t.is(lowered.graph.nodes[lookups[0].inputs[0]].name, 'conv.accumulator');
  }
});
