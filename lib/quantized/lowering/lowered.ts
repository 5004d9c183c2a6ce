// What the lowering tracks for every encrypted value of a QuantizedModule: a circuit tensor of
// integers (the "base": an input, an accumulator, a window sum...) and the module's value as an
// elementwise function of it. Univariate ops compose into that function; an op that computes on
// integers materializes it, by ONE table lookup per element tabulated from the module's own
// clear semantics (or no lookup at all when the function is the identity on the integers).

import type { CircuitBuilder, CircuitTensor, LookupFunction } from '../../fhe/circuit';
import type { UniformQuantizer } from '../../quantization';
import { Tensor } from '../../tensor';
import { roundBitPattern } from '../integers';
import type { QuantizedOp } from '../op';
import { QuantizedValue, RawValue } from '../value';

/**
 * The module's value as a function of base integers. `ints` has shape [B, ...e] where e is the
 * per-sample shape with every axis 1 except, when the function depends on a channel, that
 * channel axis (full size). The result has the same shape.
 */
export type Evaluate = (ints: Tensor<'int32'>) => QuantizedValue;

export interface Lowered {
  readonly base: CircuitTensor;
  /** Per-sample shape (the module's shape without the batch axis); equals base.shape. */
  readonly shape: readonly number[];
  /** Per-sample axis the function depends on, or null. */
  readonly axis: number | null;
  readonly evaluate: Evaluate;
  /**
   * Accumulator lsbs the module rounds off before this function (a rounded shift in front of its
   * lookup). evaluate must round the base integers themselves, first: the lookup may then read
   * them already rounded.
   */
  readonly rounding?: number;
}

export type LoweredValue = Lowered | RawValue;

/**
 * A value the module computes from the base integers rounded by `lsbs` (its accumulator
 * rounding), then mapped to reals one by one and prepared as the op's output.
 */
export function roundedThenReal(op: QuantizedOp, base: CircuitTensor, lsbs: number, toReal: (rounded: number) => number): Lowered {
  return {
    base,
    shape: base.shape,
    axis: null,
    rounding: lsbs,
    evaluate: (ints) => op.prepareOutput(new Tensor(roundBitPattern(Float64Array.from(ints.data), lsbs).map(toReal), ints.shape)),
  };
}

/** A value that is exactly the base's integers under `quantizer`. */
export function identityOf(base: CircuitTensor, quantizer: UniformQuantizer): Lowered {
  return { base, shape: base.shape, axis: null, evaluate: (ints) => QuantizedValue.fromIntegers(ints, quantizer) };
}

export function evalShapeOf(shape: readonly number[], axis: number | null): number[] {
  return shape.map((d, i) => (i === axis ? d : 1));
}

/** Channel index of each flat element of `ints` along per-sample `axis` (0 when that axis has size 1). */
export function channelsOf(shape: readonly number[], axis: number | null): (i: number) => number {
  if (axis === null) return () => 0;
  const full = shape.length - 1;
  if (axis >= full) return () => 0;
  let stride = 1;
  for (let k = shape.length - 1; k > axis + 1; k--) stride *= shape[k];
  const size = shape[axis + 1];
  return (i) => Math.floor(i / stride) % size;
}

const BLOCK = 256;

/**
 * A lookup function that tabulates `finalize(lowered.evaluate(ints))` block by block over the
 * integer domain (all channels at once), so that every entry is what the module computes.
 */
export function tabulate(lowered: Lowered, finalize: (value: QuantizedValue) => Tensor, what: string): LookupFunction {
  const evalShape = evalShapeOf(lowered.shape, lowered.axis);
  const channels = lowered.axis === null ? 1 : lowered.shape[lowered.axis];
  const cache = new Map<number, Int32Array>();
  return (value, channel) => {
    const start = Math.floor(value / BLOCK) * BLOCK;
    let block = cache.get(start);
    if (block === undefined) {
      const data = new Int32Array(BLOCK * channels);
      for (let b = 0; b < BLOCK; b++) data.fill(start + b, b * channels, (b + 1) * channels);
      const out = finalize(lowered.evaluate(new Tensor(data, [BLOCK, ...evalShape])));
      if (out.size !== data.length) {
        throw new RangeError(`${what}: the fused function changed the shape ([${out.shape.join(', ')}] from [${BLOCK}, ${evalShape.join(', ')}]); broadcasting inside a lookup is not supported`);
      }
      block = new Int32Array(out.size);
      for (let i = 0; i < out.size; i++) {
        const v = Number(out.data[i]);
        if (!Number.isSafeInteger(v)) throw new RangeError(`${what}: the fused function returned ${v} for ${start + Math.floor(i / channels)}`);
        block[i] = v;
      }
      cache.set(start, block);
    }
    return block[(value - start) * channels + channel];
  };
}

/** Where lookups came from: circuit lookup name -> module op, for errors and reports. */
export interface LookupOrigin {
  readonly op: QuantizedOp;
  readonly what: string;
  /** lsbs the module rounds off this lookup's input (a rounded shift in front of it). */
  readonly lsbsRemoved: number;
}

export interface LoweringContext {
  readonly builder: CircuitBuilder;
  readonly origins: Map<string, LookupOrigin>;
  /** A unique circuit name for a part of op. */
  name(op: QuantizedOp, part: string): string;
  /** One table lookup per element of lowered.base: finalize(value) of the module. */
  lookup(op: QuantizedOp, lowered: Lowered, finalize: (value: QuantizedValue) => Tensor, part: string, lsbsRemoved?: number): CircuitTensor;
  /**
   * One table lookup per element of an integer tensor the module computes on directly (not a
   * module value): fn(v). With lsbs > 0 the module rounds v to a multiple of 2^lsbs first, which
   * the lookup reads narrower behind a rounded shift.
   */
  integerLookup(op: QuantizedOp, base: CircuitTensor, fn: (value: number) => number, part: string, lsbs: number): CircuitTensor;
  /** op.prepareQuantizedInput of the module's value, probed: its quantizer, and whether it keeps the base's integers. */
  prepared(op: QuantizedOp, lowered: Lowered): { quantizer: UniformQuantizer; value: QuantizedValue; identity: boolean };
  /**
   * The integers `op` computes on for this input (op.prepareQuantizedInput of the module's
   * value) and their quantizer: the base itself when nothing changes them, else one lookup.
   */
  integers(op: QuantizedOp, lowered: Lowered, part: string): { tensor: CircuitTensor; quantizer: UniformQuantizer; value: QuantizedValue };
}

/** One sample of the function at base integer 0 (quantizers and probes). */
export function probe(lowered: Lowered): { ints: Tensor<'int32'>; value: QuantizedValue } {
  const evalShape = evalShapeOf(lowered.shape, lowered.axis);
  const ints = new Tensor(new Int32Array(evalShape.reduce((a, b) => a * b, 1)), [1, ...evalShape]) as Tensor<'int32'>;
  return { ints, value: lowered.evaluate(ints) };
}

export function isLowered(value: LoweredValue | undefined): value is Lowered {
  return value !== undefined && !(value instanceof RawValue);
}
