// QuantizedModule: the integer model that will run encrypted. In 'disable' mode its forward pass
// runs in the clear on the same integers, batch at once:
//   forward(x) = dequantizeOutput(quantizedForward(quantizeInput(x)))

import type { CompileOptions, ExecutionProgress, FheCircuit } from '../fhe/circuit';
import { QuantizationOptions, UniformQuantizer } from '../quantization';
import { Tensor, type TensorLike } from '../tensor';
import { bitWidthOfRange } from './integers';
import { quantizedModuleFromJSON, quantizedModuleToJSON } from './json';
import { type LoweredModule, lowerQuantizedModule } from './lowering';
import type { QuantizedOp } from './op';
import type { ResolvedNBits, ResolvedRounding } from './options';
import { type OpValue, QuantizedValue } from './value';

export interface QuantizedModuleLayer {
  /** The graph value the op computes. */
  readonly outputName: string;
  /** Its variable inputs, in ONNX order ('' for an omitted optional input). */
  readonly inputNames: readonly string[];
  readonly op: QuantizedOp;
}

export interface QuantizedModuleInit {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly layers: readonly QuantizedModuleLayer[];
  readonly nBits: ResolvedNBits;
  readonly rounding: ResolvedRounding | null;
}

/**
 * 'disable': clear integers (quantizedForward); 'simulate': the compiled circuit's integers in
 * the clear with lookup errors injected at its failure probability; 'execute': keygen (cached
 * on the compiled circuit, so per module), encrypt, run on every native thread, decrypt.
 */
export type FheMode = 'disable' | 'simulate' | 'execute';

export interface ForwardOptions {
  readonly fhe?: FheMode;
  /** simulate: seed of the error injection (default random). */
  readonly seed?: number;
  /** simulate: lookup failure probability to inject instead of the compiled target. */
  readonly pError?: number;
  /** execute: progress of the encrypted run. */
  readonly onProgress?: (progress: ExecutionProgress) => void;
}

/** Stages compile() reports. */
export type CompileStage = 'quantize' | 'lower' | 'check' | 'parameters' | 'done';

/**
 * Options of QuantizedModule.compile: the circuit compiler's (pError or globalPError, not both;
 * default 2^-128 per lookup; parameters, candidates, logger) plus progress.
 */
export interface FheCompileOptions extends Omit<CompileOptions, 'inputset'> {
  readonly onProgress?: (stage: CompileStage) => void;
}

/** One value that feeds a table lookup (or the module's inputs), as the report lists it. */
export interface BitWidthEntry {
  readonly range: readonly [number, number];
  readonly bitwidth: number;
}

/** Table lookups are limited to inputs of this many bits. */
export const MAX_TABLE_LOOKUP_BITS = 16;

export class QuantizedModule {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly layers: readonly QuantizedModuleLayer[];
  readonly nBits: ResolvedNBits;
  readonly rounding: ResolvedRounding | null;
  #inputQuantizers: UniformQuantizer[] = [];
  readonly outputQuantizers: readonly UniformQuantizer[];
  #lowered: LoweredModule | null = null;
  #circuit: FheCircuit | null = null;

  constructor(init: QuantizedModuleInit) {
    this.inputNames = [...init.inputNames];
    this.outputNames = [...init.outputNames];
    this.layers = [...init.layers];
    this.nBits = init.nBits;
    this.rounding = init.rounding;
    this.outputQuantizers = this.outputNames.map((name) => {
      const layer = this.layers.find((l) => l.outputName === name);
      if (layer === undefined) throw new RangeError(`model output '${name}' is not computed by a quantized op (is it a constant or an input?)`);
      const { op } = layer;
      if (op.outputParams === null) throw new Error(`${op.describe()} produces output '${name}' but has no output quantizer`);
      return new UniformQuantizer({ options: new QuantizationOptions(op.nBits), stats: op.outputStats, params: op.outputParams });
    });
  }

  get inputQuantizers(): readonly UniformQuantizer[] {
    return this.#inputQuantizers;
  }

  setInputQuantizers(quantizers: readonly UniformQuantizer[]): void {
    if (quantizers.length !== this.inputNames.length) {
      throw new RangeError(`expected ${this.inputNames.length} input quantizers, got ${quantizers.length}`);
    }
    this.#inputQuantizers = [...quantizers];
  }

