// BatchNormalization (inference form) and LayerNormalization.
import { Tensor, sizeOf } from '../../tensor';
import { formatShape } from '../errors';
import { attrFloat, attrInt, input, normalizeAxis, opError, unsupported, optionalInput, requireDtype, FLOAT_TYPES, type OpContext } from './context';
import { allocate, broadcastIndex } from './broadcast';

type FloatArray = Float32Array | Float64Array;

export function batchNormalization(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const x = input(ctx, 0);
  requireDtype(node, x, 'input X', FLOAT_TYPES);
  if (attrInt(node, 'training_mode', 0) !== 0) {
    throw unsupported(node, 'training_mode=1 is not supported: the interpreter runs inference only');
  }
  const channels = x.rank >= 2 ? x.shape[1] : 1;
  const params = [1, 2, 3, 4].map((i) => {
    const p = input(ctx, i);
    if (p.size !== channels) {
      throw opError(node, `input ${i} has shape ${formatShape(p.shape)}, expected ${channels} values (one per channel of X ${formatShape(x.shape)})`);
    }
    return p.data as FloatArray;
  });
  const [scale, bias, mean, variance] = params;
  const epsilon = attrFloat(node, 'epsilon', 1e-5);
  const inner = sizeOf(x.shape.slice(2));
  const out = allocate(x.dtype, x.shape);
  const src = x.data as FloatArray;
  const dst = out.data as FloatArray;
  const batch = x.rank >= 1 ? x.shape[0] : 1;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const factor = scale[c] / Math.sqrt(variance[c] + epsilon);
      const shift = bias[c] - mean[c] * factor;
      const base = (n * channels + c) * inner;
      for (let i = 0; i < inner; i++) dst[base + i] = src[base + i] * factor + shift;
    }
  }
  return [out];
}

export function layerNormalization(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const x = input(ctx, 0);
  requireDtype(node, x, 'input X', FLOAT_TYPES);
  const axis = normalizeAxis(node, attrInt(node, 'axis', -1), x.rank);
  const epsilon = attrFloat(node, 'epsilon', 1e-5);
  const outer = sizeOf(x.shape.slice(0, axis));
  const length = sizeOf(x.shape.slice(axis));
  const normShape = x.shape.slice(axis);
  const expand = (t: Tensor | undefined): ((i: number) => number) => {
    if (t === undefined) return () => NaN;
    const index = broadcastIndex(t.shape, normShape);
    const data = t.data as FloatArray;
    return index === undefined ? (i) => data[i] : (i) => data[index[i]];
  };
  const scale = expand(input(ctx, 1));
  const biasTensor = optionalInput(ctx, 2);
  const bias = expand(biasTensor);
  const src = x.data as FloatArray;
  const out = allocate(x.dtype, x.shape);
  const dst = out.data as FloatArray;
  // Optional outputs 1 and 2: the mean and 1/stddev of each normalized group, axes reduced to 1.
  const statsShape = x.shape.map((d, i) => (i < axis ? d : 1));
  const means = allocate(x.dtype, statsShape);
  const inverseStdDevs = allocate(x.dtype, statsShape);
  for (let o = 0; o < outer; o++) {
    const base = o * length;
    let mean = 0;
    for (let i = 0; i < length; i++) mean += src[base + i];
    mean /= length;
    let variance = 0;
    for (let i = 0; i < length; i++) variance += (src[base + i] - mean) ** 2;
    const inverse = 1 / Math.sqrt(variance / length + epsilon);
    means.data[o] = mean;
    inverseStdDevs.data[o] = inverse;
    for (let i = 0; i < length; i++) {
      dst[base + i] = (src[base + i] - mean) * inverse * scale(i) + (biasTensor ? bias(i) : 0);
    }
  }
  return [out, means, inverseStdDevs];
}
