// Conv and ConvTranspose over any number of spatial axes, through im2col / col2im and the
// shared GEMM kernel: the index arithmetic is done once per layer, the multiply-adds run in a
// contiguous loop.
import { Tensor, sizeOf } from '../../tensor';
import type { OnnxNode } from '../graph';
import { formatShape } from '../errors';
import { attrInts, attrString, input, opError, optionalInput, requireDtype, FLOAT_TYPES, type OpContext } from './context';
import { allocate } from './broadcast';
import { float64Array, gemmFloat64, rowMajor } from './matmul';
import { groupAttr, kernelShapeAttr, slidingWindow, windowOffsets, type Window } from './spatial';
import { NATIVE_MIN_MACS, nativeFloatConv2d } from './native-float';

type FloatArray = Float32Array | Float64Array;

function checkConvInputs(node: OnnxNode, x: Tensor, w: Tensor, bias: Tensor | undefined): void {
  requireDtype(node, x, 'input X', FLOAT_TYPES);
  if (w.dtype !== x.dtype) throw opError(node, `weight W has type ${w.dtype}, input X has ${x.dtype}`);
  if (x.rank < 3 || w.rank !== x.rank) {
    throw opError(node, `X ${formatShape(x.shape)} and W ${formatShape(w.shape)} must both be [N, C, spatial...] of the same rank >= 3`);
  }
  if (bias !== undefined && (bias.dtype !== x.dtype || bias.rank !== 1)) {
    throw opError(node, `bias B must be a 1-D ${x.dtype} tensor, got ${bias.dtype} ${formatShape(bias.shape)}`);
  }
}

interface ConvSetup {
  x: Tensor;
  w: Tensor;
  bias: Tensor | undefined;
  group: number;
  kernel: number[];
  win: Window;
}

function convSetup(ctx: OpContext): ConvSetup {
  const { node } = ctx;
  const x = input(ctx, 0);
  const w = input(ctx, 1);
  const bias = optionalInput(ctx, 2);
  checkConvInputs(node, x, w, bias);
  const [, channels, ...inSpatial] = x.shape;
  const [outChannels, groupChannels, ...wKernel] = w.shape;
  const kernel = kernelShapeAttr(node, wKernel);
  const group = groupAttr(node);
  if (kernel.some((k, d) => k !== wKernel[d])) {
    throw opError(node, `kernel_shape ${formatShape(kernel)} does not match W ${formatShape(w.shape)}`);
  }
  if (channels !== groupChannels * group || outChannels % group !== 0) {
    throw opError(node, `X has ${channels} channels, W ${formatShape(w.shape)} expects ${groupChannels} per group for ${group} groups`);
  }
  if (bias !== undefined && bias.shape[0] !== outChannels) {
    throw opError(node, `bias B has ${bias.shape[0]} values for ${outChannels} output channels`);
  }
  return { x, w, bias, group, kernel, win: slidingWindow(node, inSpatial, kernel) };
}

export function conv(ctx: OpContext): Tensor[] {
  const setup = convSetup(ctx);
  const { x, w, win } = setup;
  const macs = sizeOf([x.shape[0], ...w.shape, ...win.outSpatial]);
  const native2d = x.dtype === 'float32' && win.outSpatial.length === 2 && macs >= NATIVE_MIN_MACS;
  return [native2d ? nativeConv2d(setup) : typescriptConv(setup)];
}

/** Conv of float32 2-D images on the native kernel (tested against `convTypeScript`). */
export function convNative(ctx: OpContext): Tensor[] {
  const setup = convSetup(ctx);
  if (setup.x.dtype !== 'float32' || setup.win.outSpatial.length !== 2) {
    throw opError(ctx.node, `the native kernel takes float32 2-D images, got ${setup.x.dtype} ${formatShape(setup.x.shape)}`);
  }
  return [nativeConv2d(setup)];
}

/** Conv on the TypeScript loop whatever the size. */
export function convTypeScript(ctx: OpContext): Tensor[] {
  return [typescriptConv(convSetup(ctx))];
}

function nativeConv2d({ x, w, bias, group, win }: ConvSetup): Tensor {
  const data = nativeFloatConv2d({
    input: x.data as Float32Array, inputShape: x.shape, weights: w.data as Float32Array, weightShape: w.shape, group,
    strides: win.strides, pads: [win.padsBegin[0], win.padsBegin[1], win.padsEnd[0], win.padsEnd[1]], dilations: win.dilations,
    bias: bias?.data as Float32Array | undefined,
  });
  return new Tensor(data, [x.shape[0], w.shape[0], ...win.outSpatial]);
}

