// Element-wise ops of two or more inputs with multidirectional broadcasting: arithmetic,
// comparisons, logic, variadic Max/Min/Sum/Mean, and Where.
import type { Tensor } from '../../tensor';
import { isBig, isFloat } from '../dtypes';
import { input, opError, requireDtype, type OpContext, type OpImplementation } from './context';
import { map2, map3, type Scalar } from './broadcast';
import { formatShape } from '../errors';

function sameDtype(ctx: OpContext, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw opError(ctx.node, `inputs have different types: ${a.dtype} ${formatShape(a.shape)} and ${b.dtype} ${formatShape(b.shape)}`);
  }
}

/** Arithmetic that keeps the input type; integer results wrap like the typed arrays do. */
function arithmetic(fn: (a: number, b: number) => number, big: (a: bigint, b: bigint) => bigint): OpImplementation {
  return (ctx) => {
    const a = input(ctx, 0);
    const b = input(ctx, 1);
    sameDtype(ctx, a, b);
    if (a.dtype === 'bool') throw opError(ctx.node, 'inputs of type bool are not supported');
    const guarded = (x: bigint, y: bigint): bigint => {
      try {
        return big(x, y);
      } catch (error) {
        throw opError(ctx.node, (error as Error).message);
      }
    };
    return [map2(ctx.node, a, b, a.dtype, isBig(a.dtype) ? guarded : fn)];
  };
}

function comparison(fn: (a: Scalar, b: Scalar) => boolean): OpImplementation {
  return (ctx) => {
    const a = input(ctx, 0);
    const b = input(ctx, 1);
    sameDtype(ctx, a, b);
    return [map2(ctx.node, a, b, 'bool', fn)];
  };
}

function logic(fn: (a: number, b: number) => boolean): OpImplementation {
  return (ctx) => {
    const a = input(ctx, 0);
    const b = input(ctx, 1);
    requireDtype(ctx.node, a, 'input 0', ['bool']);
    requireDtype(ctx.node, b, 'input 1', ['bool']);
    return [map2(ctx.node, a, b, 'bool', fn)];
  };
}

/** Folds any number of inputs pairwise (each step broadcasts). */
function variadic(fn: (a: Scalar, b: Scalar) => Scalar, finish?: (t: Tensor, count: number, ctx: OpContext) => Tensor): OpImplementation {
  return (ctx) => {
    const tensors = ctx.inputs.filter((t): t is Tensor => t !== undefined);
    if (tensors.length === 0) throw opError(ctx.node, 'needs at least one input');
    let acc = tensors[0];
    for (const next of tensors.slice(1)) {
      sameDtype(ctx, acc, next);
      acc = map2(ctx.node, acc, next, acc.dtype, fn);
    }
    if (tensors.length === 1) acc = map2(ctx.node, acc, acc, acc.dtype, (a: Scalar) => a);
    return [finish ? finish(acc, tensors.length, ctx) : acc];
  };
}

// NaN wins in Max/Min, as in numpy.maximum and onnxruntime.
const maximum = (a: Scalar, b: Scalar): Scalar => (a !== a || a > b ? a : b);
const minimum = (a: Scalar, b: Scalar): Scalar => (a !== a || a < b ? a : b);

function pow(ctx: OpContext): Tensor[] {
  const base = input(ctx, 0);
  const exponent = input(ctx, 1);
  // Exponent may have another type than the base; compute in floats, store as the base type.
  const asNumber = (v: Scalar): number => Number(v);
  if (isBig(base.dtype)) {
    return [map2(ctx.node, base, exponent, base.dtype, (b: bigint, e: Scalar) => BigInt(Math.trunc(Number(b) ** asNumber(e))))];
  }
  return [map2(ctx.node, base, exponent, base.dtype, (b: number, e: Scalar) => b ** asNumber(e))];
}

function mod(ctx: OpContext): Tensor[] {
  const a = input(ctx, 0);
  const b = input(ctx, 1);
  sameDtype(ctx, a, b);
  const fmod = ctx.node.attributes.get('fmod');
  const truncated = fmod?.kind === 'int' && fmod.value === 1n;
  if (isFloat(a.dtype) && !truncated) throw opError(ctx.node, 'float inputs need fmod=1');
  if (isBig(a.dtype)) {
    return [map2(ctx.node, a, b, a.dtype, (x: bigint, y: bigint) => {
      if (y === 0n) throw opError(ctx.node, 'integer modulo by zero');
      const r = x % y;
      return truncated || r === 0n || (r < 0n) === (y < 0n) ? r : r + y;
    })];
  }
  return [map2(ctx.node, a, b, a.dtype, (x: number, y: number) => {
    const r = x % y;
    return truncated || r === 0 || r < 0 === y < 0 ? r : r + y;
  })];
}

export const binaryOps: Record<string, OpImplementation> = {
  Add: arithmetic((a, b) => a + b, (a, b) => a + b),
  Sub: arithmetic((a, b) => a - b, (a, b) => a - b),
  Mul: arithmetic((a, b) => a * b, (a, b) => a * b),
  // Integer division truncates toward zero, which storing into an integer typed array does.
  Div: arithmetic((a, b) => a / b, (a, b) => a / b),
  Pow: pow,
  Mod: mod,
  Equal: comparison((a, b) => a === b),
  Greater: comparison((a, b) => a > b),
  GreaterOrEqual: comparison((a, b) => a >= b),
  Less: comparison((a, b) => a < b),
  LessOrEqual: comparison((a, b) => a <= b),
  And: logic((a, b) => a !== 0 && b !== 0),
  Or: logic((a, b) => a !== 0 || b !== 0),
  Xor: logic((a, b) => (a !== 0) !== (b !== 0)),
  Max: variadic(maximum),
  Min: variadic(minimum),
  Sum: variadic((a, b) => (a as number) + (b as number)),
  Mean: variadic(
    (a, b) => (a as number) + (b as number),
    (t, count, ctx) => {
      if (!isFloat(t.dtype)) throw opError(ctx.node, `Mean of ${t.dtype} is not supported`);
      const data = t.data as Float32Array | Float64Array;
      for (let i = 0; i < data.length; i++) data[i] /= count;
      return t;
    },
  ),
  Where: (ctx) => {
    const condition = input(ctx, 0);
    const x = input(ctx, 1);
    const y = input(ctx, 2);
    requireDtype(ctx.node, condition, 'condition', ['bool']);
    sameDtype(ctx, x, y);
    return [map3(ctx.node, condition, x, y, x.dtype, (c: number, a: Scalar, b: Scalar) => (c ? a : b))];
  },
};
