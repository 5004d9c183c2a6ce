// Quantization throughput: quant + dequant of 1e7 float32 values (and float64 for comparison).
// Prints one JSON line per figure; asserts only ratios measured in this run (the typed-array
// quantizer against a naive element-by-element path over plain JS arrays).
import test from 'ava';

import { MinMaxQuantizationStats, QuantizationOptions, UniformQuantizationParameters, UniformQuantizer } from '../../lib/quantization';

const COUNT = 1e7;
const RUNS = 3;

function bestOf(runs: number, action: () => void): number {
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    action();
    best = Math.min(best, performance.now() - started);
  }
  return best / 1000;
}

function report(figure: Record<string, unknown>): void {
  console.log(JSON.stringify(figure));
}

// Deterministic pseudo-normal data (sum of uniforms from a small LCG): no Math.random, so two
// runs time the same values.
function seededFloat32(count: number): Float32Array {
  const data = new Float32Array(count);
  let state = 12345;
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (let k = 0; k < 4; k++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      sum += state / 2 ** 32;
    }
    data[i] = (sum - 2) * 3;
  }
  return data;
}

// What one would write without care: plain arrays, a closure per element, Math.round fixed up
// for ties, clipping after rounding. Same integers (checked below), far more work per value.
function naiveQuant(values: number[], scale: number, zeroPoint: number, qmin: number, qmax: number): number[] {
  return values.map((x) => {
    const y = Math.fround(Math.fround(x / Math.fround(scale)) + Math.fround(zeroPoint));
    let q = Math.round(y);
    if (q - y === 0.5 && q % 2 !== 0) q -= 1;
    return Math.min(qmax, Math.max(qmin, q)) + 0; // + 0: no -0, as in an Int32Array
  });
}

test('quant + dequant of 1e7 float32 values', (t) => {
  const values32 = seededFloat32(COUNT);
  const values64 = Float64Array.from(values32);
  let stats: MinMaxQuantizationStats | undefined;
  const statsSeconds = bestOf(RUNS, () => {
    stats = MinMaxQuantizationStats.computeQuantizationStats(values32);
  });
  report({ bench: 'quantization.stats', dtype: 'float32', values: COUNT, valuesPerSecond: COUNT / statsSeconds });

  const options = new QuantizationOptions(8, { isSigned: true });
  const params = UniformQuantizationParameters.computeQuantizationParameters(options, stats!);
  const quantizer = new UniformQuantizer({ options, stats, params });

  const q = new Int32Array(COUNT);
  const floats = new Float64Array(COUNT);
  for (const [dtype, values] of [['float32', values32], ['float64', values64]] as const) {
    quantizer.quant(values, q); // warm-up (JIT)
    const quantSeconds = bestOf(RUNS, () => quantizer.quant(values, q));
    report({ bench: 'quantization.quant', dtype, values: COUNT, valuesPerSecond: COUNT / quantSeconds });
  }
  quantizer.quant(values32, q);
  quantizer.dequant(q, floats);
  const dequantSeconds = bestOf(RUNS, () => quantizer.dequant(q, floats));
  report({ bench: 'quantization.dequant', dtype: 'int32', values: COUNT, valuesPerSecond: COUNT / dequantSeconds });

  const roundTripSeconds = bestOf(RUNS, () => quantizer.dequant(quantizer.quant(values32, q), floats));
  report({ bench: 'quantization.quantDequant', dtype: 'float32', values: COUNT, valuesPerSecond: COUNT / roundTripSeconds });

  // The naive path on a tenth of the data (it is slow and memory hungry), scaled per value.
  const sample = Array.from(values32.subarray(0, COUNT / 10));
  let naive: number[] = [];
  const naiveSeconds = bestOf(RUNS, () => {
    naive = naiveQuant(sample, quantizer.scale, quantizer.zeroPoint as number, quantizer.qmin, quantizer.qmax);
  });
  const naiveRate = sample.length / naiveSeconds;
  report({ bench: 'quantization.quant.naive', dtype: 'float32', values: sample.length, valuesPerSecond: naiveRate });

  quantizer.quant(values32, q);
  t.deepEqual(naive.slice(0, 1000), Array.from(q.subarray(0, 1000)));
  t.true(naive.every((v, i) => v === q[i]), 'the naive path must give the same integers');

  const quantRate = COUNT / bestOf(RUNS, () => quantizer.quant(values32, q));
  report({ bench: 'quantization.quant.speedupOverNaive', ratio: quantRate / naiveRate });
  t.true(quantRate > naiveRate, `typed-array quant (${quantRate.toExponential(2)}/s) slower than naive (${naiveRate.toExponential(2)}/s)`);
});
