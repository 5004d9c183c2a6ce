// Ops that move elements around: Transpose, Concat, Split, Gather, Slice, Pad, Tile.
import { Tensor, sizeOf } from '../../tensor';
import { formatShape } from '../errors';
import {
  attrInt, attrInts, attrString, input, normalizeAxis, opError, optionalInput, readIntegers,
  type OpContext, type OpImplementation,
} from './context';
import { allocate, stridesOf } from './broadcast';

type Elements = ArrayLike<unknown>;
type Writable = unknown[];

/** Calls `visit(outFlat, inFlat)` for every output element of a strided view of `inShape`. */
function forEachStrided(outShape: readonly number[], inStrides: readonly number[], inStart: number, visit: (out: number, at: number) => void): void {
  const rank = outShape.length;
  const size = sizeOf(outShape);
  const counter = new Array<number>(rank).fill(0);
  let at = inStart;
  for (let i = 0; i < size; i++) {
    visit(i, at);
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      at += inStrides[d];
      if (counter[d] < outShape[d]) break;
      at -= inStrides[d] * counter[d];
      counter[d] = 0;
    }
  }
}

function transpose(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const x = input(ctx, 0);
  const perm = attrInts(node, 'perm') ?? x.shape.map((_, i) => x.rank - 1 - i);
  if (perm.length !== x.rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw opError(node, `perm ${formatShape(perm)} is not a permutation of the axes of ${formatShape(x.shape)}`);
  }
  const inStrides = stridesOf(x.shape);
  const outShape = perm.map((p) => x.shape[p]);
  const out = allocate(x.dtype, outShape);
  const src = x.data as Elements;
  const dst = out.data as unknown as Writable;
  forEachStrided(outShape, perm.map((p) => inStrides[p]), 0, (o, i) => (dst[o] = src[i]));
  return [out];
}

/** Copies `x` into `out` at `offset` along `axis` (both share every other dimension). */
function copyBlock(x: Tensor, out: Tensor, axis: number, offset: number): void {
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const block = x.shape[axis] * inner;
  const outBlock = out.shape[axis] * inner;
  const src = x.data as Elements;
  const dst = out.data as unknown as Writable;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < block; i++) dst[o * outBlock + offset * inner + i] = src[o * block + i];
  }
}

function concat(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const tensors = ctx.inputs.filter((t): t is Tensor => t !== undefined);
  if (tensors.length === 0) throw opError(node, 'needs at least one input');
  const first = tensors[0];
  const axis = normalizeAxis(node, attrInt(node, 'axis', 0), first.rank);
  for (const t of tensors) {
    const fits = t.dtype === first.dtype && t.rank === first.rank && t.shape.every((d, i) => i === axis || d === first.shape[i]);
    if (!fits) {
      throw opError(node, `cannot concatenate ${first.dtype} ${formatShape(first.shape)} and ${t.dtype} ${formatShape(t.shape)} along axis ${axis}`);
    }
  }
  const shape = [...first.shape];
  shape[axis] = tensors.reduce((n, t) => n + t.shape[axis], 0);
  const out = allocate(first.dtype, shape);
  let offset = 0;
  for (const t of tensors) {
    copyBlock(t, out, axis, offset);
    offset += t.shape[axis];
  }
  return [out];
}

function split(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const x = input(ctx, 0);
  const axis = normalizeAxis(node, attrInt(node, 'axis', 0), x.rank);
  const count = node.outputs.length;
  const splitInput = ctx.opset >= 13 ? optionalInput(ctx, 1) : undefined;
  let sizes = splitInput ? readIntegers(node, splitInput, 'split') : attrInts(node, 'split');
  const length = x.shape[axis];
  if (sizes === undefined) {
    const parts = attrInt(node, 'num_outputs', count);
    // Opset 18 allows an uneven split: equal ceil-sized parts, the last one smaller.
    const part = Math.ceil(length / parts);
    if (ctx.opset < 18 && length % parts !== 0) throw opError(node, `axis ${axis} of size ${length} does not split into ${parts} equal parts`);
    sizes = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(part, length - i * part)));
  }
  if (sizes.length !== count || sizes.reduce((a, b) => a + b, 0) !== length) {
    throw opError(node, `split sizes ${formatShape(sizes)} do not cover axis ${axis} of ${formatShape(x.shape)} with ${count} outputs`);
  }
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const src = x.data as Elements;
  let start = 0;
  return sizes.map((s) => {
    const shape = [...x.shape];
    shape[axis] = s;
    const out = allocate(x.dtype, shape);
    const dst = out.data as unknown as Writable;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < s * inner; i++) dst[o * s * inner + i] = src[(o * length + start) * inner + i];
    }
    start += s;
    return out;
  });
}

function gather(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const data = input(ctx, 0);
  const indicesTensor = input(ctx, 1);
  const axis = normalizeAxis(node, attrInt(node, 'axis', 0), data.rank);
  const length = data.shape[axis];
  const indices = readIntegers(node, indicesTensor, 'indices').map((i) => {
    if (i < -length || i >= length) throw opError(node, `index ${i} is out of range for axis ${axis} of size ${length}`);
    return i < 0 ? i + length : i;
  });
  const outer = sizeOf(data.shape.slice(0, axis));
  const inner = sizeOf(data.shape.slice(axis + 1));
  const shape = [...data.shape.slice(0, axis), ...indicesTensor.shape, ...data.shape.slice(axis + 1)];
  const out = allocate(data.dtype, shape);
  const src = data.data as Elements;
  const dst = out.data as unknown as Writable;
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const index of indices) {
      const from = (o * length + index) * inner;
      for (let i = 0; i < inner; i++) dst[at++] = src[from + i];
    }
  }
  return [out];
}

