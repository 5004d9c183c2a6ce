// Geometry shared by Conv, ConvTranspose and the pools: kernel, strides, dilations, and the
// padding that auto_pad or explicit pads imply.
import { sizeOf } from '../../tensor';
import type { OnnxNode } from '../graph';
import { stridesOf } from './broadcast';
import { formatShape } from '../errors';
import { attrInt, attrInts, attrString, opError } from './context';

export interface Window {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
  readonly padsEnd: readonly number[];
  readonly outSpatial: readonly number[];
}

function listAttr(node: OnnxNode, name: string, length: number, fallback: number): number[] {
  const values = attrInts(node, name) ?? new Array<number>(length).fill(fallback);
  if (values.length !== length) {
    throw opError(node, `attribute '${name}' has ${values.length} values, expected ${length} (one per spatial axis)`);
  }
  return values;
}

/**
 * Output size and padding of a sliding window over `inSpatial`. `ceilMode` is the pooling
 * option; convolutions always floor.
 */
export function slidingWindow(node: OnnxNode, inSpatial: readonly number[], kernel: readonly number[], ceilMode = false): Window {
  const rank = inSpatial.length;
  if (kernel.length !== rank) {
    throw opError(node, `kernel ${formatShape(kernel)} does not match ${rank} spatial axes`);
  }
  const strides = listAttr(node, 'strides', rank, 1);
  const dilations = listAttr(node, 'dilations', rank, 1);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const padsBegin = new Array<number>(rank).fill(0);
  const padsEnd = new Array<number>(rank).fill(0);
  const outSpatial = new Array<number>(rank);
  const pads = attrInts(node, 'pads');
  if (pads !== undefined && pads.length !== 2 * rank) {
    throw opError(node, `attribute 'pads' has ${pads.length} values, expected ${2 * rank}`);
  }
  for (let d = 0; d < rank; d++) {
    const extent = dilations[d] * (kernel[d] - 1) + 1;
    if (strides[d] < 1 || dilations[d] < 1) throw opError(node, 'strides and dilations must be >= 1');
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      outSpatial[d] = Math.ceil(inSpatial[d] / strides[d]);
      const total = Math.max(0, (outSpatial[d] - 1) * strides[d] + extent - inSpatial[d]);
      // SAME_UPPER puts the odd padding at the end, SAME_LOWER at the beginning.
      padsBegin[d] = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
      padsEnd[d] = total - padsBegin[d];
      continue;
    }
    if (autoPad === 'NOTSET') {
      padsBegin[d] = pads?.[d] ?? 0;
      padsEnd[d] = pads?.[d + rank] ?? 0;
    } else if (autoPad !== 'VALID') {
      throw opError(node, `auto_pad '${autoPad}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
    }
    const span = inSpatial[d] + padsBegin[d] + padsEnd[d] - extent;
    if (span < 0) {
      throw opError(node, `kernel ${formatShape(kernel)} (dilations ${formatShape(dilations)}) is larger than the padded input ${formatShape(inSpatial)}`);
    }
    let out = (ceilMode ? Math.ceil(span / strides[d]) : Math.floor(span / strides[d])) + 1;
    // With ceil_mode the last window must still start inside the input or its left padding.
    if (ceilMode && (out - 1) * strides[d] >= inSpatial[d] + padsBegin[d]) out--;
    outSpatial[d] = out;
  }
  return { kernel, strides, dilations, padsBegin, padsEnd, outSpatial };
}

export function kernelShapeAttr(node: OnnxNode, fallback: readonly number[] | undefined): number[] {
  const kernel = attrInts(node, 'kernel_shape') ?? fallback;
  if (kernel === undefined) throw opError(node, "attribute 'kernel_shape' is required");
  return [...kernel];
}

export function groupAttr(node: OnnxNode): number {
  return attrInt(node, 'group', 1);
}

/** Coordinates of every point of a grid, flattened row-major: coords[p * rank + d]. */
export function gridCoordinates(shape: readonly number[]): Int32Array {
  const rank = shape.length;
  const size = sizeOf(shape);
  const coords = new Int32Array(size * rank);
  const counter = new Array<number>(rank).fill(0);
  for (let p = 0; p < size; p++) {
    for (let d = 0; d < rank; d++) coords[p * rank + d] = counter[d];
    for (let d = rank - 1; d >= 0; d--) {
      if (++counter[d] < shape[d]) break;
      counter[d] = 0;
    }
  }
  return coords;
}

/**
 * For each (kernel point q, window position o): the flat offset in `target` of the point
 * o * stride - padBegin + q * dilation, or -1 when it falls in the padding.
 */
export function windowOffsets(
  target: readonly number[], positions: readonly number[], kernel: readonly number[],
  strides: readonly number[], dilations: readonly number[], padsBegin: readonly number[],
): Int32Array {
  const rank = target.length;
  const kernelPoints = gridCoordinates(kernel);
  const positionPoints = gridCoordinates(positions);
  const kSize = sizeOf(kernel);
  const pSize = sizeOf(positions);
  const targetStrides = stridesOf(target);
  const offsets = new Int32Array(kSize * pSize);
  for (let q = 0; q < kSize; q++) {
    for (let o = 0; o < pSize; o++) {
      let offset = 0;
      for (let d = 0; d < rank; d++) {
        const at = positionPoints[o * rank + d] * strides[d] - padsBegin[d] + kernelPoints[q * rank + d] * dilations[d];
        if (at < 0 || at >= target[d]) {
          offset = -1;
          break;
        }
        offset += at * targetStrides[d];
      }
      offsets[q * pSize + o] = offset;
    }
  }
  return offsets;
}

