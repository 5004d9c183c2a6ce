// What executors take and give: per input, a batch of samples, either a tensor of shape
// [batch, ...inputShape] (or exactly inputShape for one sample) or a flat array of
// batch * size integers; outputs are Tensor<'int32'> of shape [batch, ...outputShape].

import { Tensor } from '../../tensor';
import { formatRange, type IntegerRange } from './integers';
import { formatShape, sameShape, type Shape } from './shapes';

/** One circuit input or output as the executors see it. */
export interface TensorSpec {
  readonly id: number;
  readonly name: string;
  readonly shape: Shape;
  readonly size: number;
  readonly range: IntegerRange;
}

/** A batch for one input: a tensor with shape, or flat integers (batch * size of them). */
export type CircuitInputValue = { readonly data: ArrayLike<number>; readonly shape: readonly number[] } | ArrayLike<number>;

/** One value per circuit input; a circuit with one input also takes it bare. */
export type CircuitInputs = CircuitInputValue | readonly CircuitInputValue[];

function hasShape(value: CircuitInputValue): value is { readonly data: ArrayLike<number>; readonly shape: readonly number[] } {
  return typeof value === 'object' && value !== null && 'shape' in value && 'data' in value;
}

function asList(specs: readonly TensorSpec[], inputs: CircuitInputs): readonly CircuitInputValue[] {
  const isList = Array.isArray(inputs) && inputs.length > 0 && typeof inputs[0] !== 'number';
  if (specs.length === 1 && !isList) return [inputs as CircuitInputValue];
  if (!Array.isArray(inputs) || inputs.length !== specs.length) {
    throw new RangeError(`expected ${specs.length} inputs (${specs.map((s) => s.name).join(', ')}), got `
      + `${Array.isArray(inputs) ? inputs.length : 'one value'}`);
  }
  return inputs as readonly CircuitInputValue[];
}

function batchOf(spec: TensorSpec, value: CircuitInputValue): { batch: number; data: ArrayLike<number> } {
  if (hasShape(value)) {
    const { shape, data } = value;
    if (sameShape(shape, spec.shape)) return { batch: 1, data };
    if (shape.length === spec.shape.length + 1 && sameShape(shape.slice(1), spec.shape)) return { batch: shape[0], data };
    throw new RangeError(`input '${spec.name}' has shape ${formatShape(shape)}; expected [batch, ...${formatShape(spec.shape)}]`);
  }
  const length = value?.length;
  if (!Number.isInteger(length) || length === 0 || length % spec.size !== 0) {
    throw new RangeError(`input '${spec.name}' needs a multiple of ${spec.size} values (one sample of ${formatShape(spec.shape)}), got ${length}`);
  }
  return { batch: length / spec.size, data: value };
}

/** Checks every value (integer, inside the input's range) and returns them as float64 per input. */
export function parseInputs(specs: readonly TensorSpec[], inputs: CircuitInputs): { batch: number; values: Float64Array[] } {
  const list = asList(specs, inputs);
  let batch: number | undefined;
  const values = specs.map((spec, slot) => {
    const parsed = batchOf(spec, list[slot]);
    if (batch !== undefined && parsed.batch !== batch) {
      throw new RangeError(`inputs disagree on the batch size: '${specs[0].name}' has ${batch}, '${spec.name}' has ${parsed.batch}`);
    }
    batch = parsed.batch;
    const data = parsed.data;
    if (data.length !== parsed.batch * spec.size) {
      throw new RangeError(`input '${spec.name}' holds ${data.length} values for ${parsed.batch} samples of ${spec.size}`);
    }
    const out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < spec.range.min || v > spec.range.max) {
        throw new RangeError(`input '${spec.name}': value ${String(v)} at flat index ${i} is not an integer in its range `
          + `${formatRange(spec.range)} (quantize and clip the input first)`);
      }
      out[i] = v;
    }
    return out;
  });
  return { batch: batch!, values };
}

export function outputTensor(spec: TensorSpec, values: ArrayLike<number>, batch: number): Tensor<'int32'> {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    if (values[i] < -(2 ** 31) || values[i] >= 2 ** 31) throw new RangeError(`output '${spec.name}': value ${values[i]} does not fit int32`);
    out[i] = values[i];
  }
  return new Tensor(out, [batch, ...spec.shape]);
}