function slice(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const x = input(ctx, 0);
  const starts = readIntegers(node, input(ctx, 1), 'starts');
  const ends = readIntegers(node, input(ctx, 2), 'ends');
  const axesInput = optionalInput(ctx, 3);
  const stepsInput = optionalInput(ctx, 4);
  const axes = axesInput ? readIntegers(node, axesInput, 'axes').map((a) => normalizeAxis(node, a, x.rank)) : starts.map((_, i) => i);
  const steps = stepsInput ? readIntegers(node, stepsInput, 'steps') : starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    throw opError(node, 'starts, ends, axes and steps must have the same length');
  }
  const begin = x.shape.map(() => 0);
  const step = x.shape.map(() => 1);
  const shape = [...x.shape];
  axes.forEach((axis, i) => {
    const dim = x.shape[axis];
    const s = steps[i];
    if (s === 0) throw opError(node, `step for axis ${axis} is 0`);
    // Clamp as the spec says: to [0, dim] going forward, to [-1, dim - 1] going backward.
    const clamp = (v: number, low: number, high: number): number => Math.min(Math.max(v < 0 ? v + dim : v, low), high);
    const from = s > 0 ? clamp(starts[i], 0, dim) : clamp(starts[i], -1, dim - 1);
    const to = s > 0 ? clamp(ends[i], 0, dim) : clamp(ends[i], -1, dim - 1);
    begin[axis] = from;
    step[axis] = s;
    shape[axis] = Math.max(0, Math.ceil((to - from) / s));
  });
  const strides = stridesOf(x.shape);
  const out = allocate(x.dtype, shape);
  const src = x.data as Elements;
  const dst = out.data as unknown as Writable;
  if (out.size === 0) return [out];
  const start = begin.reduce((n, b, d) => n + b * strides[d], 0);
  forEachStrided(shape, strides.map((st, d) => st * step[d]), start, (o, i) => (dst[o] = src[i]));
  return [out];
}

function pad(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const x = input(ctx, 0);
  const mode = attrString(node, 'mode', 'constant');
  const raw = readIntegers(node, input(ctx, 1), 'pads');
  const valueTensor = optionalInput(ctx, 2);
  const axesInput = optionalInput(ctx, 3);
  const axes = axesInput ? readIntegers(node, axesInput, 'axes').map((a) => normalizeAxis(node, a, x.rank)) : x.shape.map((_, i) => i);
  if (raw.length !== 2 * axes.length) throw opError(node, `pads has ${raw.length} values for ${axes.length} axes`);
  const before = x.shape.map(() => 0);
  const after = x.shape.map(() => 0);
  axes.forEach((axis, i) => {
    before[axis] = raw[i];
    after[axis] = raw[i + axes.length];
  });
  const shape = x.shape.map((d, i) => d + before[i] + after[i]);
  if (shape.some((d) => d < 0)) throw opError(node, `pads ${formatShape(raw)} remove more than ${formatShape(x.shape)} holds`);
  const out = allocate(x.dtype, shape);
  const dst = out.data as unknown as Writable;
  const src = x.data as Elements;
  const fill = valueTensor && valueTensor.size > 0 ? valueTensor.data[0] : (x.data instanceof BigInt64Array || x.data instanceof BigUint64Array ? 0n : 0);
  const inStrides = stridesOf(x.shape);
  // Maps an output coordinate to an input coordinate, or -1 for constant padding.
  const source = (c: number, d: number): number => {
    const n = x.shape[d];
    let i = c - before[d];
    if (i >= 0 && i < n) return i;
    if (mode === 'constant') return -1;
    if (n === 0) throw opError(node, `cannot ${mode}-pad the empty axis ${d}`);
    if (mode === 'edge') return i < 0 ? 0 : n - 1;
    if (mode === 'wrap') return ((i % n) + n) % n;
    if (mode !== 'reflect') throw opError(node, `mode '${mode}' is not one of constant, reflect, edge, wrap`);
    if (n === 1) return 0;
    const period = 2 * (n - 1);
    i = ((i % period) + period) % period;
    return i < n ? i : period - i;
  };
  const counter = shape.map(() => 0);
  for (let o = 0; o < dst.length; o++) {
    let at = 0;
    for (let d = 0; d < shape.length && at >= 0; d++) {
      const i = source(counter[d], d);
      at = i < 0 ? -1 : at + i * inStrides[d];
    }
    dst[o] = at < 0 ? fill : src[at];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++counter[d] < shape[d]) break;
      counter[d] = 0;
    }
  }
  return [out];
}

function tile(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const x = input(ctx, 0);
  const repeats = readIntegers(node, input(ctx, 1), 'repeats');
  if (repeats.length !== x.rank || repeats.some((r) => r < 0)) {
    throw opError(node, `repeats ${formatShape(repeats)} do not fit ${formatShape(x.shape)}`);
  }
  const shape = x.shape.map((d, i) => d * repeats[i]);
  const out = allocate(x.dtype, shape);
  const dst = out.data as unknown as Writable;
  const src = x.data as Elements;
  const inStrides = stridesOf(x.shape);
  const counter = shape.map(() => 0);
  for (let o = 0; o < dst.length; o++) {
    let at = 0;
    for (let d = 0; d < shape.length; d++) at += (counter[d] % x.shape[d]) * inStrides[d];
    dst[o] = src[at];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++counter[d] < shape[d]) break;
      counter[d] = 0;
    }
  }
  return [out];
}

export const movementOps: Record<string, OpImplementation> = {
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Gather: gather,
  Slice: slice,
  Pad: pad,
  Tile: tile,
};