function typescriptConv({ x, w, bias, group, kernel, win }: ConvSetup): Tensor {
  const [batch, channels, ...inSpatial] = x.shape;
  const [outChannels, groupChannels] = w.shape;
  const inSize = sizeOf(inSpatial);
  const outSize = sizeOf(win.outSpatial);
  const kSize = sizeOf(kernel);
  const rows = groupChannels * kSize;
  const outPerGroup = outChannels / group;
  const offsets = windowOffsets(inSpatial, win.outSpatial, kernel, win.strides, win.dilations, win.padsBegin);
  const xData = x.data as FloatArray;
  const w64 = float64Array(w.data as FloatArray);
  const out = allocate(x.dtype, [batch, outChannels, ...win.outSpatial]);
  const outData = out.data as FloatArray;
  const cols = new Float64Array(rows * outSize);
  const acc = new Float64Array(outPerGroup * outSize);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < group; g++) {
      for (let c = 0; c < groupChannels; c++) {
        const base = (n * channels + g * groupChannels + c) * inSize;
        for (let q = 0; q < kSize; q++) {
          const row = (c * kSize + q) * outSize;
          const table = q * outSize;
          for (let o = 0; o < outSize; o++) {
            const offset = offsets[table + o];
            cols[row + o] = offset < 0 ? 0 : xData[base + offset];
          }
        }
      }
      acc.fill(0);
      gemmFloat64(w64.subarray(g * outPerGroup * rows, (g + 1) * outPerGroup * rows), cols, acc, outPerGroup, rows, outSize);
      for (let m = 0; m < outPerGroup; m++) {
        const channel = g * outPerGroup + m;
        const b = bias === undefined ? 0 : (bias.data as FloatArray)[channel];
        const dst = (n * outChannels + channel) * outSize;
        for (let o = 0; o < outSize; o++) outData[dst + o] = acc[m * outSize + o] + b;
      }
    }
  }
  return out;
}

interface TransposeGeometry {
  outSpatial: number[];
  padsBegin: number[];
}

function transposeGeometry(node: OnnxNode, inSpatial: readonly number[], kernel: readonly number[]): TransposeGeometry {
  const rank = inSpatial.length;
  const strides = attrInts(node, 'strides') ?? new Array<number>(rank).fill(1);
  const dilations = attrInts(node, 'dilations') ?? new Array<number>(rank).fill(1);
  const outputPadding = attrInts(node, 'output_padding') ?? new Array<number>(rank).fill(0);
  const outputShape = attrInts(node, 'output_shape');
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const pads = attrInts(node, 'pads') ?? new Array<number>(2 * rank).fill(0);
  const outSpatial: number[] = [];
  const padsBegin: number[] = [];
  for (let d = 0; d < rank; d++) {
    const full = strides[d] * (inSpatial[d] - 1) + outputPadding[d] + (kernel[d] - 1) * dilations[d] + 1;
    let target: number | undefined;
    if (outputShape !== undefined) target = outputShape[outputShape.length - rank + d];
    else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') target = inSpatial[d] * strides[d];
    if (target === undefined) {
      const begin = autoPad === 'VALID' ? 0 : pads[d];
      const end = autoPad === 'VALID' ? 0 : pads[d + rank];
      outSpatial.push(full - begin - end);
      padsBegin.push(begin);
      continue;
    }
    const total = full - target;
    // The spec puts the larger half at the end for SAME_UPPER, at the beginning otherwise.
    padsBegin.push(autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2));
    outSpatial.push(target);
  }
  if (outSpatial.some((d) => d <= 0)) {
    throw opError(node, `output spatial shape ${formatShape(outSpatial)} is empty`);
  }
  return { outSpatial, padsBegin };
}

