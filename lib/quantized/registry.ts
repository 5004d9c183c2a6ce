// The one table from ONNX op to quantized op (Concrete ML's ONNX_OPS_TO_QUANTIZED_IMPL, plus
// standard QDQ). Keys are op types, prefixed with their domain outside the default one.

import type { OnnxNode } from '../onnx';
import type { QuantizedOpClass } from './op';
import { QuantizedAdd, QuantizedSub } from './ops/add';
import { QuantizedBrevitasQuant } from './ops/brevitas-quant';
import { QuantizedConv } from './ops/conv';
import { QuantizedGemm, QuantizedMatMul } from './ops/gemm';
import {
  QuantizedConcat, QuantizedConstantOfShape, QuantizedExpand, QuantizedFlatten, QuantizedGather, QuantizedPad,
  QuantizedReshape, QuantizedShape, QuantizedSlice, QuantizedSqueeze, QuantizedTranspose, QuantizedUnsqueeze,
} from './ops/movement';
import { QuantizedDiv, QuantizedMul } from './ops/mul';
import { QuantizedAvgPool, QuantizedMaxPool, QuantizedUnfold } from './ops/pool';
import { QuantizedDequantizeLinear, QuantizedQuantizeLinear } from './ops/qdq';
import { QuantizedReduceSum } from './ops/reduce-sum';
import {
  QuantizedBatchNormalization, QuantizedClip, QuantizedComparison, QuantizedIdentity, QuantizedPRelu,
  QuantizedUnivariate, QuantizedUnivariateOfEncrypted, QuantizedWhere,
} from './ops/univariate';

const UNIVARIATE = [
  'Sigmoid', 'HardSigmoid', 'Relu', 'LeakyRelu', 'HardSwish', 'Elu', 'Selu', 'Celu', 'Round', 'Tanh', 'Softplus',
  'Exp', 'Log', 'Abs', 'Cast', 'Not', 'Erf', 'Floor', 'Neg', 'Sign',
] as const;

export const ONNX_OPS_TO_QUANTIZED_IMPL: Readonly<Record<string, QuantizedOpClass>> = Object.freeze({
  ...Object.fromEntries(UNIVARIATE.map((op) => [op, QuantizedUnivariate])),
  Clip: QuantizedClip,
  PRelu: QuantizedPRelu,
  Pow: QuantizedUnivariateOfEncrypted,
  Or: QuantizedUnivariateOfEncrypted,
  Max: QuantizedUnivariateOfEncrypted,
  Min: QuantizedUnivariateOfEncrypted,
  Greater: QuantizedComparison,
  GreaterOrEqual: QuantizedComparison,
  Less: QuantizedComparison,
  LessOrEqual: QuantizedComparison,
  Equal: QuantizedComparison,
  Where: QuantizedWhere,
  Identity: QuantizedIdentity,
  BatchNormalization: QuantizedBatchNormalization,
  Gemm: QuantizedGemm,
  MatMul: QuantizedMatMul,
  Conv: QuantizedConv,
  AveragePool: QuantizedAvgPool,
  MaxPool: QuantizedMaxPool,
  Add: QuantizedAdd,
  Sub: QuantizedSub,
  Mul: QuantizedMul,
  Div: QuantizedDiv,
  ReduceSum: QuantizedReduceSum,
  Reshape: QuantizedReshape,
  Flatten: QuantizedFlatten,
  Transpose: QuantizedTranspose,
  Squeeze: QuantizedSqueeze,
  Unsqueeze: QuantizedUnsqueeze,
  Expand: QuantizedExpand,
  Concat: QuantizedConcat,
  Gather: QuantizedGather,
  Slice: QuantizedSlice,
  Pad: QuantizedPad,
  Unfold: QuantizedUnfold,
  Shape: QuantizedShape,
  ConstantOfShape: QuantizedConstantOfShape,
  'onnx.brevitas.Quant': QuantizedBrevitasQuant,
  QuantizeLinear: QuantizedQuantizeLinear,
  DequantizeLinear: QuantizedDequantizeLinear,
});

export function registryKey(node: Pick<OnnxNode, 'domain' | 'opType'>): string {
  return node.domain ? `${node.domain}.${node.opType}` : node.opType;
}

export class UnsupportedOpError extends Error {
  constructor(node: OnnxNode) {
    const key = registryKey(node);
    super(
      `${node.name ? `node '${node.name}'` : 'an unnamed node'}: op ${key} has no quantized implementation. ` +
        `Supported: ${Object.keys(ONNX_OPS_TO_QUANTIZED_IMPL).sort().join(', ')}`,
    );
    this.name = 'UnsupportedOpError';
  }
}

export function quantizedOpClassOf(node: OnnxNode): QuantizedOpClass {
  const found = ONNX_OPS_TO_QUANTIZED_IMPL[registryKey(node)];
  if (found === undefined) throw new UnsupportedOpError(node);
  return found;
}
