// Clear integer kernels of the quantized ops (Gemm/MatMul, Conv, AveragePool, MaxPool) over
// Tensors: checks the shapes and ONNX attributes, naming the op, then runs the native kernels
// (exact int64 accumulators, AVX2 or scalar, multi-threaded, off the event loop).
// Zero-point corrections and rescaling are the caller's (see quantization.md).
import { native } from './native';
import { sizeOf, Tensor } from './tensor';

/** ONNX Conv attributes for 1-D ([N, C, L]) or 2-D ([N, C, H, W]) inputs. */
export interface ConvOptions {
  /** One per spatial axis; default 1. */
  readonly strides?: readonly number[];
  /** Begins then ends, one per spatial axis (ONNX order); default 0. */
  readonly pads?: readonly number[];
  /** One per spatial axis; default 1. */
  readonly dilations?: readonly number[];
  /** Default 1; the channel count for depthwise convolution. */
  readonly group?: number;
  /** The value of every tap outside the input: the input zero point (Concrete ML pads with int(zpx)); default 0. */
  readonly padValue?: number;
}

/** ONNX AveragePool / MaxPool attributes for 1-D or 2-D inputs. */
export interface PoolOptions {
  /** One per spatial axis. */
  readonly kernelShape: readonly number[];
  readonly strides?: readonly number[];
  readonly pads?: readonly number[];
  readonly dilations?: readonly number[];
  /** Adds a last partial window per axis as ONNX does (not one that would start in the end padding). */
  readonly ceilMode?: boolean;
  /** The value of every tap outside the input (pads and ceil-mode overhang); default 0. */
  readonly padValue?: number;
}

// Inputs are typed as any Tensor (`new Tensor(int32Array, shape)` does not narrow its dtype) and
// checked to be int32 at run time.
type Int32Tensor = Tensor<'int32'>;

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

function expectInt32(op: string, name: string, tensor: Tensor): asserts tensor is Int32Tensor {
  if (!(tensor instanceof Tensor) || tensor.dtype !== 'int32') {
    const got = tensor instanceof Tensor ? `a ${tensor.dtype} tensor` : typeof tensor;
    throw new TypeError(`${op}: ${name} must be an int32 Tensor, got ${got}`);
  }
}

// An attribute list of `length` integers >= min; `fill` is the default (none: required).
function intList(
  op: string,
  name: string,
  value: readonly number[] | undefined,
  length: number,
  min: number,
  fill?: number,
): number[] {
  const list = value ?? (fill === undefined ? undefined : new Array<number>(length).fill(fill));
  if (!Array.isArray(list) || list.length !== length || !list.every((v) => Number.isSafeInteger(v) && v >= min)) {
    const got = Array.isArray(list) ? shapeText(list) : String(list);
    throw new RangeError(`${op}: ${name} must hold ${length} integers >= ${min}, got ${got}`);
  }
  return [...list];
}

function padValueOf(op: string, padValue: number | undefined): number {
  const value = padValue ?? 0;
  if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw new RangeError(`${op}: padValue must be an int32 integer, got ${value}`);
  }
  return value;
}

function spatialRankOf(op: string, inputShape: readonly number[]): number {
  if (inputShape.length !== 3 && inputShape.length !== 4) {
    throw new RangeError(`${op}: input ${shapeText(inputShape)} must be [N, C, L] or [N, C, H, W]`);
  }
  return inputShape.length - 2;
}

// A 1-D shape [a, b, L] as the 2-D [a, b, 1, L] the native kernels take.
const lift = (shape: readonly number[]): number[] =>
  shape.length === 4 ? [...shape] : [shape[0], shape[1], 1, shape[2]];

// The window attributes in the 2-D layout of the native kernels, a 1-D axis becoming the width.
interface Window2d {
  readonly kernel: number[];
  readonly strides: number[];
  readonly pads: number[]; // top, left, bottom, right
  readonly dilations: number[];
  readonly ceilMode: boolean;
}

function window2d(
  op: string,
  spatialRank: number,
  kernel: number[],
  options: ConvOptions | PoolOptions,
  ceilMode: boolean,
): Window2d {
  const strides = intList(op, 'strides', options.strides, spatialRank, 1, 1);
  const pads = intList(op, 'pads', options.pads, 2 * spatialRank, 0, 0);
  const dilations = intList(op, 'dilations', options.dilations, spatialRank, 1, 1);
  if (spatialRank === 2) return { kernel, strides, pads, dilations, ceilMode };
  return {
    kernel: [1, kernel[0]],
    strides: [1, strides[0]],
    pads: [0, pads[0], 0, pads[1]],
    dilations: [1, dilations[0]],
    ceilMode,
  };
}

