// Element-wise ops of one input: maths functions, activations with attributes, logic.
import type { Tensor } from '../../tensor';
import { isBig } from '../dtypes';
import { attrFloat, input, opError, requireDtype, FLOAT_TYPES, type OpContext, type OpImplementation } from './context';
import { allocate, map1, map2 } from './broadcast';
import { erf, roundHalfToEven } from './math';

/** An op defined on floats only (exp, tanh, ...). */
function floatOp(fn: (x: number) => number): OpImplementation {
  return (ctx) => {
    const x = input(ctx, 0);
    requireDtype(ctx.node, x, 'input', FLOAT_TYPES);
    return [map1(x, x.dtype, fn)];
  };
}

/** An op also defined on integers, with a bigint form for int64/uint64. */
function numericOp(fn: (x: number) => number, big: (x: bigint) => bigint): OpImplementation {
  return (ctx) => {
    const x = input(ctx, 0);
    if (x.dtype === 'bool') throw opError(ctx.node, 'input of type bool is not supported');
    return [map1(x, x.dtype, isBig(x.dtype) ? big : fn)];
  };
}

/** An op with float attributes, read once per call. */
function floatOpWith(make: (ctx: OpContext) => (x: number) => number): OpImplementation {
  return (ctx) => {
    const x = input(ctx, 0);
    requireDtype(ctx.node, x, 'input', FLOAT_TYPES);
    return [map1(x, x.dtype, make(ctx))];
  };
}

type Float32Loop = (src: Float32Array, dst: Float32Array) => void;

/**
 * The activations of every float model, also as a float32 loop of their own: through map1 each
 * element costs a call the engine cannot inline (map1 serves every op), several times the
 * work. The loop must compute what the op's element function computes; the differential and
 * conformance tests run both (float32 and float64 inputs).
 */
function withFloat32Loop(op: OpImplementation, make: (ctx: OpContext) => Float32Loop): OpImplementation {
  return (ctx) => {
    const x = ctx.inputs[0];
    if (x?.dtype !== 'float32') return op(ctx);
    const out = allocate('float32', x.shape);
    make(ctx)(x.data as Float32Array, out.data as Float32Array);
    return [out];
  };
}

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
// log(1 + e^x) without overflow for large x.
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

export const unaryOps: Record<string, OpImplementation> = {
  Abs: numericOp(Math.abs, (x) => (x < 0n ? -x : x)),
  Neg: numericOp((x) => -x, (x) => -x),
  Sign: numericOp(Math.sign, (x) => (x > 0n ? 1n : x < 0n ? -1n : 0n)),
  Floor: floatOp(Math.floor),
  Ceil: floatOp(Math.ceil),
  Round: floatOp(roundHalfToEven),
  Exp: floatOp(Math.exp),
  Log: floatOp(Math.log),
  Sqrt: floatOp(Math.sqrt),
  Reciprocal: floatOp((x) => 1 / x),
  Erf: floatOp(erf),
  Sigmoid: floatOp(sigmoid),
  Tanh: floatOp(Math.tanh),
  Relu: withFloat32Loop(numericOp((x) => (x > 0 ? x : 0), (x) => (x > 0n ? x : 0n)), () => (src, dst) => {
    for (let i = 0; i < dst.length; i++) dst[i] = src[i] > 0 ? src[i] : 0;
  }),
  Softplus: floatOp(softplus),
  Softsign: floatOp((x) => x / (1 + Math.abs(x))),
  Acos: floatOp(Math.acos),
  Acosh: floatOp(Math.acosh),
  Asin: floatOp(Math.asin),
  Asinh: floatOp(Math.asinh),
  Atan: floatOp(Math.atan),
  Atanh: floatOp(Math.atanh),
  Cos: floatOp(Math.cos),
  Cosh: floatOp(Math.cosh),
  Sin: floatOp(Math.sin),
  Sinh: floatOp(Math.sinh),
  Tan: floatOp(Math.tan),
  HardSwish: floatOp((x) => x * Math.max(0, Math.min(1, x / 6 + 0.5))),
  HardSigmoid: floatOpWith(({ node }) => {
    const alpha = attrFloat(node, 'alpha', 0.2);
    const beta = attrFloat(node, 'beta', 0.5);
    return (x) => Math.max(0, Math.min(1, alpha * x + beta));
  }),
  LeakyRelu: withFloat32Loop(floatOpWith(({ node }) => {
    const alpha = attrFloat(node, 'alpha', 0.01);
    return (x) => (x >= 0 ? x : alpha * x);
  }), ({ node }) => {
    const alpha = attrFloat(node, 'alpha', 0.01);
    return (src, dst) => {
      for (let i = 0; i < dst.length; i++) dst[i] = src[i] >= 0 ? src[i] : alpha * src[i];
    };
  }),
  Elu: floatOpWith(({ node }) => {
    const alpha = attrFloat(node, 'alpha', 1);
    return (x) => (x >= 0 ? x : alpha * Math.expm1(x));
  }),
  Selu: floatOpWith(({ node }) => {
    // Defaults are the float32 constants of the spec.
    const alpha = attrFloat(node, 'alpha', 1.67326319217681884765625);
    const gamma = attrFloat(node, 'gamma', 1.05070102214813232421875);
    return (x) => gamma * (x > 0 ? x : alpha * Math.expm1(x));
  }),
  Celu: floatOpWith(({ node }) => {
    const alpha = attrFloat(node, 'alpha', 1);
    return (x) => Math.max(0, x) + Math.min(0, alpha * Math.expm1(x / alpha));
  }),
  ThresholdedRelu: floatOpWith(({ node }) => {
    const alpha = attrFloat(node, 'alpha', 1);
    return (x) => (x > alpha ? x : 0);
  }),
  Mish: floatOp((x) => x * Math.tanh(softplus(x))),
  Not: (ctx) => {
    const x = input(ctx, 0);
    requireDtype(ctx.node, x, 'input', ['bool']);
    return [map1(x, 'bool', (v: number) => (v ? 0 : 1))];
  },
  PRelu: (ctx) => {
    const x = input(ctx, 0);
    const slope = input(ctx, 1);
    requireDtype(ctx.node, x, 'input', FLOAT_TYPES);
    return [map2(ctx.node, x, slope, x.dtype, (v: number, s: number) => (v < 0 ? s * v : v))];
  },
  IsNaN: (ctx) => {
    const x = input(ctx, 0);
    requireDtype(ctx.node, x, 'input', FLOAT_TYPES);
    return [map1(x, 'bool', Number.isNaN)];
  },
};

/** Clip with bounds from inputs (opset 11+); absent bounds leave that side open. */
export function clip(ctx: OpContext): Tensor[] {
  const x = input(ctx, 0);
  const bound = (index: number): number | bigint | undefined => {
    const t = ctx.inputs[index];
    if (t === undefined) return undefined;
    if (t.size !== 1) throw opError(ctx.node, `bound input ${index} must be a scalar, got ${t.size} elements`);
    return t.data[0];
  };
  const low = bound(1);
  const high = bound(2);
  if (x.dtype === 'bool') throw opError(ctx.node, 'input of type bool is not supported');
  const clipOne = (v: number | bigint): number | bigint => {
    let r = v;
    if (low !== undefined && r < low) r = low;
    if (high !== undefined && r > high) r = high;
    return r;
  };
  return [map1(x, x.dtype, clipOne)];
}
