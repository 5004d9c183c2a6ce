// Public surface of lib/quantized.
export { buildQuantizedModule, type BuildOptions, type QuantizationInputset } from './build';
export {
  QuantizedModule, MAX_TABLE_LOOKUP_BITS, type BitWidthEntry, type CompileStage, type FheCompileOptions, type ForwardOptions, type FheMode,
  type QuantizedModuleLayer,
} from './module';
export { compileOnnxModel, type CompileOnnxOptions, type CompiledOnnxModel } from './compile';
export {
  lowerQuantizedModule, LoweredModule, QUANTIZED_OPS_TO_LOWERING, UnloweredOpError, type LoweredLookup, type Lowering,
} from './lowering';
export { ONNX_OPS_TO_QUANTIZED_IMPL, UnsupportedOpError } from './registry';
export { QuantizedOp } from './op';
export { QuantizedValue, RawValue } from './value';
export { resolveNBits, resolveRounding, type NBitsDict, type RoundingThresholdBits, type RoundingMethod } from './options';
