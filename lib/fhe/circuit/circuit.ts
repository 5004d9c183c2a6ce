// FheCircuit: a compiled circuit and its three executors.
//   clear     exact integers (the reference);
//   simulate  the ciphertexts' arithmetic on clear integers, lookups failing at a set rate;
//   execute   keygen (cached) -> encrypt -> run -> decrypt, on every native thread.
// Every executor takes a batch of samples and gives Tensor<'int32'> outputs [batch, ...shape].

import { native } from '../../native';
import type { Tensor } from '../../tensor';
import type { ParameterSet } from '../parameters';
import { parameterFingerprint } from '../serialization';
import { decrypt as decryptBatch, encrypt as encryptBatch, generateKeys, type CiphertextBatch, type ClientKey, type EvaluationKeys } from '../tfhe';
import { evaluateGraph } from './evaluate';
import { executeProgram, type ExecuteOptions } from './execute';
import type { FailureTarget } from './failure-target';
import type { CircuitGraph } from './graph';
import { centeredInt32, formatRange, liftResidue, rangeBits, type IntegerRange } from './integers';
import { outputTensor, parseInputs, type CircuitInputs, type TensorSpec } from './io';
import type { Program } from './program';
import { seededRandom } from './random';
import { simulateProgram } from './simulate';
import { circuitStatistics, type CircuitStatistics } from './statistics';

export interface CircuitKeys {
  readonly clientKey: ClientKey;
  readonly evaluationKeys: EvaluationKeys;
}

/** Ciphertexts of a batch: one CiphertextBatch per circuit input (or output), samples one after the other. */
export class EncryptedTensors {
  constructor(readonly batch: number, readonly tensors: readonly CiphertextBatch[]) {}
}

export interface ClearOptions {
  /**
   * Check that every lookup input and output stays in the window where encrypted execution
   * gives the same integers (default true). Off, clear returns the exact integers regardless.
   */
  readonly checkRanges?: boolean;
}

export interface SimulateOptions {
  /** Seed of the error-injection generator (default: a random one). */
  readonly seed?: number;
  /** Failure probability injected per lookup; default: the target the circuit was compiled for. */
  readonly pError?: number;
}

export interface SimulationReport {
  readonly outputs: Tensor<'int32'>[];
  readonly lookups: number;
  readonly injectedErrors: number;
}

export interface RunOptions extends ExecuteOptions {
  /** Server side: keys other than the cached ones (e.g. deserialized from a client). */
  readonly evaluationKeys?: EvaluationKeys;
}

/** One row of report(): a tensor's range and the bits it needs. */
export interface TensorReport {
  readonly name: string;
  readonly op: string;
  readonly shape: readonly number[];
  readonly range: IntegerRange;
  readonly bits: number;
}

export interface FheCircuitParts {
  readonly graph: CircuitGraph;
  readonly program: Program;
  readonly parameters: ParameterSet;
  readonly target: FailureTarget;
  readonly ranges: readonly IntegerRange[];
}

export class FheCircuit {
  readonly graph: CircuitGraph;
  readonly program: Program;
  /** The chosen parameter set. */
  readonly parameters: ParameterSet;
  readonly failureTarget: FailureTarget;
  readonly ranges: readonly IntegerRange[];
  #keys: Promise<CircuitKeys> | undefined;
  #resolvedKeys: CircuitKeys | undefined;
  readonly #measured = { lookups: 0, milliseconds: 0 };

  /** @internal made by compile */
  constructor(parts: FheCircuitParts) {
    this.graph = parts.graph;
    this.program = parts.program;
    this.parameters = parts.parameters;
    this.failureTarget = parts.target;
    this.ranges = parts.ranges;
  }

  /**
   * The widest chain's message precision. Each chain (values joined by leveled ops between
   * lookups, inputs and outputs) has its own: see precisionOf and statistics.chains.
   */
  get precision(): number {
    return this.program.precision;
  }

  /** Message precision of a tensor (its chain's), by node name or id. */
  precisionOf(tensor: string | number): number {
    const id = typeof tensor === 'number' ? tensor : this.graph.nodes.findIndex((node) => node.name === tensor);
    if (!(id >= 0 && id < this.graph.nodes.length)) throw new RangeError(`precisionOf: no tensor ${JSON.stringify(tensor)} in this circuit`);
    return this.program.precisions[id];
  }

