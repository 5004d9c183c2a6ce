// Ops that change only the shape (the data is shared or copied unchanged) and constants.
import { Tensor, sizeOf } from '../../tensor';
import { formatShape } from '../errors';
import {
  attrFloat, attrFloats, attrInt, attrInts, attrTensor, input, normalizeAxis, opError, optionalInput, unsupported,
  readIntegers, type OpContext, type OpImplementation,
} from './context';
import { allocate, broadcastIndex, broadcastShapes } from './broadcast';

function reshape(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const x = input(ctx, 0);
  const requested = readIntegers(node, input(ctx, 1), 'shape');
  const allowZero = attrInt(node, 'allowzero', 0) !== 0;
  // 0 copies the input dimension (unless allowzero), -1 takes what is left.
  const shape = requested.map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d));
  const inferAt = shape.indexOf(-1);
  if (shape.some((d, i) => d === undefined || d < -1 || (d === -1 && i !== inferAt))) {
    throw opError(node, `cannot reshape ${formatShape(x.shape)} to ${formatShape(requested)}`);
  }
  if (inferAt >= 0) {
    const known = sizeOf(shape.filter((_, i) => i !== inferAt));
    if (known === 0 || x.size % known !== 0) {
      throw opError(node, `cannot reshape ${formatShape(x.shape)} to ${formatShape(requested)}`);
    }
    shape[inferAt] = x.size / known;
  }
  if (sizeOf(shape) !== x.size) {
    throw opError(node, `cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(requested)}`);
  }
  return [x.reshape(shape)];
}

function flatten(ctx: OpContext): Tensor[] {
  const x = input(ctx, 0);
  const axis = attrInt(ctx.node, 'axis', 1);
  const at = axis < 0 ? axis + x.rank : axis;
  if (at < 0 || at > x.rank) throw opError(ctx.node, `axis ${axis} is out of range for rank ${x.rank}`);
  return [x.reshape([sizeOf(x.shape.slice(0, at)), sizeOf(x.shape.slice(at))])];
}

/** Axes from the input (opset 13+) or the attribute (before). */
function axesOf(ctx: OpContext, since = 13): number[] | undefined {
  if (ctx.opset >= since) {
    const t = optionalInput(ctx, 1);
    return t === undefined ? undefined : readIntegers(ctx.node, t, 'axes');
  }
  return attrInts(ctx.node, 'axes');
}

function squeeze(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const x = input(ctx, 0);
  const axes = axesOf(ctx)?.map((a) => normalizeAxis(node, a, x.rank));
  for (const a of axes ?? []) {
    if (x.shape[a] !== 1) throw opError(node, `cannot squeeze axis ${a} of size ${x.shape[a]} in ${formatShape(x.shape)}`);
  }
  const keep = x.shape.filter((d, i) => (axes === undefined ? d !== 1 : !axes.includes(i)));
  return [x.reshape(keep)];
}

function unsqueeze(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const x = input(ctx, 0);
  const raw = axesOf(ctx);
  if (raw === undefined) throw opError(node, 'axes are required');
  const rank = x.rank + raw.length;
  const axes = raw.map((a) => normalizeAxis(node, a, rank));
  if (new Set(axes).size !== axes.length) throw opError(node, `axes ${formatShape(raw)} repeat an axis`);
  const shape: number[] = [];
  let from = 0;
  for (let i = 0; i < rank; i++) shape.push(axes.includes(i) ? 1 : x.shape[from++]);
  return [x.reshape(shape)];
}

function shapeOf(ctx: OpContext): Tensor[] {
  const x = input(ctx, 0);
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + x.rank : v, 0), x.rank);
  const start = clamp(attrInt(ctx.node, 'start', 0));
  const end = clamp(attrInt(ctx.node, 'end', x.rank));
  const dims = x.shape.slice(start, Math.max(start, end));
  return [new Tensor(BigInt64Array.from(dims, BigInt), [dims.length])];
}

function expand(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const x = input(ctx, 0);
  const target = readIntegers(node, input(ctx, 1), 'shape');
  const shape = broadcastShapes(node, [x.shape, target]);
  const out = allocate(x.dtype, shape);
  const index = broadcastIndex(x.shape, shape);
  const src = x.data as ArrayLike<unknown>;
  const dst = out.data as unknown as unknown[];
  for (let i = 0; i < dst.length; i++) dst[i] = src[index === undefined ? i : index[i]];
  return [out];
}

function constant(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const value = attrTensor(node, 'value');
  if (value !== undefined) return [value];
  if (node.attributes.has('value_float')) return [new Tensor(Float32Array.of(attrFloat(node, 'value_float', 0)), [])];
  const floats = attrFloats(node, 'value_floats');
  if (floats !== undefined) return [new Tensor(Float32Array.from(floats), [floats.length])];
  const int = node.attributes.get('value_int');
  if (int?.kind === 'int') return [new Tensor(BigInt64Array.of(int.value), [])];
  const ints = node.attributes.get('value_ints');
  if (ints?.kind === 'ints') return [new Tensor(BigInt64Array.from(ints.value), [ints.value.length])];
  throw opError(node, 'needs a value, value_float(s) or value_int(s) attribute (strings and sparse tensors are not supported)');
}

function constantOfShape(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const shape = readIntegers(node, input(ctx, 0), 'shape');
  const value = attrTensor(node, 'value') ?? new Tensor(new Float32Array(1), [1]);
  if (value.size !== 1) throw opError(node, `value must hold one element, got ${formatShape(value.shape)}`);
  const out = allocate(value.dtype, shape);
  (out.data as { fill(v: unknown): unknown }).fill(value.data[0]);
  return [out];
}

function dropout(ctx: OpContext): (Tensor | undefined)[] {
  const { node } = ctx;
  const x = input(ctx, 0);
  const training = optionalInput(ctx, 2);
  if (training !== undefined && training.data[0]) {
    throw unsupported(node, 'training_mode=true is not supported: the interpreter runs inference only');
  }
  const wantMask = (node.outputs[1] ?? '') !== '';
  const mask = wantMask ? Tensor.zeros('bool', x.shape) : undefined;
  mask?.data.fill(1);
  return [x, mask];
}

function size(ctx: OpContext): Tensor[] {
  return [new Tensor(BigInt64Array.of(BigInt(input(ctx, 0).size)), [])];
}

export const shapeOps: Record<string, OpImplementation> = {
  Reshape: reshape,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Shape: shapeOf,
  Size: size,
  Expand: expand,
  Identity: (ctx) => [input(ctx, 0)],
  Dropout: dropout,
  Constant: constant,
  ConstantOfShape: constantOfShape,
};
