// compile: graph -> FheCircuit. In order: ranges (declared, observed on the inputset, or the
// worst case); the message precision p (the widest lookup input, or the widest output minus
// its padding bit); clear operands reduced modulo 2^(p+1); noise bounds; the per-lookup failure
// target; the cheapest parameter set meeting it; tables; stages of batched lookups.

import { log2FailureProbability } from '../noise';
import type { ParameterSet } from '../parameters';
import { FheCircuit } from './circuit';
import { evaluateGraph } from './evaluate';
import { lookupFailureTarget, type FailureOptions } from './failure-target';
import { describeNode, type CircuitGraph, type CircuitNode } from './graph';
import { centered, centeredInt32, formatRange, rangeBits, type IntegerRange } from './integers';
import { parseInputs, type CircuitInputs, type TensorSpec } from './io';
import { reduceWeights } from './linear-map';
import { circuitLogger, type CircuitLogger } from './logger';
import { effectiveNu, noiseBounds, type NoiseBound, type ReducedOperands } from './noise-bound';
import { selectParameters, type NoisePoint } from './parameter-selection';
import type { LookupStep, Program, ProgramStep, Stage } from './program';
import { resolveRanges } from './ranges';
import { lookupTables } from './tables';

export interface CompileOptions extends FailureOptions {
  /**
   * Calibration samples (as the executors take inputs, batch first): every tensor's range is
   * widened to the values they produce. Without it, undeclared ranges are worst cases.
   */
  readonly inputset?: CircuitInputs;
  /** Use this parameter set (checked) instead of choosing the cheapest that fits. */
  readonly parameters?: ParameterSet;
  /** Sets to choose from (default: the TUniform named sets). */
  readonly candidates?: readonly ParameterSet[];
  /** Where warnings go (default: the logger set by setCircuitLogger, console.warn). */
  readonly logger?: CircuitLogger;
}

const INT32_LIMIT = 2 ** 31;

function specOf(graph: CircuitGraph, id: number, name: string, ranges: readonly IntegerRange[]): TensorSpec {
  const node = graph.nodes[id];
  return { id, name, shape: node.shape, size: node.size, range: ranges[id] };
}

/** Min and max of every node over the inputset. */
function observeRanges(graph: CircuitGraph, inputs: readonly TensorSpec[], inputset: CircuitInputs): (IntegerRange | undefined)[] {
  const { batch, values } = parseInputs(inputs, inputset);
  const observed: (IntegerRange | undefined)[] = new Array(graph.nodes.length);
  evaluateGraph(graph, values, batch, (node, data) => {
    let min = Infinity;
    let max = -Infinity;
    for (const v of data) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    observed[node.id] = { min, max };
  });
  return observed;
}

interface PrecisionNeed {
  readonly bits: number;
  readonly driver: string;
}

/** p: every lookup input (shifted) in [0, 2^p); every output within 2^(p+1) consecutive integers. */
function messagePrecision(graph: CircuitGraph, ranges: readonly IntegerRange[]): PrecisionNeed {
  let need: PrecisionNeed = { bits: 1, driver: 'nothing needs more than 1 bit' };
  for (const node of graph.nodes) {
    if (node.kind !== 'lookup') continue;
    const input = graph.nodes[node.inputs[0]];
    const bits = rangeBits(ranges[input.id]);
    if (bits > need.bits) need = { bits, driver: `${describeNode(node)} reads '${input.name}' in ${formatRange(ranges[input.id])} (${bits} bits)` };
  }
  for (const output of graph.outputs) {
    const range = ranges[output.id];
    if (range.min < -INT32_LIMIT || range.max >= INT32_LIMIT) {
      throw new RangeError(`output '${output.name}' spans ${formatRange(range)}, beyond int32`);
    }
    const bits = Math.max(1, rangeBits(range) - 1);
    if (bits > need.bits) need = { bits, driver: `output '${output.name}' spans ${formatRange(range)} (${bits} bits and the padding bit)` };
  }
  return need;
}

/** Stage of each node: a lookup runs one stage after its input; other nodes run with their latest input. */
function stagesOf(graph: CircuitGraph): Stage[] {
  const level = new Int32Array(graph.nodes.length);
  const stages: { lookups: number[]; others: number[] }[] = [];
  for (const node of graph.nodes) {
    const latest = node.inputs.reduce((max, id) => Math.max(max, level[id]), 0);
    level[node.id] = node.kind === 'lookup' ? latest + 1 : latest;
    while (stages.length <= level[node.id]) stages.push({ lookups: [], others: [] });
    (node.kind === 'lookup' ? stages[level[node.id]].lookups : stages[level[node.id]].others).push(node.id);
  }
  return stages;
}

function readersOf(graph: CircuitGraph): Int32Array {
  const readers = new Int32Array(graph.nodes.length);
  for (const node of graph.nodes) for (const id of node.inputs) readers[id]++;
  for (const output of graph.outputs) readers[output.id]++;
  return readers;
}

function checkGraph(graph: CircuitGraph): void {
  if (graph.inputs.length === 0) throw new RangeError('the circuit has no input: add one with builder.input()');
  if (graph.outputs.length === 0) throw new RangeError('the circuit has no output: mark one with builder.output()');
}