  get inputs(): readonly TensorSpec[] {
    return this.program.inputs;
  }

  get outputs(): readonly TensorSpec[] {
    return this.program.outputs;
  }

  get statistics(): CircuitStatistics {
    return circuitStatistics(this.program, this.parameters, this.failureTarget, this.graph.nodes.map((n) => n.name),
      native.capabilities().threads, this.#measured);
  }

  /** Range and bit width of every tensor (bits counted from the range's minimum). */
  report(): TensorReport[] {
    return this.graph.nodes.map((node) => ({ name: node.name, op: node.op, shape: node.shape, range: this.ranges[node.id], bits: rangeBits(this.ranges[node.id]) }));
  }

  // ---- clear and simulate ---------------------------------------------------------------------

  clear(inputs: CircuitInputs, options: ClearOptions = {}): Tensor<'int32'>[] {
    const { batch, values } = parseInputs(this.inputs, inputs);
    const windows = options.checkRanges === false ? new Map<number, { window: IntegerRange; why: string }>() : this.#exactWindows();
    const outputs = evaluateGraph(this.graph, values, batch, (node, data) => {
      const check = windows.get(node.id);
      if (check === undefined) return;
      for (let i = 0; i < data.length; i++) {
        if (data[i] < check.window.min || data[i] > check.window.max) {
          throw new RangeError(`clear: tensor '${node.name}' (${check.why}) takes ${data[i]} at sample ${Math.floor(i / node.size)}, `
            + `element ${i % node.size}, outside ${formatRange(check.window)} where encrypted execution is exact (calibrated `
            + `range ${formatRange(this.ranges[node.id])}); compile with an inputset covering such inputs, or pass { checkRanges: false }`);
        }
      }
    });
    return this.outputs.map((spec, k) => outputTensor(spec, outputs[k], batch));
  }

  simulate(inputs: CircuitInputs, options: SimulateOptions = {}): Tensor<'int32'>[] {
    return this.simulateWithReport(inputs, options).outputs;
  }

  /** simulate, also telling how many lookups ran and how many errors were injected. */
  simulateWithReport(inputs: CircuitInputs, options: SimulateOptions = {}): SimulationReport {
    const { batch, values } = parseInputs(this.inputs, inputs);
    const rate = options.pError ?? this.failureTarget.pError;
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`simulate: pError must be a probability in [0, 1], got ${rate}`);
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
    const result = simulateProgram(this.program, values, batch, rate, seededRandom(seed));
    const outputs = this.outputs.map((spec, k) => outputTensor(spec, this.#lift(spec, result.outputs[k]), batch));
    return { outputs, lookups: result.lookups, injectedErrors: result.injectedErrors };
  }

  // ---- execute ------------------------------------------------------------------------------

  /** Generates the keys once per circuit (again with force, freeing the old ones). */
  async keygen(options: { force?: boolean } = {}): Promise<CircuitKeys> {
    if (options.force) this.freeKeys();
    this.#keys ??= generateKeys(this.parameters).then((keys) => {
      this.#resolvedKeys = keys;
      return keys;
    });
    return this.#keys;
  }

  /** The cached keys, once keygen has resolved. */
  get keys(): CircuitKeys | undefined {
    return this.#resolvedKeys;
  }

  freeKeys(): void {
    this.#resolvedKeys?.clientKey.free();
    this.#resolvedKeys?.evaluationKeys.free();
    this.#resolvedKeys = undefined;
    this.#keys = undefined;
  }

  /** Client side: encrypts a batch of inputs (values must lie in each input's range). */
  encrypt(inputs: CircuitInputs, clientKey: ClientKey = this.#clientKey('encrypt')): EncryptedTensors {
    const { batch, values } = parseInputs(this.inputs, inputs);
    const tensors = values.map((data, slot) => {
      const precision = this.program.precisions[this.inputs[slot].id];
      return encryptBatch(clientKey, centeredInt32(data, precision), { precision });
    });
    return new EncryptedTensors(batch, tensors);
  }

