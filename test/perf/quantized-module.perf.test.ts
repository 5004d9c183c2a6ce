// Clear integer inference of the MLP and CNN fixtures (batch 1 and 256): native kernels vs plain
// TypeScript loops vs onnxruntime-node float (when installed). One JSON line per figure; asserts
// only ratios measured in this run.
import test from 'ava';
import { buildQuantizedModule } from '../../lib/quantized';
import { Tensor } from '../../lib/tensor';
import { buildOptionsOf, float64, FIXTURES, loadCase } from '../quantized/fixtures';
import { bestOfMs } from './timing';

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

/** The parts of onnxruntime-node used here (an optional dependency: absent, the figure is skipped). */
interface OnnxRuntime {
  InferenceSession: { create(path: string): Promise<{ inputNames: readonly string[]; run(feeds: Record<string, unknown>): Promise<unknown> }> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
}

async function onnxruntime(name: string, x: Tensor<'float64'>): Promise<(() => Promise<unknown>) | null> {
  let ort: OnnxRuntime;
  try {
    const moduleName = 'onnxruntime-node';
    ort = (await import(moduleName)) as OnnxRuntime;
  } catch {
    return null;
  }
  const session = await ort.InferenceSession.create(`${FIXTURES}/${name}/model.onnx`);
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(x.data), [...x.shape]) };
  return () => session.run(feeds);
}

for (const name of ['torch_mlp_6bits', 'torch_cnn']) {
  test(`${name}: clear integer inference, batch 1 vs batch 256`, async (t) => {
    const { model, reference } = loadCase(name);
    const module = await buildQuantizedModule(model, float64(reference.inputset), buildOptionsOf(reference));
    const figures: Record<string, number> = {};
    for (const batch of [1, 256]) {
      const x = repeatSamples(float64(reference.testInputs), batch);
      const runs = batch === 1 ? 50 : 5;
      figures[`native_${batch}`] = await samplesPerSecond(batch, runs, () => module.forward(x));
      const ort = await onnxruntime(name, x);
      if (ort !== null) figures[`onnxruntime_float_${batch}`] = await samplesPerSecond(batch, runs, ort);
      for (const path of ['native', 'onnxruntime_float']) {
        const value = figures[`${path}_${batch}`];
        if (value !== undefined) console.log(JSON.stringify({ bench: 'quantizedModule.forward', model: name, batch, path, samplesPerSecond: Math.round(value) }));
      }
    }
    // batching amortizes the per-op overhead
    t.true(figures.native_256 > 2 * figures.native_1, `batch 256 runs ${(figures.native_256 / figures.native_1).toFixed(1)}x the samples/s of batch 1`);
  });
}
