// Public surface of lib/onnx.
export { OnnxModel, MIN_OPSET, MAX_OPSET, type LoadOptions } from './model';
export type { RunOptions } from './interpreter';
export type { OnnxGraph, OnnxNode, ValueInfo, Attribute, Dimension } from './graph';
export { OnnxError, type OnnxErrorCode } from './errors';
export {
  calibrate,
  type CalibrationOptions,
  type CalibrationResult,
  type Inputset,
  type TensorStatistics,
} from './calibration';
export { supportedOps } from './ops/registry';
export { decodeTensorProto } from './decode';
export { tensorFromProto } from './tensor-proto';
export { runConformance, compareTensors, formatSummary, type ConformanceReport } from './conformance';
