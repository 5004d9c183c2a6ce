// Shapes of circuit tensors and the index maps of data movement. Circuit shapes are per sample:
// the batch dimension is the executors' business, so axis 0 here is ONNX's axis 1.
//
// An index map gives, for each output element (row-major), the flat index of the input element
// it copies, or -1 where a constant goes (padding).

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  for (let k = shape.length - 1, stride = 1; k >= 0; k--) {
    strides[k] = stride;
    stride *= shape[k];
  }
  return strides;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function checkShape(shape: Shape, what: string): Shape {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw new RangeError(`${what}: shape must be a list of positive integers, got ${JSON.stringify(shape)}`);
  }
  return Object.freeze([...shape]);
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}

/** An axis in [-rank, rank) as a non-negative axis. */
export function normalizeAxis(axis: number, rank: number, what: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new RangeError(`${what}: axis ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Visits every output element with its coordinates (reused array: copy to keep). */
function forEachIndex(shape: Shape, visit: (flat: number, coordinates: number[]) => void): void {
  const size = sizeOf(shape);
  const coordinates = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < size; flat++) {
    visit(flat, coordinates);
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++coordinates[k] < shape[k]) break;
      coordinates[k] = 0;
    }
  }
}

export interface IndexMap {
  readonly shape: Shape;
  readonly index: Int32Array;
}

/** numpy broadcasting of two shapes; throws naming both. */
export function broadcastShapes(a: Shape, b: Shape, what: string): Shape {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    const da = a[a.length - rank + k] ?? 1;
    const db = b[b.length - rank + k] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`${what}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Expand (numpy broadcast_to): `from` must broadcast to exactly `to`. */
export function broadcastMap(from: Shape, to: Shape, what: string): IndexMap {
  const result = broadcastShapes(from, to, what);
  if (!sameShape(result, to)) {
    throw new RangeError(`${what}: shape ${formatShape(from)} does not broadcast to ${formatShape(to)}`);
  }
  const strides = stridesOf(from);
  const offset = to.length - from.length;
  const index = new Int32Array(sizeOf(to));
  forEachIndex(to, (flat, coordinates) => {
    let at = 0;
    for (let k = 0; k < from.length; k++) if (from[k] !== 1) at += coordinates[k + offset] * strides[k];
    index[flat] = at;
  });
  return { shape: to, index };
}

export function transposeMap(shape: Shape, permutation: readonly number[] | undefined, what: string): IndexMap {
  const perm = permutation ?? shape.map((_, k) => shape.length - 1 - k);
  const sorted = [...perm].sort((x, y) => x - y);
  if (perm.length !== shape.length || sorted.some((axis, k) => axis !== k)) {
    throw new RangeError(`${what}: ${JSON.stringify(perm)} is not a permutation of the ${shape.length} axes`);
  }
  const strides = stridesOf(shape);
  const outShape = perm.map((axis) => shape[axis]);
  const index = new Int32Array(sizeOf(outShape));
  forEachIndex(outShape, (flat, coordinates) => {
    let at = 0;
    for (let k = 0; k < perm.length; k++) at += coordinates[k] * strides[perm[k]];
    index[flat] = at;
  });
  return { shape: outShape, index };
}

export interface SliceSpec {
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  readonly axes?: readonly number[];
  readonly steps?: readonly number[];
}

/** ONNX Slice: negative starts/ends count from the end, out-of-range ones are clamped. */
export function sliceMap(shape: Shape, spec: SliceSpec, what: string): IndexMap {
  const axes = (spec.axes ?? spec.starts.map((_, k) => k)).map((axis) => normalizeAxis(axis, shape.length, what));
  const steps = spec.steps ?? axes.map(() => 1);
  if (spec.ends.length !== axes.length || spec.starts.length !== axes.length || steps.length !== axes.length) {
    throw new RangeError(`${what}: starts, ends, axes and steps must have the same length`);
  }
  const begin = shape.map(() => 0);
  const step = shape.map(() => 1);
  const count = [...shape];
  axes.forEach((axis, k) => {
    const dim = shape[axis];
    const s = steps[k];
    if (!Number.isInteger(s) || s === 0) throw new RangeError(`${what}: step ${s} on axis ${axis} must be a non-zero integer`);
    const clamp = (value: number, low: number, high: number): number => Math.min(Math.max(value, low), high);
    const resolve = (value: number): number => (value < 0 ? value + dim : value);
    const first = s > 0 ? clamp(resolve(spec.starts[k]), 0, dim) : clamp(resolve(spec.starts[k]), -1, dim - 1);
    const last = s > 0 ? clamp(resolve(spec.ends[k]), 0, dim) : clamp(resolve(spec.ends[k]), -1, dim - 1);
    begin[axis] = first;
    step[axis] = s;
    count[axis] = Math.max(0, Math.ceil((last - first) / s));
  });
  if (count.some((d) => d === 0)) throw new RangeError(`${what}: the slice of ${formatShape(shape)} is empty`);
  const strides = stridesOf(shape);
  const index = new Int32Array(sizeOf(count));
  forEachIndex(count, (flat, coordinates) => {
    let at = 0;
    for (let k = 0; k < shape.length; k++) at += (begin[k] + coordinates[k] * step[k]) * strides[k];
    index[flat] = at;
  });
  return { shape: count, index };
}

/** ONNX Pad (constant mode): pads = [begin_0, ..., begin_r-1, end_0, ..., end_r-1]; negative pads crop. */
export function padMap(shape: Shape, pads: readonly number[], what: string): IndexMap {
  const rank = shape.length;
  if (pads.length !== 2 * rank || pads.some((p) => !Number.isInteger(p))) {
    throw new RangeError(`${what}: pads must hold 2 * ${rank} integers, got ${JSON.stringify(pads)}`);
  }
  const outShape = shape.map((d, k) => d + pads[k] + pads[k + rank]);
  if (outShape.some((d) => d < 1)) throw new RangeError(`${what}: pads ${JSON.stringify(pads)} leave nothing of ${formatShape(shape)}`);
  const strides = stridesOf(shape);
  const index = new Int32Array(sizeOf(outShape));
  forEachIndex(outShape, (flat, coordinates) => {
    let at = 0;
    for (let k = 0; k < rank; k++) {
      const source = coordinates[k] - pads[k];
      if (source < 0 || source >= shape[k]) {
        at = -1;
        break;
      }
      at += source * strides[k];
    }
    index[flat] = at;
  });
  return { shape: outShape, index };
}

/** Concat along `axis`: which input each output element comes from, and where in it. */
export function concatMap(shapes: readonly Shape[], axis: number, what: string): IndexMap & { readonly source: Int32Array } {
  const rank = shapes[0].length;
  const a = normalizeAxis(axis, rank, what);
  for (const shape of shapes) {
    if (shape.length !== rank || shape.some((d, k) => k !== a && d !== shapes[0][k])) {
      throw new RangeError(`${what}: cannot concatenate ${shapes.map(formatShape).join(', ')} along axis ${a}`);
    }
  }
  const offsets: number[] = [];
  let total = 0;
  for (const shape of shapes) {
    offsets.push(total);
    total += shape[a];
  }
  const outShape = shapes[0].map((d, k) => (k === a ? total : d));
  const source = new Int32Array(sizeOf(outShape));
  const index = new Int32Array(source.length);
  const allStrides = shapes.map(stridesOf);
  forEachIndex(outShape, (flat, coordinates) => {
    let slot = 0;
    while (slot + 1 < shapes.length && coordinates[a] >= offsets[slot + 1]) slot++;
    let at = 0;
    for (let k = 0; k < rank; k++) at += (k === a ? coordinates[k] - offsets[slot] : coordinates[k]) * allStrides[slot][k];
    source[flat] = slot;
    index[flat] = at;
  });
  return { shape: outShape, index, source };
}

/** ONNX Gather with constant indices (negative ones count from the end). */
export function gatherMap(shape: Shape, indices: ArrayLike<number>, indicesShape: Shape, axis: number, what: string): IndexMap {
  const a = normalizeAxis(axis, shape.length, what);
  const resolved = Array.from({ length: indices.length }, (_, i) => {
    const value = indices[i];
    if (!Number.isInteger(value) || value < -shape[a] || value >= shape[a]) {
      throw new RangeError(`${what}: index ${value} is out of range for axis ${a} of size ${shape[a]}`);
    }
    return value < 0 ? value + shape[a] : value;
  });
  const outShape = [...shape.slice(0, a), ...indicesShape, ...shape.slice(a + 1)];
  const strides = stridesOf(shape);
  const index = new Int32Array(sizeOf(outShape));
  const indexRank = indicesShape.length;
  const indexStrides = stridesOf(indicesShape);
  forEachIndex(outShape, (flat, coordinates) => {
    let at = 0;
    for (let k = 0; k < a; k++) at += coordinates[k] * strides[k];
    let which = 0;
    for (let k = 0; k < indexRank; k++) which += coordinates[a + k] * indexStrides[k];
    at += resolved[which] * strides[a];
    for (let k = a + 1; k < shape.length; k++) at += coordinates[k + indexRank - 1] * strides[k];
    index[flat] = at;
  });
  return { shape: outShape, index };
}

/** The index along `axis` of every element of a tensor of `shape` (per-channel tables). */
export function coordinateAlong(shape: Shape, axis: number): Int32Array {
  const strides = stridesOf(shape);
  const out = new Int32Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(i / strides[axis]) % shape[axis];
  return out;
}

/** Reshape with at most one -1 (inferred); 0 is not accepted (per-sample shapes have no batch to copy). */
export function resolveReshape(from: Shape, to: readonly number[], what: string): Shape {
  const size = sizeOf(from);
  const inferred = to.filter((d) => d === -1).length;
  if (inferred > 1 || to.some((d) => !Number.isInteger(d) || (d < 1 && d !== -1))) {
    throw new RangeError(`${what}: target shape ${JSON.stringify(to)} must hold positive integers and at most one -1`);
  }
  const known = to.reduce((product, d) => (d === -1 ? product : product * d), 1);
  const shape = to.map((d) => (d === -1 ? size / known : d));
  if (sizeOf(shape) !== size || shape.some((d) => !Number.isInteger(d))) {
    throw new RangeError(`${what}: cannot reshape ${formatShape(from)} (${size} elements) to ${JSON.stringify(to)}`);
  }
  return shape;
}
