import type { DType } from '../tensor';
import { OnnxDataType } from './proto-types';
import { OnnxError } from './errors';

const FROM_ONNX: Partial<Record<number, DType>> = {
  [OnnxDataType.FLOAT]: 'float32',
  [OnnxDataType.DOUBLE]: 'float64',
  [OnnxDataType.INT8]: 'int8',
  [OnnxDataType.UINT8]: 'uint8',
  [OnnxDataType.INT16]: 'int16',
  [OnnxDataType.UINT16]: 'uint16',
  [OnnxDataType.INT32]: 'int32',
  [OnnxDataType.UINT32]: 'uint32',
  [OnnxDataType.INT64]: 'int64',
  [OnnxDataType.UINT64]: 'uint64',
  [OnnxDataType.BOOL]: 'bool',
};

const ONNX_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(OnnxDataType).map(([name, code]) => [code, name]),
);

export function onnxTypeName(code: number): string {
  return ONNX_NAMES[code] ?? `data type ${code}`;
}

/** The library dtype for an ONNX data type, or undefined when the interpreter has none. */
export function dtypeFromOnnx(code: number): DType | undefined {
  return FROM_ONNX[code];
}

export function requireDtypeFromOnnx(code: number, what: string): DType {
  const dtype = FROM_ONNX[code];
  if (dtype === undefined) {
    throw new OnnxError(`${what}: ONNX ${onnxTypeName(code)} tensors are not supported`, 'unsupported-type');
  }
  return dtype;
}

export function onnxFromDtype(dtype: DType): number {
  for (const [code, d] of Object.entries(FROM_ONNX)) if (d === dtype) return Number(code);
  throw new OnnxError(`dtype ${dtype} has no ONNX data type`);
}

export const BYTES_PER_ELEMENT: Record<DType, number> = {
  float32: 4,
  float64: 8,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  bool: 1,
};

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

export function isBig(dtype: DType): boolean {
  return dtype === 'int64' || dtype === 'uint64';
}
