// compile: graph -> FheCircuit. In order: ranges (declared, observed on the inputset, or the
// worst case); chains (the encoding regions between lookups) and the message precision of each
// (its widest lookup input, or its widest output minus the padding bit); clear operands reduced
// modulo 2^(p+1) of their chain; noise bounds; the per-lookup failure target; the cheapest
// parameter set meeting it at every chain's precision; tables (2^p_in entries, encoded at
// p_out); stages of batched lookups.

import { estimateNoise, log2FailureProbability } from '../noise';
import type { ParameterSet } from '../parameters';
import { FheCircuit } from './circuit';
import { evaluateGraph } from './evaluate';
import { lookupFailureTarget, type FailureOptions } from './failure-target';
import { describeNode, type CircuitGraph, type CircuitNode } from './graph';
import { centered, centeredInt32, rangeBits, type IntegerRange } from './integers';
import { assignChains, type ChainAssignment } from './chains';
import { parseInputs, type CircuitInputs, type TensorSpec } from './io';
import { reduceWeights } from './linear-map';
import { circuitLogger, type CircuitLogger } from './logger';
import { effectiveNu, noiseBounds, clearingReads, type NoiseBound, type ReducedOperands } from './noise-bound';
import { log2PointFailure, selectParameters, weakestPoint, type NoisePoint } from './parameter-selection';
import type { LookupStep, Program, ProgramStep, RoundStep, Stage } from './program';
import { resolveRanges } from './ranges';
import { clearingBootstraps } from './rounding';
import { lookupTables } from './tables';

export interface CompileOptions extends FailureOptions {
  /**
   * Calibration samples (as the executors take inputs, batch first): every tensor's range is
   * widened to the values they produce. Without it, undeclared ranges are worst cases.
   */
  readonly inputset?: CircuitInputs;
  /** Use this parameter set (checked) instead of choosing the cheapest that fits. */
  readonly parameters?: ParameterSet;
  /** Sets to choose from (default: the TUniform named sets and one searched for this circuit). */
  readonly candidates?: readonly ParameterSet[];
  /** Search a set for this circuit too (default: when no candidates are given). */
  readonly parameterSearch?: boolean;
  /** Where warnings go (default: the logger set by setCircuitLogger, console.warn). */
  readonly logger?: CircuitLogger;
}

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

/** Programmable bootstraps a node costs per sample (program.ts bootstrapsOf, before the program exists). */
function nodeBootstraps(node: CircuitNode, precisionOf: ArrayLike<number>): number {
  if (node.kind === 'lookup') return node.size;
  if (node.kind === 'round' && node.exactness === 'EXACT') return node.size * clearingBootstraps(node.bits, precisionOf[node.id]);
  return 0;
}

/**
 * Stage of each node: a bootstrapping node runs one stage after its input; other nodes run with
 * their latest input. Lookups are listed apart (batched together); rounds run with the others.
 */
function stagesOf(graph: CircuitGraph): Stage[] {
  const level = new Int32Array(graph.nodes.length);
  const stages: { lookups: number[]; others: number[] }[] = [];
  for (const node of graph.nodes) {
    const latest = node.inputs.reduce((max, id) => Math.max(max, level[id]), 0);
    const bootstraps = node.kind === 'lookup' || (node.kind === 'round' && node.exactness === 'EXACT');
    level[node.id] = bootstraps ? latest + 1 : latest;
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
  // An APPROXIMATE result still holds the dropped bits in its ciphertexts: only a read (a
  // lookup or a decryption) rounds them away; arithmetic would mix them into the result.
  for (const node of graph.nodes) {
    for (const id of node.inputs) {
      const input = graph.nodes[id];
      if (input.kind === 'round' && input.exactness === 'APPROXIMATE' && node.kind !== 'lookup') {
        throw new RangeError(`${describeNode(node)} reads the APPROXIMATE ${describeNode(input)}, whose ciphertexts still hold `
          + 'the dropped bits: only lookups and outputs may read it; use EXACT rounding or put a lookup in between');
      }
    }
  }
}

interface ReducedClearOperands extends ReducedOperands {
  linearConstants(id: number): Int32Array | null;
}

/** Clear weights, factors and constants as centered residues modulo 2^(p+1) of their node's chain. */
function reduceOperands(graph: CircuitGraph, precisionOf: Int32Array): ReducedClearOperands {
  const linear = new Map<number, { weights: Int32Array; constants: Int32Array | null }>();
  const factors = new Map<number, Int32Array>();
  for (const node of graph.nodes) {
    if (node.kind === 'linear') linear.set(node.id, reduceWeights(node.map, precisionOf[node.id]));
    if (node.kind === 'scale') factors.set(node.id, centeredInt32(node.factors, precisionOf[node.id]));
  }
  return {
    linearWeights: (id) => linear.get(id)!.weights,
    linearConstants: (id) => linear.get(id)!.constants,
    scaleFactors: (id) => factors.get(id)!,
  };
}

/**
 * Where noise must stay within a box: every lookup input and every output, at its chain's
 * precision, and every clearing bootstrap of an EXACT rounded shift (noise-bound.ts clearingReads).
 */
function noisePoints(graph: CircuitGraph, noise: readonly NoiseBound[], chains: ChainAssignment): NoisePoint[] {
  const points: NoisePoint[] = [];
  for (const node of graph.nodes) {
    if (node.kind !== 'lookup') continue;
    const input = node.inputs[0];
    const chain = chains.chains[chains.chainOf[input]];
    points.push({ kind: 'lookup', bound: noise[input], what: `the input of ${describeNode(node)}`, precision: chain.precision, chain: chain.index, driver: chain.driver });
  }
  for (const node of graph.nodes) {
    if (node.kind !== 'round' || node.exactness !== 'EXACT') continue;
    const input = node.inputs[0];
    const chain = chains.chains[chains.chainOf[input]];
    for (const read of clearingReads(noise[input], node.bits, chain.precision, node.id)) {
      points.push({
        kind: 'lookup', bound: read.bound, what: `${read.what} of ${describeNode(node)}`, precision: read.precision, chain: chain.index, driver: chain.driver,
      });
    }
  }
  for (const output of graph.outputs) {
    const chain = chains.chains[chains.chainOf[output.id]];
    points.push({ kind: 'output', bound: noise[output.id], what: `output '${output.name}'`, precision: chain.precision, chain: chain.index, driver: chain.driver });
  }
  return points;
}

interface ProgramParts {
  readonly ranges: readonly IntegerRange[];
  readonly precisionOf: Int32Array;
  readonly operands: ReducedClearOperands;
  readonly noise: readonly NoiseBound[];
  readonly parameters: ParameterSet;
}

function programStep(graph: CircuitGraph, node: CircuitNode, parts: ProgramParts): ProgramStep {
  const { ranges, operands } = parts;
  const precision = parts.precisionOf[node.id];
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
      const inputPrecision = parts.precisionOf[node.inputs[0]];
      const nu = effectiveNu(parts.noise[node.inputs[0]], parts.parameters);
      const step: LookupStep = {
        kind: 'lookup', id: node.id, input: node.inputs[0], shift: centered(-inputRange.min, inputPrecision),
        tables: lookupTables(node, inputRange, inputPrecision, precision), channelOf: node.channelOf, inputRange,
        inputBits: rangeBits(inputRange), inputPrecision, outputPrecision: precision, nu,
        log2FailureProbability: log2FailureProbability(parts.parameters, inputPrecision, nu),
      };
      return step;
    }
    case 'round':
      return roundStep(node, parts);
  }
}