  /** Floats -> integers with the input quantizers (one tensor per model input). */
  quantizeInput(...inputs: TensorLike[]): Tensor<'int32'>[] {
    this.checkCount(inputs.length, 'inputs');
    return inputs.map((x, i) => {
      const tensor = Tensor.from(x);
      if (tensor.dtype !== 'float32' && tensor.dtype !== 'float64') {
        throw new TypeError(`input ${i} must be float32 or float64 (quantization is done here), got ${tensor.dtype}`);
      }
      return this.#inputQuantizers[i].quant(tensor);
    });
  }

  /** Integers in, integers out: what the encrypted circuit computes. */
  async quantizedForward(...qInputs: Tensor[]): Promise<Tensor<'int32'>[]> {
    this.checkCount(qInputs.length, 'quantized inputs');
    const values = new Map<string, OpValue>();
    qInputs.forEach((q, i) => {
      if (q.dtype !== 'int32') throw new TypeError(`quantized input ${i} must be int32 (from quantizeInput), got ${q.dtype}`);
      values.set(this.inputNames[i], QuantizedValue.fromIntegers(q as Tensor<'int32'>, this.#inputQuantizers[i]));
    });
    for (const { outputName, inputNames, op } of this.layers) {
      const inputs = inputNames.map((name) => (name === '' ? undefined : values.get(name)));
      values.set(outputName, await op.qImpl(inputs));
    }
    return this.outputNames.map((name) => {
      const value = values.get(name);
      if (!(value instanceof QuantizedValue)) throw new TypeError(`model output '${name}' is a clear value, not an encrypted tensor`);
      return value.qvalues;
    });
  }

  /** Integers -> floats (float64) with the output quantizers. */
  dequantizeOutput(...qOutputs: Tensor[]): Tensor<'float64'>[] {
    if (qOutputs.length !== this.outputQuantizers.length) {
      throw new RangeError(`expected ${this.outputQuantizers.length} quantized outputs, got ${qOutputs.length}`);
    }
    return qOutputs.map((q, i) => this.outputQuantizers[i].dequant(q));
  }

  /** Floats in, floats out through the integer model; batches along axis 0. */
  async forward(inputs: TensorLike | readonly TensorLike[], options: ForwardOptions = {}): Promise<Tensor<'float64'>[]> {
    const fhe = options.fhe ?? 'disable';
    if (fhe !== 'disable' && fhe !== 'simulate' && fhe !== 'execute') {
      throw new RangeError(`unknown fhe mode '${String(fhe)}': use 'disable', 'simulate' or 'execute'`);
    }
    const list = this.inputNames.length === 1 && !isTensorList(inputs) ? [inputs as TensorLike] : (inputs as readonly TensorLike[]);
    const q = this.quantizeInput(...list);
    if (fhe === 'disable') return this.dequantizeOutput(...(await this.quantizedForward(...q)));
    const circuit = this.#requireCircuit(fhe);
    const circuitInputs = q.length === 1 ? q[0] : q;
    if (fhe === 'simulate') {
      return this.dequantizeOutput(...circuit.simulate(circuitInputs, { ...(options.seed === undefined ? {} : { seed: options.seed }), ...(options.pError === undefined ? {} : { pError: options.pError }) }));
    }
    return this.dequantizeOutput(...(await circuit.encryptRunDecrypt(circuitInputs, options.onProgress === undefined ? {} : { onProgress: options.onProgress })));
  }

  /**
   * Lowers the module to an encrypted-integer circuit without choosing parameters: its clear()
   * gives quantizedForward's integers even for models no parameter set fits. `inputShapes` are
   * per sample (no batch axis); quantized input tensors may be given instead.
   */
  async lower(...inputShapes: (readonly number[] | Tensor)[]): Promise<LoweredModule> {
    const shapes = inputShapes.map((s) => (s instanceof Tensor ? s.shape.slice(1) : [...s]));
    return lowerQuantizedModule(this, shapes);
  }

  /**
   * Compiles the module for FHE: quantizes the inputset, lowers to a circuit, applies the
   * 16-bit rule (naming the op, its width, nBits and roundingThresholdBits), then picks
   * ranges, precision and the cheapest secure parameter set meeting the failure target.
   * The circuit is stored on the module (fheCircuit, forward modes 'simulate' / 'execute').
   */
  async compile(inputset: TensorLike | readonly TensorLike[], options: FheCompileOptions = {}): Promise<FheCircuit> {
    const { onProgress, ...compileOptions } = options;
    onProgress?.('quantize');
    const list = this.inputNames.length === 1 && !isTensorList(inputset) ? [inputset as TensorLike] : (inputset as readonly TensorLike[]);
    const q = this.quantizeInput(...list);
    onProgress?.('lower');
    const lowered = await this.lower(...q);
    onProgress?.('check');
    lowered.checkLookupBits(...q);
    onProgress?.('parameters');
    const circuit = lowered.compile(q, compileOptions);
    this.#circuit?.freeKeys();
    this.#lowered = lowered;
    this.#circuit = circuit;
    onProgress?.('done');
    return circuit;
  }

  /** The compiled circuit (keygen, encrypt, run, decrypt, encryptRunDecrypt, statistics), or null before compile. */
  get fheCircuit(): FheCircuit | null {
    return this.#circuit;
  }

  /** The lowering behind fheCircuit (lookups with their module ops), or null before compile. */
  get loweredCircuit(): LoweredModule | null {
    return this.#lowered;
  }

  #requireCircuit(mode: FheMode): FheCircuit {
    if (this.#circuit === null) throw new Error(`fhe '${mode}' needs a compiled circuit: call module.compile(inputset) first`);
    return this.#circuit;
  }

  /**
   * Per op: integer range and bit width of every value that feeds a table lookup (accumulators,
   * sums and differences of encrypted products...), over the calibration inputset, plus the
   * model inputs. Entries wider than 16 bits would be refused by the FHE compiler.
   */
  bitwidthAndRangeReport(): Record<string, Record<string, BitWidthEntry>> {
    const report: Record<string, Record<string, BitWidthEntry>> = {};
    this.inputNames.forEach((name, i) => {
      const q = this.#inputQuantizers[i];
      report[name] = { input: { range: [q.qmin, q.qmax], bitwidth: bitWidthOfRange(q.qmin, q.qmax) } };
    });
    for (const { op } of this.layers) {
      const entries: Record<string, BitWidthEntry> = {};
      for (const [id, [min, max]] of op.lookupInputRanges) entries[id] = { range: [min, max], bitwidth: bitWidthOfRange(min, max) };
      if (Object.keys(entries).length > 0) report[op.name || op.opType] = entries;
    }
    return report;
  }

  /**
   * The 16-bit rule: throws, naming the op, the value and its width and what would bring it
   * down, when any value feeding a table lookup is wider than `maxBits`.
   */
  checkTableLookupBitWidths(maxBits = MAX_TABLE_LOOKUP_BITS): void {
    const problems: string[] = [];
    for (const { op } of this.layers) {
      for (const [id, [min, max]] of op.lookupInputRanges) {
        const bits = bitWidthOfRange(min, max);
        if (bits > maxBits) {
          problems.push(`${op.describe()}: ${id} spans [${min}, ${max}], ${bits} bits`);
        }
      }
    }
    if (problems.length > 0) {
      const rounding = this.rounding === null ? 'not set' : `${this.rounding.nBits} (${this.rounding.method})`;
      throw new RangeError(
        `table lookups are limited to ${maxBits}-bit inputs, but:\n  ${problems.join('\n  ')}\n` +
          `Bring them down with a smaller nBits (now opInputs ${this.nBits.opInputs}, opWeights ${this.nBits.opWeights}) ` +
          `or with roundingThresholdBits (now ${rounding}; e.g. 8 rounds accumulators to 8 bits before the lookup).`,
      );
    }
  }

  /** Everything needed to run the module again, as plain JSON (lossless). */
  toJSON(): unknown {
    return quantizedModuleToJSON(this);
  }

  static fromJSON(json: unknown): QuantizedModule {
    return quantizedModuleFromJSON(json);
  }

  private checkCount(count: number, what: string): void {
    if (count !== this.inputNames.length) {
      throw new RangeError(`expected ${this.inputNames.length} ${what} (${this.inputNames.join(', ')}), got ${count}`);
    }
  }
}

function isTensorList(value: TensorLike | readonly TensorLike[]): value is readonly TensorLike[] {
  return Array.isArray(value) && value.length > 0 && (value[0] instanceof Tensor || (typeof value[0] === 'object' && value[0] !== null && !Array.isArray(value[0])));
}
