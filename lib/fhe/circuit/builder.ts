// CircuitBuilder: the API a lowering pass calls op by op to describe the encrypted-integer
// program of a quantized model. Every method checks shapes and clear operands at once and
// throws an error naming the op; ranges, precision and parameters are settled by compile().
//
//   const b = new CircuitBuilder();
//   const x = b.input('x', [4], { min: 0, max: 15 });
//   const h = b.matmul(x, { data: w1, shape: [4, 3] }, { bias: b1 });
//   const y = b.lookup(h, (v) => Math.min(Math.max(v >> 2, 0), 15));
//   b.output(y);
//   const circuit = b.compile({ inputset: [calibrationSamples] });

import { compileCircuit, type CompileOptions } from './compile';
import { conv2dMap, sumPool2dMap, windowTapMaps, type Conv2dOptions, type SumPool2dOptions } from './convolution';
import type { FheCircuit } from './circuit';
import type { CircuitGraph, CircuitNode, CircuitOutput, LookupFunction, RoundingExactness } from './graph';
import { checkRange, type IntegerRange } from './integers';
import { int32Weights, LinearMapBuilder, matmulMap, type LinearMap } from './linear-map';
import {
  broadcastMap, broadcastShapes, checkShape, concatMap, coordinateAlong, formatShape, gatherMap, normalizeAxis,
  padMap, resolveReshape, sameShape, sizeOf, sliceMap, stridesOf, transposeMap, type Shape, type SliceSpec,
} from './shapes';

/** A clear integer tensor: the library's Tensor<'int32'> fits, as does { data, shape }. */
export interface ClearTensor {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

/** A clear scalar, or a clear tensor that broadcasts (numpy rules) to the encrypted operand. */
export type ClearOperand = number | ClearTensor;

export interface OpOptions {
  /** Unique name, used in errors and reports; defaults to `<op>_<id>`. */
  readonly name?: string;
  /**
   * The integer range this tensor takes, when the caller knows it (e.g. from the quantized
   * module's calibration). Compile widens it with values seen in its inputset, and refuses a
   * range that the inputs' ranges make impossible.
   */
  readonly range?: IntegerRange;
}

export interface MatmulOptions extends OpOptions {
  /** Clear integers added per output column (length N). */
  readonly bias?: ArrayLike<number>;
}

export interface ConvOptions extends OpOptions, Conv2dOptions {
  /** Clear integers added per output channel (length O). */
  readonly bias?: ArrayLike<number>;
}

export interface LookupOpOptions extends OpOptions {
  /** Per-channel tables: the function gets each element's index along this axis. */
  readonly channelAxis?: number;
}

export interface RoundOptions extends OpOptions {
  readonly exactness?: RoundingExactness;
}

/** Bits a rounded shift may drop: its input chain is at most 30 bits (int32 clear operands). */
const MAX_ROUNDED_BITS = 30;

/** A handle to a tensor of the circuit being built. */
export class CircuitTensor {
  /** @internal */
  constructor(readonly id: number, readonly name: string, readonly shape: Shape, readonly owner: CircuitBuilder) {}

  get size(): number {
    return sizeOf(this.shape);
  }
}

/** What each kind of node adds to the common fields. */
type NodeFields = CircuitNode extends infer N ? (N extends CircuitNode ? Omit<N, 'id' | 'name' | 'shape' | 'size' | 'inputs' | 'op' | 'declaredRange'> : never) : never;

export class CircuitBuilder {
  readonly #nodes: CircuitNode[] = [];
  readonly #inputs: number[] = [];
  readonly #outputs: CircuitOutput[] = [];
  readonly #names = new Set<string>();

