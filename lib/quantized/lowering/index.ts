// QuantizedModule -> encrypted-integer circuit (lib/fhe/circuit). Two steps:
//   lowerQuantizedModule(module)   builds the circuit graph (no parameters): LoweredModule, whose
//                                  clear() runs the exact integers even when no parameter set fits;
//   LoweredModule.compile(q, opts) checks the 16-bit rule against the module's options, then
//                                  chooses ranges, precision and parameters (FheCircuit).
//
// Rounding (roundingThresholdBits): the module removes lsbs from accumulators before their
// lookup; here that is a rounded shift of the accumulator (builder.roundedShift, with the
// module's EXACT or APPROXIMATE) and a lookup of the shifted value times 2^lsbs, so the lookup
// reads lsbs fewer bits. EXACT is bit-exact with the module; APPROXIMATE may round a value near
// a tie the other way on ciphertexts (and in simulation), as in Concrete ML.

import { CircuitBuilder, type CircuitTensor, type CompileOptions, type FheCircuit, type LookupFunction, type LookupOpOptions } from '../../fhe/circuit';
import { evaluateGraph } from '../../fhe/circuit/evaluate';
import { Tensor } from '../../tensor';
import type { QuantizedModule } from '../module';
import type { QuantizedOp } from '../op';
import { type OpValue, QuantizedValue, RawValue } from '../value';
import {
  identityOf, isLowered, type Lowered, type LoweredValue, type LoweringContext, type LookupOrigin, probe, tabulate,
} from './lowered';
import { loweringOf } from './registry';

export { QUANTIZED_OPS_TO_LOWERING, UnloweredOpError, loweringOf, type Lowering } from './registry';

/** Table lookups are limited to inputs of this many bits. */
const MAX_LOOKUP_BITS = 16;

/** One table lookup op of the circuit, with its module op and its input range on an inputset. */
export interface LoweredLookup {
  readonly name: string;
  readonly op: string;
  readonly opType: string;
  /** The circuit tensor it reads (an input, an accumulator, window sums...). */
  readonly reads: string;
  readonly elements: number;
  readonly range: readonly [number, number];
  /** Bits of the lookup input (range width), as the circuit reads it. */
  readonly bits: number;
  /** Accumulator lsbs rounded off before this lookup, which then reads that many bits fewer (0 without rounding). */
  readonly lsbsRemoved: number;
}

function widthBits(min: number, max: number): number {
  return Math.max(1, Math.ceil(Math.log2(max - min + 1)));
}

export class LoweredModule {
  readonly builder: CircuitBuilder;
  readonly origins: ReadonlyMap<string, LookupOrigin>;
  readonly module: QuantizedModule;

  constructor(module: QuantizedModule, builder: CircuitBuilder, origins: ReadonlyMap<string, LookupOrigin>) {
    this.module = module;
    this.builder = builder;
    this.origins = origins;
  }

  get graph(): CircuitBuilder['graph'] {
    return this.builder.graph;
  }

  private values(qInputs: readonly Tensor[]): { batch: number; values: Float64Array[] } {
    const graph = this.graph;
    if (qInputs.length !== graph.inputs.length) throw new RangeError(`expected ${graph.inputs.length} quantized inputs, got ${qInputs.length}`);
    let batch = -1;
    const values = qInputs.map((q, slot) => {
      const node = graph.nodes[graph.inputs[slot]];
      if (q.size % node.size !== 0 || q.size === 0) throw new RangeError(`quantized input ${slot} has ${q.size} values, not a batch of [${node.shape.join(', ')}]`);
      const b = q.size / node.size;
      if (batch >= 0 && b !== batch) throw new RangeError('quantized inputs have different batch sizes');
      batch = b;
      return Float64Array.from(q.data as ArrayLike<number>, Number);
    });
    return { batch, values };
  }

  /** Exact integers of the circuit (no parameters needed): equals module.quantizedForward. */
  clear(...qInputs: Tensor[]): Tensor<'int32'>[] {
    const { batch, values } = this.values(qInputs);
    const outputs = evaluateGraph(this.graph, values, batch);
    return outputs.map((data, i) => {
      const node = this.graph.nodes[this.graph.outputs[i].id];
      return new Tensor(Int32Array.from(data), [batch, ...node.shape]) as Tensor<'int32'>;
    });
  }

