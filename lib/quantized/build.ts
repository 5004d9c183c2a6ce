// buildQuantizedModule: a float ONNX model + an inputset -> a QuantizedModule, following
// Concrete ML's ONNXConverter (post-training affine quantization, or QAT import):
//  - ops are visited in topological order; nodes whose inputs are all constants are folded;
//  - every other node becomes a quantized op, calibrated on the output of the previous ones:
//    de-quantized outputs in post-training mode (so quantization errors propagate as they will
//    at inference), raw float outputs in QAT mode;
//  - an op is "fused" (a table lookup) when its result depends on one encrypted tensor only;
//  - power-of-two QAT scales turn accumulator rescaling into a shift (power-of-two.ts);
//  - input quantizers are taken from the first integer op using each input, or from the QAT
//    quantizer applied to it, or default to signed modelInputs bits.

import type { OnnxModel, OnnxNode } from '../onnx';
import { QuantizationOptions, UniformQuantizationParameters, UniformQuantizer } from '../quantization';
import { Tensor } from '../tensor';
import { runFloatNode } from './float-ops';
import { QuantizedModule, type QuantizedModuleLayer } from './module';
import { attrInt } from './attributes';
import { type ChannelQuantizedWeights, type ConstantInput, type QuantizedOp, type QuantizedOpClass } from './op';
import { QuantizedBrevitasQuant } from './ops/brevitas-quant';
import { QuantizedGemm } from './ops/gemm';
import { QuantizedDequantizeLinear, QuantizedQuantizeLinear } from './ops/qdq';
import { percentile } from './ops/univariate';
import { applyPowerOfTwoRounding } from './power-of-two';
import { type NBitsDict, resolveNBits, resolveRounding, type ResolvedNBits, type ResolvedRounding, type RoundingThresholdBits } from './options';
import { quantizedOpClassOf } from './registry';
import { type FloatTensor, isFloatTensor, QuantizedValue, RawValue, toFloat64 } from './value';

export interface BuildOptions {
  /** Bits of quantization (Concrete ML's n_bits); default 8. */
  readonly nBits?: number | NBitsDict;
  /** Round accumulators to this many bits (EXACT) or { nBits, method }; default none. */
  readonly roundingThresholdBits?: RoundingThresholdBits;
  /** The model carries its own quantizers (Brevitas Quant, QDQ): import them, do not re-quantize. */
  readonly importQat?: boolean;
}

/** Samples along axis 0: one tensor (single-input models), one per input in order, or by name. */
export type QuantizationInputset = Tensor | readonly Tensor[] | Readonly<Record<string, Tensor>>;

type CalibrationValue = Tensor | RawValue;

/** A constant of the graph: its float tensor and, for QAT-folded weights, their integers. */
interface GraphConstant {
  readonly tensor: Tensor;
  readonly quantized: QuantizedValue | null;
  readonly perChannel?: ChannelQuantizedWeights;
}

const LINEAR_BACKEND_OPS = new Set(['Gemm', 'MatMul']);

export async function buildQuantizedModule(model: OnnxModel, inputset: QuantizationInputset, options: BuildOptions = {}): Promise<QuantizedModule> {
  const converter = new Converter(model, resolveNBits(options.nBits ?? 8), resolveRounding(options.roundingThresholdBits), options.importQat ?? false);
  return converter.quantize(inputsetTensors(model, inputset));
}

function inputsetTensors(model: OnnxModel, inputset: QuantizationInputset): Tensor[] {
  const names = model.inputNames;
  let tensors: Tensor[];
  if (inputset instanceof Tensor) tensors = [inputset];
  else if (Array.isArray(inputset)) tensors = [...(inputset as readonly Tensor[])];
  else tensors = names.map((name) => (inputset as Readonly<Record<string, Tensor>>)[name]);
  if (tensors.length !== names.length || tensors.some((t) => !(t instanceof Tensor))) {
    throw new TypeError(`the inputset must give one tensor per model input (${names.join(', ')}), samples along axis 0`);
  }
  tensors.forEach((t, i) => {
    if (!isFloatTensor(t)) throw new TypeError(`inputset '${names[i]}' must be float32 or float64, got ${t.dtype}`);
    if (t.rank === 0 || t.shape[0] === 0) throw new RangeError(`inputset '${names[i]}' holds no samples`);
  });
  return tensors;
}

class Converter {
  readonly constants = new Map<string, GraphConstant>();
  readonly layers: QuantizedModuleLayer[] = [];

  constructor(
    readonly model: OnnxModel,
    readonly nBits: ResolvedNBits,
    readonly rounding: ResolvedRounding | null,
    readonly qat: boolean,
  ) {
    for (const [name, tensor] of model.graph.initializers) this.constants.set(name, { tensor, quantized: null });
  }

