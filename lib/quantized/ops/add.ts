// Add / Sub. With a constant, or when both operands derive from one encrypted tensor, the op
// is univariate and folds into a table lookup. Two independent encrypted tensors are each
// re-quantized (one table lookup each) to a common scale with zero point 0, then added as
// integers: the output's scale, or the smaller input scale when the sum is a graph output.

import { roundHalfToEven } from '../../quantization';
import { Tensor } from '../../tensor';
import { runFloatNode } from '../float-ops';
import { QuantizedOp, type QImplOptions, quantizedInput } from '../op';
import { type OpValue, RawValue } from '../value';

export class QuantizedAdd extends QuantizedOp {
  static override readonly isMixing = true;
  static readonly sign: 1 | -1 = 1;

  override canFuse(): boolean {
    return this.intInputNames.size === 1;
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[], options: QImplOptions = {}): Promise<OpValue> {
    void options;
    if (inputs.every((value) => value instanceof RawValue)) {
      return new RawValue(runFloatNode(this.node, this.opset, this.prepareInputs(inputs, 'float') as Tensor[]));
    }
    if (this.constants.size >= 2) throw new Error(`${this.describe()}: constant folding should have removed an Add of two constants`);
    if (this.constants.size > 0 || this.canFuse()) return super.qImpl(inputs);

    const prepared = this.prepareInputs(inputs, 'quantize');
    const a = quantizedInput(this, prepared, 0, 'first operand');
    const b = quantizedInput(this, prepared, 1, 'second operand');
    if (this.outputParams === null) throw new Error(`${this.describe()} must be calibrated first`);
    const scale = this.producesGraphOutput ? Math.min(a.quantizer.scale, b.quantizer.scale) : this.outputParams.scale;
    const realsA = a.quantizer.dequant(a.qvalues);
    const realsB = b.quantizer.dequant(b.qvalues);
    this.recordLookupInput('input0', a.qvalues.data);
    this.recordLookupInput('input1', b.qvalues.data);
    const shape = broadcastShape(this, realsA.shape, realsB.shape);
    const sign = (this.constructor as typeof QuantizedAdd).sign;
    const sum = new Float64Array(shape.reduce((x, y) => x * y, 1));
    const indexA = broadcastIndexer(realsA.shape, shape);
    const indexB = broadcastIndexer(realsB.shape, shape);
    for (let i = 0; i < sum.length; i++) {
      // no clipping: the common-scale integers may be wider than either input
      sum[i] = roundHalfToEven(realsA.data[indexA(i)] / scale + 0) + sign * roundHalfToEven(realsB.data[indexB(i)] / scale + 0);
    }
    if (this.producesGraphOutput) {
      return this.makeOutputQuantParameters(new Tensor(Int32Array.from(sum), shape), scale, 0);
    }
    this.recordLookupInput('sum', sum);
    const out = new Float64Array(sum.length);
    for (let i = 0; i < sum.length; i++) out[i] = scale * (sum[i] - 0);
    return this.prepareOutput(new Tensor(out, shape));
  }
}

export class QuantizedSub extends QuantizedAdd {
  static override readonly sign = -1;
}

export function broadcastShape(op: QuantizedOp, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new RangeError(`${op.describe()}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Flat index into a tensor of shape `from` for flat index i of the broadcast shape `to`. */
export function broadcastIndexer(from: readonly number[], to: readonly number[]): (i: number) => number {
  if (from.length === to.length && from.every((d, k) => d === to[k])) return (i) => i;
  const strides = new Array<number>(to.length).fill(0);
  for (let k = from.length - 1, stride = 1; k >= 0; k--) {
    strides[to.length - from.length + k] = from[k] === 1 ? 0 : stride;
    stride *= from[k];
  }
  return (i) => {
    let at = 0;
    for (let k = to.length - 1; k >= 0; k--) {
      at += (i % to[k]) * strides[k];
      i = Math.floor(i / to[k]);
    }
    return at;
  };
}