  /** Server side: runs the circuit on encrypted inputs; needs evaluation keys only. */
  async run(encrypted: EncryptedTensors, options: RunOptions = {}): Promise<EncryptedTensors> {
    const keys = options.evaluationKeys ?? this.#resolvedKeys?.evaluationKeys;
    if (keys === undefined) throw new Error('run: no evaluation keys; call keygen() first or pass { evaluationKeys }');
    if (keys.parameters !== this.parameters && parameterFingerprint(keys.parameters) !== parameterFingerprint(this.parameters)) {
      throw new RangeError(`run: evaluation keys are for ${keys.parameters.name}, the circuit uses ${this.parameters.name}`);
    }
    this.#checkCiphertexts(encrypted, this.inputs, 'run');
    const result = await executeProgram(this.program, encrypted.tensors, encrypted.batch, keys, options);
    this.#measured.lookups += result.lookups;
    this.#measured.milliseconds += result.lookupMilliseconds;
    return new EncryptedTensors(encrypted.batch, result.outputs);
  }

  /** Client side: decrypts outputs of run. */
  decrypt(encrypted: EncryptedTensors, clientKey: ClientKey = this.#clientKey('decrypt')): Tensor<'int32'>[] {
    this.#checkCiphertexts(encrypted, this.outputs, 'decrypt');
    return this.outputs.map((spec, k) => outputTensor(spec, this.#lift(spec, decryptBatch(clientKey, encrypted.tensors[k])), encrypted.batch));
  }

  async encryptRunDecrypt(inputs: CircuitInputs, options: ExecuteOptions = {}): Promise<Tensor<'int32'>[]> {
    const keys = await this.keygen();
    const outputs = await this.run(this.encrypt(inputs, keys.clientKey), { ...options, evaluationKeys: keys.evaluationKeys });
    return this.decrypt(outputs, keys.clientKey);
  }

  // ---- internals ----------------------------------------------------------------------------

  #clientKey(what: string): ClientKey {
    const key = this.#resolvedKeys?.clientKey;
    if (key === undefined) throw new Error(`${what}: no client key; await circuit.keygen() first or pass one`);
    return key;
  }

  /** Residues modulo 2^(p+1) of the output's chain back to the integers of the output's range. */
  #lift(spec: TensorSpec, residues: ArrayLike<number>): Float64Array {
    const precision = this.program.precisions[spec.id];
    return Float64Array.from(residues, (r) => liftResidue(r, spec.range.min, precision));
  }

  /** Where clear results equal encrypted ones: lookup inputs in [min, min + 2^p), outputs in [min, min + 2^(p+1)), p of their chain. */
  #exactWindows(): Map<number, { window: IntegerRange; why: string }> {
    const windows = new Map<number, { window: IntegerRange; why: string }>();
    const { precisions } = this.program;
    for (const node of this.graph.nodes) {
      if (node.kind !== 'lookup') continue;
      const { min } = this.ranges[node.inputs[0]];
      windows.set(node.inputs[0], { window: { min, max: min + 2 ** precisions[node.inputs[0]] - 1 }, why: `input of lookup '${node.name}'` });
    }
    for (const output of this.graph.outputs) {
      const { min } = this.ranges[output.id];
      const window = { min, max: min + 2 ** (precisions[output.id] + 1) - 1 };
      const known = windows.get(output.id);
      windows.set(output.id, known !== undefined ? known : { window, why: `output '${output.name}'` });
    }
    return windows;
  }

  #checkCiphertexts(encrypted: EncryptedTensors, specs: readonly TensorSpec[], what: string): void {
    if (!(encrypted instanceof EncryptedTensors) || encrypted.tensors.length !== specs.length) {
      throw new TypeError(`${what}: expected EncryptedTensors with ${specs.length} tensors (${specs.map((s) => s.name).join(', ')})`);
    }
    specs.forEach((spec, k) => {
      const batch = encrypted.tensors[k];
      const precision = this.program.precisions[spec.id];
      if (batch.count !== encrypted.batch * spec.size || batch.lweDimension !== this.parameters.bigLweDimension || batch.precision !== precision) {
        throw new RangeError(`${what}: '${spec.name}' needs ${encrypted.batch} x ${spec.size} ciphertexts of dimension `
          + `${this.parameters.bigLweDimension} at precision ${precision}, got ${batch.count} of dimension ${batch.lweDimension} `
          + `at precision ${batch.precision}`);
      }
    });
  }
}