// Output length along one axis, as the native kernels compute it; 0 when the kernel does not fit.
function outputLength(window: Window2d, axis: number, input: number): number {
  const { kernel, strides, dilations, pads, ceilMode } = window;
  const padBegin = pads[axis];
  const room = input + padBegin + pads[axis + 2] - (dilations[axis] * (kernel[axis] - 1) + 1);
  if (room < 0) return 0;
  if (!ceilMode) return Math.floor(room / strides[axis]) + 1;
  const length = Math.ceil(room / strides[axis]) + 1;
  // ONNX drops a last window that would start in the end padding.
  return (length - 1) * strides[axis] >= input + padBegin ? length - 1 : length;
}

// The output shape [N, channels, ...spatial] at the input's rank, or an error naming the axis.
function outputShape(
  op: string,
  shown: string,
  inputShape: readonly number[],
  channels: number,
  window: Window2d,
): number[] {
  const input2d = lift(inputShape);
  const spatial = [0, 1].map((axis) => {
    const length = outputLength(window, axis, input2d[2 + axis]);
    if (length === 0) {
      const extent = window.dilations[axis] * (window.kernel[axis] - 1) + 1;
      const padded = input2d[2 + axis] + window.pads[axis] + window.pads[axis + 2];
      const name = inputShape.length === 3 ? 'length' : axis === 0 ? 'height' : 'width';
      throw new RangeError(
        `${op} (${shown}): the dilated kernel ${name} ${extent} exceeds the padded input ${name} ${padded}`,
      );
    }
    return length;
  });
  return [inputShape[0], channels, ...(inputShape.length === 4 ? spatial : [spatial[1]])];
}

// Native argument errors left after the checks here are value errors (e.g. possible int64
// overflow): add the op and the shapes the caller knows.
async function withContext<T>(op: string, shown: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RangeError) throw new RangeError(`${op} (${shown}): ${error.message}`, { cause: error });
    if (error instanceof TypeError) throw new TypeError(`${op} (${shown}): ${error.message}`, { cause: error });
    throw error;
  }
}

/** a [..., k] @ b [k, n] -> [..., n], exact int64 (quantized MatMul / Gemm with clear weights b). */
export async function integerMatmul(a: Tensor, b: Tensor): Promise<Tensor<'int64'>> {
  const op = 'integerMatmul';
  expectInt32(op, 'a', a);
  expectInt32(op, 'b', b);
  const shown = `a ${shapeText(a.shape)}, b ${shapeText(b.shape)}`;
  if (a.rank < 1 || b.rank !== 2 || a.shape[a.rank - 1] !== b.shape[0]) {
    throw new RangeError(`${op} (${shown}): a must be [..., k] and b [k, n]`);
  }
  const [k, n] = b.shape;
  const outShape = [...a.shape.slice(0, -1), n];
  // An empty sum is 0; the native kernel takes only non-empty products.
  if (sizeOf(outShape) === 0 || k === 0) return Tensor.zeros('int64', outShape);
  const out = await withContext(op, shown, () => native.integerMatmul(a.data, b.data, a.size / k, k, n));
  return new Tensor(out, outShape);
}

interface ConvCall {
  readonly group: number;
  readonly window: Window2d;
  readonly outShape: number[];
  readonly shown: string;
}

function convCall(
  op: string,
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: ConvOptions,
): ConvCall {
  const shown = `input ${shapeText(inputShape)}, weights ${shapeText(weightShape)}`;
  const spatialRank = spatialRankOf(op, inputShape);
  if (weightShape.length !== inputShape.length || [...inputShape.slice(1), ...weightShape].some((d) => d < 1)) {
    throw new RangeError(
      `${op} (${shown}): weights must be [O, C / group, ...kernel] at the input's rank, no dimension 0`,
    );
  }
  const group = options.group ?? 1;
  const [channels, outChannels] = [inputShape[1], weightShape[0]];
  if (!Number.isSafeInteger(group) || group < 1 || channels % group !== 0 || outChannels % group !== 0) {
    throw new RangeError(
      `${op} (${shown}): group ${group} must divide input channels ${channels} and output channels ${outChannels}`,
    );
  }
  if (weightShape[1] !== channels / group) {
    throw new RangeError(
      `${op} (${shown}): weights need C / group = ${channels / group} input channels, got ${weightShape[1]}`,
    );
  }
  const window = window2d(op, spatialRank, weightShape.slice(2), options, false);
  return { group, window, outShape: outputShape(op, shown, inputShape, outChannels, window), shown };
}

