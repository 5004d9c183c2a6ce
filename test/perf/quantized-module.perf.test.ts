// Clear integer inference of the MLP and CNN fixtures (batch 1 and 256): the QuantizedModule on
// the native kernels, the same module on plain TypeScript kernel loops, and onnxruntime-node on
// the float model, in the same run. One JSON line per figure (samples per second); asserts only
// that both integer paths compute the same integers, and a ratio measured in this run.
import test from 'ava';
import * as ort from 'onnxruntime-node';
import { native } from '../../lib/native';
import { buildQuantizedModule } from '../../lib/quantized';
import { Tensor } from '../../lib/tensor';
import { CONV_CASES, POOL_CASES } from '../kernels/reference';
import { seededInts } from '../native/matmul-reference';
import { ortFeeds, withSymbolicBatch } from '../onnx/differential-reference';
import { buildOptionsOf, float64, FIXTURES, loadCase } from '../quantized/fixtures';
import { bestOfMs } from './timing';
import { withTypeScriptKernels } from './typescript-integer-kernels';

async function samplesPerSecond(batch: number, runs: number, action: () => Promise<unknown>): Promise<number> {
  await action(); // warm-up
  return (batch / (await bestOfMs(runs, action))) * 1000;
}

function repeatSamples(x: Tensor<'float64'>, batch: number): Tensor<'float64'> {
  const perSample = x.size / x.shape[0];
  const data = new Float64Array(batch * perSample);
  for (let i = 0; i < batch; i++) data.set(x.data.subarray((i % x.shape[0]) * perSample, ((i % x.shape[0]) + 1) * perSample), i * perSample);
  return new Tensor(data, [batch, ...x.shape.slice(1)]) as Tensor<'float64'>;
}

const volume = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

test('the TypeScript kernel loops compute what the native kernels compute', async (t) => {
  for (const [i, c] of CONV_CASES.entries()) {
    const x = seededInts(volume(c.inputShape), 40000, i + 1);
    const w = seededInts(volume(c.weightShape), 40000, i + 2);
    const run = () => native.integerConv2d(x, c.inputShape, w, c.weightShape, c.group, c.strides, c.pads, c.dilations, c.padValue);
    t.deepEqual(await withTypeScriptKernels(run), await run(), `conv case ${i}`);
  }
  for (const [i, c] of POOL_CASES.entries()) {
    const x = seededInts(volume(c.inputShape), 100000, i + 1);
    const args = [x, c.inputShape, c.kernelShape, c.strides, c.pads, c.dilations, c.ceilMode, c.padValue] as const;
    t.deepEqual(await withTypeScriptKernels(() => native.integerSumPool2d(...args)), await native.integerSumPool2d(...args), `sum pool case ${i}`);
    t.deepEqual(await withTypeScriptKernels(() => native.integerMaxPool2d(...args)), await native.integerMaxPool2d(...args), `max pool case ${i}`);
  }
  const [a, b] = [seededInts(37 * 19, 30000, 7), seededInts(19 * 23, 30000, 8)];
  t.deepEqual(await withTypeScriptKernels(() => native.integerMatmul(a, b, 37, 19, 23)), await native.integerMatmul(a, b, 37, 19, 23));
});

for (const name of ['torch_mlp_6bits', 'torch_cnn']) {
  test(`${name}: clear integer inference, native vs TypeScript kernels vs onnxruntime float, batch 1 and 256`, async (t) => {
    const { model, reference } = loadCase(name);
    const module = await buildQuantizedModule(model, float64(reference.inputset), buildOptionsOf(reference));
    // exported with batch 1: onnxruntime needs the batch axis symbolic to take 256 samples
    const session = await ort.InferenceSession.create(withSymbolicBatch(`${FIXTURES}/${name}/model.onnx`));
    const figures: Record<string, number> = {};
    for (const batch of [1, 256]) {
      const x = repeatSamples(float64(reference.testInputs), batch);
      const q = module.quantizeInput(x);
      const nativeIntegers = await module.quantizedForward(...q);
      const typescriptIntegers = await withTypeScriptKernels(() => module.quantizedForward(...q));
      t.deepEqual(typescriptIntegers.map((o) => o.data), nativeIntegers.map((o) => o.data), `batch ${batch}: same integers on both paths`);

      const feeds = ortFeeds({ [session.inputNames[0]]: new Tensor(Float32Array.from(x.data), x.shape) });
      const runs = batch === 1 ? 50 : 5;
      figures[`native_${batch}`] = await samplesPerSecond(batch, runs, () => module.forward(x));
      figures[`typescript_${batch}`] = await withTypeScriptKernels(() => samplesPerSecond(batch, batch === 1 ? 20 : 3, () => module.forward(x)));
      figures[`onnxruntime_float_${batch}`] = await samplesPerSecond(batch, runs, () => session.run(feeds));
      for (const path of ['native', 'typescript', 'onnxruntime_float']) {
        console.log(JSON.stringify({ bench: 'quantizedModule.forward', model: name, batch, path, samplesPerSecond: Math.round(figures[`${path}_${batch}`]) }));
      }
    }
    // batching amortizes the per-op overhead
    t.true(figures.native_256 > 2 * figures.native_1, `batch 256 runs ${(figures.native_256 / figures.native_1).toFixed(1)}x the samples/s of batch 1`);
  });
}
