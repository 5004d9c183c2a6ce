// The base of every quantized op. It follows Concrete ML's QuantizedOp contract so that the same
// calibration and the same clear inference give the same integers:
//   calibrate(floats)  runs the float op on calibration data and sets the output quantizer;
//   qImpl(values)      the quantized forward: by default (univariate ops) the float op on the
//                      de-quantized input, re-quantized with the output quantizer, which under
//                      FHE is one table lookup.
// Ops that compute on integers (Gemm, Conv, pools, encrypted Add/Mul, data movement) override
// qImpl and canFuse.

import type { OnnxNode } from '../onnx';
import {
  MinMaxQuantizationStats,
  QuantizationOptions,
  UniformQuantizationParameters,
  type ZeroPointLike,
} from '../quantization';
import type { Tensor } from '../tensor';
import { runFloatNode } from './float-ops';
import { bitWidthOfRange, rangeOf, roundBitPattern } from './integers';
import type { ResolvedRounding } from './options';
import { type FloatTensor, isFloatTensor, type OpValue, QuantizedValue, RawValue } from './value';

/** A constant input: its float tensor, and its quantization when the op computes on its integers. */
export interface ConstantInput {
  readonly tensor: Tensor;
  readonly quantized: QuantizedValue | null;
  /** Per-channel QDQ weights (then `quantized` is null): Gemm/MatMul/Conv use their integers as they are. */
  readonly perChannel?: ChannelQuantizedWeights;
}

/** Integers of a DequantizeLinear with an axis: x = scales[c] * (q - zeroPoints[c]) along `axis`. */
export interface ChannelQuantizedWeights {
  readonly qvalues: Tensor<'int32'>;
  readonly axis: number;
  readonly scales: Float64Array;
  readonly zeroPoints: Float64Array;
}

export interface QuantizedOpInit {
  readonly node: OnnxNode;
  readonly opset: number;
  /** Bit width of the output quantizer (modelOutputs: any op may produce a graph output). */
  readonly nBits: number;
  /** The graph tensors whose integers this op's result depends on (decides fusing). */
  readonly intInputNames: ReadonlySet<string>;
  /** By ONNX input index. */
  readonly constants: ReadonlyMap<number, ConstantInput>;
  readonly inputQuantOptions: QuantizationOptions;
  readonly rounding: ResolvedRounding | null;
}

/** Rounding record per accumulator: lsbs removed and the widest accumulator seen in calibration. */
export interface AccumulatorRecord {
  lsbsToRemove: number;
  min: number;
  max: number;
}

export type PreparedInput = Tensor | QuantizedValue | undefined;

export interface QImplOptions {
  /** During calibration: record accumulator widths and choose how many lsbs to round off. */
  readonly calibrateRounding?: boolean;
}

export abstract class QuantizedOp {
  /** ONNX input indices that are never quantized (shapes, axes, pads...). */
  static readonly rawInputs: ReadonlySet<number> = new Set();
  /** Data movement ops quantize their inputs with modelOutputs bits rather than opInputs. */
  static readonly quantizeInputsWithModelOutputsPrecision: boolean = false;
  /** Ops whose integer accumulators may be rounded (rounding_threshold_bits). */
  static readonly isMixing: boolean = false;
  /** The op's result is a clear value (Shape, ConstantOfShape). */
  static readonly producesRawOutput: boolean = false;
  /** The input that may carry per-channel QDQ weights, used exactly (Gemm/MatMul/Conv: 1). */
  static readonly perChannelWeightsInput: number | null = null;

  readonly node: OnnxNode;
  readonly opset: number;
  readonly nBits: number;
  readonly intInputNames: ReadonlySet<string>;
  readonly constants: ReadonlyMap<number, ConstantInput>;
  inputQuantOptions: QuantizationOptions;
  readonly rounding: ResolvedRounding | null;
  outputStats: MinMaxQuantizationStats | null = null;
  outputParams: UniformQuantizationParameters | null = null;
  producesGraphOutput = false;
  /** Accumulators by rounding id ('matmul', 'add', ...), filled during calibration. */
  readonly accumulators = new Map<string, AccumulatorRecord>();
  /** Integer ranges of the values that feed table lookups, recorded during calibration. */
  readonly lookupInputRanges = new Map<string, [number, number]>();
  /** Set by the builder while the calibration data runs through qImpl. */
  recording = false;

