// Execution on ciphertexts: the compiled program over CiphertextBatches (one per tensor, the
// batch's samples one after the other). Linear ops go through the native facade (dot
// products, elementwise ops), data movement copies ciphertexts, and every lookup of a stage,
// across ops, channels and samples, goes to the native core in batched calls, one group per
// (input precision, output precision) pair (cut into chunks so progress can be reported and
// memory stays bounded). EXACT rounded shifts run their bootstraps one chunk of dropped bits
// after another (those of all elements and samples in one call per lookup chunk). Ciphertexts
// carry their chain's precision from encryption on.

import { add, addConstants, CiphertextBatch, dotProduct, lookup, multiplyByIntegers, subtract, type EvaluationKeys } from '../tfhe';
import { copyCiphertext, repeatPerSample, sliceBatch, trivialCiphertexts, wordsPerCiphertext, zeroBatch } from './ciphertexts';
import { packBlocks, type DotBlock } from './linear-map';
import { bootstrapsOf, stepInputs, type LookupStep, type Program, type ProgramStep, type RoundStep } from './program';
import { clearingChunks } from './rounding';

export interface ExecutionProgress {
  readonly lookupsDone: number;
  readonly lookupsTotal: number;
}

export interface ExecuteOptions {
  readonly onProgress?: (progress: ExecutionProgress) => void;
  /** Ciphertexts per native lookup call (default 1024): progress granularity and scratch memory. */
  readonly lookupChunk?: number;
}

export interface ExecutionResult {
  readonly outputs: CiphertextBatch[];
  readonly lookups: number;
  /** Wall time spent in lookup calls. */
  readonly lookupMilliseconds: number;
}

/** Ciphertexts per native lookup call: enough to keep every thread busy, small enough to report progress. */
const DEFAULT_LOOKUP_CHUNK = 1024;

const blockCache = new WeakMap<ProgramStep, DotBlock[]>();

function blocksOf(step: ProgramStep & { kind: 'linear' }): DotBlock[] {
  let blocks = blockCache.get(step);
  if (blocks === undefined) {
    blocks = packBlocks(step.map, step.weights);
    blockCache.set(step, blocks);
  }
  return blocks;
}

async function runLinear(step: ProgramStep & { kind: 'linear' }, input: CiphertextBatch, batch: number): Promise<CiphertextBatch> {
  const { inputCount, outputCount } = step.map;
  const out = zeroBatch(batch * outputCount, input);
  for (let b = 0; b < batch; b++) {
    for (const block of blocksOf(step)) {
      if (block.columns.length === 0) continue; // rows made of padding only: their constant is added below
      const gathered = zeroBatch(block.columns.length, input);
      block.columns.forEach((column, slot) => copyCiphertext(input, b * inputCount + column, gathered, slot));
      const products = await dotProduct(gathered, block.matrix, block.rows.length);
      block.rows.forEach((row, slot) => copyCiphertext(products, slot, out, b * outputCount + row));
    }
  }
  return step.constants === null ? out : addConstants(out, repeatPerSample(step.constants, batch));
}

function runGather(step: ProgramStep & { kind: 'gather' }, sources: readonly CiphertextBatch[], sizes: readonly number[], size: number, batch: number): CiphertextBatch {
  const out = zeroBatch(batch * size, sources[0]);
  const words = wordsPerCiphertext(out);
  const padBody = step.index.some((i) => i < 0) ? trivialCiphertexts(Int32Array.of(step.padValue), out.lweDimension, out.precision).data[words - 1] : 0n;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < size; i++) {
      const from = step.index[i];
      const slot = step.source === null ? 0 : step.source[i];
      if (from < 0) out.data[(b * size + i) * words + words - 1] = padBody;
      else copyCiphertext(sources[slot], b * sizes[slot] + from, out, b * size + i);
    }
  }
  return out;
}

/**
 * All lookups of one stage in as few native calls as possible. Chunks are gathered from the
 * ops' inputs and shifted there (one native add per chunk), so the stage never holds a second
 * full copy of its inputs.
 */