function roundStep(node: CircuitNode & { kind: 'round' }, parts: ProgramParts): RoundStep {
  const input = node.inputs[0];
  const inputPrecision = parts.precisionOf[input];
  let nu = 0;
  let log2Failure = -Infinity;
  if (node.exactness === 'EXACT') {
    for (const read of clearingReads(parts.noise[input], node.bits, inputPrecision, node.id)) {
      const readNu = effectiveNu(read.bound, parts.parameters);
      const readFailure = log2FailureProbability(parts.parameters, read.precision, readNu);
      if (readFailure > log2Failure) [nu, log2Failure] = [readNu, readFailure];
    }
  }
  const outputPrecision = parts.precisionOf[node.id];
  // APPROXIMATE: the reader's noise (the input's, keyswitch, modulus switch) against its box
  // width 2^-(p_out + 1) of the torus, which is one unit of the result
  const readStd = node.exactness === 'EXACT' ? 0
    : Math.sqrt(estimateNoise(parts.parameters, effectiveNu(parts.noise[input], parts.parameters)).total) * 2 ** (outputPrecision + 1);
  return {
    kind: 'round', id: node.id, input, bits: node.bits, exactness: node.exactness, inputPrecision,
    outputPrecision, nu, log2FailureProbability: log2Failure, readStd,
  };
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
  const chains = assignChains(graph, ranges);
  const operands = reduceOperands(graph, chains.precisionOf);
  const noise = noiseBounds(graph, operands, chains.precisionOf);
  const target = lookupFailureTarget(options, graph.nodes.reduce((sum, node) => sum + nodeBootstraps(node, chains.precisionOf), 0), logger);
  const points = noisePoints(graph, noise, chains);
  const parameters = selectParameters({ points, pError: target.pError, candidates: options.candidates, forced: options.parameters, search: options.parameterSearch });
  const parts: ProgramParts = { ranges, precisionOf: chains.precisionOf, operands, noise, parameters };
  const program: Program = {
    precision: chains.chains.reduce((max, chain) => Math.max(max, chain.precision), 1),
    precisions: chains.precisionOf,
    chainOf: chains.chainOf,
    chains: chains.chains.map((chain) => {
      const own = points.filter((point) => point.chain === chain.index);
      const weakest = weakestPoint(own, parameters);
      return { ...chain, weakest: weakest.what, nu: weakest.nu, log2FailureProbability: weakest.log2PFail };
    }),
    outputNoise: graph.outputs.map((output) => {
      const point = points.find((p) => p.kind === 'output' && p.what === `output '${output.name}'`)!;
      return { nu: effectiveNu(point.bound, parameters), log2FailureProbability: log2PointFailure(point, parameters) };
    }),
    steps: graph.nodes.map((node) => programStep(graph, node, parts)),
    sizes: graph.nodes.map((node) => node.size),
    stages: stagesOf(graph),
    inputs: graph.inputs.map((id) => specOf(graph, id, graph.nodes[id].name, ranges)),
    outputs: graph.outputs.map((output) => specOf(graph, output.id, output.name, ranges)),
    readers: readersOf(graph),
  };
  return new FheCircuit({ graph, program, parameters, target, ranges });
}
