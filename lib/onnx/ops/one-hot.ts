// OneHot: indices -> a new axis of `depth` entries holding values[1] at the index, values[0] elsewhere.
import type { Tensor } from '../../tensor';
import { sizeOf } from '../../tensor';
import { formatShape } from '../errors';
import { attrInt, input, opError, type OpContext } from './context';
import { allocate } from './broadcast';

export function oneHot(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const indices = input(ctx, 0);
  const depthTensor = input(ctx, 1);
  const values = input(ctx, 2);
  if (depthTensor.size !== 1) throw opError(node, `depth must be a scalar, got ${formatShape(depthTensor.shape)}`);
  if (values.size !== 2) throw opError(node, `values must hold [off, on], got ${formatShape(values.shape)}`);
  const depth = Math.trunc(Number(depthTensor.data[0]));
  if (depth < 1) throw opError(node, `depth ${depth} must be positive`);
  const rank = indices.rank + 1;
  const axisAttr = attrInt(node, 'axis', -1);
  const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
  if (axis < 0 || axis >= rank) throw opError(node, `axis ${axisAttr} is out of range for output rank ${rank}`);
  const shape = [...indices.shape.slice(0, axis), depth, ...indices.shape.slice(axis)];
  const out = allocate(values.dtype, shape);
  const [off, on] = [values.data[0], values.data[1]];
  const dst = out.data as unknown as unknown[];
  (out.data as { fill(v: unknown): unknown }).fill(off);
  const outer = sizeOf(indices.shape.slice(0, axis));
  const inner = sizeOf(indices.shape.slice(axis));
  const src = indices.data as ArrayLike<number | bigint>;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let index = Math.trunc(Number(src[o * inner + i]));
      if (index < 0) index += depth; // negative indices count from the end
      if (index >= 0 && index < depth) dst[(o * depth + index) * inner + i] = on;
    }
  }
  return [out];
}