async function runLookupStage(
  steps: readonly LookupStep[],
  inputs: readonly CiphertextBatch[],
  sizes: readonly number[],
  keys: EvaluationKeys,
  chunkSize: number,
  progress: (count: number) => void,
): Promise<CiphertextBatch[]> {
  const tables: Int32Array[] = [];
  const firstTable = steps.map((step) => {
    tables.push(...step.tables);
    return tables.length - step.tables.length;
  });
  const total = inputs.reduce((sum, input) => sum + input.count, 0);
  const { inputPrecision, outputPrecision } = steps[0];
  const results = zeroBatch(total, { lweDimension: inputs[0].lweDimension, precision: outputPrecision });
  const words = wordsPerCiphertext(results);
  let op = 0;
  let element = 0; // within inputs[op]
  for (let start = 0; start < total; start += chunkSize) {
    const count = Math.min(chunkSize, total - start);
    const chunk = zeroBatch(count, { lweDimension: results.lweDimension, precision: inputPrecision });
    const shifts = new Int32Array(count);
    const tableIndex = new Int32Array(count);
    for (let k = 0; k < count; k++, element++) {
      while (element >= inputs[op].count) {
        op++;
        element = 0;
      }
      const step = steps[op];
      copyCiphertext(inputs[op], element, chunk, k);
      shifts[k] = step.shift;
      tableIndex[k] = firstTable[op] + (step.channelOf === null ? 0 : step.channelOf[element % sizes[op]]);
    }
    const out = await lookup(keys, addConstants(chunk, shifts), tables, { tableIndex, outputPrecision });
    results.data.set(out.data, start * words);
    progress(count);
  }
  let offset = 0;
  return inputs.map((input) => {
    const out = sliceBatch(results, offset, input.count);
    offset += input.count;
    return out;
  });
}

/** The same ciphertexts read at another precision (a relabeling: no word changes). */
function readAt(batch: CiphertextBatch, precision: number): CiphertextBatch {
  return new CiphertextBatch(batch.data, batch.count, batch.lweDimension, precision);
}

/** One table for every ciphertext, in chunks (progress, bounded scratch memory). */
async function lookupInChunks(
  keys: EvaluationKeys, input: CiphertextBatch, table: Int32Array, outputPrecision: number, chunkSize: number, progress: (count: number) => void,
): Promise<CiphertextBatch> {
  const out = zeroBatch(input.count, { lweDimension: input.lweDimension, precision: outputPrecision });
  const words = wordsPerCiphertext(out);
  for (let start = 0; start < input.count; start += chunkSize) {
    const count = Math.min(chunkSize, input.count - start);
    const result = await lookup(keys, sliceBatch(input, start, count), table, { outputPrecision });
    out.data.set(result.data, start * words);
    progress(count);
  }
  return out;
}

/**
 * A rounded shift. APPROXIMATE: the ciphertexts as they are, read `bits` bits narrower.
 * EXACT: add half a unit, then clear the dropped bits chunk by chunk from the lowest
 * (rounding.ts clearingChunks); the value is then a multiple of 2^bits, read `bits` narrower.
 */
async function runRound(step: RoundStep, input: CiphertextBatch, keys: EvaluationKeys, chunkSize: number, progress: (count: number) => void): Promise<CiphertextBatch> {
  if (step.exactness === 'APPROXIMATE') return readAt(input, step.outputPrecision);
  const p = step.inputPrecision;
  const lookupAll = (x: CiphertextBatch, table: Int32Array, outputPrecision: number) => lookupInChunks(keys, x, table, outputPrecision, chunkSize, progress);
  let value = addConstants(input, 2 ** (step.bits - 1));
  for (const { offset, width } of clearingChunks(step.bits, step.outputPrecision)) {
    value = width === 1 ? await clearBit(value, p, offset, lookupAll) : await clearChunk(value, p, offset, width, lookupAll);
  }
  return readAt(value, step.outputPrecision);
}

type LookupAll = (x: CiphertextBatch, table: Int32Array, outputPrecision: number) => Promise<CiphertextBatch>;

/**
 * Clears bit `bit` of `value` (precision p, bits below already clear): times 2^(p - bit) the
 * bit lands on the padding bit; a quarter turn off the boundary (+2^61), a sign bootstrap turns
 * it into +-2^(bit-1) units (encoded at p + 1), and adding that and -2^(bit-1) clears it. The
 * -2^(bit-1) goes in at once: left pending, it would sit in the lower bits of the next read and
 * push its phase towards the boundary (by nearly a quarter turn at the last bit).
 */
async function clearBit(value: CiphertextBatch, p: number, bit: number, lookupAll: LookupAll): Promise<CiphertextBatch> {
  const onPadding = readAt(multiplyByIntegers(value, 2 ** (p - bit)), 2);
  const centeredInBox = readAt(addConstants(onPadding, 1), 1);
  const sign = await lookupAll(centeredInBox, Int32Array.of(2 ** bit, 2 ** bit), p + 1);
  return readAt(addConstants(readAt(add(value, readAt(sign, p)), p + 1), -(2 ** bit)), p);
}

