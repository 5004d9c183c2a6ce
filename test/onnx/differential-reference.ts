// onnxruntime-node as the reference for the float interpreter: shared by the differential tests
// and the float benchmarks. onnxruntime-node is a dev dependency; lib/ never loads it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { compareTensors, type OnnxModel } from '../../lib/onnx';
import { RTOL } from '../../lib/onnx/conformance';
import { ModelProtoType } from '../../lib/onnx/schema';
import { Tensor, type DType } from '../../lib/tensor';

export const ONNX_FIXTURES = path.join(__dirname, '..', 'fixtures', 'onnx');
export const ONNX_FIXTURE_NAMES = ['torch_mlp', 'torch_cnn', 'sklearn_logistic_regression', 'sklearn_mlp'] as const;

export function fixtureModelPath(name: string): string {
  return path.join(ONNX_FIXTURES, name, 'model.onnx');
}

/** Standard normal samples times `scale`, from xorshift32 and Box-Muller: same seed, same values. */
export function seededNormal(count: number, seed: number, scale = 1): Float32Array {
  let state = seed >>> 0 || 1;
  const uniform = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return (state + 1) / 4294967297; // in (0, 1): log() below stays finite
  };
  const values = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(uniform())) * scale;
    const angle = 2 * Math.PI * uniform();
    values[i] = radius * Math.cos(angle);
    if (i + 1 < count) values[i + 1] = radius * Math.sin(angle);
  }
  return values;
}

export type OrtSession = ort.InferenceSession;

export function createSession(name: string, options: ort.InferenceSession.SessionOptions = {}): Promise<OrtSession> {
  return ort.InferenceSession.create(fixtureModelPath(name), options);
}

/**
 * A session whose outputs are every value the nodes compute, as calibration needs. Protobuf
 * merges concatenated messages (repeated fields append), so appending a ModelProto that holds
 * only graph.output entries adds outputs without re-encoding the model.
 */
export function createSessionWithEveryValue(name: string, model: OnnxModel): Promise<OrtSession> {
  const outputs = model.graph.nodes.flatMap((n) => n.outputs).filter((o) => o !== '' && !model.outputNames.includes(o));
  const extra = ModelProtoType.encode(ModelProtoType.fromObject({ graph: { output: outputs.map((o) => ({ name: o })) } })).finish();
  return ort.InferenceSession.create(Buffer.concat([fs.readFileSync(fixtureModelPath(name)), extra]));
}

/**
 * The model with axis 0 of its inputs and outputs made symbolic ('batch'), for models exported
 * with a fixed batch of 1 (onnxruntime checks declared dimensions; the interpreter batches any
 * model). Re-encoded through the loader's schema, which keeps every field these models use.
 */
export function withSymbolicBatch(modelPath: string): Uint8Array {
  const message = ModelProtoType.decode(fs.readFileSync(modelPath));
  const model = ModelProtoType.toObject(message, { longs: String, defaults: false }) as {
    graph: { input?: ValueInfoJson[]; output?: ValueInfoJson[]; valueInfo?: ValueInfoJson[] };
  };
  for (const info of [...(model.graph.input ?? []), ...(model.graph.output ?? []), ...(model.graph.valueInfo ?? [])]) {
    const first = info.type?.tensorType?.shape?.dim?.[0];
    if (first !== undefined) {
      delete first.dimValue;
      first.dimParam = 'batch';
    }
  }
  return ModelProtoType.encode(ModelProtoType.fromObject(model)).finish();
}

interface ValueInfoJson {
  type?: { tensorType?: { shape?: { dim?: { dimValue?: string; dimParam?: string }[] } } };
}

/** Feeds in onnxruntime's form; built once, so that benchmarks time only `session.run`. */
export function ortFeeds(feeds: Readonly<Record<string, Tensor>>): Record<string, ort.Tensor> {
  const result: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    result[name] = new ort.Tensor(t.dtype as ort.Tensor.Type, t.data as ort.Tensor.DataType, [...t.shape]);
  }
  return result;
}

/** Every output of one onnxruntime run, as cipherquant tensors. */
export async function runOnnxRuntime(session: OrtSession, feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
  const results = await session.run(ortFeeds(feeds));
  const tensors: Record<string, Tensor> = {};
  for (const name of session.outputNames) {
    const value = results[name];
    tensors[name] = Tensor.fromOrt({ type: value.type as DType, data: value.data, dims: value.dims });
  }
  return tensors;
}

/**
 * How many float32 roundings can pile up on one output value along the graph, for these feeds:
 * a sum of K products rounds K times (Gemm, MatMul, Conv, LinearClassifier: K is the reduction
 * length of the weights; Softmax and Normalizer sum over the last axis), every other op at most
 * once. Both runtimes round each step by at most 2^-24 relative, so their outputs can differ by
 * about depth * 2^-24 times the magnitudes involved.
 */
export function roundingDepth(model: OnnxModel, feeds: Readonly<Record<string, Tensor>>): number {
  const shapes = new Map<string, readonly number[]>();
  model.run(feeds, { onValue: (name, value) => shapes.set(name, value.shape) });
  let depth = 0;
  for (const node of model.graph.nodes) {
    const weights = model.graph.initializers.get(node.inputs[1] ?? '');
    const transB = node.attributes.get('transB');
    if (node.opType === 'Conv' && weights !== undefined) depth += weights.size / weights.shape[0];
    else if (node.opType === 'Gemm' && weights !== undefined) depth += weights.shape[transB?.kind === 'int' && transB.value !== 0n ? 1 : 0];
    else if (node.opType === 'MatMul' && weights !== undefined) depth += weights.shape[weights.rank - 2];
    else if (node.opType === 'LinearClassifier') depth += shapes.get(node.inputs[0])?.at(-1) ?? NaN;
    else if (node.opType === 'Softmax' || node.opType === 'Normalizer') depth += shapes.get(node.outputs[0])?.at(-1) ?? NaN;
    else depth += 1;
  }
  if (Number.isNaN(depth)) throw new Error('roundingDepth: a reduction length is unknown');
  return depth;
}

const FLOAT32_UNIT_ROUNDOFF = 2 ** -24;

/**
 * Where two float32 evaluations of the model may differ, for an output holding `expected`: ONNX's
 * rtol, plus an atol of depth * 2^-24 times the largest magnitude in the tensor. Rounding errors
 * scale with the magnitudes summed, not with each element: an element near zero after
 * cancellation keeps the absolute error of its neighbours.
 */
export function floatTolerance(depth: number, expected: ArrayLike<number>): { rtol: number; atol: number } {
  let magnitude = 0;
  for (let i = 0; i < expected.length; i++) magnitude = Math.max(magnitude, Math.abs(expected[i]));
  return { rtol: RTOL, atol: depth * FLOAT32_UNIT_ROUNDOFF * magnitude };
}

/** What differs between our output and onnxruntime's (floats within floatTolerance, others exactly), or undefined. */
export function differenceFromOnnxRuntime(actual: Tensor, expected: Tensor, depth: number): string | undefined {
  if (expected.dtype !== 'float32' && expected.dtype !== 'float64') return compareTensors(actual, expected);
  const { rtol, atol } = floatTolerance(depth, expected.data as Float32Array);
  const difference = compareTensors(actual, expected, rtol, atol);
  return difference === undefined ? undefined : `${difference} (rtol ${rtol}, atol ${atol.toExponential(2)})`;
}
