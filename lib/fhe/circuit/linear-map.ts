// A clear-weight linear map from one encrypted tensor to another, as a sparse matrix (CSR):
// output o = sum_j weights[j] * input[columns[j]] + constants[o], j over row o. Matmul, Gemm,
// convolution, sum pooling and ReduceSum all become one, so ranges, noise and the three
// executors handle one shape of computation. Padding taps of a convolution read a clear value,
// which folds into the row's constant.

import { centered, centeredInt32, EXACT_INTEGER_LIMIT, type IntegerRange } from './integers';

export interface LinearMap {
  readonly inputCount: number;
  readonly outputCount: number;
  /** Row o spans columns/weights [rowStart[o], rowStart[o + 1]). */
  readonly rowStart: Int32Array;
  readonly columns: Int32Array;
  readonly weights: Int32Array;
  /** Per output; null when every constant is 0. */
  readonly constants: Float64Array | null;
}

/** Accumulates rows; repeated columns within a row are merged (their noise adds coherently). */
export class LinearMapBuilder {
  private readonly rowStart: number[] = [0];
  private readonly columns: number[] = [];
  private readonly weights: number[] = [];
  private readonly constants: number[] = [];
  private readonly row = new Map<number, number>();
  private constant = 0;

  constructor(readonly inputCount: number, private readonly what: string) {}

  term(column: number, weight: number): void {
    if (weight !== 0) this.row.set(column, (this.row.get(column) ?? 0) + weight);
  }

  addConstant(value: number): void {
    this.constant += value;
  }

  endRow(): void {
    for (const [column, weight] of this.row) {
      if (weight === 0) continue;
      if (!Number.isInteger(weight) || weight < -(2 ** 31) || weight >= 2 ** 31) {
        throw new RangeError(`${this.what}: weight ${weight} (for input element ${column}) is not a 32-bit integer`);
      }
      this.columns.push(column);
      this.weights.push(weight);
    }
    this.rowStart.push(this.columns.length);
    this.constants.push(this.constant);
    this.row.clear();
    this.constant = 0;
  }

  build(): LinearMap {
    const constants = this.constants.some((c) => c !== 0) ? Float64Array.from(this.constants) : null;
    return {
      inputCount: this.inputCount,
      outputCount: this.rowStart.length - 1,
      rowStart: Int32Array.from(this.rowStart),
      columns: Int32Array.from(this.columns),
      weights: Int32Array.from(this.weights),
      constants,
    };
  }
}

/** Checks that clear weights are 32-bit integers; returns them as an Int32Array. */
export function int32Weights(values: ArrayLike<number>, what: string): Int32Array {
  if (values instanceof Int32Array) return values;
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
      throw new RangeError(`${what}: weight ${v} at ${i} is not a 32-bit integer`);
    }
    out[i] = v;
  }
  return out;
}

/** x [rows, K] @ W [K, N] -> [rows, N] with W row-major. */
export function matmulMap(rows: number, k: number, n: number, weights: Int32Array, what: string): LinearMap {
  const builder = new LinearMapBuilder(rows * k, what);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < k; p++) builder.term(r * k + p, weights[p * n + j]);
      builder.endRow();
    }
  }
  return builder.build();
}

/** Exact evaluation on `batch` samples (inputs laid out sample-major). */
export function evaluateExact(map: LinearMap, input: Float64Array, batch: number, what: string): Float64Array {
  const { inputCount, outputCount, rowStart, columns, weights, constants } = map;
  const out = new Float64Array(batch * outputCount);
  for (let b = 0; b < batch; b++) {
    const base = b * inputCount;
    for (let o = 0; o < outputCount; o++) {
      let sum = constants === null ? 0 : constants[o];
      for (let j = rowStart[o]; j < rowStart[o + 1]; j++) sum += weights[j] * input[base + columns[j]];
      if (!(Math.abs(sum) < EXACT_INTEGER_LIMIT)) {
        throw new RangeError(`${what}: value ${sum} at element ${o} exceeds 2^53, where integers stop being exact`);
      }
      out[b * outputCount + o] = sum;
    }
  }
  return out;
}

/** Evaluation modulo 2^(p+1) with reduced weights and constants, as the ciphertexts compute it. */
export function evaluateModular(
  map: LinearMap,
  reducedWeights: Int32Array,
  reducedConstants: Int32Array | null,
  input: Float64Array,
  batch: number,
  precision: number,
): Float64Array {
  const { inputCount, outputCount, rowStart, columns } = map;
  // Terms are below 2^32 in magnitude (p <= 16): reduce before the sum could leave 2^53.
  const reduceAbove = 2 ** 52;
  const out = new Float64Array(batch * outputCount);
  for (let b = 0; b < batch; b++) {
    const base = b * inputCount;
    for (let o = 0; o < outputCount; o++) {
      let sum = reducedConstants === null ? 0 : reducedConstants[o];
      for (let j = rowStart[o]; j < rowStart[o + 1]; j++) {
        sum += reducedWeights[j] * input[base + columns[j]];
        if (sum > reduceAbove || sum < -reduceAbove) sum = centered(sum, precision);
      }
      out[b * outputCount + o] = centered(sum, precision);
    }
  }
  return out;
}

