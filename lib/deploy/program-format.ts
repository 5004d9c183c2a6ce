// The compiled Program (lib/fhe/circuit/program.ts) as server specs: written by the generic
// plain-data codec, so step kinds and fields added to the compiler pass through unchanged, and
// checked on load so that a well-sealed but wrong file gets an error instead of a crash, a
// hang or a huge allocation in the executor. A step kind this file does not list (a newer
// compiler's) is refused by name: this version's executor could not run it.

import type { Program } from '../fhe/circuit/program';
import { libraryVersion } from './container';
import { malformed } from './errors';

/** Elements per sample of any tensor: far beyond any model, far below what would exhaust memory. */
export const MAX_TENSOR_SIZE = 2 ** 24;
const MAX_PRECISION = 31;
const MAX_LOOKUP_PRECISION = 16;

type Fields = Record<string, unknown>;
const WHERE = 'server specs program';

function fail(message: string): never {
  malformed(WHERE, message);
}

function record(value: unknown, what: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) fail(`${what} must be an object`);
  return value as Fields;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) fail(`${what} must be an array`);
  return value;
}

function integer(value: unknown, what: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) fail(`${what} must be an integer in [${min}, ${max}], got ${String(value)}`);
  return value as number;
}

function int32s(value: unknown, what: string, length?: number): Int32Array {
  if (!(value instanceof Int32Array)) fail(`${what} must be an Int32Array`);
  if (length !== undefined && value.length !== length) fail(`${what} holds ${value.length} values, expected ${length}`);
  return value;
}

function indices(values: Int32Array, what: string, min: number, limit: number): void {
  for (let i = 0; i < values.length; i++) if (values[i] < min || values[i] >= limit) fail(`${what}[${i}] = ${values[i]} is outside [${min}, ${limit})`);
}

/** The node ids a step reads, by field name, whatever its kind. */
function references(step: Fields): number[] {
  const out: number[] = [];
  for (const key of ['input', 'a', 'b'] as const) if (key in step) out.push(step[key] as number);
  if ('inputs' in step) out.push(...list(step.inputs, 'step inputs') as number[]);
  return out;
}

function checkSpec(value: unknown, steps: number, sizes: readonly number[], what: string): void {
  const spec = record(value, what);
  integer(spec.id, `${what}.id`, 0, steps - 1);
  if (typeof spec.name !== 'string') fail(`${what}.name must be a string`);
  const shape = list(spec.shape, `${what}.shape`).map((d, k) => integer(d, `${what}.shape[${k}]`, 1, MAX_TENSOR_SIZE));
  const size = integer(spec.size, `${what}.size`, 1, MAX_TENSOR_SIZE);
  if (shape.reduce((a, b) => a * b, 1) !== size || sizes[spec.id as number] !== size) fail(`${what}: size ${size} disagrees with its shape or node`);
  const range = record(spec.range, `${what}.range`);
  if (!Number.isSafeInteger(range.min) || !Number.isSafeInteger(range.max) || (range.min as number) > (range.max as number)) fail(`${what}.range is not an integer range`);
}

function checkKnownStep(step: Fields, id: number, sizes: readonly number[], inputCount: number): void {
  const size = sizes[id];
  const where = `step ${id} (${String(step.kind)})`;
  switch (step.kind) {
    case 'input':
      integer(step.slot, `${where}.slot`, 0, inputCount - 1);
      break;
    case 'lookup': {
      const inputPrecision = integer(step.inputPrecision, `${where}.inputPrecision`, 1, MAX_LOOKUP_PRECISION);
      integer(step.outputPrecision, `${where}.outputPrecision`, 1, MAX_PRECISION);
      integer(step.shift, `${where}.shift`, -(2 ** 31), 2 ** 31 - 1);
      const tables = list(step.tables, `${where}.tables`);
      if (tables.length === 0) fail(`${where} has no table`);
      tables.forEach((table, k) => int32s(table, `${where}.tables[${k}]`, 2 ** inputPrecision));
      if (step.channelOf !== null) indices(int32s(step.channelOf, `${where}.channelOf`, size), `${where}.channelOf`, 0, tables.length);
      break;
    }
    case 'linear': {
      const map = record(step.map, `${where}.map`);
      const inputCount2 = integer(map.inputCount, `${where}.map.inputCount`, 1, MAX_TENSOR_SIZE);
      const outputCount = integer(map.outputCount, `${where}.map.outputCount`, 1, MAX_TENSOR_SIZE);
      if (inputCount2 !== sizes[step.input as number] || outputCount !== size) fail(`${where}: map is ${inputCount2} -> ${outputCount}, the nodes ${sizes[step.input as number]} -> ${size}`);
      const rowStart = int32s(map.rowStart, `${where}.map.rowStart`, outputCount + 1);
      const columns = int32s(map.columns, `${where}.map.columns`);
      int32s(map.weights, `${where}.map.weights`, columns.length);
      int32s(step.weights, `${where}.weights`, columns.length);
      if (rowStart[0] !== 0 || rowStart[outputCount] !== columns.length) fail(`${where}.map.rowStart does not span the columns`);
      for (let o = 0; o < outputCount; o++) if (rowStart[o + 1] < rowStart[o]) fail(`${where}.map.rowStart decreases at ${o}`);
      indices(columns, `${where}.map.columns`, 0, inputCount2);
      if (step.constants !== null) int32s(step.constants, `${where}.constants`, size);
      break;
    }
    case 'scale':
      int32s(step.factors, `${where}.factors`, size);
      break;
    case 'offset':
      int32s(step.constants, `${where}.constants`, size);
      break;
    case 'gather': {
      const inputs = step.inputs as number[];
      if (inputs.length === 0) fail(`${where} gathers from no input`);
      const index = int32s(step.index, `${where}.index`, size);
      const source = step.source === null ? null : int32s(step.source, `${where}.source`, size);
      if (source !== null) indices(source, `${where}.source`, 0, inputs.length);
      for (let i = 0; i < size; i++) {
        const from = sizes[inputs[source === null ? 0 : source[i]]];
        if (index[i] < -1 || index[i] >= from) fail(`${where}.index[${i}] = ${index[i]} is outside [-1, ${from})`);
      }
      integer(step.padValue, `${where}.padValue`, -(2 ** 31), 2 ** 31 - 1);
      break;
    }
    case 'add':
    case 'subtract':
      if (sizes[step.a as number] !== size || sizes[step.b as number] !== size) fail(`${where}: operands differ in size`);
      break;
    case 'reshape':
      if (sizes[step.input as number] !== size) fail(`${where}: reshape changes the size`);
      break;
    case 'round': {
      const inputPrecision = integer(step.inputPrecision, `${where}.inputPrecision`, 2, MAX_PRECISION);
      const outputPrecision = integer(step.outputPrecision, `${where}.outputPrecision`, 1, inputPrecision - 1);
      if (step.bits !== inputPrecision - outputPrecision) fail(`${where}.bits must be inputPrecision - outputPrecision`);
      if (step.exactness !== 'EXACT' && step.exactness !== 'APPROXIMATE') fail(`${where}.exactness must be EXACT or APPROXIMATE`);
      if (sizes[step.input as number] !== size) fail(`${where}: rounding changes the size`);
      break;
    }
    default:
      fail(`${where}: unknown step kind; this library (${libraryVersion().join('.')}) cannot run it`);
  }
}

