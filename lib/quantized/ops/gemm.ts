// Gemm / MatMul on integers (Jacob et al. 2018, eq. 7). For x @ w with zero points zx, zw:
//   acc = qx @ qw - zw * sum_k(qx)                       (encrypted; rounded if asked)
//   out = sx*sw * (acc + K*zx*zw - zx*sum_k(qw)) + bias  (folds into the next table lookup)
// As a graph output the op returns acc itself with scale sx*sw and a per-neuron float zero point
// zx*sum_k(qw) - K*zx*zw - bias/(sx*sw), so the decrypted integers de-quantize to `out`.
// With two encrypted operands, products are ((x+y)^2 - (x-y)^2) / 4 (two table lookups each),
// and MatMul may be batched: [..., m, k] @ [..., k, n] with the same leading axes.
// Per-channel QDQ weights (weights.ts) make sw and zw per output column; a graph output with
// per-column scales cannot be one quantizer over acc, so it is requantized like any other value.

import { UniformQuantizationParameters, UniformQuantizer } from '../../quantization';
import { Tensor } from '../../tensor';
import { attrFloat, attrInt } from '../attributes';
import { integerMatmul } from '../kernels';
import { int32Of, toInt32Tensor } from '../integers';
import { type PreparedInput, QuantizedOp, type QImplOptions, quantizedInput, scalarZeroPoint } from '../op';
import { type OpValue, QuantizedValue } from '../value';
import { weightChannels } from '../weights';

/** Rows of a 2-D view: [..., m, k] -> data with m' = prod(leading) * m rows. */
function transpose2d(data: Int32Array, rows: number, cols: number): Int32Array {
  const out = new Int32Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j];
  return out;
}

export class QuantizedGemm extends QuantizedOp {
  static override readonly isMixing = true;
  static override readonly perChannelWeightsInput = 1;

  /** Both operands encrypted (no constant input): products need table lookups. */
  get isEncryptedGemm(): boolean {
    return this.constants.size === 0;
  }

  override canFuse(): boolean {
    return false;
  }

