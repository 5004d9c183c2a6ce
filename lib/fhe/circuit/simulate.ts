// Simulation: the compiled program on clear integers, computed exactly as the ciphertexts
// compute it (centered residues modulo 2^(p+1) of each node's chain, shifted lookup inputs,
// negacyclic tables for inputs past 2^p_in, entries at the output chain's precision), with each
// lookup failing at a given rate. A failure reads the neighbouring table entry, which is what
// noise crossing a box boundary does. APPROXIMATE rounded shifts draw their reader's noise, so
// their ties go either way as on ciphertexts: simulate equals clear only without them.

import { centered } from './integers';
import { evaluateModular } from './linear-map';
import { stepInputs, type LookupStep, type Program, type RoundStep } from './program';
import { clearingChunks } from './rounding';
import { trialsBeforeSuccess, type Random } from './random';

export interface SimulationResult {
  /** Centered residues of the outputs, per output. */
  readonly outputs: Float64Array[];
  readonly lookups: number;
  readonly injectedErrors: number;
}

/**
 * Table read of the programmable bootstrap: a residue modulo 2^(p_in + 1); above 2^p_in the
 * padding bit negates the entry, which is a residue modulo 2^(p_out + 1).
 */
export function negacyclicRead(tables: readonly Int32Array[], table: number, residue: number, precision: number, outputPrecision = precision): number {
  const half = 2 ** precision;
  return residue < half ? tables[table][residue] : centered(-tables[table][residue - half], outputPrecision);
}

class ErrorInjector {
  lookups = 0;
  errors = 0;
  private countdown: number;

  constructor(private readonly random: Random, private readonly rate: number) {
    this.countdown = trialsBeforeSuccess(random, rate);
  }

  /** -1, 0 or +1: the box offset this lookup reads. */
  nextOffset(): number {
    this.lookups++;
    if (this.countdown > 0) {
      this.countdown--;
      return 0;
    }
    this.errors++;
    this.countdown = trialsBeforeSuccess(this.random, this.rate);
    return this.random.next() < 0.5 ? -1 : 1;
  }
}

function simulateLookup(step: LookupStep, input: Float64Array, size: number, injector: ErrorInjector): Float64Array {
  const precision = step.inputPrecision;
  const modulus = 2 ** (precision + 1);
  const out = new Float64Array(input.length);
  for (let i = 0; i < input.length; i++) {
    let residue = centered(input[i] + step.shift, precision);
    if (residue < 0) residue += modulus;
    residue = (residue + injector.nextOffset() + modulus) % modulus;
    out[i] = negacyclicRead(step.tables, step.channelOf === null ? 0 : step.channelOf[i % size], residue, precision, step.outputPrecision);
  }
  return out;
}

/** A standard normal draw (Box-Muller). */
function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

/**
 * A rounded shift as the ciphertexts compute it. EXACT: add half a unit, then clear the dropped
 * bits chunk by chunk (rounding.ts clearingChunks) through bootstraps that may fail, each read
 * as execute.ts runRound makes it. APPROXIMATE: the reader rounds x / 2^bits with its noise, so
 * ties go either way.
 */
function simulateRound(step: RoundStep, input: Float64Array, injector: ErrorInjector, random: Random): Float64Array {
  const modulus = 2 ** (step.inputPrecision + 1);
  const unit = 2 ** step.bits;
  const chunks = clearingChunks(step.bits, step.outputPrecision);
  return input.map((x) => {
    if (step.exactness === 'APPROXIMATE') return centered(Math.floor(x / unit + 0.5 + step.readStd * gaussian(random)), step.outputPrecision);
    let v = (((x + unit / 2) % modulus) + modulus) % modulus;
    for (const { offset, width } of chunks) v = (v - clearedBits(v, offset, width, injector) + modulus) % modulus;
    // bits left set by a failed bootstrap are a fraction of the result's unit: read rounds them
    return centered(Math.floor(v / unit + 0.5), step.outputPrecision);
  });
}

/**
 * What a chunk's bootstraps take off v (a residue; the bits below `offset` clear): the chunk's
 * bits [offset, offset + width) when they read right. A single bit's sign bootstrap that fails
 * reads the other sign. A wider chunk's parity read (the chunk and the next bit, at `width` bits,
 * negacyclic) that fails by a box across the half-turn flips the parity, which moves the second
 * read by half a turn, where the table of the chunk reads negated; the second read may fail too.
 */
function clearedBits(v: number, offset: number, width: number, injector: ErrorInjector): number {
  const weight = 2 ** offset;
  if (width === 1) return ((Math.floor(v / weight) % 2) ^ (injector.nextOffset() === 0 ? 0 : 1)) * weight;
  const span = 2 ** width;
  const message = Math.floor(v / weight) % (2 * span); // the chunk, plus span when the next bit is set
  const parityRead = (message + injector.nextOffset() + 2 * span) % (2 * span);
  const flipped = (parityRead < span) !== (message < span);
  // the second read: the chunk when the parity read right, half a turn (span) off when not
  const read = ((message % span) + (flipped ? span : 0) + injector.nextOffset() + 2 * span) % (2 * span);
  return (read < span ? read : -(read - span)) * weight;
}

export function simulateProgram(program: Program, inputs: readonly Float64Array[], batch: number, rate: number, random: Random): SimulationResult {
  const values = new Array<Float64Array | undefined>(program.steps.length);
  const readers = Int32Array.from(program.readers);
  const injector = new ErrorInjector(random, rate);
  const release = (id: number): void => {
    if (--readers[id] === 0) values[id] = undefined;
  };
  const run = (id: number): void => {
    const step = program.steps[id];
    const size = program.sizes[id];
    const p = program.precisions[id];
    const read = (at: number): Float64Array => values[at]!;
    let out: Float64Array;
    switch (step.kind) {
      case 'input':
        out = Float64Array.from(inputs[step.slot], (v) => centered(v, p));
        break;
      case 'reshape':
        out = read(step.input);
        break;
      case 'linear':
        out = evaluateModular(step.map, step.weights, step.constants, read(step.input), batch, p);
        break;
      case 'add':
      case 'subtract': {
        const a = read(step.a);
        const b = read(step.b);
        const sign = step.kind === 'add' ? 1 : -1;
        out = a.map((v, i) => centered(v + sign * b[i], p));
        break;
      }
      case 'scale':
        out = read(step.input).map((v, i) => centered(v * step.factors[i % size], p));
        break;
      case 'offset':
        out = read(step.input).map((v, i) => centered(v + step.constants[i % size], p));
        break;
      case 'gather': {
        const sources = step.inputs.map(read);
        const sourceSizes = step.inputs.map((id) => program.sizes[id]);
        out = new Float64Array(batch * size);
        for (let b = 0; b < batch; b++) {
          for (let i = 0; i < size; i++) {
            const from = step.index[i];
            const slot = step.source === null ? 0 : step.source[i];
            out[b * size + i] = from < 0 ? step.padValue : sources[slot][b * sourceSizes[slot] + from];
          }
        }
        break;
      }
      case 'lookup':
        out = simulateLookup(step, read(step.input), size, injector);
        break;
      case 'round':
        out = simulateRound(step, read(step.input), injector, random);
        break;
    }
    values[id] = out;
    for (const input of stepInputs(step)) release(input);
  };
  for (const stage of program.stages) {
    for (const id of stage.lookups) run(id);
    for (const id of stage.others) run(id);
  }
  return { outputs: program.outputs.map((o) => values[o.id]!), lookups: injector.lookups, injectedErrors: injector.errors };
}
