// The public API of cipherquant.
export { Tensor } from './tensor';
export type { DType, TypedArray, TensorLike, OrtTensorLike, NestedNumbers } from './tensor';
export { capabilities, setThreads } from './runtime';
export type { Capabilities } from './runtime';
export * from './quantization';
export * from './onnx';
export * as tfhe from './fhe';
export * from './quantized';
export * from './deploy';
