// The typed, immutable graph IR that the rest of the library works on.
import type { DType, Tensor } from '../tensor';

export type Attribute =
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: Tensor }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'ints'; readonly value: readonly bigint[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] }
  | { readonly kind: 'tensors'; readonly value: readonly Tensor[] }
  /** Subgraphs (If/Loop/Scan bodies) and sparse tensors, kept opaque: no supported op uses them. */
  | { readonly kind: 'unsupported'; readonly type: number };

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  /** '' is the default ONNX domain (ai.onnx). */
  readonly domain: string;
  /** '' marks an omitted optional input or output. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, Attribute>;
}

/** A dimension: a number when fixed, a string when symbolic (dim_param), null when unknown. */
export type Dimension = number | string | null;

export interface ValueInfo {
  readonly name: string;
  /** undefined when the declared element type is one the interpreter lacks (e.g. float16). */
  readonly dtype: DType | undefined;
  /** The ONNX element type number, for messages about unsupported types. */
  readonly elemType: number;
  /** undefined when no shape was declared. */
  readonly shape: readonly Dimension[] | undefined;
}

export interface OnnxGraph {
  readonly name: string;
  /** Inputs the caller must feed (graph inputs that are not initializers). */
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly initializers: ReadonlyMap<string, Tensor>;
  /** Topologically sorted: every node comes after the producers of its inputs. */
  readonly nodes: readonly OnnxNode[];
  /** Declared types of intermediate values (value_info), by name. */
  readonly valueInfos: ReadonlyMap<string, ValueInfo>;
}

/** The default ONNX domain, spelled either way in files. */
export function normalizeDomain(domain: string | undefined): string {
  return domain === undefined || domain === 'ai.onnx' ? '' : domain;
}
