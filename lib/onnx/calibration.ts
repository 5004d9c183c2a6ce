// Calibration: run the float graph over an inputset and record, for every value the graph
// computes (inputs, intermediates, outputs), the range quantization needs. Min/max only, over
// whole tensors (no per-channel), as Concrete ML's MinMaxQuantizationStats; plus numpy-style
// percentiles for the values that need them (BatchNormalization outputs by default, which
// Concrete ML clips to the 0.1 / 99.9 percentiles).
import { Tensor, type DType } from '../tensor';
import type { OnnxModel } from './model';
import { OnnxError } from './errors';

/** What calibration saw of one value; quantization turns rmin/rmax into MinMaxQuantizationStats. */
export interface TensorStatistics {
  readonly rmin: number;
  readonly rmax: number;
  readonly dtype: DType;
  /** Number of elements seen over the whole inputset. */
  readonly count: number;
  /** Percentile (0..100) -> value, for the values listed in `percentileValues`. */
  readonly percentiles?: ReadonlyMap<number, number>;
}

export interface CalibrationResult {
  /** Statistics by value name (graph inputs, node outputs); initializers are not included. */
  readonly tensors: ReadonlyMap<string, TensorStatistics>;
  readonly samples: number;
}

/** Either one feed per input holding all samples along axis 0, or a list of ready-made batches. */
export type Inputset = Readonly<Record<string, Tensor>> | readonly Readonly<Record<string, Tensor>>[];

export interface CalibrationOptions {
  /** Samples per run when the inputset is one feed (default 100). */
  readonly batchSize?: number;
  /** Called after each batch with the samples done so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Percentiles to compute (default [0.1, 99.9]). */
  readonly percentiles?: readonly number[];
  /** Values that get percentiles (default: outputs of BatchNormalization nodes). */
  readonly percentileValues?: readonly string[];
}

/**
 * numpy.percentile (method 'linear') on sorted values, to the last bit: numpy interpolates from
 * the upper neighbour when the fraction is >= 0.5, which rounds differently.
 */
export function percentileOfSorted(sorted: Float64Array, percentile: number): number {
  if (sorted.length === 0) return NaN;
  const position = (percentile / 100) * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  const fraction = position - low;
  const a = sorted[low];
  const difference = sorted[high] - a;
  return fraction >= 0.5 ? sorted[high] - difference * (1 - fraction) : a + difference * fraction;
}

/** Samples [start, end) of a tensor along axis 0. */
export function sliceBatch(tensor: Tensor, start: number, end: number): Tensor {
  const perSample = tensor.shape.slice(1).reduce((a, b) => a * b, 1);
  const data = tensor.data.slice(start * perSample, end * perSample);
  return new Tensor(data, [end - start, ...tensor.shape.slice(1)], tensor.dtype);
}

function splitInputset(inputset: Inputset, batchSize: number): { batches: Readonly<Record<string, Tensor>>[]; samples: number } {
  if (Array.isArray(inputset)) {
    const batches = inputset as Readonly<Record<string, Tensor>>[];
    const samples = batches.reduce((n, b) => n + (Object.values(b)[0]?.shape[0] ?? 0), 0);
    return { batches, samples };
  }
  const feeds = inputset as Readonly<Record<string, Tensor>>;
  const entries = Object.entries(feeds);
  if (entries.length === 0) throw new OnnxError('the inputset is empty', 'bad-input');
  const samples = entries[0][1].shape[0] ?? 1;
  for (const [name, t] of entries) {
    if (t.rank === 0 || t.shape[0] !== samples) {
      throw new OnnxError(`inputset '${name}' has shape [${t.shape.join(', ')}]; every input needs the same ${samples} samples along axis 0`, 'bad-input');
    }
  }
  const batches: Record<string, Tensor>[] = [];
  for (let start = 0; start < samples; start += batchSize) {
    const end = Math.min(samples, start + batchSize);
    batches.push(Object.fromEntries(entries.map(([name, t]) => [name, sliceBatch(t, start, end)])));
  }
  return { batches, samples };
}

interface Accumulator {
  dtype: DType;
  rmin: number;
  rmax: number;
  count: number;
  kept?: number[];
}

function observe(name: string, value: Tensor, acc: Accumulator, batch: number): void {
  const data = value.data as ArrayLike<number | bigint>;
  let { rmin, rmax } = acc;
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    if (Number.isNaN(v)) {
      throw new OnnxError(`calibration: value '${name}' holds NaN in batch ${batch}`, 'op-failure');
    }
    if (v < rmin) rmin = v;
    if (v > rmax) rmax = v;
    acc.kept?.push(v);
  }
  acc.rmin = rmin;
  acc.rmax = rmax;
  acc.count += data.length;
}

export function calibrate(model: OnnxModel, inputset: Inputset, options: CalibrationOptions = {}): CalibrationResult {
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new OnnxError(`batchSize ${batchSize} must be a positive integer`, 'bad-input');
  const { batches, samples } = splitInputset(inputset, batchSize);
  const percentiles = options.percentiles ?? [0.1, 99.9];
  const percentileValues = new Set(
    options.percentileValues ??
      model.graph.nodes.filter((n) => n.opType === 'BatchNormalization' && n.domain === '').map((n) => n.outputs[0]),
  );
  const accumulators = new Map<string, Accumulator>();
  let done = 0;
  batches.forEach((feeds, batch) => {
    model.run(feeds, {
      onValue: (name, value) => {
        let acc = accumulators.get(name);
        if (acc === undefined) {
          acc = { dtype: value.dtype, rmin: Infinity, rmax: -Infinity, count: 0 };
          if (percentileValues.has(name)) acc.kept = [];
          accumulators.set(name, acc);
        }
        observe(name, value, acc, batch);
      },
    });
    done += Object.values(feeds)[0]?.shape[0] ?? 0;
    options.onProgress?.(done, samples);
  });
  const tensors = new Map<string, TensorStatistics>();
  for (const [name, acc] of accumulators) {
    let computed: Map<number, number> | undefined;
    if (acc.kept !== undefined) {
      const sorted = Float64Array.from(acc.kept).sort();
      computed = new Map(percentiles.map((p) => [p, percentileOfSorted(sorted, p)]));
    }
    tensors.set(name, Object.freeze({ dtype: acc.dtype, rmin: acc.rmin, rmax: acc.rmax, count: acc.count, percentiles: computed }));
  }
  return { tensors, samples };
}