interface ReducedClearOperands extends ReducedOperands {
  linearConstants(id: number): Int32Array | null;
}

/** Clear weights, factors and constants as centered residues modulo 2^(p+1). */
function reduceOperands(graph: CircuitGraph, precision: number): ReducedClearOperands {
  const linear = new Map<number, { weights: Int32Array; constants: Int32Array | null }>();
  const factors = new Map<number, Int32Array>();
  for (const node of graph.nodes) {
    if (node.kind === 'linear') linear.set(node.id, reduceWeights(node.map, precision));
    if (node.kind === 'scale') factors.set(node.id, centeredInt32(node.factors, precision));
  }
  return {
    linearWeights: (id) => linear.get(id)!.weights,
    linearConstants: (id) => linear.get(id)!.constants,
    scaleFactors: (id) => factors.get(id)!,
  };
}

/** Where noise must stay within a box: every lookup input and every output. */
function noisePoints(graph: CircuitGraph, noise: readonly NoiseBound[]): NoisePoint[] {
  const points: NoisePoint[] = [];
  for (const node of graph.nodes) {
    if (node.kind === 'lookup') points.push({ kind: 'lookup', bound: noise[node.inputs[0]], what: `the input of ${describeNode(node)}` });
  }
  for (const output of graph.outputs) points.push({ kind: 'output', bound: noise[output.id], what: `output '${output.name}'` });
  return points;
}

interface ProgramParts {
  readonly ranges: readonly IntegerRange[];
  readonly precision: number;
  readonly operands: ReducedClearOperands;
  readonly noise: readonly NoiseBound[];
  readonly parameters: ParameterSet;
}

function programStep(graph: CircuitGraph, node: CircuitNode, parts: ProgramParts): ProgramStep {
  const { ranges, precision, operands } = parts;
  switch (node.kind) {
    case 'input':
      return { kind: 'input', id: node.id, slot: graph.inputs.indexOf(node.id) };
    case 'linear':
      return { kind: 'linear', id: node.id, input: node.inputs[0], map: node.map, weights: operands.linearWeights(node.id), constants: operands.linearConstants(node.id) };
    case 'add':
    case 'subtract':
      return { kind: node.kind, id: node.id, a: node.inputs[0], b: node.inputs[1] };
    case 'scale':
      return { kind: 'scale', id: node.id, input: node.inputs[0], factors: operands.scaleFactors(node.id) };
    case 'offset':
      return { kind: 'offset', id: node.id, input: node.inputs[0], constants: centeredInt32(node.constants, precision) };
    case 'gather':
      return { kind: 'gather', id: node.id, inputs: node.inputs, source: node.source, index: node.index, padValue: centered(node.padValue, precision) };
    case 'reshape':
      return { kind: 'reshape', id: node.id, input: node.inputs[0] };
    case 'lookup': {
      const inputRange = ranges[node.inputs[0]];
      const nu = effectiveNu(parts.noise[node.inputs[0]], parts.parameters);
      const step: LookupStep = {
        kind: 'lookup', id: node.id, input: node.inputs[0], shift: centered(-inputRange.min, precision),
        tables: lookupTables(node, inputRange, precision), channelOf: node.channelOf, inputRange,
        inputBits: rangeBits(inputRange), nu, log2FailureProbability: log2FailureProbability(parts.parameters, precision, nu),
      };
      return step;
    }
  }
}

export function compileCircuit(graph: CircuitGraph, options: CompileOptions = {}): FheCircuit {
  checkGraph(graph);
  const logger = options.logger ?? circuitLogger();
  const declaredInputs = graph.inputs.map((id): TensorSpec => {
    const node = graph.nodes[id];
    return { id, name: node.name, shape: node.shape, size: node.size, range: node.declaredRange! };
  });
  const observed = options.inputset === undefined ? undefined : observeRanges(graph, declaredInputs, options.inputset);
  const ranges = resolveRanges(graph, observed);
  const { bits: precision, driver } = messagePrecision(graph, ranges);
  const operands = reduceOperands(graph, precision);
  const noise = noiseBounds(graph, operands);
  const lookupCount = graph.nodes.reduce((sum, node) => sum + (node.kind === 'lookup' ? node.size : 0), 0);
  const target = lookupFailureTarget(options, lookupCount, logger);
  const parameters = selectParameters({
    precision, precisionDriver: driver, points: noisePoints(graph, noise),
    pError: target.pError, candidates: options.candidates, forced: options.parameters,
  });
  const parts: ProgramParts = { ranges, precision, operands, noise, parameters };
  const program: Program = {
    precision,
    steps: graph.nodes.map((node) => programStep(graph, node, parts)),
    sizes: graph.nodes.map((node) => node.size),
    stages: stagesOf(graph),
    inputs: graph.inputs.map((id) => specOf(graph, id, graph.nodes[id].name, ranges)),
    outputs: graph.outputs.map((output) => specOf(graph, output.id, output.name, ranges)),
    readers: readersOf(graph),
  };
  return new FheCircuit({ graph, program, parameters, target, ranges });
}