/** Checks a decoded Program for everything the executor relies on; returns it typed. */
export function checkProgram(value: unknown): Program {
  const program = record(value, 'program');
  const steps = list(program.steps, 'steps');
  const count = steps.length;
  if (count === 0) fail('has no steps');
  const sizes = list(program.sizes, 'sizes').map((s, i) => integer(s, `sizes[${i}]`, 1, MAX_TENSOR_SIZE));
  if (sizes.length !== count) fail(`sizes holds ${sizes.length} entries for ${count} steps`);
  const precisions = int32s(program.precisions, 'precisions', count);
  precisions.forEach((p, i) => integer(p, `precisions[${i}]`, 1, MAX_PRECISION));
  const readers = int32s(program.readers, 'readers', count);
  integer(program.precision, 'precision', 1, MAX_PRECISION);
  const inputs = list(program.inputs, 'inputs');
  const outputs = list(program.outputs, 'outputs');
  if (inputs.length === 0 || outputs.length === 0) fail('needs at least one input and one output');
  inputs.forEach((spec, k) => checkSpec(spec, count, sizes, `inputs[${k}]`));
  outputs.forEach((spec, k) => checkSpec(spec, count, sizes, `outputs[${k}]`));
  steps.forEach((value, id) => {
    const step = record(value, `steps[${id}]`);
    if (step.id !== id || typeof step.kind !== 'string') fail(`steps[${id}] must have id ${id} and a kind`);
    for (const ref of references(step)) integer(ref, `steps[${id}] reference`, 0, id - 1);
    checkKnownStep(step, id, sizes, inputs.length);
  });
  // The executor drops a value after its last reader: the counts must be exact.
  const expectedReaders = new Int32Array(count);
  for (const step of steps) for (const ref of references(step as Fields)) expectedReaders[ref]++;
  for (const spec of outputs) expectedReaders[(spec as Fields).id as number]++;
  const wrong = expectedReaders.findIndex((n, id) => n !== readers[id]);
  if (wrong >= 0) fail(`readers[${wrong}] is ${readers[wrong]}, the steps and outputs read it ${expectedReaders[wrong]} times`);
  // Every step scheduled once, after the steps it reads.
  const done = new Uint8Array(count);
  for (const [s, stageValue] of list(program.stages, 'stages').entries()) {
    const stage = record(stageValue, `stages[${s}]`);
    const lookups = list(stage.lookups, `stages[${s}].lookups`);
    const others = list(stage.others, `stages[${s}].others`);
    for (const group of [lookups, others]) {
      for (const ref of group) {
        const id = integer(ref, `stages[${s}] entry`, 0, count - 1);
        if (done[id] !== 0) fail(`step ${id} is scheduled twice`);
        const step = steps[id] as Fields;
        if ((group === lookups) !== (step.kind === 'lookup')) fail(`step ${id} (${String(step.kind)}) is in the wrong list of stage ${s}`);
        for (const input of references(step)) if (done[input] === 0) fail(`step ${id} runs before its input ${input}`);
        if (group === others) done[id] = 1;
      }
      if (group === lookups) for (const ref of lookups) done[ref as number] = 1;
    }
  }
  const missing = done.indexOf(0);
  if (missing >= 0) fail(`step ${missing} is never scheduled`);
  return program as unknown as Program;
}