/**
 * Clears bits [offset, offset + width) of `value` (precision p, bits below already clear) with
 * two bootstraps. Times 2^(p - offset - width) and read at `width` bits, the chunk is the
 * message's low `width` bits, the bits above it vanish modulo 2^64 but the next one, whose
 * parity lands on the padding bit. So a table of ones gives s = +-1 (the parity), read as
 * +-a quarter turn; taking s off and adding a quarter turn moves an odd parity's half onto the
 * even one, where the chunk reads as itself: a second table gives chunk * 2^offset, subtracted.
 */
async function clearChunk(value: CiphertextBatch, p: number, offset: number, width: number, lookupAll: LookupAll): Promise<CiphertextBatch> {
  const shifted = readAt(multiplyByIntegers(value, 2 ** (p - offset - width)), width);
  const parity = await lookupAll(shifted, new Int32Array(2 ** width).fill(1), 1);
  const evenHalf = readAt(addConstants(subtract(readAt(shifted, 1), parity), 1), width);
  const chunk = await lookupAll(evenHalf, Int32Array.from({ length: 2 ** width }, (_, bits) => bits * 2 ** offset), p);
  return subtract(value, chunk);
}

export async function executeProgram(
  program: Program,
  inputs: readonly CiphertextBatch[],
  batch: number,
  keys: EvaluationKeys,
  options: ExecuteOptions = {},
): Promise<ExecutionResult> {
  const chunkSize = options.lookupChunk ?? DEFAULT_LOOKUP_CHUNK;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new RangeError(`run: lookupChunk must be a positive integer, got ${chunkSize}`);
  const values = new Array<CiphertextBatch | undefined>(program.steps.length);
  const readers = Int32Array.from(program.readers);
  const lookupsTotal = batch * program.steps.reduce((sum, step) => sum + bootstrapsOf(step, program.sizes[step.id]), 0);
  let lookupsDone = 0;
  let lookupMilliseconds = 0;
  const progress = (count: number): void => {
    lookupsDone += count;
    options.onProgress?.({ lookupsDone, lookupsTotal });
  };
  const read = (id: number): CiphertextBatch => values[id]!;
  const finish = (step: ProgramStep, out: CiphertextBatch): void => {
    values[step.id] = out;
    for (const id of stepInputs(step)) if (--readers[id] === 0) values[id] = undefined;
  };
  for (const stage of program.stages) {
    if (stage.lookups.length > 0) {
      // One group of native calls per (input precision, output precision) pair.
      const groups = new Map<string, LookupStep[]>();
      for (const id of stage.lookups) {
        const step = program.steps[id] as LookupStep;
        const key = `${step.inputPrecision}/${step.outputPrecision}`;
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key)!.push(step);
      }
      const started = performance.now();
      const done: [LookupStep, CiphertextBatch][] = [];
      for (const steps of groups.values()) {
        const outs = await runLookupStage(steps, steps.map((s) => read(s.input)), steps.map((s) => program.sizes[s.id]), keys, chunkSize, progress);
        steps.forEach((step, k) => done.push([step, outs[k]]));
      }
      lookupMilliseconds += performance.now() - started;
      for (const [step, out] of done) finish(step, out);
    }
    for (const id of stage.others) {
      const step = program.steps[id];
      const size = program.sizes[id];
      switch (step.kind) {
        case 'input':
          finish(step, inputs[step.slot]);
          break;
        case 'reshape':
          finish(step, read(step.input));
          break;
        case 'linear':
          finish(step, await runLinear(step, read(step.input), batch));
          break;
        case 'add':
          finish(step, add(read(step.a), read(step.b)));
          break;
        case 'subtract':
          finish(step, subtract(read(step.a), read(step.b)));
          break;
        case 'scale':
          finish(step, multiplyByIntegers(read(step.input), repeatPerSample(step.factors, batch)));
          break;
        case 'offset':
          finish(step, addConstants(read(step.input), repeatPerSample(step.constants, batch)));
          break;
        case 'gather':
          finish(step, runGather(step, step.inputs.map(read), step.inputs.map((i) => program.sizes[i]), size, batch));
          break;
        case 'round': {
          const started = performance.now();
          finish(step, await runRound(step, read(step.input), keys, chunkSize, progress));
          if (step.exactness === 'EXACT') lookupMilliseconds += performance.now() - started;
          break;
        }
        case 'lookup':
          throw new Error(`lookup step ${id} scheduled outside a lookup stage`);
      }
    }
  }
  return { outputs: program.outputs.map((o) => read(o.id)), lookups: lookupsDone, lookupMilliseconds };
}
