// Runs a graph in floating point (and whatever integer types its ops use), node by node in
// topological order.
import { Tensor, type TensorLike } from '../tensor';
import type { OnnxGraph, ValueInfo } from './graph';
import { OnnxError, describeNode, formatShape } from './errors';
import { findOp } from './ops/registry';
import { castTensor } from './ops/cast';

export interface RunOptions {
  /** Names of the values to return (any graph value); default: the graph outputs. */
  readonly outputs?: readonly string[];
  /** Called with every value as soon as it exists (inputs, initializers excluded, intermediates, outputs). */
  readonly onValue?: (name: string, value: Tensor) => void;
}

function checkFeed(info: ValueInfo, value: TensorLike): Tensor {
  let tensor = Tensor.from(value);
  if (!(value instanceof Tensor) && info.dtype !== undefined && tensor.dtype !== info.dtype) {
    // Plain nested numbers come as float64: give them the declared type.
    tensor = castTensor(tensor, info.dtype);
  }
  if (info.elemType !== 0 && info.dtype === undefined) {
    throw new OnnxError(`input '${info.name}' has a type the interpreter does not support (ONNX type ${info.elemType})`, 'unsupported-type');
  }
  if (info.dtype !== undefined && tensor.dtype !== info.dtype) {
    throw new OnnxError(`input '${info.name}' must be ${info.dtype}, got ${tensor.dtype}`, 'bad-input');
  }
  if (info.shape !== undefined) {
    const fits = info.shape.length === tensor.rank && info.shape.every((d, i) => typeof d !== 'number' || d === tensor.shape[i]);
    if (!fits) {
      const declared = `[${info.shape.map((d) => (d === null ? '?' : d)).join(', ')}]`;
      throw new OnnxError(`input '${info.name}' must have shape ${declared}, got ${formatShape(tensor.shape)}`, 'bad-input');
    }
  }
  return tensor;
}

/** For each value name, the index of the last node that reads it (to free memory early). */
export function lastUses(graph: OnnxGraph): Map<string, number> {
  const last = new Map<string, number>();
  graph.nodes.forEach((node, index) => {
    for (const name of node.inputs) if (name !== '') last.set(name, index);
  });
  return last;
}

export function runGraph(
  graph: OnnxGraph,
  opsets: ReadonlyMap<string, number>,
  lastUse: ReadonlyMap<string, number>,
  feeds: Readonly<Record<string, TensorLike>>,
  options: RunOptions = {},
): Record<string, Tensor> {
  const values = new Map<string, Tensor>(graph.initializers);
  const expected = new Set(graph.inputs.map((i) => i.name));
  for (const name of Object.keys(feeds)) {
    if (!expected.has(name)) {
      const known = [...expected].map((n) => `'${n}'`).join(', ');
      throw new OnnxError(`'${name}' is not an input of the model (inputs: ${known || 'none'})`, 'bad-input');
    }
  }
  for (const info of graph.inputs) {
    const value = feeds[info.name];
    if (value === undefined) throw new OnnxError(`input '${info.name}' is missing`, 'bad-input');
    const tensor = checkFeed(info, value);
    values.set(info.name, tensor);
    options.onValue?.(info.name, tensor);
  }

  const wanted = options.outputs ?? graph.outputs.map((o) => o.name);
  const keep = new Set(wanted);
  graph.nodes.forEach((node, index) => {
    const inputs = node.inputs.map((name) => (name === '' ? undefined : values.get(name)));
    const implementation = findOp(node.domain, node.opType);
    if (implementation === undefined) throw new OnnxError(`${describeNode(node)}: op is not supported`, 'unsupported-op');
    let results: (Tensor | undefined)[];
    try {
      results = implementation({ node, inputs, opset: opsets.get(node.domain) ?? 0 });
    } catch (error) {
      if (error instanceof OnnxError) throw error;
      const shapes = inputs.map((t) => (t ? `${t.dtype} ${formatShape(t.shape)}` : 'none')).join(', ');
      throw new OnnxError(`${describeNode(node)} failed on inputs (${shapes}): ${(error as Error).message}`, 'op-failure');
    }
    node.outputs.forEach((name, i) => {
      if (name === '') return;
      const result = results[i];
      if (result === undefined) throw new OnnxError(`${describeNode(node)} does not produce output ${i} ('${name}')`, 'unsupported-op');
      values.set(name, result);
      options.onValue?.(name, result);
    });
    for (const name of node.inputs) {
      if (lastUse.get(name) === index && !keep.has(name) && !graph.initializers.has(name)) values.delete(name);
    }
  });

  const result: Record<string, Tensor> = {};
  for (const name of wanted) {
    const value = values.get(name);
    if (value === undefined) throw new OnnxError(`'${name}' is not a value of the graph`, 'bad-input');
    result[name] = value;
  }
  return result;
}