/** The hull of every row's interval when each input lies in `range`. */
export function boundOf(map: LinearMap, range: IntegerRange): IntegerRange {
  let min = Infinity;
  let max = -Infinity;
  for (let o = 0; o < map.outputCount; o++) {
    let low = map.constants === null ? 0 : map.constants[o];
    let high = low;
    for (let j = map.rowStart[o]; j < map.rowStart[o + 1]; j++) {
      const w = map.weights[j];
      low += w > 0 ? w * range.min : w * range.max;
      high += w > 0 ? w * range.max : w * range.min;
    }
    min = Math.min(min, low);
    max = Math.max(max, high);
  }
  return { min, max };
}

export function reduceWeights(map: LinearMap, precision: number): { weights: Int32Array; constants: Int32Array | null } {
  return {
    weights: centeredInt32(map.weights, precision),
    constants: map.constants === null ? null : centeredInt32(map.constants, precision),
  };
}

/**
 * Noise growth of the map, as a factor on the input variance bound: max over rows of the sum of
 * squared (reduced) weights when the input's elements carry independent noise, otherwise the
 * squared 1-norm (the triangle inequality: correlated noise can add up coherently). Also tells
 * whether each input element feeds at most one output, which keeps the outputs independent.
 */
export function noiseGrowth(map: LinearMap, reducedWeights: Int32Array, inputIndependent: boolean): {
  readonly factor: number;
  readonly columnsUsedOnce: boolean;
} {
  let factor = 0;
  for (let o = 0; o < map.outputCount; o++) {
    let squares = 0;
    let absolute = 0;
    for (let j = map.rowStart[o]; j < map.rowStart[o + 1]; j++) {
      const w = reducedWeights[j];
      squares += w * w;
      absolute += Math.abs(w);
    }
    factor = Math.max(factor, inputIndependent ? squares : absolute * absolute);
  }
  const uses = new Uint8Array(map.inputCount);
  let columnsUsedOnce = true;
  for (let j = 0; j < map.columns.length && columnsUsedOnce; j++) {
    if (reducedWeights[j] !== 0 && uses[map.columns[j]]++ > 0) columnsUsedOnce = false;
  }
  return { factor, columnsUsedOnce };
}

/**
 * One native dot product: gather `columns` of the input, multiply by `matrix`
 * (rows.length x columns.length, row-major), scatter into `rows` of the output.
 */
export interface DotBlock {
  readonly columns: Int32Array;
  readonly rows: Int32Array;
  readonly matrix: Int32Array;
}

/** Largest dense block handed to one native dot product (zeros are skipped natively). */
const MAX_BLOCK_WEIGHTS = 1 << 20;

/** Row order that puts rows reading the same columns (a convolution position's channels) side by side. */
function rowsGroupedByColumns(map: LinearMap): number[] {
  const groups = new Map<string, number[]>();
  for (let o = 0; o < map.outputCount; o++) {
    const key = map.columns.subarray(map.rowStart[o], map.rowStart[o + 1]).join(',');
    let rows = groups.get(key);
    if (rows === undefined) groups.set(key, (rows = []));
    rows.push(o);
  }
  return [...groups.values()].flat();
}

/**
 * Packs rows into dense blocks for the native dot product: rows that share their columns
 * (a matmul row's outputs, a convolution patch's channels) land in one block; further rows
 * join while the dense matrix stays under MAX_BLOCK_WEIGHTS (zeros are skipped natively, but
 * each block gathers the union of its columns).
 */
export function packBlocks(map: LinearMap, reducedWeights: Int32Array): DotBlock[] {
  const blocks: DotBlock[] = [];
  let columnSlots = new Map<number, number>();
  let rows: number[] = [];
  const flush = (): void => {
    if (rows.length === 0) return;
    const matrix = new Int32Array(rows.length * columnSlots.size);
    rows.forEach((o, r) => {
      for (let j = map.rowStart[o]; j < map.rowStart[o + 1]; j++) {
        matrix[r * columnSlots.size + columnSlots.get(map.columns[j])!] = reducedWeights[j];
      }
    });
    blocks.push({ columns: Int32Array.from(columnSlots.keys()), rows: Int32Array.from(rows), matrix });
    columnSlots = new Map();
    rows = [];
  };
  for (const o of rowsGroupedByColumns(map)) {
    let added = 0;
    for (let j = map.rowStart[o]; j < map.rowStart[o + 1]; j++) if (!columnSlots.has(map.columns[j])) added++;
    if (rows.length > 0 && (columnSlots.size + added) * (rows.length + 1) > MAX_BLOCK_WEIGHTS) flush();
    for (let j = map.rowStart[o]; j < map.rowStart[o + 1]; j++) {
      if (!columnSlots.has(map.columns[j])) columnSlots.set(map.columns[j], columnSlots.size);
    }
    rows.push(o);
  }
  flush();
  return blocks;
}