export function convTranspose(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const x = input(ctx, 0);
  const w = input(ctx, 1);
  const bias = optionalInput(ctx, 2);
  checkConvInputs(node, x, w, bias);
  const [batch, channels, ...inSpatial] = x.shape;
  const [wChannels, outPerGroup, ...wKernel] = w.shape;
  const kernel = kernelShapeAttr(node, wKernel);
  const group = groupAttr(node);
  if (wChannels !== channels || channels % group !== 0) {
    throw opError(node, `X has ${channels} channels but W ${formatShape(w.shape)} expects ${wChannels} (group ${group})`);
  }
  const outChannels = outPerGroup * group;
  if (bias !== undefined && bias.shape[0] !== outChannels) {
    throw opError(node, `bias B has ${bias.shape[0]} values for ${outChannels} output channels`);
  }
  const rank = inSpatial.length;
  const strides = attrInts(node, 'strides') ?? new Array<number>(rank).fill(1);
  const dilations = attrInts(node, 'dilations') ?? new Array<number>(rank).fill(1);
  const { outSpatial, padsBegin } = transposeGeometry(node, inSpatial, kernel);
  const inSize = sizeOf(inSpatial);
  const outSize = sizeOf(outSpatial);
  const kSize = sizeOf(kernel);
  const groupChannels = channels / group;
  const rows = outPerGroup * kSize;
  // Each input point scatters a kernel-sized patch into the output: the offsets of that scatter.
  const offsets = windowOffsets(outSpatial, inSpatial, kernel, strides, dilations, padsBegin);
  const x64 = float64Array(x.data as FloatArray);
  const wData = w.data as FloatArray;
  // Per group, W^T as [outPerGroup * kSize, groupChannels] row-major.
  const wGroups = Array.from({ length: group }, (_, g) =>
    rowMajor(wData.subarray(g * groupChannels * rows, (g + 1) * groupChannels * rows), true, rows, groupChannels));
  const out = allocate(x.dtype, [batch, outChannels, ...outSpatial]);
  const outData = out.data as FloatArray;
  const cols = new Float64Array(rows * inSize);
  const acc = new Float64Array(outPerGroup * outSize);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < group; g++) {
      cols.fill(0);
      // cols[m * kSize + q, i] = sum_c W[c, m, q] * X[c, i] over the group's channels (W^T X).
      const xGroup = (n * channels + g * groupChannels) * inSize;
      gemmFloat64(wGroups[g], x64.subarray(xGroup, xGroup + groupChannels * inSize), cols, rows, groupChannels, inSize);
      acc.fill(0);
      for (let m = 0; m < outPerGroup; m++) {
        for (let q = 0; q < kSize; q++) {
          const row = (m * kSize + q) * inSize;
          const table = q * inSize;
          for (let i = 0; i < inSize; i++) {
            const offset = offsets[table + i];
            if (offset >= 0) acc[m * outSize + offset] += cols[row + i];
          }
        }
      }
      for (let m = 0; m < outPerGroup; m++) {
        const channel = g * outPerGroup + m;
        const b = bias === undefined ? 0 : (bias.data as FloatArray)[channel];
        const dst = (n * outChannels + channel) * outSize;
        for (let o = 0; o < outSize; o++) outData[dst + o] = acc[m * outSize + o] + b;
      }
    }
  }
  return [out];
}

/**
 * Unfold (torch.nn.Unfold as Concrete ML exports it; not a standard ONNX op): im2col of
 * X [N, C, spatial...] into [N, C * prod(kernel), windows], rows ordered by channel then kernel point.
 */
export function unfold(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const x = input(ctx, 0);
  if (x.rank < 3) throw opError(node, `input X ${formatShape(x.shape)} must be [N, C, spatial...]`);
  const [batch, channels, ...inSpatial] = x.shape;
  const kernel = kernelShapeAttr(node, undefined);
  const win = slidingWindow(node, inSpatial, kernel);
  const inSize = sizeOf(inSpatial);
  const outSize = sizeOf(win.outSpatial);
  const kSize = sizeOf(kernel);
  const offsets = windowOffsets(inSpatial, win.outSpatial, kernel, win.strides, win.dilations, win.padsBegin);
  const out = allocate(x.dtype, [batch, channels * kSize, outSize]);
  const src = x.data as ArrayLike<unknown>;
  const dst = out.data as unknown as unknown[];
  const zero = x.dtype === 'int64' || x.dtype === 'uint64' ? 0n : 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    for (let q = 0; q < kSize; q++) {
      const row = (plane * kSize + q) * outSize;
      for (let o = 0; o < outSize; o++) {
        const offset = offsets[q * outSize + o];
        dst[row + o] = offset < 0 ? zero : src[plane * inSize + offset];
      }
    }
  }
  return [out];
}
