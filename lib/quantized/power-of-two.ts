// Concrete ML's PowerOfTwoScalingRoundPBSAdapter (quantized_module_passes.py), run once after
// calibration. In a QAT graph
//   Quant(x) -> Gemm/MatMul/Conv(x, w) -> Relu -> Quant -> next Gemm/MatMul/Conv
// where the input, weight and output scales are all powers of two, rescaling the accumulator by
// sx*sw/so is a right shift by -(log2 sx + log2 sw - log2 so) bits. Concrete ML then removes
// exactly that many lsbs from the accumulator ("matmul" rounding, EXACT), which changes the
// integers, so cipherquant must do the same to stay bit-identical. Only the rounding of an
// existing op changes: the lowering already folds lsbsRemoved('matmul') into the lookup.
//
// Concrete ML walks back from every Gemm/Conv with one encrypted input to the previous integer
// op; the three ops in between must be [Quant, Relu, Gemm/Conv] and the latter's input a Quant.
// Paths whose ops are not exactly these (Concrete ML raises on some of them) are left alone, and
// so are ops with a user-set roundingThresholdBits (counted in `ignored`, as Concrete ML does).

import { roundHalfToEven } from '../quantization';
import { roundBitPattern } from './integers';
import type { QuantizedModuleLayer } from './module';
import type { QuantizedOp } from './op';
import { QuantizedBrevitasQuant } from './ops/brevitas-quant';
import { QuantizedConv } from './ops/conv';
import { QuantizedGemm } from './ops/gemm';

export interface PowerOfTwoRounding {
  /** The Gemm/MatMul/Conv whose accumulator is shifted, and by how many bits. */
  readonly optimized: { readonly op: QuantizedOp; readonly lsbsToRemove: number }[];
  /** Matching paths left alone because roundingThresholdBits was set. */
  readonly ignored: number;
}

/** numpy: rint(log2(v)), accepted when 2^l is within rtol 1% (+ atol 1e-8, allclose) of v. */
export function integerLog2(value: number): number | null {
  if (!(value > 0) || !Number.isFinite(value)) return null;
  const log2 = roundHalfToEven(Math.log2(value));
  return Math.abs(2 ** log2 - value) <= 1e-8 + 0.01 * Math.abs(value) ? log2 : null;
}

function isRoundable(op: QuantizedOp | null): op is QuantizedGemm | QuantizedConv {
  return (op instanceof QuantizedGemm && !op.isEncryptedGemm) || op instanceof QuantizedConv;
}

function scalarConstant(op: QuantizedOp, index: number): number | null {
  const tensor = op.constants.get(index)?.tensor;
  return tensor === undefined || tensor.size !== 1 ? null : Number(tensor.data[0]);
}

export function applyPowerOfTwoRounding(layers: readonly QuantizedModuleLayer[]): PowerOfTwoRounding {
  const producer = new Map(layers.map((layer) => [layer.outputName, layer]));
  // Concrete ML follows the first (encrypted) input of every op only.
  const predecessor = (layer: QuantizedModuleLayer): [QuantizedModuleLayer | null, string] => [producer.get(layer.inputNames[0]) ?? null, layer.inputNames[0]];

  const optimized: { op: QuantizedOp; lsbsToRemove: number }[] = [];
  let ignored = 0;
  for (const layer of layers) {
    if (!isRoundable(layer.op) || layer.op.intInputNames.size !== 1) continue;
    const target = [...layer.op.intInputNames][0];
    // back from the op to the integer op that produced its input: Quant, Relu, Gemm/Conv
    const path: QuantizedModuleLayer[] = [];
    let [back, output] = predecessor(layer);
    while (output !== target && back !== null && path.length < 3) {
      path.push(back);
      [back, output] = predecessor(back);
    }
    if (output !== target || back === null || path.length !== 2) continue;
    const [quant, relu] = path;
    const start = back;
    const [inputQuant] = predecessor(start);
    if (!(quant.op instanceof QuantizedBrevitasQuant) || relu.op.opType !== 'Relu' || !isRoundable(start.op) || !(inputQuant?.op instanceof QuantizedBrevitasQuant)) continue;
    if (start.op.rounding !== null) {
      ignored++;
      continue;
    }
    const weights = start.op.constants.get(1)?.quantized;
    const scaleIn = scalarConstant(inputQuant.op, 1);
    const scaleOut = scalarConstant(quant.op, 1);
    if (weights === undefined || weights === null || scaleIn === null || scaleOut === null) continue;
    const [logIn, logWeights, logOut] = [integerLog2(scaleIn), integerLog2(weights.quantizer.scale), integerLog2(scaleOut)];
    if (logIn === null || logWeights === null || logOut === null) continue;
    const lsbs = -(logIn + logWeights - logOut);
    if (lsbs <= 0) continue;
    shiftAccumulator(start.op, lsbs);
    optimized.push({ op: start.op, lsbsToRemove: lsbs });
  }
  return { optimized, ignored };
}

/** Sets the accumulator's rounding and re-derives its lookup range (rounding is monotonic). */
function shiftAccumulator(op: QuantizedOp, lsbs: number): void {
  const record = op.accumulators.get('matmul');
  if (record === undefined) throw new Error(`${op.describe()}: no calibrated accumulator to round`);
  record.lsbsToRemove = lsbs;
  const [min, max] = roundBitPattern(Float64Array.of(record.min, record.max), lsbs);
  op.lookupInputRanges.set('accumulator', [min / 2 ** lsbs, max / 2 ** lsbs]);
}
