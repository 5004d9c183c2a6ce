// The circuit layer: build an encrypted-integer program op by op, compile it (ranges,
// precision, parameters), and run it in the clear, simulated, or encrypted.

export { CircuitBuilder, CircuitTensor } from './builder';
export type { ClearOperand, ClearTensor, ConvOptions, LookupOpOptions, MatmulOptions, OpOptions } from './builder';
export type { Conv2dOptions, SumPool2dOptions } from './convolution';
export { compileCircuit } from './compile';
export type { CompileOptions } from './compile';
export { EncryptedTensors, FheCircuit } from './circuit';
export type { CircuitKeys, ClearOptions, RunOptions, SimulateOptions, SimulationReport, TensorReport } from './circuit';
export type { ExecuteOptions, ExecutionProgress } from './execute';
export { DEFAULT_LOOKUP_FAILURE_PROBABILITY, WARN_ABOVE_FAILURE_PROBABILITY } from './failure-target';
export type { FailureOptions } from './failure-target';
export type { CircuitGraph, CircuitNode, LookupFunction } from './graph';
export type { IntegerRange } from './integers';
export type { CircuitInputs, CircuitInputValue, TensorSpec } from './io';
export { circuitLogger, setCircuitLogger } from './logger';
export type { CircuitLogger } from './logger';
export { MAX_LOOKUP_BITS } from './ranges';
export type { SliceSpec } from './shapes';
export type { ChainStatistics, CircuitStatistics, LatencyEstimate, LookupOpStatistics, OutputStatistics } from './statistics';
export type { Chain } from './chains';
