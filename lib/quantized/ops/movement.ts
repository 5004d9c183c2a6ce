// Data movement on integers, no table lookup: the op rearranges the integers and keeps the
// quantizer. Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Concat and Expand quantize their
// input with modelOutputs bits (coarser re-quantization there would cost accuracy for nothing);
// Gather, Slice and Pad use opInputs. Shape and ConstantOfShape produce clear values.

import { Tensor } from '../../tensor';
import { runFloatNode } from '../float-ops';
import { int32Of } from '../integers';
import { padSpatial } from '../kernels';
import { QuantizedOp, quantizedInput, type PreparedInput } from '../op';
import { type OpValue, QuantizedValue, RawValue } from '../value';

/** Runs the node's own (dtype-agnostic) implementation on the integers, other inputs as given. */
function moveIntegers(op: QuantizedOp, prepared: readonly PreparedInput[]): Tensor<'int32'> {
  const tensors = prepared.map((p) => (p instanceof QuantizedValue ? p.qvalues : p));
  const result = runFloatNode(op.node, op.opset, tensors);
  if (result.dtype !== 'int32') throw new TypeError(`${op.describe()}: moving integers produced ${result.dtype}`);
  return result as Tensor<'int32'>;
}

abstract class QuantizedMovement extends QuantizedOp {
  /** Squeeze, Unsqueeze and Expand label their result with their own output options. */
  static readonly ownOutputOptions: boolean = false;

  override canFuse(): boolean {
    return false;
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[]): Promise<OpValue> {
    const prepared = this.prepareInputs(inputs, 'quantize');
    const x = quantizedInput(this, prepared, 0, 'input');
    const original = inputs[0] instanceof QuantizedValue ? inputs[0] : x;
    const options = (this.constructor as typeof QuantizedMovement).ownOutputOptions ? this.outputQuantOptions() : x.quantizer.options;
    return QuantizedValue.fromParts(original.quantizer.nBits, moveIntegers(this, prepared), options, x.quantizer.stats, x.quantizer.params);
  }
}

export class QuantizedReshape extends QuantizedMovement {
  static override readonly rawInputs = new Set([1, 2]);
  static override readonly quantizeInputsWithModelOutputsPrecision = true;
}

export class QuantizedFlatten extends QuantizedMovement {
  static override readonly quantizeInputsWithModelOutputsPrecision = true;
}

export class QuantizedTranspose extends QuantizedMovement {
  static override readonly quantizeInputsWithModelOutputsPrecision = true;
}

export class QuantizedSqueeze extends QuantizedMovement {
  static override readonly rawInputs = new Set([1]);
  static override readonly quantizeInputsWithModelOutputsPrecision = true;
  static override readonly ownOutputOptions = true;
}

export class QuantizedUnsqueeze extends QuantizedMovement {
  static override readonly rawInputs = new Set([1]);
  static override readonly quantizeInputsWithModelOutputsPrecision = true;
  static override readonly ownOutputOptions = true;
}

export class QuantizedExpand extends QuantizedMovement {
  static override readonly rawInputs = new Set([1]);
  static override readonly quantizeInputsWithModelOutputsPrecision = true;
  static override readonly ownOutputOptions = true;
}

export class QuantizedSlice extends QuantizedMovement {
  static override readonly rawInputs = new Set([1, 2, 3, 4]);
}

export class QuantizedGather extends QuantizedMovement {
  static override readonly rawInputs = new Set([1]);

  override async qImpl(inputs: readonly (OpValue | undefined)[]): Promise<OpValue> {
    const prepared = this.prepareInputs(inputs, 'quantize');
    if (!(prepared[0] instanceof QuantizedValue)) return new RawValue(runFloatNode(this.node, this.opset, prepared as Tensor[]));
    const x = prepared[0];
    return QuantizedValue.fromParts(x.quantizer.nBits, moveIntegers(this, prepared), x.quantizer.options, x.quantizer.stats, x.quantizer.params);
  }
}

