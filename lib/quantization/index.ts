// Quantization primitives: reals <-> integers with Concrete ML v1.9's exact semantics.

export { MAX_N_BITS, MIN_N_BITS } from './n-bits';
export type { FloatDType } from './precision';
export { roundHalfToEven } from './rounding';
export { QuantizationOptions, type QuantizationFlags, type QuantizationOptionsJSON } from './options';
export {
  MinMaxQuantizationStats,
  type MinMaxQuantizationStatsInit,
  type MinMaxQuantizationStatsJSON,
} from './stats';
export {
  STABILITY_CONST,
  UniformQuantizationParameters,
  type UniformQuantizationParametersInit,
  type UniformQuantizationParametersJSON,
} from './parameters';
export type { ZeroPoint, ZeroPointJSON, ZeroPointLike } from './zero-point';
export { UniformQuantizer, type UniformQuantizerInit, type UniformQuantizerJSON } from './quantizer';
export { QuantizedArray, type QuantizedArrayInit, type QuantizedArrayJSON } from './quantized-array';
export type { JsonNumber, TensorJSON } from './json';
