// AveragePool, MaxPool and their global forms.
import { Tensor, sizeOf, type DType } from '../../tensor';
import { attrInt, input, opError, unsupported, requireDtype, FLOAT_TYPES, type OpContext } from './context';
import { allocate } from './broadcast';
import { kernelShapeAttr, slidingWindow, windowOffsets, gridCoordinates } from './spatial';
import { formatShape } from '../errors';

type FloatArray = Float32Array | Float64Array;

function poolInput(ctx: OpContext, types: readonly DType[] = FLOAT_TYPES): Tensor {
  const x = input(ctx, 0);
  requireDtype(ctx.node, x, 'input X', types);
  if (x.rank < 3) throw opError(ctx.node, `input X ${formatShape(x.shape)} must be [N, C, spatial...]`);
  return x;
}

export function averagePool(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const x = poolInput(ctx);
  const [batch, channels, ...inSpatial] = x.shape;
  const kernel = kernelShapeAttr(node, undefined);
  const win = slidingWindow(node, inSpatial, kernel, attrInt(node, 'ceil_mode', 0) !== 0);
  const includePad = attrInt(node, 'count_include_pad', 0) !== 0;
  const inSize = sizeOf(inSpatial);
  const outSize = sizeOf(win.outSpatial);
  const kSize = sizeOf(kernel);
  const offsets = windowOffsets(inSpatial, win.outSpatial, kernel, win.strides, win.dilations, win.padsBegin);
  // Divisor per window: its points inside the input, or inside the padded input with count_include_pad
  // (points a ceil_mode window has past the explicit padding never count).
  const divisor = new Float64Array(outSize);
  const rank = inSpatial.length;
  const kernelPoints = gridCoordinates(kernel);
  const outPoints = gridCoordinates(win.outSpatial);
  for (let o = 0; o < outSize; o++) {
    let count = 0;
    for (let q = 0; q < kSize; q++) {
      if (!includePad) {
        if (offsets[q * outSize + o] >= 0) count++;
        continue;
      }
      let inside = true;
      for (let d = 0; d < rank && inside; d++) {
        const at = outPoints[o * rank + d] * win.strides[d] - win.padsBegin[d] + kernelPoints[q * rank + d] * win.dilations[d];
        inside = at >= -win.padsBegin[d] && at < inSpatial[d] + win.padsEnd[d];
      }
      if (inside) count++;
    }
    divisor[o] = count;
  }
  const xData = x.data as FloatArray;
  const out = allocate(x.dtype, [batch, channels, ...win.outSpatial]);
  const outData = out.data as FloatArray;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * inSize;
    for (let o = 0; o < outSize; o++) {
      let sum = 0;
      for (let q = 0; q < kSize; q++) {
        const offset = offsets[q * outSize + o];
        if (offset >= 0) sum += xData[base + offset];
      }
      outData[plane * outSize + o] = sum / divisor[o];
    }
  }
  return [out];
}

export function maxPool(ctx: OpContext): (Tensor | undefined)[] {
  const { node } = ctx;
  const x = poolInput(ctx, ['float32', 'float64', 'int8', 'uint8']);
  if (attrInt(node, 'storage_order', 0) !== 0) throw unsupported(node, 'storage_order=1 (column-major indices) is not supported');
  const [batch, channels, ...inSpatial] = x.shape;
  const kernel = kernelShapeAttr(node, undefined);
  const win = slidingWindow(node, inSpatial, kernel, attrInt(node, 'ceil_mode', 0) !== 0);
  const inSize = sizeOf(inSpatial);
  const outSize = sizeOf(win.outSpatial);
  const kSize = sizeOf(kernel);
  const offsets = windowOffsets(inSpatial, win.outSpatial, kernel, win.strides, win.dilations, win.padsBegin);
  const xData = x.data as FloatArray;
  const outShape = [batch, channels, ...win.outSpatial];
  const out = allocate(x.dtype, outShape);
  const outData = out.data as FloatArray;
  const wantIndices = (node.outputs[1] ?? '') !== '';
  const indices = wantIndices ? allocate('int64', outShape) : undefined;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * inSize;
    for (let o = 0; o < outSize; o++) {
      let best = -Infinity;
      let bestAt = -1;
      for (let q = 0; q < kSize; q++) {
        const offset = offsets[q * outSize + o];
        if (offset >= 0 && (xData[base + offset] > best || bestAt < 0)) {
          best = xData[base + offset];
          bestAt = base + offset;
        }
      }
      outData[plane * outSize + o] = best;
      if (indices) indices.data[plane * outSize + o] = BigInt(bestAt);
    }
  }
  return [out, indices];
}

function globalPool(reduce: (values: FloatArray, start: number, count: number) => number) {
  return (ctx: OpContext): Tensor[] => {
    const x = poolInput(ctx);
    const [batch, channels, ...spatial] = x.shape;
    const size = sizeOf(spatial);
    const out = allocate(x.dtype, [batch, channels, ...spatial.map(() => 1)]);
    const xData = x.data as FloatArray;
    for (let plane = 0; plane < batch * channels; plane++) out.data[plane] = reduce(xData, plane * size, size);
    return [out];
  };
}

export const globalAveragePool = globalPool((values, start, count) => {
  let sum = 0;
  for (let i = start; i < start + count; i++) sum += values[i];
  return sum / count;
});

export const globalMaxPool = globalPool((values, start, count) => {
  let best = -Infinity;
  for (let i = start; i < start + count; i++) if (values[i] > best) best = values[i];
  return best;
});
