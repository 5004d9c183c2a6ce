// Brevitas' Quant node (QONNX): a fake quantizer whose scale, zero point and bit width are in
// the graph. Its output quantizer is exactly those parameters (precomputed QAT), so the next
// integer op uses the integers it defines instead of re-quantizing.

import { QuantizationOptions, roundHalfToEven, UniformQuantizationParameters } from '../../quantization';
import type { OnnxNode } from '../../onnx';
import { Tensor } from '../../tensor';
import { attrInt, attrString } from '../attributes';
import { runFloatNode } from '../float-ops';
import { type ChannelQuantizedWeights, type PreparedInput, QuantizedOp, type QuantizedOpInit } from '../op';
import { type OpValue, QuantizedValue, type RawValue } from '../value';

export class QuantizedBrevitasQuant extends QuantizedOp {
  static override readonly rawInputs = new Set([1, 2, 3]);
  static override readonly quantizeInputsWithModelOutputsPrecision = true;
  readonly isSigned: boolean;
  readonly isNarrow: boolean;
  readonly bitWidth: number;
  readonly quantOptions: QuantizationOptions;
  /** The node as Concrete ML evaluates it: unsigned narrow rewritten to signed, full range. */
  readonly #floatNode: OnnxNode;

  constructor(init: QuantizedOpInit) {
    super(init);
    if (attrString(this.node, 'rounding_mode', 'ROUND') !== 'ROUND') {
      throw new RangeError(`${this.describe()}: only rounding_mode ROUND is supported for Brevitas quantizers`);
    }
    let signed = attrInt(this.node, 'signed', 1) === 1;
    let narrow = attrInt(this.node, 'narrow', 0) === 1;
    // an unsigned narrow range is represented as signed (Concrete ML does the same)
    if (!signed && narrow) [signed, narrow] = [true, false];
    this.isSigned = signed;
    this.isNarrow = narrow;
    const attributes = new Map(this.node.attributes);
    attributes.set('signed', { kind: 'int', value: BigInt(signed ? 1 : 0) });
    attributes.set('narrow', { kind: 'int', value: BigInt(narrow ? 1 : 0) });
    this.#floatNode = { ...this.node, attributes };
    this.bitWidth = this.constantNumber(3, 'bit width');
    this.quantOptions = this.outputQuantOptions().with({
      nBits: this.bitWidth,
      isQat: true,
      isPrecomputedQat: true,
      isNarrow: narrow,
      isSigned: signed,
    });
  }

  private constantNumber(index: number, what: string): number {
    const constant = this.constants.get(index);
    if (constant === undefined || constant.tensor.size !== 1) throw new TypeError(`${this.describe()}: the ${what} must be a constant scalar`);
    return Number(constant.tensor.data[0]);
  }

  /** Brevitas exports signed narrow weights as signed = 0, narrow = 1; the rewrite keeps their negative integers. */
  override floatImpl(prepared: readonly PreparedInput[]): Tensor {
    return runFloatNode(this.#floatNode, this.opset, prepared.map((p) => (p instanceof QuantizedValue ? p.values : p)));
  }

  /**
   * Constant weights under a per-channel scale (Brevitas' per-channel weight quantizers, which
   * Concrete ML 1.9 cannot run): their fake-quantized reals and their integers, one scale and
   * zero point per channel along the one axis the scale varies on. Null for a per-tensor scale.
   */
  foldPerChannel(weights: Tensor): { tensor: Tensor; perChannel: ChannelQuantizedWeights } | null {
    const scale = this.constants.get(1)?.tensor;
    const zeroPoint = this.constants.get(2)?.tensor;
    const bits = this.constants.get(3)?.tensor;
    if (scale === undefined || zeroPoint === undefined || bits === undefined || scale.size === 1) return null;
    const offset = weights.rank - scale.rank;
    const varying = scale.shape.flatMap((size, d) => (size > 1 ? [d + offset] : []));
    const axis = varying[0];
    if (varying.length !== 1 || offset < 0 || weights.shape[axis] !== scale.size || (zeroPoint.size !== 1 && zeroPoint.size !== scale.size)) {
      throw new RangeError(`${this.describe()}: a per-channel scale [${scale.shape.join(', ')}] must vary along one axis of the weights [${weights.shape.join(', ')}]`);
    }
    const scales = Float64Array.from(scale.data as ArrayLike<number>);
    const zeroPoints = Float64Array.from({ length: scales.length }, (_, c) => Math.trunc(Number(zeroPoint.data[zeroPoint.size === 1 ? 0 : c])));
    const tensor = runFloatNode(this.#floatNode, this.opset, [weights, scale, zeroPoint, bits]);
    // the integers back from the reals on their grid: (q - z) * s is within an ulp of the grid
    const stride = weights.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const values = tensor.data as ArrayLike<number>;
    const qvalues = new Int32Array(values.length);
    for (let i = 0; i < qvalues.length; i++) {
      const c = Math.floor(i / stride) % scales.length;
      qvalues[i] = roundHalfToEven(values[i] / scales[c] + zeroPoints[c]);
    }
    return { tensor, perChannel: { qvalues: new Tensor(qvalues, weights.shape) as Tensor<'int32'>, axis, scales, zeroPoints } };
  }

  override calibrate(inputs: readonly (Tensor | RawValue | undefined)[]): Tensor {
    const result = super.calibrate(inputs);
    this.outputParams = new UniformQuantizationParameters({
      scale: this.constantNumber(1, 'scale'),
      zeroPoint: Math.trunc(this.constantNumber(2, 'zero point')),
      offset: this.isSigned ? 2 ** (this.bitWidth - 1) : 0,
    });
    return result;
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[]): Promise<OpValue> {
    const x = inputs[0];
    const params = this.outputParams;
    if (params === null) throw new Error(`${this.describe()} must be calibrated first`);
    // already quantized by this very quantizer: nothing to do
    if (x instanceof QuantizedValue && x.quantizer.options.isEquivalent(this.quantOptions) && x.quantizer.scale === params.scale && x.quantizer.zeroPoint === params.zeroPoint) {
      return x;
    }
    const result = this.floatImpl(this.prepareInputs(inputs, 'float'));
    return QuantizedValue.fromFloat(this.bitWidth, result as Tensor<'float64'>, { options: this.quantOptions, stats: this.outputStats, params });
  }
}