/** The output shape of integerConv: [N, O, L'] or [N, O, H', W']. */
export function convOutputShape(
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: ConvOptions = {},
): number[] {
  return convCall('convOutputShape', inputShape, weightShape, options).outShape;
}

/**
 * ONNX Conv on integers: input [N, C, L] or [N, C, H, W] padded with padValue, weights
 * [O, C / group, ...kernel]; exact int64 output [N, O, L'] or [N, O, H', W'].
 */
export async function integerConv(input: Tensor, weights: Tensor, options: ConvOptions = {}): Promise<Tensor<'int64'>> {
  const op = 'integerConv';
  expectInt32(op, 'input', input);
  expectInt32(op, 'weights', weights);
  const { group, window, outShape, shown } = convCall(op, input.shape, weights.shape, options);
  const padValue = padValueOf(op, options.padValue);
  if (sizeOf(outShape) === 0) return Tensor.zeros('int64', outShape);
  const { strides, pads, dilations } = window;
  const out = await withContext(op, shown, () =>
    native.integerConv2d(
      input.data,
      lift(input.shape),
      weights.data,
      lift(weights.shape),
      group,
      strides,
      pads,
      dilations,
      padValue,
    ),
  );
  return new Tensor(out, outShape);
}

interface PoolCall {
  readonly window: Window2d;
  readonly padValue: number;
  readonly outShape: number[];
  readonly shown: string;
}

function poolCall(op: string, inputShape: readonly number[], options: PoolOptions): PoolCall {
  const spatialRank = spatialRankOf(op, inputShape);
  const shown = `input ${shapeText(inputShape)}`;
  if (inputShape.slice(1).some((d) => d < 1)) {
    throw new RangeError(`${op} (${shown}): channels and spatial dimensions must be >= 1`);
  }
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${op} (${shown}): options with a kernelShape are required`);
  }
  const kernel = intList(op, 'kernelShape', options.kernelShape, spatialRank, 1);
  const window = window2d(op, spatialRank, kernel, options, options.ceilMode ?? false);
  const outShape = outputShape(op, shown, inputShape, inputShape[1], window);
  const padValue = padValueOf(op, options.padValue);
  return { window, padValue, outShape, shown: `${shown}, kernelShape ${shapeText(kernel)}` };
}

const nativePoolAttributes = (w: Window2d) => [w.kernel, w.strides, w.pads, w.dilations, w.ceilMode] as const;

/** The output shape of integerSumPool / integerMaxPool: [N, C, L'] or [N, C, H', W']. */
export function poolOutputShape(inputShape: readonly number[], options: PoolOptions): number[] {
  return poolCall('poolOutputShape', inputShape, options).outShape;
}

/**
 * Window sums of input [N, C, L] or [N, C, H, W], exact int64: quantized AveragePool with
 * count_include_pad = 1, whose caller divides by the kernel size. Taps outside the input read padValue.
 */
export async function integerSumPool(input: Tensor, options: PoolOptions): Promise<Tensor<'int64'>> {
  const op = 'integerSumPool';
  expectInt32(op, 'input', input);
  const { window: w, padValue, outShape, shown } = poolCall(op, input.shape, options);
  if (sizeOf(outShape) === 0) return Tensor.zeros('int64', outShape);
  const out = await withContext(op, shown, () =>
    native.integerSumPool2d(input.data, lift(input.shape), ...nativePoolAttributes(w), padValue),
  );
  return new Tensor(out, outShape);
}

/** Window maxima of input [N, C, L] or [N, C, H, W] (quantized MaxPool). Taps outside the input read padValue. */
export async function integerMaxPool(input: Tensor, options: PoolOptions): Promise<Tensor<'int32'>> {
  const op = 'integerMaxPool';
  expectInt32(op, 'input', input);
  const { window: w, padValue, outShape, shown } = poolCall(op, input.shape, options);
  if (sizeOf(outShape) === 0) return Tensor.zeros('int32', outShape);
  const out = await withContext(op, shown, () =>
    native.integerMaxPool2d(input.data, lift(input.shape), ...nativePoolAttributes(w), padValue),
  );
  return new Tensor(out, outShape);
}
