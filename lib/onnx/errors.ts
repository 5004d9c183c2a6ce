/**
 * Why a model was refused; lets callers (the conformance runner, users) tell "this library
 * does not do that yet" from "this model is broken".
 */
export type OnnxErrorCode =
  | 'malformed' // bytes or structure that are not a valid ONNX model
  | 'invalid-graph' // cycles, dangling inputs, duplicate names, mismatched initializers
  | 'unsupported-op'
  | 'unsupported-opset'
  | 'unsupported-type'
  | 'unsupported-attribute' // an attribute value the interpreter does not implement (e.g. training mode)
  | 'unsafe-external-data'
  | 'bad-input' // what run() was given
  | 'op-failure'; // an op met inputs it cannot compute (shapes, values)

/** Any problem with an ONNX model: malformed bytes, invalid graph, unsupported op, bad input. */
export class OnnxError extends Error {
  readonly code: OnnxErrorCode;

  constructor(message: string, code: OnnxErrorCode = 'malformed') {
    super(message);
    this.name = 'OnnxError';
    this.code = code;
  }
}

/** Describes a node for error messages: its name (when it has one) and op type. */
export function describeNode(node: { readonly name: string; readonly opType: string }): string {
  return node.name ? `node '${node.name}' (${node.opType})` : `unnamed ${node.opType} node`;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
