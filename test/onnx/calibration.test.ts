import test from 'ava';
import { Tensor } from '../../lib/tensor';
import { OnnxModel, calibrate, OnnxError } from '../../lib/onnx';
import { percentileOfSorted } from '../../lib/onnx/calibration';
import { buildModel } from './build-model';

// y = BatchNorm(Relu(x) * w): two intermediates and an output with known ranges.
function model(): OnnxModel {
  const ones = new Tensor(Float32Array.of(1, 1));
  return OnnxModel.load(buildModel({
    nodes: [
      { op: 'Relu', inputs: ['x'], outputs: ['r'] },
      { op: 'Mul', inputs: ['r', 'w'], outputs: ['m'] },
      { op: 'BatchNormalization', inputs: ['m', 'scale', 'bias', 'mean', 'var'], outputs: ['y'], attributes: { epsilon: { float: 0 } } },
    ],
    inputs: [{ name: 'x', dtype: 'float32', shape: ['n', 2] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['n', 2] }],
    initializers: [
      { name: 'w', tensor: new Tensor(Float32Array.of(2, -1)) },
      { name: 'scale', tensor: ones },
      { name: 'bias', tensor: new Tensor(Float32Array.of(0.5, 0)) },
      { name: 'mean', tensor: new Tensor(Float32Array.of(0, 0)) },
      { name: 'var', tensor: ones },
    ],
  }));
}

const samples = new Tensor(Float32Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? i - 20 : 15 - i)), [20, 2]);

test('min/max of every value, whole-tensor, over the whole inputset', (t) => {
  const result = calibrate(model(), { x: samples });
  t.is(result.samples, 20);
  const x = Array.from(samples.data as Float32Array);
  const r = x.map((v) => Math.max(0, v));
  const m = r.map((v, i) => v * (i % 2 === 0 ? 2 : -1));
  const y = m.map((v, i) => v + (i % 2 === 0 ? 0.5 : 0));
  for (const [name, values] of Object.entries({ x, r, m, y })) {
    const stats = result.tensors.get(name)!;
    t.is(stats.rmin, Math.min(...values), name);
    t.is(stats.rmax, Math.max(...values), name);
    t.is(stats.count, 40, name);
  }
  t.false(result.tensors.has('w'), 'initializers are not calibrated values');
});

test('statistics do not depend on the batch size; progress is reported per batch', (t) => {
  const reference = calibrate(model(), { x: samples }, { batchSize: 20 });
  for (const batchSize of [1, 3, 7]) {
    const progress: number[] = [];
    const result = calibrate(model(), { x: samples }, { batchSize, onProgress: (done, total) => { t.is(total, 20); progress.push(done); } });
    t.is(progress.length, Math.ceil(20 / batchSize));
    t.is(progress.at(-1), 20);
    for (const [name, stats] of reference.tensors) {
      t.is(result.tensors.get(name)!.rmin, stats.rmin);
      t.is(result.tensors.get(name)!.rmax, stats.rmax);
    }
  }
  // A list of ready-made batches works the same.
  const batches = [0, 5, 10, 15].map((start) => ({ x: new Tensor((samples.data as Float32Array).slice(start * 2, start * 2 + 10), [5, 2]) }));
  const fromList = calibrate(model(), batches);
  t.is(fromList.samples, 20);
  t.is(fromList.tensors.get('y')!.rmax, reference.tensors.get('y')!.rmax);
});

test('BatchNormalization outputs get numpy-style 0.1 / 99.9 percentiles', (t) => {
  const result = calibrate(model(), { x: samples });
  const y = result.tensors.get('y')!;
  t.truthy(y.percentiles);
  t.is(result.tensors.get('m')!.percentiles, undefined);
  const values = Float64Array.from(
    Array.from(samples.data as Float32Array, (v, i) => Math.max(0, v) * (i % 2 === 0 ? 2 : -1) + (i % 2 === 0 ? 0.5 : 0)),
  ).sort();
  t.is(y.percentiles!.get(0.1), percentileOfSorted(values, 0.1));
  t.is(y.percentiles!.get(99.9), percentileOfSorted(values, 99.9));
});

test('percentileOfSorted interpolates linearly, as numpy.percentile', (t) => {
  const sorted = Float64Array.of(1, 2, 3, 4, 10);
  t.is(percentileOfSorted(sorted, 0), 1);
  t.is(percentileOfSorted(sorted, 100), 10);
  t.is(percentileOfSorted(sorted, 50), 3);
  t.is(percentileOfSorted(sorted, 90), 7.6000000000000005); // numpy's value (7.6 up to rounding)
});

test('bad inputsets and NaN values are clear errors', (t) => {
  t.throws(() => calibrate(model(), {}), { instanceOf: OnnxError, message: /inputset is empty/ });
  t.throws(() => calibrate(model(), { x: samples }, { batchSize: 0 }), { message: /batchSize 0/ });
  const withNaN = new Tensor(Float32Array.of(1, NaN), [1, 2]);
  t.throws(() => calibrate(model(), { x: withNaN }), { message: /value 'x' holds NaN in batch 0/ });
});

test('percentileOfSorted agrees with numpy to the last bit', (t) => {
  // Reference values printed by numpy 2.4: np.percentile(values, p).
  t.is(percentileOfSorted(Float64Array.of(1, 2, 3, 4, 10), 0.1), 1.004);
  t.is(percentileOfSorted(Float64Array.from({ length: 37 }, (_, i) => i * 0.37), 99.9), 13.306680000000002);
});
