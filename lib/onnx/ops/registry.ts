// The one table from (domain, op type) to implementation. The default ONNX domain is ''.
import type { OpImplementation } from './context';
import { unaryOps, clip } from './unary';
import { binaryOps } from './binary';
import { matmul, gemm } from './matmul';
import { conv, convTranspose, unfold } from './conv';
import { averagePool, maxPool, globalAveragePool, globalMaxPool } from './pool';
import { reduceOps } from './reduce';
import { softmaxOps } from './softmax';
import { shapeOps } from './shape';
import { movementOps } from './movement';
import { cast, castLike } from './cast';
import { quantizeLinear, dequantizeLinear, brevitasQuant } from './quantize';
import { batchNormalization, layerNormalization } from './normalization';
import { oneHot } from './one-hot';
import { linearClassifier, linearRegressor, normalizer, arrayFeatureExtractor } from './ml';

const DEFAULT_DOMAIN: Record<string, OpImplementation> = {
  ...unaryOps,
  ...binaryOps,
  ...reduceOps,
  ...softmaxOps,
  ...shapeOps,
  ...movementOps,
  Clip: clip,
  MatMul: matmul,
  Gemm: gemm,
  Conv: conv,
  ConvTranspose: convTranspose,
  Unfold: unfold,
  AveragePool: averagePool,
  MaxPool: maxPool,
  GlobalAveragePool: globalAveragePool,
  GlobalMaxPool: globalMaxPool,
  Cast: cast,
  CastLike: castLike,
  QuantizeLinear: quantizeLinear,
  DequantizeLinear: dequantizeLinear,
  BatchNormalization: batchNormalization,
  LayerNormalization: layerNormalization,
  OneHot: oneHot,
};

const REGISTRY: ReadonlyMap<string, ReadonlyMap<string, OpImplementation>> = new Map([
  ['', new Map(Object.entries(DEFAULT_DOMAIN))],
  ['onnx.brevitas', new Map([['Quant', brevitasQuant]])],
  [
    'ai.onnx.ml',
    new Map([
      ['LinearClassifier', linearClassifier],
      ['LinearRegressor', linearRegressor],
      ['Normalizer', normalizer],
      ['ArrayFeatureExtractor', arrayFeatureExtractor],
    ]),
  ],
]);

export function findOp(domain: string, opType: string): OpImplementation | undefined {
  return REGISTRY.get(domain)?.get(opType);
}

/** Every supported op as `domain::OpType` ('' domain printed bare), sorted. */
export function supportedOps(): string[] {
  const names: string[] = [];
  for (const [domain, ops] of REGISTRY) for (const op of ops.keys()) names.push(domain ? `${domain}::${op}` : op);
  return names.sort();
}
