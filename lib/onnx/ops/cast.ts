// Cast and CastLike: C-style conversions (floats truncate toward zero when cast to integers,
// integers wrap, anything non-zero is true).
import { Tensor, type DType } from '../../tensor';
import { isBig, isFloat, requireDtypeFromOnnx } from '../dtypes';
import { attrInt, input, opError, type OpContext } from './context';
import { allocate } from './broadcast';

export function castTensor(x: Tensor, to: DType): Tensor {
  if (x.dtype === to) return x;
  const out = allocate(to, x.shape);
  const src = x.data as ArrayLike<number | bigint>;
  const dst = out.data as unknown as (number | bigint)[];
  const n = src.length;
  if (to === 'bool') {
    for (let i = 0; i < n; i++) dst[i] = src[i] ? 1 : 0;
  } else if (isBig(to)) {
    const wrap = to === 'int64' ? (v: bigint) => BigInt.asIntN(64, v) : (v: bigint) => BigInt.asUintN(64, v);
    for (let i = 0; i < n; i++) {
      const v = src[i];
      // NaN and infinities have no integer value; 0 is what most runtimes give.
      dst[i] = typeof v === 'bigint' ? wrap(v) : Number.isFinite(v) ? wrap(BigInt(Math.trunc(v))) : 0n;
    }
  } else if (isBig(x.dtype) && !isFloat(to)) {
    // Wrap exactly through bigints before narrowing (Number() would round past 2^53).
    for (let i = 0; i < n; i++) dst[i] = Number(BigInt.asIntN(64, src[i] as bigint) & 0xffffffffn);
  } else {
    for (let i = 0; i < n; i++) dst[i] = Number(src[i]);
  }
  return out;
}

export function cast(ctx: OpContext): Tensor[] {
  const to = attrInt(ctx.node, 'to');
  if (to === undefined) throw opError(ctx.node, "attribute 'to' is required");
  const dtype = requireDtypeFromOnnx(to, `${ctx.node.opType} target`);
  return [castTensor(input(ctx, 0), dtype)];
}

export function castLike(ctx: OpContext): Tensor[] {
  return [castTensor(input(ctx, 0), input(ctx, 1).dtype)];
}