  async quantize(inputs: Tensor[]): Promise<QuantizedModule> {
    const graph = this.model.graph;
    const outputNames = new Set(graph.outputs.map((o) => o.name));
    const results = new Map<string, CalibrationValue>();
    const overrides = new Map<string, UniformQuantizer | null>();
    const producers = new Map<string, ReadonlySet<string>>();
    graph.inputs.forEach((info, i) => {
      results.set(info.name, inputs[i]);
      producers.set(info.name, new Set([info.name]));
    });
    const fast = graph.nodes.every((node) => node.opType === 'Constant' || LINEAR_BACKEND_OPS.has(node.opType));

    for (const node of graph.nodes) {
      if (node.outputs.length !== 1) throw new RangeError(`node '${node.name}' (${node.opType}) has ${node.outputs.length} outputs; quantized ops have one`);
      const output = node.outputs[0];
      if (node.opType === 'Constant') {
        this.constants.set(output, { tensor: runFloatNode(node, this.opsetOf(node), []), quantized: null });
        continue;
      }
      const opClass = quantizedOpClassOf(node);
      const constants = this.constantInputs(node, opClass);
      const variableNames = node.inputs.filter((name) => name === '' || !this.constants.has(name));
      const intInputs = new Set<string>();
      for (const name of node.inputs) for (const p of producers.get(name) ?? []) intInputs.add(p);

      if (variableNames.some((name) => name !== '')) {
        const calibration = variableNames.map((name) => (name === '' ? undefined : results.get(name)));
        const op = new opClass({
          node,
          opset: this.opsetOf(node),
          nBits: this.nBits.modelOutputs,
          intInputNames: intInputs,
          constants,
          inputQuantOptions: this.inputQuantOptions(calibration, opClass),
          rounding: opClass.isMixing ? this.rounding : null,
        });
        op.producesGraphOutput = outputNames.has(output);
        producers.set(output, op.canFuse() ? intInputs : new Set([output]));
        this.layers.push({ outputName: output, inputNames: variableNames, op });
        const quantizers = variableNames.map((name) => overrides.get(name) ?? null);
        const [data, quantizer] = await this.calibrateLayer(op, calibration, quantizers, fast);
        results.set(output, data);
        overrides.set(output, quantizer);
      } else {
        this.constants.set(output, await this.foldConstant(node, opClass, constants));
      }
    }

    // as Concrete ML: after calibration, before the input quantizers
    applyPowerOfTwoRounding(this.layers);
    const module = new QuantizedModule({
      inputNames: graph.inputs.map((i) => i.name),
      outputNames: graph.outputs.map((o) => o.name),
      layers: this.layers,
      nBits: this.nBits,
      rounding: this.rounding,
    });
    module.setInputQuantizers(this.inputQuantizers(inputs));
    for (const layer of this.layers) layer.op.recording = false;
    return module;
  }

  opsetOf(node: OnnxNode): number {
    return this.model.opsets.get(node.domain) ?? 0;
  }

  /** Constant inputs of a node, quantized with opWeights bits where the op computes on them. */
  constantInputs(node: OnnxNode, opClass: QuantizedOpClass): Map<number, ConstantInput> {
    const constants = new Map<number, ConstantInput>();
    node.inputs.forEach((name, index) => {
      const constant = name === '' ? undefined : this.constants.get(name);
      if (constant === undefined) return;
      if (!opClass.mustQuantizeInput(index)) constants.set(index, { tensor: constant.tensor, quantized: null });
      else if (constant.perChannel !== undefined && opClass.perChannelWeightsInput === index) constants.set(index, { tensor: constant.tensor, quantized: null, perChannel: constant.perChannel });
      else constants.set(index, { tensor: constant.tensor, quantized: constant.quantized ?? this.quantizeInitializer(this.nBits.opWeights, constant.tensor) });
    });
    return constants;
  }

  /**
   * Weights: integers are clear values (never quantized); booleans take 1 bit; floats are
   * symmetric when their 3rd-97th percentile range is balanced around 0 (post-training), or
   * QAT-gridded (zero point 0, signed) when importing QAT.
   */
  quantizeInitializer(nBits: number, tensor: Tensor): QuantizedValue | null {
    if (tensor.dtype === 'bool') {
      return QuantizedValue.fromFloat(1, toFloat64(tensor), { options: new QuantizationOptions(1) });
    }
    if (!isFloatTensor(tensor)) return null;
    if (this.qat) return QuantizedValue.fromFloat(nBits, tensor, { options: new QuantizationOptions(nBits, { isSigned: true, isQat: true }) });
    const symmetric = isSymmetricAroundZero(tensor);
    return QuantizedValue.fromFloat(nBits, tensor, { options: new QuantizationOptions(nBits, { isSigned: symmetric, isSymmetric: symmetric }) });
  }