  constructor(init: QuantizedOpInit) {
    this.node = init.node;
    this.opset = init.opset;
    this.nBits = init.nBits;
    this.intInputNames = init.intInputNames;
    this.constants = init.constants;
    this.rounding = init.rounding;
    this.inputQuantOptions = init.inputQuantOptions;
    // A fused op never receives QAT integers: its input is the real value of a table lookup.
    if (this.canFuse()) this.inputQuantOptions = this.inputQuantOptions.with({ isQat: false });
  }

  get name(): string {
    return this.node.name;
  }

  get opType(): string {
    return this.node.opType;
  }

  get class(): typeof QuantizedOp {
    return this.constructor as typeof QuantizedOp;
  }

  /** Whether the op folds into the table lookup of its single encrypted producer. */
  canFuse(): boolean {
    return true;
  }

  static mustQuantizeInput(index: number): boolean {
    return !this.rawInputs.has(index);
  }

  /** Options of the output quantizer: the input options, never QAT once fused. */
  outputQuantOptions(): QuantizationOptions {
    return this.canFuse() ? this.inputQuantOptions.with({ isQat: false }) : this.inputQuantOptions;
  }

  // ---- inputs -------------------------------------------------------------------------------

  /**
   * One entry per ONNX input: constants in their slots, the variable inputs in the others.
   * mode 'float': reals (constants as given); 'quantize': integers ready for this op.
   */
  prepareInputs(inputs: readonly (OpValue | undefined)[], mode: 'float' | 'quantize'): PreparedInput[] {
    const count = this.node.inputs.length;
    const prepared: PreparedInput[] = new Array(count).fill(undefined);
    let variable = 0;
    for (let index = 0; index < count; index++) {
      const constant = this.constants.get(index);
      if (constant !== undefined) {
        prepared[index] = mode === 'quantize' && constant.quantized !== null ? constant.quantized : constant.tensor;
        continue;
      }
      const value = inputs[variable++];
      if (value === undefined) continue;
      if (value instanceof RawValue) prepared[index] = value.tensor;
      else prepared[index] = mode === 'float' ? value.values : this.prepareQuantizedInput(value);
    }
    return prepared;
  }

  /**
   * The integers this op computes on: the input's own when already quantized the way the op
   * wants (or fixed by a QAT graph), otherwise its reals re-quantized with the op's options.
   */
  prepareQuantizedInput(input: QuantizedValue): QuantizedValue {
    const wanted = this.inputQuantOptions;
    const own = input.quantizer.options;
    if (wanted.isEquivalent(own, { ignoreSignForQat: true }) || own.isPrecomputedQat) {
      return QuantizedValue.fromParts(wanted.nBits, input.qvalues, own, input.quantizer.stats, input.quantizer.params);
    }
    // QAT values already lie on a grid: keep it, only the options change.
    const params = own.isQat ? input.quantizer.params : null;
    return QuantizedValue.fromFloat(wanted.nBits, input.values, { options: wanted, stats: input.quantizer.stats, params });
  }

  // ---- float semantics and calibration ------------------------------------------------------

  floatImpl(prepared: readonly PreparedInput[]): Tensor {
    const tensors = prepared.map((p) => (p instanceof QuantizedValue ? p.values : p));
    return runFloatNode(this.node, this.opset, tensors);
  }

  /** Floats of the calibration data in ONNX input order (constants filled in). */
  calibrationInputs(inputs: readonly (Tensor | RawValue | undefined)[]): PreparedInput[] {
    const count = this.node.inputs.length;
    const prepared: PreparedInput[] = new Array(count).fill(undefined);
    let variable = 0;
    for (let index = 0; index < count; index++) {
      const constant = this.constants.get(index);
      if (constant !== undefined) {
        prepared[index] = constant.tensor;
        continue;
      }
      const value = inputs[variable++];
      prepared[index] = value instanceof RawValue ? value.tensor : value;
    }
    return prepared;
  }

  /** Runs the float op on calibration data and sets the output quantizer from its range. */
  calibrate(inputs: readonly (Tensor | RawValue | undefined)[]): Tensor {
    const raw = this.floatImpl(this.calibrationInputs(inputs));
    if (this.class.producesRawOutput || !isFloatTensor(raw)) return raw;
    this.setOutputQuantizerFrom(raw);
    return raw;
  }

  protected setOutputQuantizerFrom(raw: FloatTensor): QuantizedValue {
    const samples = QuantizedValue.fromFloat(this.nBits, raw);
    this.outputParams = samples.quantizer.params;
    this.outputStats = samples.quantizer.stats;
    return samples;
  }

