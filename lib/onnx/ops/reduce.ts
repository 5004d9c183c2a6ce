// Reductions over axes (ReduceSum, ReduceMean, ReduceMax, ...) and ArgMax/ArgMin.
import { sizeOf } from '../../tensor';
import { isBig } from '../dtypes';
import { attrInt, attrInts, input, normalizeAxis, opError, optionalInput, readIntegers, type OpContext, type OpImplementation } from './context';
import { allocate, broadcastIndex } from './broadcast';

interface Reduction {
  readonly init: number;
  readonly step: (acc: number, value: number) => number;
  readonly finish?: (acc: number, count: number) => number;
  /** Whether int64 inputs reduce exactly as bigints (sum, product, min, max). */
  readonly big?: { init: bigint; step: (acc: bigint, value: bigint) => bigint };
}

// Opset where each reduction moved `axes` from an attribute to an input.
const AXES_INPUT_SINCE: Record<string, number> = { ReduceSum: 13 };
const AXES_INPUT_DEFAULT = 18;

/** Axes to reduce (sorted, normalized); undefined means "return the input as is". */
function reductionAxes(ctx: OpContext, rank: number): number[] | undefined {
  const { node } = ctx;
  const since = AXES_INPUT_SINCE[node.opType] ?? AXES_INPUT_DEFAULT;
  let axes: number[] | undefined;
  if (ctx.opset >= since) {
    const axesInput = optionalInput(ctx, 1);
    axes = axesInput === undefined ? undefined : readIntegers(node, axesInput, 'axes');
    if (axes !== undefined && axes.length === 0) axes = undefined;
    if (axes === undefined && attrInt(node, 'noop_with_empty_axes', 0) !== 0) return undefined;
  } else {
    axes = attrInts(node, 'axes');
  }
  const all = Array.from({ length: rank }, (_, i) => i);
  const normalized = (axes ?? all).map((a) => normalizeAxis(node, a, rank));
  return [...new Set(normalized)].sort((a, b) => a - b);
}

function reduceOp(reduction: Reduction): OpImplementation {
  return (ctx) => {
    const { node } = ctx;
    const x = input(ctx, 0);
    if (x.dtype === 'bool') throw opError(node, 'input of type bool is not supported');
    const axes = reductionAxes(ctx, x.rank);
    if (axes === undefined) return [x];
    const keepShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const keepdims = attrInt(node, 'keepdims', 1) !== 0;
    const outShape = keepdims ? keepShape : x.shape.filter((_, i) => !axes.includes(i));
    const count = axes.reduce((n, a) => n * x.shape[a], 1);
    const outSize = sizeOf(keepShape);
    const index = broadcastIndex(keepShape, x.shape);
    const at = (i: number): number => (index === undefined ? i : index[i]);
    const out = allocate(x.dtype, outShape);
    if (isBig(x.dtype)) {
      if (reduction.big === undefined) throw opError(node, `${x.dtype} input is not supported`);
      const { init, step } = reduction.big;
      const acc = new Array<bigint>(outSize).fill(init);
      const data = x.data as BigInt64Array;
      for (let i = 0; i < data.length; i++) acc[at(i)] = step(acc[at(i)], data[i]);
      (out.data as BigInt64Array).set(acc);
      return [out];
    }
    const acc = new Float64Array(outSize).fill(reduction.init);
    const data = x.data as ArrayLike<number>;
    for (let i = 0; i < data.length; i++) acc[at(i)] = reduction.step(acc[at(i)], data[i]);
    const dst = out.data as Float64Array;
    for (let o = 0; o < outSize; o++) dst[o] = reduction.finish ? reduction.finish(acc[o], count) : acc[o];
    return [out];
  };
}

const sum: Reduction = { init: 0, step: (a, v) => a + v, big: { init: 0n, step: (a, v) => a + v } };
const max: Reduction = {
  init: -Infinity,
  step: (a, v) => (v > a || v !== v ? v : a),
  big: { init: -(2n ** 63n), step: (a, v) => (v > a ? v : a) },
};
const min: Reduction = {
  init: Infinity,
  step: (a, v) => (v < a || v !== v ? v : a),
  big: { init: 2n ** 64n, step: (a, v) => (v < a ? v : a) },
};

export const reduceOps: Record<string, OpImplementation> = {
  ReduceSum: reduceOp(sum),
  ReduceMean: reduceOp({ ...sum, big: undefined, finish: (a, n) => a / n }),
  ReduceMax: reduceOp(max),
  ReduceMin: reduceOp(min),
  ReduceProd: reduceOp({ init: 1, step: (a, v) => a * v, big: { init: 1n, step: (a, v) => a * v } }),
  ReduceSumSquare: reduceOp({ init: 0, step: (a, v) => a + v * v, big: { init: 0n, step: (a, v) => a + v * v } }),
  ReduceL1: reduceOp({ init: 0, step: (a, v) => a + Math.abs(v) }),
  ReduceL2: reduceOp({ init: 0, step: (a, v) => a + v * v, finish: (a) => Math.sqrt(a) }),
  ReduceLogSum: reduceOp({ ...sum, big: undefined, finish: (a) => Math.log(a) }),
  // Accumulates exp directly: fine for the moderate values models feed it, and exact enough.
  ReduceLogSumExp: reduceOp({ init: 0, step: (a, v) => a + Math.exp(v), finish: (a) => Math.log(a) }),
  ArgMax: argReduce((v, best) => v > best),
  ArgMin: argReduce((v, best) => v < best),
};

function argReduce(better: (value: number | bigint, best: number | bigint) => boolean): OpImplementation {
  return (ctx) => {
    const { node } = ctx;
    const x = input(ctx, 0);
    const axis = normalizeAxis(node, attrInt(node, 'axis', 0), x.rank);
    const keepdims = attrInt(node, 'keepdims', 1) !== 0;
    const selectLast = attrInt(node, 'select_last_index', 0) !== 0;
    const outer = sizeOf(x.shape.slice(0, axis));
    const length = x.shape[axis];
    const inner = sizeOf(x.shape.slice(axis + 1));
    const outShape = keepdims ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis);
    const out = allocate('int64', outShape);
    const data = x.data as ArrayLike<number | bigint>;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let bestAt = 0;
        let best = data[o * length * inner + i];
        for (let k = 1; k < length; k++) {
          const v = data[(o * length + k) * inner + i];
          if (better(v, best) || (selectLast && v === best)) {
            best = v;
            bestAt = k;
          }
        }
        out.data[o * inner + i] = BigInt(bestAt);
      }
    }
    return [out];
  };
}

