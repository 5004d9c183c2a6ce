// The few ai.onnx.ml ops that skl2onnx emits for linear models and MLPs.
import { Tensor } from '../../tensor';
import { formatShape } from '../errors';
import { attrFloats, attrInt, attrInts, attrString, input, opError, requireDtype, unsupported, type OpContext } from './context';
import { allocate } from './broadcast';


/** Rows of [N, F] (a 1-D input is one row), as float64 for the arithmetic. */
function rows(ctx: OpContext): { values: Float64Array; n: number; features: number } {
  const x = input(ctx, 0);
  requireDtype(ctx.node, x, 'input X', ['float32', 'float64', 'int32', 'int64']);
  if (x.rank > 2) throw opError(ctx.node, `input X ${formatShape(x.shape)} must be [N, F] or [F]`);
  const features = x.shape[x.rank - 1] ?? 1;
  const values = Float64Array.from(x.data as ArrayLike<number | bigint>, Number);
  return { values, n: features === 0 ? 0 : values.length / features, features };
}

function postTransform(ctx: OpContext, scores: Float64Array, classes: number): void {
  const transform = attrString(ctx.node, 'post_transform', 'NONE');
  for (let start = 0; start < scores.length; start += classes) {
    const row = scores.subarray(start, start + classes);
    switch (transform) {
      case 'NONE':
        break;
      case 'LOGISTIC':
        row.forEach((v, i) => (row[i] = 1 / (1 + Math.exp(-v))));
        break;
      case 'SOFTMAX':
      case 'SOFTMAX_ZERO': {
        // SOFTMAX_ZERO leaves exact zeros at zero.
        const keepZero = transform === 'SOFTMAX_ZERO';
        const max = Math.max(...row);
        let sum = 0;
        row.forEach((v, i) => {
          row[i] = keepZero && v === 0 ? 0 : Math.exp(v - max);
          sum += row[i];
        });
        row.forEach((v, i) => (row[i] = v / sum));
        break;
      }
      default:
        throw unsupported(ctx.node, `post_transform '${transform}' is not supported`);
    }
  }
}

export function linearClassifier(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const { values, n, features } = rows(ctx);
  const coefficients = attrFloats(node, 'coefficients') ?? [];
  const intercepts = attrFloats(node, 'intercepts');
  const labels = attrInts(node, 'classlabels_ints');
  if (labels === undefined) throw unsupported(node, 'only integer class labels (classlabels_ints) are supported');
  const classes = coefficients.length / features;
  if (!Number.isInteger(classes) || classes < 1) {
    throw opError(node, `${coefficients.length} coefficients do not fit ${features} features`);
  }
  if (classes !== labels.length) {
    throw unsupported(node, `${classes} score columns for ${labels.length} labels (the binary form) is not supported`);
  }
  const scores = new Float64Array(n * classes);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < classes; c++) {
      let acc = intercepts?.[c] ?? 0;
      for (let f = 0; f < features; f++) acc += values[r * features + f] * coefficients[c * features + f];
      scores[r * classes + c] = acc;
    }
  }
  // The label is chosen on the raw scores; the transform keeps the order anyway.
  const label = allocate('int64', [n]);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[r * classes + c] > scores[r * classes + best]) best = c;
    label.data[r] = BigInt(labels[best]);
  }
  postTransform(ctx, scores, classes);
  const out = allocate('float32', [n, classes]);
  out.data.set(scores);
  return [label, out];
}

export function linearRegressor(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const { values, n, features } = rows(ctx);
  const coefficients = attrFloats(node, 'coefficients') ?? [];
  const intercepts = attrFloats(node, 'intercepts');
  const targets = attrInt(node, 'targets', 1);
  if (coefficients.length !== targets * features) {
    throw opError(node, `${coefficients.length} coefficients do not fit ${targets} targets x ${features} features`);
  }
  const scores = new Float64Array(n * targets);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < targets; c++) {
      let acc = intercepts?.[c] ?? 0;
      for (let f = 0; f < features; f++) acc += values[r * features + f] * coefficients[c * features + f];
      scores[r * targets + c] = acc;
    }
  }
  postTransform(ctx, scores, targets);
  const out = allocate('float32', [n, targets]);
  out.data.set(scores);
  return [out];
}

export function normalizer(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const { values, n, features } = rows(ctx);
  const norm = attrString(node, 'norm', 'MAX');
  for (let r = 0; r < n; r++) {
    const row = values.subarray(r * features, (r + 1) * features);
    let scale: number;
    if (norm === 'MAX') scale = Math.max(...row);
    else if (norm === 'L1') scale = row.reduce((a, v) => a + Math.abs(v), 0);
    else if (norm === 'L2') scale = Math.sqrt(row.reduce((a, v) => a + v * v, 0));
    else throw opError(node, `norm '${norm}' is not one of MAX, L1, L2`);
    row.forEach((v, i) => (row[i] = v / scale));
  }
  const x = input(ctx, 0);
  const out = allocate('float32', x.rank === 1 ? [1, features] : [n, features]);
  out.data.set(values);
  return [out];
}

/** Gathers along the last axis; a 1-D input gives [1, indices] (as onnxruntime does). */
export function arrayFeatureExtractor(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const x = input(ctx, 0);
  const indicesTensor = input(ctx, 1);
  requireDtype(node, indicesTensor, 'indices', ['int64', 'int32']);
  const last = x.shape[x.rank - 1] ?? 1;
  const indices = Array.from(indicesTensor.data as ArrayLike<number | bigint>, Number);
  for (const i of indices) if (i < 0 || i >= last) throw opError(node, `index ${i} is out of range for the last axis of ${formatShape(x.shape)}`);
  const leading = x.rank <= 1 ? [1] : x.shape.slice(0, -1);
  const outer = leading.reduce((a, b) => a * b, 1);
  const out = allocate(x.dtype, [...leading, indices.length]);
  const src = x.data as ArrayLike<unknown>;
  const dst = out.data as unknown as unknown[];
  for (let o = 0; o < outer; o++) indices.forEach((index, k) => (dst[o * indices.length + k] = src[o * last + index]));
  return [out];
}

