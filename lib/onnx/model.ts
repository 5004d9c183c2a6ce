// OnnxModel: load (bytes or file) -> validated, immutable graph IR; run -> float inference.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Tensor, TensorLike } from '../tensor';
import type { OnnxGraph, OnnxNode } from './graph';
import { normalizeDomain } from './graph';
import { decodeModelProto } from './decode';
import { buildGraph } from './build-graph';
import { OnnxError, describeNode } from './errors';
import { findOp } from './ops/registry';
import { runGraph, lastUses, type RunOptions } from './interpreter';

/** Opsets of the default domain the interpreter implements (Concrete ML accepts only 14). */
export const MIN_OPSET = 11;
export const MAX_OPSET = 21;

export interface LoadOptions {
  /** Folder that external data locations are relative to; defaults to the model file's folder. */
  readonly baseDir?: string;
  /** Maximum size of the model file itself, in bytes (default: unlimited). */
  readonly maxModelBytes?: number;
  /** Maximum total size of external tensor data, in bytes (default: unlimited). */
  readonly maxExternalDataBytes?: number;
}

function readOpsets(imports: readonly { domain?: string; version?: bigint }[]): Map<string, number> {
  const opsets = new Map<string, number>();
  for (const { domain, version } of imports) {
    const name = normalizeDomain(domain);
    const number = Number(version ?? 0n);
    // skl2onnx sometimes imports a domain twice; only conflicting versions are a problem.
    if (opsets.has(name) && opsets.get(name) !== number) {
      throw new OnnxError(`domain '${name || 'ai.onnx'}' is imported with two opsets: ${opsets.get(name)} and ${number}`, 'malformed');
    }
    opsets.set(name, number);
  }
  const main = opsets.get('');
  // A model of other domains only (e.g. training ops) needs no default opset; its ops are checked one by one.
  if (main !== undefined && (main < MIN_OPSET || main > MAX_OPSET)) {
    throw new OnnxError(`opset ${main} of the default ONNX domain is not supported (supported: ${MIN_OPSET} to ${MAX_OPSET})`, 'unsupported-opset');
  }
  return opsets;
}

function checkOp(opsets: ReadonlyMap<string, number>) {
  return (node: OnnxNode): void => {
    if (!opsets.has(node.domain)) {
      throw new OnnxError(`${describeNode(node)} uses domain '${node.domain}', which the model does not import`, 'malformed');
    }
    if (findOp(node.domain, node.opType) === undefined) {
      const op = node.domain ? `${node.domain}::${node.opType}` : node.opType;
      throw new OnnxError(`${describeNode(node)}: op ${op} is not supported`, 'unsupported-op');
    }
  };
}

export class OnnxModel {
  readonly irVersion: bigint;
  readonly producerName: string;
  readonly producerVersion: string;
  /** Imported opset version per domain ('' is the default ONNX domain). */
  readonly opsets: ReadonlyMap<string, number>;
  readonly graph: OnnxGraph;
  readonly #lastUse: ReadonlyMap<string, number>;

  private constructor(irVersion: bigint, producer: [string, string], opsets: Map<string, number>, graph: OnnxGraph) {
    this.irVersion = irVersion;
    [this.producerName, this.producerVersion] = producer;
    this.opsets = opsets;
    this.graph = graph;
    this.#lastUse = lastUses(graph);
    Object.freeze(this);
  }

  /** Loads a model from a file path or from its bytes. */
  static load(source: string | Uint8Array, options: LoadOptions = {}): OnnxModel {
    let bytes: Uint8Array;
    let baseDir = options.baseDir;
    if (typeof source === 'string') {
      const size = fs.statSync(source).size;
      if (options.maxModelBytes !== undefined && size > options.maxModelBytes) {
        throw new OnnxError(`model file '${source}' has ${size} bytes, over the limit of ${options.maxModelBytes}`, 'malformed');
      }
      bytes = fs.readFileSync(source);
      baseDir ??= path.dirname(path.resolve(source));
    } else {
      if (options.maxModelBytes !== undefined && source.length > options.maxModelBytes) {
        throw new OnnxError(`model has ${source.length} bytes, over the limit of ${options.maxModelBytes}`, 'malformed');
      }
      bytes = source;
    }
    const proto = decodeModelProto(bytes);
    if (proto.graph === undefined) throw new OnnxError('the model has no graph', 'malformed');
    if (proto.functions.length > 0) throw new OnnxError('model-local functions are not supported', 'unsupported-op');
    const opsets = readOpsets(proto.opsetImport);
    const context = { baseDir, maxBytes: options.maxExternalDataBytes ?? Infinity, bytesRead: 0 };
    const graph = buildGraph(proto.graph, { context, checkOp: checkOp(opsets) });
    return new OnnxModel(proto.irVersion ?? 0n, [proto.producerName ?? '', proto.producerVersion ?? ''], opsets, graph);
  }

  get inputNames(): string[] {
    return this.graph.inputs.map((i) => i.name);
  }

  get outputNames(): string[] {
    return this.graph.outputs.map((o) => o.name);
  }

  /** Float inference: feeds by input name, results by output name. */
  run(feeds: Readonly<Record<string, TensorLike>>, options?: RunOptions): Record<string, Tensor> {
    return runGraph(this.graph, this.opsets, this.#lastUse, feeds, options);
  }
}
