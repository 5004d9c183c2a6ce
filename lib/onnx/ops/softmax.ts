// Softmax, LogSoftmax and Hardmax. Before opset 13 they work on the input coerced to 2-D at
// `axis` (default 1); from 13 on, along one axis (default -1).
import { Tensor, sizeOf } from '../../tensor';
import { attrInt, input, normalizeAxis, requireDtype, FLOAT_TYPES, type OpContext, type OpImplementation } from './context';
import { allocate } from './broadcast';

type FloatArray = Float32Array | Float64Array;

function alongAxis(apply: (src: FloatArray, dst: FloatArray, start: number, length: number, stride: number) => void): OpImplementation {
  return (ctx: OpContext): Tensor[] => {
    const { node } = ctx;
    const x = input(ctx, 0);
    requireDtype(node, x, 'input', FLOAT_TYPES);
    const out = allocate(x.dtype, x.shape);
    if (x.size === 0) return [out];
    const legacy = ctx.opset < 13;
    const axis = normalizeAxis(node, attrInt(node, 'axis', legacy ? 1 : -1), Math.max(x.rank, 1));
    // Legacy: everything from `axis` on is one axis; otherwise the axis alone, with inner strides.
    const outer = sizeOf(x.shape.slice(0, axis));
    const length = legacy ? sizeOf(x.shape.slice(axis)) : (x.shape[axis] ?? 1);
    const inner = legacy ? 1 : sizeOf(x.shape.slice(axis + 1));
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        apply(x.data as FloatArray, out.data as FloatArray, o * length * inner + i, length, inner);
      }
    }
    return [out];
  };
}

function maxOf(src: FloatArray, start: number, length: number, stride: number): number {
  let max = -Infinity;
  for (let k = 0; k < length; k++) max = Math.max(max, src[start + k * stride]);
  return max;
}

export const softmaxOps: Record<string, OpImplementation> = {
  Softmax: alongAxis((src, dst, start, length, stride) => {
    const max = maxOf(src, start, length, stride);
    let sum = 0;
    for (let k = 0; k < length; k++) sum += Math.exp(src[start + k * stride] - max);
    for (let k = 0; k < length; k++) dst[start + k * stride] = Math.exp(src[start + k * stride] - max) / sum;
  }),
  LogSoftmax: alongAxis((src, dst, start, length, stride) => {
    const max = maxOf(src, start, length, stride);
    let sum = 0;
    for (let k = 0; k < length; k++) sum += Math.exp(src[start + k * stride] - max);
    const logSum = Math.log(sum) + max;
    for (let k = 0; k < length; k++) dst[start + k * stride] = src[start + k * stride] - logSum;
  }),
  Hardmax: alongAxis((src, dst, start, length, stride) => {
    let bestAt = 0;
    for (let k = 1; k < length; k++) if (src[start + k * stride] > src[start + bestAt * stride]) bestAt = k;
    for (let k = 0; k < length; k++) dst[start + k * stride] = k === bestAt ? 1 : 0;
  }),
};