  private checkAttributes(): { transA: boolean; transB: boolean; hasBias: boolean } {
    const alpha = attrFloat(this.node, 'alpha', 1);
    const beta = attrFloat(this.node, 'beta', 1);
    if (alpha !== 1 || (beta !== 0 && beta !== 1)) {
      throw new RangeError(`${this.describe()}: only alpha = 1 and beta in {0, 1} are supported, got alpha = ${alpha}, beta = ${beta}`);
    }
    return { transA: attrInt(this.node, 'transA', 0) === 1, transB: attrInt(this.node, 'transB', 0) === 1, hasBias: beta === 1 };
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[], options: QImplOptions = {}): Promise<OpValue> {
    const calibrateRounding = options.calibrateRounding ?? false;
    const { transA, transB, hasBias } = this.opType === 'Gemm' ? this.checkAttributes() : { transA: false, transB: false, hasBias: false };
    const prepared = this.prepareInputs(inputs, 'quantize');
    const x = quantizedInput(this, prepared, 0, 'input A');
    // output columns of B: its rows under transB
    const w = weightChannels(this, prepared, 1, transB ? 0 : -1, 'input B');
    const bias = hasBias ? biasOf(this, prepared[2]) : undefined;

    // x: [..., m, k] (rows flattened), w: [k, n], or [...lead, k, n] one matrix per leading index
    const matrices = this.matricesOf(x.shape, w.shape);
    let xData = int32Of(x.qvalues);
    let xShape = [...x.shape];
    if (transA) {
      if (xShape.length !== 2) throw new RangeError(`${this.describe()}: transA needs a 2-D input`);
      xData = transpose2d(xData, xShape[0], xShape[1]);
      xShape = [xShape[1], xShape[0]];
    }
    let wData = int32Of(w.qvalues);
    let [k, n] = w.shape.slice(-2);
    if (transB) {
      wData = transpose2d(wData, k, n);
      [k, n] = [n, k];
    }
    if (xShape[xShape.length - 1] !== k) {
      throw new RangeError(`${this.describe()}: cannot multiply [${xShape.join(', ')}] by [${k}, ${n}]`);
    }
    const rows = xData.length / k;
    const outShape = [...xShape.slice(0, -1), n];
    const zx = scalarZeroPoint(this, x, 'input A');
    const zw = w.zeroPoints;

    let acc = this.isEncryptedGemm
      ? this.encryptedProducts(xData, wData, rows / matrices, matrices, k, n, calibrateRounding)
      : await integerMatmul(xData, wData, rows, k, n);
    if (zw.some((z) => z !== 0)) {
      for (let i = 0; i < rows; i++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += xData[i * k + p];
        for (let j = 0; j < n; j++) acc[i * n + j] -= zw[j] * sum;
      }
    }
    // zx * sum_k(qw) per matrix of w and output column
    const sumWeights = new Float64Array(matrices * n);
    for (let l = 0; l < matrices; l++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) sumWeights[l * n + j] += wData[(l * k + p) * n + j];
    for (let i = 0; i < sumWeights.length; i++) sumWeights[i] *= zx;
    const sumWeightsAt = (i: number) => Math.floor(i / ((rows / matrices) * n)) * n + (i % n);
    const finalTerm = Float64Array.from(zw, (z) => k * zx * z);
    const scale = Float64Array.from(w.scales, (s) => x.quantizer.scale * s);

    // one output scale needed: per-channel scales fall through to the requantization below
    if (this.producesGraphOutput && !this.isEncryptedGemm && !w.perChannelScale) {
      const zeroPoint = new Float64Array(n);
      for (let j = 0; j < n; j++) zeroPoint[j] = sumWeights[j] - finalTerm[j] + (bias === undefined ? 0 : biasOverScale(bias, j, -scale[j]));
      return this.makeOutputQuantParameters(toInt32Tensor(acc, outShape, this.describe()), scale[0], new Tensor(zeroPoint, [1, n]));
    }
    const precomputedBias = bias !== undefined && bias.quantizer.options.isPrecomputedQat;
    if (precomputedBias) {
      const q = bias.qvalues.data;
      for (let i = 0; i < rows; i++) for (let j = 0; j < n; j++) acc[i * n + j] += q[j % q.length];
    }
    if (!this.isEncryptedGemm) {
      acc = this.roundAccumulator(acc, calibrateRounding, 'matmul');
      this.recordLookupInput('accumulator', acc, this.lsbsRemoved('matmul'));
    }
    for (let i = 0; i < acc.length; i++) acc[i] = acc[i] + finalTerm[i % n] - sumWeights[sumWeightsAt(i)];
    if (this.isEncryptedGemm) {
      acc = this.roundAccumulator(acc, calibrateRounding, 'matmul');
      this.recordLookupInput('accumulator', acc, this.lsbsRemoved('matmul'));
    }
    const out = new Float64Array(acc.length);
    const biasValues = bias !== undefined && !precomputedBias ? bias.values.data : undefined;
    for (let i = 0; i < acc.length; i++) {
      out[i] = scale[i % n] * acc[i];
      if (biasValues !== undefined) out[i] += biasValues[(i % n) % biasValues.length];
    }
    return this.prepareOutput(new Tensor(out, outShape));
  }

  /**
   * Matrices in w: 1 for a 2-D w. With both operands encrypted, MatMul may be batched: w
   * [...lead, k, n] times x [...lead, m, k], one matrix product per leading index.
   */
  private matricesOf(xShape: readonly number[], wShape: readonly number[]): number {
    if (wShape.length === 2) return 1;
    const lead = wShape.slice(0, -2);
    if (!this.isEncryptedGemm || xShape.length !== wShape.length || lead.some((d, i) => d !== xShape[i])) {
      throw new RangeError(
        `${this.describe()}: cannot multiply [${xShape.join(', ')}] by [${wShape.join(', ')}]: the second operand must be 2-D, ` +
          'or (both encrypted) batched with the same leading axes as the first, [..., m, k] @ [..., k, n]',
      );
    }
    return lead.reduce((a, b) => a * b, 1);
  }

