// Public surface of lib/quantized.
export { buildQuantizedModule, type BuildOptions, type QuantizationInputset } from './build';
export {
  QuantizedModule, MAX_TABLE_LOOKUP_BITS, type BitWidthEntry, type ForwardOptions, type FheMode, type QuantizedModuleLayer,
} from './module';
export { ONNX_OPS_TO_QUANTIZED_IMPL, UnsupportedOpError } from './registry';
export { QuantizedOp } from './op';
export { QuantizedValue, RawValue } from './value';
export { resolveNBits, resolveRounding, type NBitsDict, type RoundingThresholdBits, type RoundingMethod } from './options';
