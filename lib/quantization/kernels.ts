// The loops of quantization over flat arrays, apart from the quantizer that decides their
// parameters. The two common cases (clipped, scalar zero point, float64 or float32 data in the
// reference's float32 widths) get their own monomorphic loop; everything else shares one
// general loop. All produce the integers of
//   q = clip(rint(x / scale + zeroPoint), qmin, qmax)
// with the division and the shift rounded to float32 where `divideIn32` / `shiftIn32` say so.

import { roundHalfToEven } from './rounding';
import { notFinite } from './values';

export interface QuantKernelParameters {
  scale: number;
  /** A scalar, or one zero point per element (already broadcast to the values' shape). */
  zeroPoint: number | Float64Array;
  divideIn32: boolean;
  shiftIn32: boolean;
  clip: boolean;
  qmin: number;
  qmax: number;
}

export type RealArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

// 1.5 * 2^52: for |y| < 2^51, y + MAGIC - MAGIC is y rounded half to even by the FPU itself
// (see rounding.ts). Clipped values are within 2^24, so the hot loops use it directly instead of
// calling roundHalfToEven; the sign of zero does not survive an Int32Array anyway.
const MAGIC = 6755399441055744;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

export function quantInto(data: RealArray, out: Int32Array, p: QuantKernelParameters): void {
  const { scale, zeroPoint, clip, qmin, qmax, divideIn32, shiftIn32 } = p;
  let finite: boolean;
  if (clip && typeof zeroPoint === 'number' && data instanceof Float64Array && !divideIn32) {
    finite = quantFloat64(data, out, scale, zeroPoint, qmin, qmax);
  } else if (clip && typeof zeroPoint === 'number' && data instanceof Float32Array && divideIn32 && shiftIn32) {
    finite = quantFloat32(data, out, Math.fround(scale), Math.fround(zeroPoint), qmin, qmax);
  } else {
    finite = quantGeneral(data, out, p);
  }
  if (!finite) {
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) throw notFinite('values', i, data[i]);
  }
}

export function dequantInto(q: ArrayLike<number>, out: Float64Array, scale: number, zeroPoint: number | Float64Array): void {
  if (typeof zeroPoint === 'number') {
    for (let i = 0; i < q.length; i++) out[i] = scale * (q[i] - zeroPoint);
  } else {
    for (let i = 0; i < q.length; i++) out[i] = scale * (q[i] - zeroPoint[i]);
  }
}

// NaN and infinities are detected without a branch per element: x * 0 is 0 for finite x and
// NaN otherwise, so `poison` stays 0 until a non-finite value passes. Each loop returns whether
// all values were finite; the caller then looks for the culprit to name it.

function quantFloat64(data: Float64Array, out: Int32Array, scale: number, zeroPoint: number, qmin: number, qmax: number): boolean {
  let poison = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    poison += x * 0;
    const y = x / scale + zeroPoint;
    // clipping before rounding gives the reference's integers (qmin, qmax are integers and
    // rint is monotonic) and keeps y small enough for MAGIC
    out[i] = (y < qmin ? qmin : y > qmax ? qmax : y) + MAGIC - MAGIC;
  }
  return poison === 0;
}

function quantFloat32(data: Float32Array, out: Int32Array, scale32: number, zeroPoint32: number, qmin: number, qmax: number): boolean {
  let poison = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    poison += x * 0;
    const y = Math.fround(Math.fround(x / scale32) + zeroPoint32);
    out[i] = (y < qmin ? qmin : y > qmax ? qmax : y) + MAGIC - MAGIC;
  }
  return poison === 0;
}

function quantGeneral(data: RealArray, out: Int32Array, p: QuantKernelParameters): boolean {
  const { clip, qmin, qmax, divideIn32, shiftIn32 } = p;
  const divisor = divideIn32 ? Math.fround(p.scale) : p.scale;
  const scalarZp = typeof p.zeroPoint === 'number' ? (shiftIn32 ? Math.fround(p.zeroPoint) : p.zeroPoint) : 0;
  const zp = typeof p.zeroPoint === 'number' ? null : p.zeroPoint;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (!Number.isFinite(x)) return false;
    let y = x / divisor;
    if (divideIn32) y = Math.fround(y);
    y += zp === null ? scalarZp : zp[i];
    if (shiftIn32) y = Math.fround(y);
    if (clip) {
      out[i] = (y < qmin ? qmin : y > qmax ? qmax : y) + MAGIC - MAGIC;
    } else {
      const q = roundHalfToEven(y);
      if (!(q >= INT32_MIN && q <= INT32_MAX)) {
        throw new RangeError(`quantized value ${q} of element ${i} does not fit int32 (noClipping is set)`);
      }
      out[i] = q;
    }
  }
  return true;
}