  inputQuantOptions(values: readonly (CalibrationValue | undefined)[], opClass: QuantizedOpClass): QuantizationOptions {
    const nBits = opClass.quantizeInputsWithModelOutputsPrecision ? this.nBits.modelOutputs : this.nBits.opInputs;
    if (this.qat) return new QuantizationOptions(nBits, { isSigned: true, isQat: true });
    const isSigned = values.some((v) => v !== undefined && minimumOf(v instanceof RawValue ? v.tensor : v) < 0);
    return new QuantizationOptions(nBits, { isSigned });
  }

  async calibrateLayer(
    op: QuantizedOp,
    calibration: readonly (CalibrationValue | undefined)[],
    quantizers: readonly (UniformQuantizer | null)[],
    fast: boolean,
  ): Promise<[CalibrationValue, UniformQuantizer | null]> {
    const inputBits = op.class.quantizeInputsWithModelOutputsPrecision ? this.nBits.modelOutputs : this.nBits.opInputs;
    const quantized = calibration.map((data, i) => {
      if (data === undefined || data instanceof RawValue) return data;
      if (!isFloatTensor(data)) return new RawValue(data);
      const quantizer = quantizers[i];
      if (quantizer === null) return QuantizedValue.fromFloat(inputBits, data, { options: op.inputQuantOptions });
      return QuantizedValue.fromFloat(quantizer.nBits, data, { options: quantizer.options, stats: quantizer.stats, params: quantizer.params });
    });

    // Analytical only with clear weights: an encrypted x encrypted product's range is data's.
    if (fast && !this.qat && op instanceof QuantizedGemm && !op.isEncryptedGemm) {
      const raw = op.calibrate(quantized.map((v) => (v instanceof QuantizedValue ? v.values : v)));
      const prepared = op.prepareInputs(quantized, 'quantize');
      const [x, w, b] = prepared;
      if (!(x instanceof QuantizedValue) || !(w instanceof QuantizedValue)) throw new TypeError(`${op.describe()}: analytical calibration needs quantized operands`);
      const analytical = op.calibrateAnalytically(x, w, b instanceof QuantizedValue ? b : undefined);
      op.outputParams = analytical.params;
      op.outputStats = analytical.stats;
      op.recording = true;
      await op.qImpl(quantized, { calibrateRounding: true });
      return [raw, new UniformQuantizer({ options: op.inputQuantOptions, stats: op.outputStats, params: op.outputParams })];
    }

    const raw = op.calibrate(calibration);
    op.recording = true;
    const result = await op.qImpl(quantized, { calibrateRounding: op.class.isMixing });
    if (result instanceof RawValue) return [new RawValue(raw), null];
    if (op.producesGraphOutput) {
      op.outputStats = result.quantizer.stats;
      op.outputParams = result.quantizer.params;
    }
    if (this.qat) return [raw, result.quantizer];
    return [result.quantizer.dequant(result.qvalues), result.quantizer];
  }

  /** A node of constants only: evaluated once, in float (QAT quantizers keep their integers). */
  async foldConstant(node: OnnxNode, opClass: QuantizedOpClass, constants: Map<number, ConstantInput>): Promise<GraphConstant> {
    if (opClass === QuantizedBrevitasQuant) {
      const weights = constants.get(0)?.quantized;
      if (!weights) throw new TypeError(`node '${node.name}': only float constants can go through a Brevitas quantizer`);
      const quant = new QuantizedBrevitasQuant({
        node,
        opset: this.opsetOf(node),
        nBits: this.nBits.modelOutputs,
        intInputNames: new Set(),
        constants: new Map([...constants].filter(([index]) => index !== 0)),
        inputQuantOptions: this.inputQuantOptions([], opClass),
        rounding: null,
      });
      const perChannel = quant.foldPerChannel(constants.get(0)?.tensor ?? weights.values);
      if (perChannel !== null) return { ...perChannel, quantized: null };
      quant.calibrate([weights.values]);
      const result = await quant.qImpl([weights]);
      if (!(result instanceof QuantizedValue)) throw new TypeError(`node '${node.name}': the quantizer produced no integers`);
      return { tensor: result.values, quantized: result };
    }
    const tensors = node.inputs.map((_, index) => constants.get(index)?.tensor);
    const result = runFloatNode(node, this.opsetOf(node), tensors);
    if (opClass === QuantizedDequantizeLinear) return { tensor: result, ...this.qdqWeights(node, constants) };
    return { tensor: result, quantized: null };
  }