  /** Every lookup op with its input range on these quantized inputs. */
  lookups(...qInputs: Tensor[]): LoweredLookup[] {
    const { batch, values } = this.values(qInputs);
    const ranges = new Map<number, [number, number]>();
    const wanted = new Set<number>();
    for (const node of this.graph.nodes) if (node.kind === 'lookup') wanted.add(node.inputs[0]);
    evaluateGraph(this.graph, values, batch, (node, data) => {
      if (!wanted.has(node.id)) return;
      let min = Infinity;
      let max = -Infinity;
      for (const v of data) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      ranges.set(node.id, [min, max]);
    });
    const out: LoweredLookup[] = [];
    for (const node of this.graph.nodes) {
      if (node.kind !== 'lookup') continue;
      const [min, max] = ranges.get(node.inputs[0]) ?? [0, 0];
      const origin = this.origins.get(node.name);
      out.push({
        name: node.name,
        op: origin?.op.name ?? '',
        opType: origin?.op.opType ?? 'builder',
        reads: this.graph.nodes[node.inputs[0]].name,
        elements: node.size,
        range: [min, max],
        bits: widthBits(min, max),
        lsbsRemoved: origin?.lsbsRemoved ?? 0,
      });
    }
    return out;
  }

  /**
   * The 16-bit rule, before parameter choice: throws naming the module op, the lookup, its
   * width and the module's options when a lookup input needs more than 16 bits.
   */
  checkLookupBits(...qInputs: Tensor[]): LoweredLookup[] {
    const lookups = this.lookups(...qInputs);
    const wide = lookups.filter((l) => l.bits > MAX_LOOKUP_BITS);
    if (wide.length > 0) {
      const { nBits, rounding } = this.module;
      const roundingText = rounding === null ? 'not set' : `${rounding.nBits} (${rounding.method})`;
      throw new RangeError(
        `table lookups are limited to ${MAX_LOOKUP_BITS}-bit inputs, but:\n  ` +
          wide.map((l) => `lookup '${l.name}' of ${l.op ? `node '${l.op}'` : 'the circuit'} (${l.opType}) reads '${l.reads}' in [${l.range[0]}, ${l.range[1]}], ${l.bits} bits`).join('\n  ') +
          `\nWith nBits = { modelInputs: ${nBits.modelInputs}, opInputs: ${nBits.opInputs}, opWeights: ${nBits.opWeights}, modelOutputs: ${nBits.modelOutputs} } ` +
          `and roundingThresholdBits ${roundingText}: lower opInputs/opWeights${rounding === null ? ' or set roundingThresholdBits' : ''}.`,
      );
    }
    return lookups;
  }

  /** Ranges from the quantized inputset, precision, noise and parameters. */
  compile(qInputset: readonly Tensor<'int32'>[], options: Omit<CompileOptions, 'inputset'> = {}): FheCircuit {
    this.checkLookupBits(...qInputset);
    return this.builder.compile({ ...options, inputset: qInputset.length === 1 ? qInputset[0] : [...qInputset] });
  }
}

