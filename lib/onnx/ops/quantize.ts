// Standard QDQ ops (QuantizeLinear, DequantizeLinear) and Brevitas' Quant (QONNX semantics):
// the ways an ONNX file carries quantization that cipherquant can import.
import type { Tensor, DType } from '../../tensor';
import { formatShape } from '../errors';
import { attrInt, attrString, input, normalizeAxis, opError, optionalInput, requireDtype, FLOAT_TYPES, type OpContext } from './context';
import { allocate, map2, map3 } from './broadcast';
import { roundHalfToEven } from './math';

const INTEGER_RANGES: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  int32: [-(2 ** 31), 2 ** 31 - 1],
};

/**
 * A scale or zero point that is a scalar or per-axis (1-D along `axis`), reshaped so that it
 * broadcasts against `x`.
 */
function alongAxis(ctx: OpContext, param: Tensor, x: Tensor, what: string): Tensor {
  if (param.size === 1) return param.reshape([]);
  const axis = normalizeAxis(ctx.node, attrInt(ctx.node, 'axis', 1), x.rank);
  if (param.rank !== 1 || param.shape[0] !== x.shape[axis]) {
    throw opError(ctx.node, `${what} ${formatShape(param.shape)} must be a scalar or hold ${x.shape[axis]} values for axis ${axis} of ${formatShape(x.shape)}`);
  }
  return param.reshape(x.shape.map((d, i) => (i === axis ? d : 1)));
}

export function quantizeLinear(ctx: OpContext): Tensor[] {
  const x = input(ctx, 0);
  requireDtype(ctx.node, x, 'input x', FLOAT_TYPES);
  const scale = alongAxis(ctx, input(ctx, 1), x, 'y_scale');
  const zeroPointInput = optionalInput(ctx, 2);
  const outDtype: DType = zeroPointInput?.dtype ?? 'uint8';
  const range = INTEGER_RANGES[outDtype];
  if (range === undefined || outDtype === 'int32') throw opError(ctx.node, `output type ${outDtype} is not supported`);
  const zeroPoint = zeroPointInput ? alongAxis(ctx, zeroPointInput, x, 'y_zero_point') : allocate('uint8', []);
  const [low, high] = range;
  // The quotient is rounded to x's precision before rint: in float32, 0.5 / 0.0196078 is exactly 25.5.
  const precision = x.dtype === 'float32' ? Math.fround : (v: number) => v;
  return [map3(ctx.node, x, scale, zeroPoint, outDtype, (v: number, s: number, z: number) =>
    Math.min(high, Math.max(low, roundHalfToEven(precision(v / s)) + z)))];
}

export function dequantizeLinear(ctx: OpContext): Tensor[] {
  const x = input(ctx, 0);
  requireDtype(ctx.node, x, 'input x', ['uint8', 'int8', 'uint16', 'int16', 'int32']);
  const scaleInput = input(ctx, 1);
  const scale = alongAxis(ctx, scaleInput, x, 'x_scale');
  const zeroPointInput = optionalInput(ctx, 2);
  const zeroPoint = zeroPointInput ? alongAxis(ctx, zeroPointInput, x, 'x_zero_point') : allocate(x.dtype, []);
  const shifted = map2(ctx.node, x, zeroPoint, 'float64', (q: number, z: number) => q - z);
  return [map2(ctx.node, shifted, scale, scaleInput.dtype, (q: number, s: number) => q * s)];
}

const ROUNDING: Record<string, (x: number) => number> = {
  ROUND: roundHalfToEven,
  CEIL: Math.ceil,
  FLOOR: Math.floor,
  ROUND_TO_ZERO: Math.trunc,
};

/** onnx.brevitas Quant: fake quantization, y = (clip(round(x / scale + zp)) - zp) * scale. */
export function brevitasQuant(ctx: OpContext): Tensor[] {
  const { node } = ctx;
  const x = input(ctx, 0);
  requireDtype(node, x, 'input x', FLOAT_TYPES);
  const scale = input(ctx, 1);
  const zeroPoint = input(ctx, 2);
  const bitWidthTensor = input(ctx, 3);
  if (bitWidthTensor.size !== 1) throw opError(node, `bit_width must be a scalar, got ${formatShape(bitWidthTensor.shape)}`);
  const bits = Number(bitWidthTensor.data[0]);
  if (!Number.isInteger(bits) || bits < 1 || bits > 32) throw opError(node, `bit_width ${bits} is not an integer in [1, 32]`);
  const signed = attrInt(node, 'signed', 1) !== 0;
  const narrow = attrInt(node, 'narrow', 0) !== 0;
  const modeName = attrString(node, 'rounding_mode', 'ROUND');
  const round = ROUNDING[modeName];
  if (round === undefined) throw opError(node, `rounding_mode '${modeName}' is not one of ${Object.keys(ROUNDING).join(', ')}`);
  const low = signed ? -(2 ** (bits - 1)) + (narrow ? 1 : 0) : 0;
  const high = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1 - (narrow ? 1 : 0);
  // Each step rounded to x's precision, as a float32 framework computes it.
  const precision = x.dtype === 'float32' ? Math.fround : (v: number) => v;
  return [map3(node, x, scale, zeroPoint, x.dtype, (v: number, s: number, z: number) => {
    const q = Math.min(high, Math.max(low, round(precision(precision(v / s) + z))));
    return (q - z) * s;
  })];
}