  /**
   * QDQ weights keep the integers of the file: per-tensor ones on their grid (precomputed QAT),
   * per-channel ones (an axis) with their scales, for the op that reads them per output channel.
   */
  qdqWeights(node: OnnxNode, constants: Map<number, ConstantInput>): Pick<GraphConstant, 'quantized' | 'perChannel'> {
    const integers = constants.get(0)?.tensor;
    const scale = constants.get(1)?.tensor;
    const zeroPoint = constants.get(2)?.tensor;
    if (integers === undefined || scale === undefined) return { quantized: null };
    const qvalues = new Tensor(Int32Array.from(integers.data as ArrayLike<number>), integers.shape) as Tensor<'int32'>;
    if (scale.size !== 1 || (zeroPoint !== undefined && zeroPoint.size !== 1)) {
      if (attrInt(node, 'block_size', 0) !== 0) throw new RangeError(`node '${node.name}' (DequantizeLinear): blocked quantization (block_size) is not supported`);
      const axis = attrInt(node, 'axis', 1);
      // the float interpreter has checked scale and zero point against the axis
      return {
        quantized: null,
        perChannel: {
          qvalues,
          axis: axis < 0 ? axis + integers.rank : axis,
          scales: Float64Array.from(scale.data as ArrayLike<number>),
          zeroPoints: zeroPoint === undefined ? new Float64Array(scale.size) : Float64Array.from(zeroPoint.data as ArrayLike<number>),
        },
      };
    }
    const signed = integers.dtype === 'int8' || integers.dtype === 'int16';
    const bits = integers.dtype === 'int16' || integers.dtype === 'uint16' ? 16 : 8;
    const options = new QuantizationOptions(bits, { isSigned: signed, isQat: true, isPrecomputedQat: true });
    const params = { scale: Number(scale.data[0]), zeroPoint: zeroPoint === undefined ? 0 : Number(zeroPoint.data[0]), offset: signed ? 2 ** (bits - 1) : 0 };
    return { quantized: QuantizedValue.fromParts(bits, qvalues, options, null, new UniformQuantizationParameters(params)) };
  }

  /** Concrete ML's _process_input_quantizers. */
  inputQuantizers(inputs: readonly Tensor[]): UniformQuantizer[] {
    return this.model.graph.inputs.map((info, i) => {
      const data = inputs[i] as FloatTensor;
      const users: QuantizedOp[] = [];
      const qatQuantizers: (QuantizedBrevitasQuant | QuantizedQuantizeLinear)[] = [];
      let optimizable = true;
      for (const { op } of this.layers) {
        if (!op.intInputNames.has(info.name)) continue;
        if (!op.canFuse()) users.push(op);
        else if (op instanceof QuantizedBrevitasQuant || op instanceof QuantizedQuantizeLinear) qatQuantizers.push(op);
        // DequantizeLinear only passes on what its QuantizeLinear made
        else if (!(op instanceof QuantizedDequantizeLinear)) optimizable = false;
      }
      if (!optimizable || qatQuantizers.length > 1 || (users.length === 0 && qatQuantizers.length === 0)) {
        const bits = this.nBits.modelInputs;
        return QuantizedValue.fromFloat(bits, data, { options: new QuantizationOptions(bits, { isSigned: true }) }).quantizer;
      }
      if (qatQuantizers.length === 1) {
        const quant = qatQuantizers[0];
        if (quant.outputParams === null) throw new Error(`${quant.describe()} was not calibrated`);
        // the integer ops behind the quantizer take its integers as they are
        for (const op of users) op.inputQuantOptions = quant.quantOptions;
        return new UniformQuantizer({ options: quant.quantOptions, stats: quant.outputStats, params: quant.outputParams });
      }
      const options = users[0].inputQuantOptions;
      return QuantizedValue.fromFloat(options.nBits, data, { options }).quantizer;
    });
  }
}

function minimumOf(tensor: Tensor): number {
  let min = Infinity;
  const data = tensor.data as ArrayLike<number | bigint>;
  for (let i = 0; i < data.length; i++) if (Number(data[i]) < min) min = Number(data[i]);
  return min;
}

/** Concrete ML's rule: symmetric when p3 < 0 < p97 and |p3 / p97| is within [1/3, 3]. */
export function isSymmetricAroundZero(tensor: Tensor): boolean {
  const sorted = Float64Array.from(tensor.data as ArrayLike<number>).sort();
  const low = percentile(sorted, 3);
  const high = percentile(sorted, 97);
  const ratio = Math.abs(high) < 0.001 ? 0 : Math.abs(low / high);
  const maxSkew = 3;
  return !((low > 0 && high > 0) || (low < 0 && high < 0) || ratio < 1 / maxSkew || ratio > maxSkew);
}