/** Builds the circuit of a calibrated module: one circuit input per module input, one output per module output. */
export async function lowerQuantizedModule(module: QuantizedModule, inputShapes: readonly (readonly number[])[]): Promise<LoweredModule> {
  if (inputShapes.length !== module.inputNames.length) throw new RangeError(`expected ${module.inputNames.length} input shapes, got ${inputShapes.length}`);
  const builder = new CircuitBuilder();
  const origins = new Map<string, LookupOrigin>();
  const used = new Set<string>();
  const opNames = new Map<QuantizedOp, string>();
  module.layers.forEach(({ op }, i) => opNames.set(op, op.name || `${op.opType}_${i}`));
  // one rounded shift per accumulator, however many lookups read it
  const rounded = new Map<string, CircuitTensor>();
  const roundedShiftOf = (base: CircuitTensor, bits: number): CircuitTensor => {
    const key = `${base.id}/${bits}`;
    let tensor = rounded.get(key);
    if (tensor === undefined) {
      tensor = builder.roundedShift(base, bits, { name: `${base.name}.rounded`, exactness: module.rounding?.method ?? 'EXACT' });
      rounded.set(key, tensor);
    }
    return tensor;
  };
  // fn of the base read `bits` narrower: fn still gets values of the base's unit
  const narrowedLookup = (base: CircuitTensor, fn: LookupFunction, options: LookupOpOptions, bits: number): CircuitTensor => {
    if (bits === 0) return builder.lookup(base, fn, options);
    const unit = 2 ** bits;
    return builder.lookup(roundedShiftOf(base, bits), (v, channel) => fn(v * unit, channel), options);
  };
  const ctx: LoweringContext = {
    builder,
    origins,
    name(op, part) {
      const stem = `${opNames.get(op) ?? op.opType}.${part}`;
      let name = stem;
      for (let k = 1; used.has(name); k++) name = `${stem}_${k}`;
      used.add(name);
      return name;
    },
    lookup(op, lowered, finalize, part, lsbsRemoved) {
      const name = ctx.name(op, part);
      origins.set(name, { op, what: part, lsbsRemoved: lsbsRemoved ?? lowered.rounding ?? 0 });
      const fn = tabulate(lowered, finalize, `lookup '${name}' of ${op.describe()}`);
      const options = lowered.axis === null ? { name } : { name, channelAxis: lowered.axis };
      // an explicit lsbsRemoved rounds the lookup's own output (a table entry): nothing to narrow
      return narrowedLookup(lowered.base, fn, options, lsbsRemoved === undefined ? lowered.rounding ?? 0 : 0);
    },
    integerLookup(op, base, fn, part, lsbs) {
      const name = ctx.name(op, part);
      origins.set(name, { op, what: part, lsbsRemoved: lsbs });
      return narrowedLookup(base, fn, { name }, lsbs);
    },
    prepared(op, lowered) {
      const { ints, value } = probe(lowered);
      const prepared = op.prepareQuantizedInput(value);
      return { quantizer: prepared.quantizer, value: prepared, identity: prepared.qvalues === ints };
    },
    integers(op, lowered, part) {
      const { quantizer, value, identity } = ctx.prepared(op, lowered);
      if (identity) return { tensor: lowered.base, quantizer, value };
      return { tensor: ctx.lookup(op, lowered, (v) => op.prepareQuantizedInput(v).qvalues, part), quantizer, value };
    },
  };

  const values = new Map<string, LoweredValue>();
  module.inputNames.forEach((name, i) => {
    const quantizer = module.inputQuantizers[i];
    if (quantizer === undefined) throw new Error(`module input '${name}' has no quantizer: build the module with an inputset first`);
    const shape = inputShapes[i];
    const base = builder.input(name, shape, { min: quantizer.qmin, max: quantizer.qmax });
    values.set(name, identityOf(base, quantizer));
  });

  for (const { outputName, inputNames, op } of module.layers) {
    const inputs = inputNames.map((name) => (name === '' ? undefined : values.get(name)));
    if (inputs.every((v) => v === undefined || v instanceof RawValue) || op.class.producesRawOutput) {
      // clear values: the module's own op on clear inputs (encrypted ones as a one-sample probe)
      const args: (OpValue | undefined)[] = inputs.map((v) => (v === undefined || v instanceof RawValue ? v : fullProbe(v)));
      const result = await op.qImpl(args);
      if (!(result instanceof RawValue)) throw new RangeError(`${op.describe()}: computes an encrypted value from clear inputs only; not supported`);
      values.set(outputName, result);
      continue;
    }
    values.set(outputName, loweringOf(op)(ctx, op, inputs));
  }

  module.outputNames.forEach((name) => {
    const value = values.get(name);
    if (!isLowered(value)) throw new TypeError(`model output '${name}' is a clear value, not an encrypted tensor`);
    const layer = module.layers.find((l) => l.outputName === name);
    const op = layer!.op;
    const { ints, value: probed } = probe(value);
    const tensor: CircuitTensor = probed.qvalues === ints ? value.base : ctx.lookup(op, value, (v) => v.qvalues, 'output');
    builder.output(tensor, name);
  });
  return new LoweredModule(module, builder, origins);
}

/** The module's value of one sample (full shape) at base integers 0. */
function fullProbe(lowered: Lowered): QuantizedValue {
  const ints = new Tensor(new Int32Array(lowered.base.size), [1, ...lowered.shape]) as Tensor<'int32'>;
  return lowered.evaluate(ints);
}