export class QuantizedConcat extends QuantizedOp {
  static override readonly quantizeInputsWithModelOutputsPrecision = true;

  override canFuse(): boolean {
    return false;
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[]): Promise<OpValue> {
    const prepared = this.prepareInputs(inputs, 'quantize');
    const parts = prepared.map((_, i) => quantizedInput(this, prepared, i, `input ${i}`));
    const first = parts[0].quantizer;
    const same = parts.every((p) => p.quantizer.scale === first.scale && p.quantizer.zeroPoint === first.zeroPoint);
    if (!same || !parts.every((p) => p.quantizer.options.isEquivalent(first.options))) {
      throw new RangeError(
        `${this.describe()}: all inputs must have the same scale and zero point to be concatenated (scales ${parts.map((p) => p.quantizer.scale).join(', ')}); ` +
          'concatenate tensors that share one quantizer, e.g. behind the same QAT quantizer',
      );
    }
    const original = inputs[0] instanceof QuantizedValue ? inputs[0] : parts[0];
    return QuantizedValue.fromParts(original.quantizer.nBits, moveIntegers(this, prepared), first.options, first.stats, first.params);
  }
}

/** Constant zero padding of the spatial axes, with the zero point (the integer of 0). */
export class QuantizedPad extends QuantizedOp {
  static override readonly rawInputs = new Set([1, 2, 3]);

  override canFuse(): boolean {
    return false;
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[]): Promise<OpValue> {
    const prepared = this.prepareInputs(inputs, 'quantize');
    const x = quantizedInput(this, prepared, 0, 'input');
    const mode = this.node.attributes.get('mode');
    if (mode !== undefined && !(mode.kind === 'string' && mode.value === 'constant')) {
      throw new RangeError(`${this.describe()}: only constant padding is supported`);
    }
    const padsTensor = prepared[1];
    if (!(padsTensor instanceof Tensor)) throw new TypeError(`${this.describe()}: pads must be a constant`);
    const pads = Array.from(padsTensor.data as ArrayLike<number | bigint>, Number);
    const value = prepared[2];
    if (value instanceof Tensor && Number(value.data[0]) !== 0) throw new RangeError(`${this.describe()}: only padding with 0 is supported`);
    if (x.shape.length !== 4 || pads.length !== 8 || pads[0] !== 0 || pads[1] !== 0 || pads[4] !== 0 || pads[5] !== 0) {
      throw new RangeError(`${this.describe()}: only padding of the height and width of [N, C, H, W] tensors is supported, got pads [${pads.join(', ')}]`);
    }
    const zp = x.quantizer.zeroPoint;
    if (typeof zp !== 'number') throw new RangeError(`${this.describe()}: the input must have a scalar zero point`);
    const padded = padSpatial(int32Of(x.qvalues), x.shape, [pads[2], pads[3], pads[6], pads[7]], zp);
    const original = inputs[0] instanceof QuantizedValue ? inputs[0] : x;
    return QuantizedValue.fromParts(original.quantizer.nBits, new Tensor(padded.data, padded.shape), x.quantizer.options, x.quantizer.stats, x.quantizer.params);
  }
}

export class QuantizedShape extends QuantizedOp {
  static override readonly producesRawOutput = true;

  override canFuse(): boolean {
    return false;
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[]): Promise<OpValue> {
    const x = inputs[0];
    if (x === undefined) throw new TypeError(`${this.describe()}: missing input`);
    const shape = x instanceof RawValue ? x.tensor.shape : x.shape;
    return new RawValue(new Tensor(BigInt64Array.from(shape, (d) => BigInt(d)), [shape.length]));
  }
}

export class QuantizedConstantOfShape extends QuantizedOp {
  static override readonly rawInputs = new Set([0]);
  static override readonly producesRawOutput = true;

  override canFuse(): boolean {
    return false;
  }

  override async qImpl(inputs: readonly (OpValue | undefined)[]): Promise<OpValue> {
    return new RawValue(runFloatNode(this.node, this.opset, this.prepareInputs(inputs, 'float') as Tensor[]));
  }
}