  // ---- quantized forward --------------------------------------------------------------------

  /** Univariate ops: the float op on reals, re-quantized; all-clear inputs give a clear result. */
  async qImpl(inputs: readonly (OpValue | undefined)[], options: QImplOptions = {}): Promise<OpValue> {
    void options;
    const prepared = this.prepareInputs(inputs, 'float');
    const result = this.floatImpl(prepared);
    if (inputs.every((value) => value === undefined || value instanceof RawValue)) return new RawValue(result);
    return this.prepareOutput(result);
  }

  prepareOutput(values: Tensor): QuantizedValue {
    if (this.outputParams === null) {
      throw new Error(`${this.describe()} has no output quantizer: it must be calibrated first`);
    }
    if (!isFloatTensor(values)) throw new TypeError(`${this.describe()} produced ${values.dtype} values where reals were expected`);
    return QuantizedValue.fromFloat(this.nBits, values, { options: this.outputQuantOptions(), stats: this.outputStats, params: this.outputParams });
  }

  /** Integers with a scale and a (possibly per-channel float) zero point, offset 0: a graph output. */
  makeOutputQuantParameters(qvalues: Tensor<'int32'>, scale: number, zeroPoint: ZeroPointLike): QuantizedValue {
    const params = new UniformQuantizationParameters({ scale, zeroPoint, offset: 0 });
    return QuantizedValue.fromParts(this.nBits, qvalues, this.outputQuantOptions(), this.outputStats, params);
  }

  /**
   * Accumulator rounding (Concrete's cnp_round): in calibration, the lsbs to remove grow to
   * bitwidth(accumulator) - roundingThresholdBits; at inference they are applied.
   */
  lsbsRemoved(id: string): number {
    return this.accumulators.get(id)?.lsbsToRemove ?? 0;
  }

  roundAccumulator(data: Float64Array, calibrateRounding: boolean, id = 'matmul'): Float64Array {
    let record = this.accumulators.get(id);
    if (calibrateRounding) {
      const [min, max] = rangeOf(data);
      record ??= { lsbsToRemove: 0, min, max };
      record.min = Math.min(record.min, min);
      record.max = Math.max(record.max, max);
      if (this.rounding !== null) {
        record.lsbsToRemove = Math.max(record.lsbsToRemove, bitWidthOfRange(min, max) - this.rounding.nBits);
      }
      this.accumulators.set(id, record);
    }
    return roundBitPattern(data, record?.lsbsToRemove ?? 0);
  }

  /**
   * Records the integer range of a value that will feed a table lookup (for the bit-width
   * report). A rounded accumulator enters the lookup without its `lsbsRemoved` low bits.
   */
  recordLookupInput(id: string, data: ArrayLike<number>, lsbsRemoved = 0): void {
    if (!this.recording) return;
    const [low, high] = rangeOf(data);
    const unit = 2 ** lsbsRemoved;
    const [min, max] = [Math.floor(low / unit), Math.floor(high / unit)];
    const previous = this.lookupInputRanges.get(id);
    this.lookupInputRanges.set(id, previous === undefined ? [min, max] : [Math.min(previous[0], min), Math.max(previous[1], max)]);
  }

  describe(): string {
    return this.name ? `node '${this.name}' (${this.opType})` : `unnamed ${this.opType} node`;
  }

  /** Extra state an op needs to run after a JSON round trip (see json.ts). */
  extraState(): Record<string, unknown> {
    return {};
  }

  restoreExtraState(state: Record<string, unknown>): void {
    void state;
  }
}

export type QuantizedOpClass = (new (init: QuantizedOpInit) => QuantizedOp) & typeof QuantizedOp;

/** The quantized input at `index`, with a clear error when the op got something else. */
export function quantizedInput(op: QuantizedOp, prepared: readonly PreparedInput[], index: number, what: string): QuantizedValue {
  const value = prepared[index];
  if (!(value instanceof QuantizedValue)) {
    throw new TypeError(`${op.describe()}: ${what} (input ${index}) must be an encrypted or quantized tensor`);
  }
  return value;
}

/** A scalar zero point; per-channel zero points exist only on graph outputs. */
export function scalarZeroPoint(op: QuantizedOp, value: QuantizedValue, what: string): number {
  const zp = value.quantizer.zeroPoint;
  if (typeof zp === 'number') return zp;
  if (zp.size === 1) return zp.data[0];
  throw new RangeError(`${op.describe()}: ${what} has a per-channel zero point; only model outputs may have one`);
}
