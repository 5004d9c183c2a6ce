// Float semantics of an ONNX node for calibration and table lookups, borrowed from the float
// interpreter (lib/onnx/ops). Concrete ML runs these through numpy, which mixes widths freely
// (float64 activations times float32 weights); the interpreter wants one dtype per op, so float
// inputs are widened to float64 and the result is rounded back to float32 only when every float
// input was float32, which is the width numpy would have produced.

import type { OnnxNode } from '../onnx';
import { findOp } from '../onnx/ops/registry';
import { Tensor } from '../tensor';
import { attrInt, attrInts } from './attributes';
import { toFloat64 } from './value';

/** numpy.logaddexp(0, y), branch for branch. */
function logAddExpZero(y: number): number {
  if (y === 0) return Math.LN2;
  return y < 0 ? Math.log1p(Math.exp(y)) : y + Math.log1p(Math.exp(-y));
}

/**
 * Ops whose float formula differs between the interpreter and Concrete ML's numpy code; table
 * contents follow Concrete ML's formula so that the same reals round to the same integers.
 */
const CONCRETE_FORMULAS: Record<string, (x: number) => number> = {
  Sigmoid: (x) => Math.exp(-logAddExpZero(-x)),
  Softplus: (x) => Math.log(Math.exp(x) + 1),
};

/** Concrete ML pads the input of these ops in a float32 buffer, so padded inputs lose their float64 bits. */
const PADDED_IN_FLOAT32 = new Set(['Conv', 'AveragePool', 'MaxPool']);

/** Whether Concrete ML pads the input: explicit pads, or a pool whose ceil_mode adds rows or columns. */
function hasPadding(node: OnnxNode, input: Tensor): boolean {
  const pads = attrInts(node, 'pads') ?? [];
  if (pads.some((p) => p > 0)) return true;
  if (node.opType === 'Conv' || attrInt(node, 'ceil_mode', 0) !== 1) return false;
  // its extra padding: ceil minus floor of (size + pads - kernel) / stride, per spatial axis
  const kernel = attrInts(node, 'kernel_shape') ?? [];
  const strides = attrInts(node, 'strides') ?? kernel.map(() => 1);
  const rank = kernel.length;
  return kernel.some((k, d) => (input.shape[d + 2] + (pads[d] ?? 0) + (pads[d + rank] ?? 0) - k) % strides[d] !== 0);
}

function roundedToFloat32(tensor: Tensor<'float64'>): Tensor<'float64'> {
  return new Tensor(Float64Array.from(tensor.data, Math.fround), tensor.shape);
}

export function runFloatNode(node: OnnxNode, opset: number, inputs: readonly (Tensor | undefined)[]): Tensor {
  const implementation = findOp(node.domain, node.opType);
  if (implementation === undefined) throw new Error(`no float implementation for ${node.opType} (node '${node.name}')`);
  const floats = inputs.filter((t): t is Tensor => t !== undefined && (t.dtype === 'float32' || t.dtype === 'float64'));
  const allFloat32 = floats.length > 0 && floats.every((t) => t.dtype === 'float32');
  // Integer-typed inputs of ops that need them (indices, shapes, QDQ integers) are left alone.
  const widened = inputs.map((t) => (t !== undefined && floats.includes(t) ? toFloat64(t) : t));
  if (node.domain === '' && PADDED_IN_FLOAT32.has(node.opType) && widened[0]?.dtype === 'float64' && hasPadding(node, widened[0])) {
    widened[0] = roundedToFloat32(widened[0] as Tensor<'float64'>);
  }
  const formula = node.domain === '' ? CONCRETE_FORMULAS[node.opType] : undefined;
  if (formula !== undefined && widened[0] !== undefined) {
    const x = widened[0] as Tensor<'float64'>;
    const out = new Float64Array(x.size);
    for (let i = 0; i < out.length; i++) out[i] = formula(x.data[i]);
    return allFloat32 ? new Tensor(Float32Array.from(out), x.shape) : new Tensor(out, x.shape);
  }
  const [result] = implementation({ node, inputs: widened, opset });
  if (result === undefined) throw new Error(`${node.opType} (node '${node.name}') produced no output`);
  if (result.dtype === 'bool') return toFloat64(result);
  if (allFloat32 && result.dtype === 'float64') return new Tensor(Float32Array.from(result.data as Float64Array), result.shape);
  return result;
}