  /**
   * x @ w with both encrypted, `matrices` products of `rows` rows each (w 2-D: one): each
   * product as ((a+b)^2 - (a-b)^2) / 4, a+b and a-b rounded if asked.
   */
  private encryptedProducts(x: Int32Array, w: Int32Array, rows: number, matrices: number, k: number, n: number, calibrateRounding: boolean): Float64Array {
    const size = matrices * rows * k * n;
    const sums = new Float64Array(size);
    const differences = new Float64Array(size);
    for (let i = 0; i < matrices * rows; i++) {
      const matrix = Math.floor(i / rows);
      for (let p = 0; p < k; p++) {
        for (let j = 0; j < n; j++) {
          const at = (i * k + p) * n + j;
          sums[at] = x[i * k + p] + w[(matrix * k + p) * n + j];
          differences[at] = x[i * k + p] - w[(matrix * k + p) * n + j];
        }
      }
    }
    const add = this.roundAccumulator(sums, calibrateRounding, 'add');
    const sub = this.roundAccumulator(differences, calibrateRounding, 'sub');
    this.recordLookupInput('sum', add, this.lsbsRemoved('add'));
    this.recordLookupInput('difference', sub, this.lsbsRemoved('sub'));
    const out = new Float64Array(matrices * rows * n);
    for (let i = 0; i < matrices * rows; i++) {
      for (let p = 0; p < k; p++) {
        for (let j = 0; j < n; j++) {
          const at = (i * k + p) * n + j;
          out[i * n + j] += Math.trunc((add[at] * add[at]) / 4) - Math.trunc((sub[at] * sub[at]) / 4);
        }
      }
    }
    return out;
  }

  /**
   * FAST calibration of a model made of Gemm/MatMul only: the output quantizer follows from the
   * input and weight quantizers, without quantized data.
   */
  calibrateAnalytically(x: QuantizedValue, w: QuantizedValue, bias: QuantizedValue | undefined): UniformQuantizer {
    const transB = this.opType === 'Gemm' && attrInt(this.node, 'transB', 0) === 1;
    const [rowsW, colsW] = w.shape;
    const [k, n] = transB ? [colsW, rowsW] : [rowsW, colsW];
    const wData = int32Of(w.qvalues);
    const zx = scalarZeroPoint(this, x, 'input A');
    const zw = scalarZeroPoint(this, w, 'input B');
    const scale = x.quantizer.scale * w.quantizer.scale;
    const zeroPoint = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += transB ? wData[j * k + p] : wData[p * n + j];
      zeroPoint[j] = zx * sum - k * zx * zw + (bias === undefined ? 0 : biasOverScale(bias, j, -scale));
    }
    const params = new UniformQuantizationParameters({ scale, zeroPoint: new Tensor(zeroPoint, [1, n]), offset: 0 });
    return new UniformQuantizer({ options: this.outputQuantOptions(), stats: this.outputStats, params });
  }
}

export class QuantizedMatMul extends QuantizedGemm {}

function biasOf(op: QuantizedOp, value: PreparedInput): QuantizedValue | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof QuantizedValue)) throw new TypeError(`${op.describe()}: the bias must be a constant float tensor`);
  return value;
}

/**
 * bias[j] / divisor as numpy 1.26 computes it: a float32 bias divided by a float64 scalar stays
 * float32 (value-based promotion), and only then meets the float64 integer part.
 */
export function biasOverScale(bias: QuantizedValue, j: number, divisor: number): number {
  const values = bias.values;
  const b = values.data[j % values.size];
  return values.dtype === 'float32' ? Math.fround(b / Math.fround(divisor)) : b / divisor;
}
