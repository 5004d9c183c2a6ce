// Runs one op on the given tensors through a freshly built one-node model.
import { Tensor } from '../../lib/tensor';
import { OnnxModel } from '../../lib/onnx';
import { buildModel, type AttributeSpec } from './build-model';

export function runOp(
  op: string,
  inputs: (Tensor | undefined)[],
  options: { attributes?: Record<string, AttributeSpec>; outputs?: number; opset?: number; domain?: string } = {},
): Tensor[] {
  const names = inputs.map((t, i) => (t === undefined ? '' : `in${i}`));
  const outputs = Array.from({ length: options.outputs ?? 1 }, (_, i) => `out${i}`);
  const fed = inputs.flatMap((t, i) => (t === undefined ? [] : [{ name: `in${i}`, dtype: t.dtype }]));
  const extraOpsets = options.domain ? [{ domain: options.domain, version: 1 }] : [];
  const model = OnnxModel.load(buildModel({
    nodes: [{ op, inputs: names, outputs, attributes: options.attributes, name: `${op}_under_test`, domain: options.domain }],
    inputs: fed,
    // Output types are not checked by run(); float32 is a placeholder.
    outputs: outputs.map((name) => ({ name, dtype: 'float32' })),
    opset: options.opset,
    extraOpsets,
  }));
  const feeds = Object.fromEntries(inputs.flatMap((t, i) => (t === undefined ? [] : [[`in${i}`, t]])));
  const result = model.run(feeds);
  return outputs.map((name) => result[name]);
}

export const f32 = (values: number[], shape?: number[]): Tensor => new Tensor(Float32Array.from(values), shape);
export const f64 = (values: number[], shape?: number[]): Tensor => new Tensor(Float64Array.from(values), shape);
export const i64 = (values: number[], shape?: number[]): Tensor => new Tensor(BigInt64Array.from(values.map(BigInt)), shape);
export const bool = (values: number[], shape?: number[]): Tensor => new Tensor(Uint8Array.from(values), shape ?? [values.length], 'bool');
export const values = (t: Tensor): (number | bigint)[] => Array.from(t.data as ArrayLike<number | bigint>);