  /** The graph so far (a snapshot; later ops do not change it). */
  get graph(): CircuitGraph {
    return { nodes: [...this.#nodes], inputs: [...this.#inputs], outputs: [...this.#outputs] };
  }

  /** Settles ranges, precision and parameters; see CompileOptions. */
  compile(options: CompileOptions = {}): FheCircuit {
    return compileCircuit(this.graph, options);
  }

  // ---- inputs and outputs -------------------------------------------------------------------

  /** An encrypted input of per-sample `shape` whose values lie in `range` (the quantizer's [qmin, qmax]). */
  input(name: string, shape: Shape, range: IntegerRange): CircuitTensor {
    const what = `input '${name}'`;
    const node = this.#add('input', [], checkShape(shape, what), { kind: 'input' }, { name, range: checkRange(range, what) });
    this.#inputs.push(node.id);
    return node;
  }

  /** Marks a tensor as a circuit output (in call order). */
  output(tensor: CircuitTensor, name = tensor.name): void {
    this.#own(tensor, 'output');
    if (this.#outputs.some((o) => o.name === name)) throw new RangeError(`output '${name}' is declared twice`);
    this.#outputs.push({ id: tensor.id, name });
  }

  // ---- linear ops ---------------------------------------------------------------------------

  /** x [..., K] @ W [K, N] (+ bias[N]) -> [..., N]. Gemm with transB: pass W transposed. */
  matmul(x: CircuitTensor, weights: ClearTensor, options: MatmulOptions = {}): CircuitTensor {
    const what = this.#what('matmul', options);
    this.#own(x, what);
    if (weights.shape.length !== 2) throw new RangeError(`${what}: weights must be 2-D [K, N], got ${formatShape(weights.shape)}`);
    const [k, n] = weights.shape;
    if (x.shape[x.shape.length - 1] !== k) {
      throw new RangeError(`${what}: cannot multiply ${formatShape(x.shape)} by ${formatShape(weights.shape)}`);
    }
    const w = int32Weights(weights.data, what);
    if (w.length !== k * n) throw new RangeError(`${what}: weights of shape ${formatShape(weights.shape)} need ${k * n} values, got ${w.length}`);
    const rows = x.size / k;
    let map = matmulMap(rows, k, n, w, what);
    if (options.bias !== undefined) map = withBias(map, options.bias, n, (o) => o % n, what);
    return this.#linear('matmul', x, [...x.shape.slice(0, -1), n], map, options);
  }

  /** 2-D convolution of [C, H, W] by W [O, C / group, kh, kw] (+ bias[O]) -> [O, H', W']. */
  conv2d(x: CircuitTensor, weights: ClearTensor, options: ConvOptions = {}): CircuitTensor {
    const what = this.#what('conv2d', options);
    this.#own(x, what);
    const result = conv2dMap(x.shape, int32Weights(weights.data, what), weights.shape, options, what);
    let map = result.map;
    const [outChannels, oh, ow] = result.shape;
    if (options.bias !== undefined) map = withBias(map, options.bias, outChannels, (o) => Math.floor(o / (oh * ow)), what);
    return this.#linear('conv2d', x, result.shape, map, options);
  }

  /** Window sums of [C, H, W] (AveragePool before its division; padding taps read padValue). */
  sumPool2d(x: CircuitTensor, options: SumPool2dOptions & OpOptions): CircuitTensor {
    const what = this.#what('sumPool2d', options);
    this.#own(x, what);
    const { map, shape } = sumPool2dMap(x.shape, options, what);
    return this.#linear('sumPool2d', x, shape, map, options);
  }

  /** ReduceSum over `axes` (all when omitted); keepDims as in ONNX (default true). */
  reduceSum(x: CircuitTensor, axes?: readonly number[], options: OpOptions & { keepDims?: boolean } = {}): CircuitTensor {
    const what = this.#what('reduceSum', options);
    this.#own(x, what);
    const reduced = new Set((axes ?? x.shape.map((_, k) => k)).map((a) => normalizeAxis(a, x.shape.length, what)));
    const keepDims = options.keepDims ?? true;
    const kept = x.shape.map((d, k) => (reduced.has(k) ? 1 : d));
    const strides = stridesOf(x.shape);
    const outStrides = stridesOf(kept);
    const builder = new LinearMapBuilder(x.size, what);
    const rows: number[][] = Array.from({ length: sizeOf(kept) }, () => []);
    for (let i = 0; i < x.size; i++) {
      let out = 0;
      for (let k = 0; k < x.shape.length; k++) if (!reduced.has(k)) out += (Math.floor(i / strides[k]) % x.shape[k]) * outStrides[k];
      rows[out].push(i);
    }
    for (const row of rows) {
      for (const i of row) builder.term(i, 1);
      builder.endRow();
    }
    const shape = keepDims ? kept : x.shape.filter((_, k) => !reduced.has(k));
    return this.#linear('reduceSum', x, shape, builder.build(), options);
  }

  /** Elementwise a + b of two encrypted tensors (numpy broadcasting). */
  add(a: CircuitTensor, b: CircuitTensor, options: OpOptions = {}): CircuitTensor {
    return this.#addOrSubtract('add', a, b, options);
  }

  /** Elementwise a - b of two encrypted tensors (numpy broadcasting). */
  subtract(a: CircuitTensor, b: CircuitTensor, options: OpOptions = {}): CircuitTensor {
    return this.#addOrSubtract('subtract', a, b, options);
  }

  /** Elementwise x * c for clear integers c (a scalar or a tensor broadcasting to x). */
  multiplyByConstant(x: CircuitTensor, factors: ClearOperand, options: OpOptions = {}): CircuitTensor {
    const what = this.#what('multiplyByConstant', options);
    this.#own(x, what);
    const values = int32Weights(expandOperand(factors, x.shape, what), what);
    return this.#add('multiplyByConstant', [x], x.shape, { kind: 'scale', factors: values }, options);
  }

  negate(x: CircuitTensor, options: OpOptions = {}): CircuitTensor {
    return this.multiplyByConstant(x, -1, { ...options, name: options.name ?? this.#defaultName('negate') });
  }

  /** Elementwise x + c for clear integers c (a scalar or a tensor broadcasting to x). */
  addConstant(x: CircuitTensor, constants: ClearOperand, options: OpOptions = {}): CircuitTensor {
    const what = this.#what('addConstant', options);
    this.#own(x, what);
    const values = expandOperand(constants, x.shape, what);
    for (const v of values) if (!Number.isSafeInteger(v)) throw new RangeError(`${what}: constant ${v} is not a safe integer`);
    return this.#add('addConstant', [x], x.shape, { kind: 'offset', constants: Float64Array.from(values) }, options);
  }

  // ---- data movement ------------------------------------------------------------------------

  reshape(x: CircuitTensor, shape: readonly number[], options: OpOptions = {}): CircuitTensor {
    const what = this.#what('reshape', options);
    this.#own(x, what);
    return this.#add('reshape', [x], resolveReshape(x.shape, shape, what), { kind: 'reshape' }, options);
  }

  /** Permutes the axes (reverses them when `permutation` is omitted, as ONNX does). */
  transpose(x: CircuitTensor, permutation?: readonly number[], options: OpOptions = {}): CircuitTensor {
    const what = this.#what('transpose', options);
    this.#own(x, what);
    return this.#gather('transpose', [x], transposeMap(x.shape, permutation, what), null, 0, options);
  }

  /** ONNX Slice with constant starts/ends/axes/steps. */
  slice(x: CircuitTensor, spec: SliceSpec, options: OpOptions = {}): CircuitTensor {
    const what = this.#what('slice', options);
    this.#own(x, what);
    return this.#gather('slice', [x], sliceMap(x.shape, spec, what), null, 0, options);
  }

  /** ONNX Pad, constant mode: pads = [begins..., ends...]; padded elements are the clear `value`. */
  pad(x: CircuitTensor, pads: readonly number[], value = 0, options: OpOptions = {}): CircuitTensor {
    const what = this.#what('pad', options);
    this.#own(x, what);
    if (!Number.isSafeInteger(value)) throw new RangeError(`${what}: pad value ${value} must be a safe integer`);
    return this.#gather('pad', [x], padMap(x.shape, pads, what), null, value, options);
  }

  concat(tensors: readonly CircuitTensor[], axis: number, options: OpOptions = {}): CircuitTensor {
    const what = this.#what('concat', options);
    if (tensors.length === 0) throw new RangeError(`${what}: needs at least one tensor`);
    tensors.forEach((t) => this.#own(t, what));
    const map = concatMap(tensors.map((t) => t.shape), axis, what);
    return this.#gather('concat', tensors, map, map.source, 0, options);
  }

  /** ONNX Gather with constant indices (of shape indicesShape, 1-D by default). */
  gather(x: CircuitTensor, indices: ArrayLike<number>, axis = 0, options: OpOptions & { indicesShape?: Shape } = {}): CircuitTensor {
    const what = this.#what('gather', options);
    this.#own(x, what);
    const map = gatherMap(x.shape, indices, options.indicesShape ?? [indices.length], axis, what);
    return this.#gather('gather', [x], map, null, 0, options);
  }

  /** ONNX Expand: numpy broadcast to `shape`. */
  broadcastTo(x: CircuitTensor, shape: Shape, options: OpOptions = {}): CircuitTensor {
    const what = this.#what('broadcastTo', options);
    this.#own(x, what);
    if (sameShape(x.shape, shape)) return x;
    return this.#gather('broadcastTo', [x], broadcastMap(x.shape, checkShape(shape, what), what), null, 0, options);
  }

  // ---- table lookups ------------------------------------------------------------------------

  /**
   * floor((x + 2^(bits-1)) / 2^bits) per element: x divided by 2^bits, rounded to nearest, ties
   * up (Concrete's round_bit_pattern, without the multiplication back). Use it in front of a
   * lookup to narrow it: the lookup then reads `bits` fewer bits, which is what makes wide
   * accumulators affordable. 'EXACT' (default) costs one extra bootstrap per dropped bit and is
   * exact; 'APPROXIMATE' costs nothing but may be one off where x is near a tie, and its output
   * may only be read by lookups, data movement, constant offsets and outputs.
   */
  roundedShift(x: CircuitTensor, bits: number, options: RoundOptions = {}): CircuitTensor {
    const what = this.#what('roundedShift', options);
    this.#own(x, what);
    if (!Number.isInteger(bits) || bits < 1 || bits > MAX_ROUNDED_BITS) {
      throw new RangeError(`${what}: bits must be an integer in [1, ${MAX_ROUNDED_BITS}], got ${bits}`);
    }
    const exactness = options.exactness ?? 'EXACT';
    if (exactness !== 'EXACT' && exactness !== 'APPROXIMATE') {
      throw new RangeError(`${what}: exactness must be 'EXACT' or 'APPROXIMATE', got ${String(exactness)}`);
    }
    return this.#add('roundedShift', [x], x.shape, { kind: 'round', bits, exactness }, options);
  }

  /**
   * One table lookup per element: y = fn(x, channel). The compiler tabulates fn over x's range
   * (shifted to start at 0), so fn may be any integer function (the fused rescale + bias +
   * activation + requantization of a quantized model).
   */
  lookup(x: CircuitTensor, fn: LookupFunction, options: LookupOpOptions = {}): CircuitTensor {
    const what = this.#what('lookup', options);
    this.#own(x, what);
    if (typeof fn !== 'function') throw new TypeError(`${what}: fn must be a function (value, channel) => integer`);
    let channelOf: Int32Array | null = null;
    let channels = 1;
    if (options.channelAxis !== undefined) {
      const axis = normalizeAxis(options.channelAxis, x.shape.length, what);
      channelOf = coordinateAlong(x.shape, axis);
      channels = x.shape[axis];
    }
    return this.#add('lookup', [x], x.shape, { kind: 'lookup', fn, channelOf, channels }, options);
  }

  /**
   * Elementwise a * b of two encrypted tensors by the square trick:
   * a*b = floor((a+b)^2 / 4) - floor((a-b)^2 / 4), exact because a+b and a-b have the same
   * parity. Two lookups per element.
   */
  multiplyEncrypted(a: CircuitTensor, b: CircuitTensor, options: OpOptions = {}): CircuitTensor {
    const name = options.name ?? this.#defaultName('multiplyEncrypted');
    const [x, y] = this.#broadcastPair(a, b, name, `multiplyEncrypted '${name}'`);
    const quarterSquare = (v: number): number => Math.floor((v * v) / 4);
    const sum = this.lookup(this.add(x, y, { name: `${name}.sum` }), quarterSquare, { name: `${name}.sum_squared` });
    const difference = this.lookup(this.subtract(x, y, { name: `${name}.difference` }), quarterSquare, { name: `${name}.difference_squared` });
    return this.subtract(sum, difference, { ...options, name });
  }

  /** a [M, K] @ b [K, N] with both encrypted: M*K*N encrypted products (2 lookups each), summed over K. */
  matmulEncrypted(a: CircuitTensor, b: CircuitTensor, options: OpOptions = {}): CircuitTensor {
    const name = options.name ?? this.#defaultName('matmulEncrypted');
    if (a.shape.length !== 2 || b.shape.length !== 2 || a.shape[1] !== b.shape[0]) {
      throw new RangeError(`matmulEncrypted '${name}': needs [M, K] @ [K, N], got ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
    }
    const [m, k] = a.shape;
    const n = b.shape[1];
    const left = this.broadcastTo(this.reshape(a, [m, k, 1], { name: `${name}.a` }), [m, k, n], { name: `${name}.a_expanded` });
    const right = this.broadcastTo(this.reshape(b, [1, k, n], { name: `${name}.b` }), [m, k, n], { name: `${name}.b_expanded` });
    const products = this.multiplyEncrypted(left, right, { name: `${name}.products` });
    return this.reduceSum(products, [1], { ...options, name, keepDims: false });
  }

  /** Elementwise max(a, b) = b + relu(a - b): one lookup per element. */
  maximum(a: CircuitTensor, b: CircuitTensor, options: OpOptions = {}): CircuitTensor {
    const name = options.name ?? this.#defaultName('maximum');
    const [x, y] = this.#broadcastPair(a, b, name, `maximum '${name}'`);
    const relu = this.lookup(this.subtract(x, y, { name: `${name}.difference` }), (v) => Math.max(v, 0), { name: `${name}.relu` });
    return this.add(relu, y, { ...options, name });
  }

  /** MaxPool of [C, H, W] as a tree of pairwise maxima (taps - 1 lookups per output). */
  maxPool2d(x: CircuitTensor, options: SumPool2dOptions & OpOptions): CircuitTensor {
    const name = options.name ?? this.#defaultName('maxPool2d');
    const what = `maxPool2d '${name}'`;
    this.#own(x, what);
    const { maps, shape } = windowTapMaps(x.shape, options, what);
    if (maps.length === 1) return this.#gather('maxPool2d', [x], { shape, index: maps[0] }, null, options.padValue ?? 0, { ...options, name });
    let level = maps.map((index, t) => this.#gather('maxPool2d', [x], { shape, index }, null, options.padValue ?? 0, { name: `${name}.tap${t}` }));
    for (let round = 0; level.length > 1; round++) {
      const next: CircuitTensor[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) {
        const last = level.length <= 2;
        next.push(this.maximum(level[i], level[i + 1], last ? { ...options, name } : { name: `${name}.max${round}_${i / 2}` }));
      }
      if (level.length % 2 === 1) next.push(level[level.length - 1]);
      level = next;
    }
    return level[0];
  }

  // ---- internals ----------------------------------------------------------------------------

  #broadcastPair(a: CircuitTensor, b: CircuitTensor, name: string, what: string): [CircuitTensor, CircuitTensor] {
    this.#own(a, what);
    this.#own(b, what);
    const shape = broadcastShapes(a.shape, b.shape, what);
    return [this.broadcastTo(a, shape, { name: `${name}.lhs` }), this.broadcastTo(b, shape, { name: `${name}.rhs` })];
  }

  #addOrSubtract(kind: 'add' | 'subtract', a: CircuitTensor, b: CircuitTensor, options: OpOptions): CircuitTensor {
    const name = options.name ?? this.#defaultName(kind);
    const [x, y] = this.#broadcastPair(a, b, name, `${kind} '${name}'`);
    return this.#add(kind, [x, y], x.shape, { kind }, { ...options, name });
  }

  #linear(op: string, x: CircuitTensor, shape: Shape, map: LinearMap, options: OpOptions): CircuitTensor {
    return this.#add(op, [x], shape, { kind: 'linear', map }, options);
  }

  #gather(op: string, inputs: readonly CircuitTensor[], map: { shape: Shape; index: Int32Array }, source: Int32Array | null, padValue: number, options: OpOptions): CircuitTensor {
    return this.#add(op, inputs, map.shape, { kind: 'gather', index: map.index, source, padValue }, options);
  }

  #add(op: string, inputs: readonly CircuitTensor[], shape: Shape, fields: NodeFields, options: OpOptions): CircuitTensor {
    const id = this.#nodes.length;
    const name = options.name ?? `${op}_${id}`;
    if (this.#names.has(name)) throw new RangeError(`${op} '${name}': the name is already taken in this circuit`);
    const declaredRange = options.range === undefined ? undefined : checkRange(options.range, `${op} '${name}'`);
    const node = { id, name, op, shape, size: sizeOf(shape), inputs: inputs.map((t) => t.id), ...fields, declaredRange } as CircuitNode;
    this.#names.add(name);
    this.#nodes.push(node);
    return new CircuitTensor(id, name, shape, this);
  }

  #own(tensor: CircuitTensor, what: string): void {
    if (!(tensor instanceof CircuitTensor) || tensor.owner !== this) {
      throw new TypeError(`${what}: expected a tensor made by this circuit builder`);
    }
  }

  #defaultName(op: string): string {
    return `${op}_${this.#nodes.length}`;
  }

  #what(op: string, options: OpOptions): string {
    return `${op} '${options.name ?? this.#defaultName(op)}'`;
  }
}

/** A scalar or a broadcastable clear tensor, expanded to one value per element of `shape`. */
function expandOperand(operand: ClearOperand, shape: Shape, what: string): Float64Array {
  const size = sizeOf(shape);
  if (typeof operand === 'number') return new Float64Array(size).fill(operand);
  const { index } = broadcastMap(operand.shape, shape, what);
  if (operand.data.length !== sizeOf(operand.shape)) {
    throw new RangeError(`${what}: a clear tensor of shape ${formatShape(operand.shape)} needs ${sizeOf(operand.shape)} values, got ${operand.data.length}`);
  }
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = Number(operand.data[index[i]]);
  return out;
}

function withBias(map: LinearMap, bias: ArrayLike<number>, count: number, channelOf: (output: number) => number, what: string): LinearMap {
  if (bias.length !== count) throw new RangeError(`${what}: bias needs ${count} values, got ${bias.length}`);
  const constants = new Float64Array(map.outputCount);
  for (let o = 0; o < map.outputCount; o++) {
    const b = bias[channelOf(o)];
    if (!Number.isSafeInteger(b)) throw new RangeError(`${what}: bias ${b} is not a safe integer`);
    constants[o] = (map.constants === null ? 0 : map.constants[o]) + b;
  }
  return { ...map, constants };
}
