// Accuracy of the integer model against the float model on the held-out split of each fixture
// with labels, at 8, 6 and 4 bits; and the property that the de-quantized output approaches the
// float output as nBits grows.
import test from 'ava';
import { buildQuantizedModule } from '../../lib/quantized';
import type { Tensor } from '../../lib/tensor';
import { float64, loadCase } from './fixtures';

function argmaxAccuracy(scores: Tensor, labels: readonly number[]): number {
  const classes = scores.shape[1];
  let correct = 0;
  labels.forEach((label, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (Number(scores.data[i * classes + c]) > Number(scores.data[i * classes + best])) best = c;
    if (best === label) correct++;
  });
  return correct / labels.length;
}

for (const name of ['torch_mlp_6bits', 'torch_cnn', 'sklearn_logistic_regression']) {
  test(`${name}: accuracy at 8, 6, 4 bits vs float`, async (t) => {
    const { model, reference } = loadCase(name);
    const labels = reference.testLabels!.data as number[];
    const floatAccuracy = argmaxAccuracy(float64(reference.floatOutputs!), labels);
    const line: string[] = [`float ${floatAccuracy.toFixed(3)}`];
    for (const nBits of [8, 6, 4]) {
      const module = await buildQuantizedModule(model, float64(reference.inputset), { nBits });
      const [y] = await module.forward(float64(reference.testInputs));
      const accuracy = argmaxAccuracy(y, labels);
      line.push(`${nBits} bits ${accuracy.toFixed(3)}`);
      if (nBits === 8) t.true(accuracy >= floatAccuracy - 0.05, `8-bit accuracy ${accuracy} close to float ${floatAccuracy}`);
    }
    t.log(`${name}: ${line.join(', ')}`);
  });
}

test('property: the de-quantized output approaches the float output as nBits grows', async (t) => {
  for (const name of ['torch_mlp_6bits', 'torch_add_mul_concat', 'sklearn_logistic_regression']) {
    const { model, reference } = loadCase(name);
    const expected = float64(reference.floatOutputs!).data;
    const errors: number[] = [];
    for (const nBits of [3, 5, 8, 12]) {
      const module = await buildQuantizedModule(model, float64(reference.inputset), { nBits });
      const [y] = await module.forward(float64(reference.testInputs));
      let sum = 0;
      y.data.forEach((v, i) => (sum += (v - expected[i]) ** 2));
      errors.push(Math.sqrt(sum / y.size));
    }
    t.log(`${name}: RMS error at 3/5/8/12 bits ${errors.map((e) => e.toExponential(2)).join(' ')}`);
    t.true(errors[3] < errors[0] / 8, `${name}: 12 bits much closer than 3 bits (${errors.join(', ')})`);
    t.true(errors[2] < errors[0], `${name}: 8 bits closer than 3 bits`);
  }
});
