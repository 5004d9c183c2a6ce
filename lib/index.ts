// The public API of cipherquant.
export { Tensor } from './tensor';
export type { DType, TypedArray, TensorLike, OrtTensorLike, NestedNumbers } from './tensor';
export { capabilities, setThreads } from './runtime';
export type { Capabilities } from './runtime';
