// QuantizedModule <-> JSON, exactly: every number is written in its shortest round-trip form
// (-0 spelled "-0"), every tensor with its dtype, and ops are rebuilt from their node, their
// constructor inputs and their calibrated state, so a loaded module computes the same integers.

import type { Attribute, OnnxNode } from '../onnx';
import {
  MinMaxQuantizationStats,
  QuantizationOptions,
  UniformQuantizationParameters,
  UniformQuantizer,
} from '../quantization';
import { checkRecord, decodeTensor, encodeTensor, type TensorJSON } from '../quantization/json';
import { Tensor } from '../tensor';
import { QuantizedModule, type QuantizedModuleLayer } from './module';
import type { ChannelQuantizedWeights, ConstantInput, QuantizedOp } from './op';
import type { ResolvedNBits, ResolvedRounding } from './options';
import { quantizedOpClassOf } from './registry';
import { type FloatTensor, QuantizedValue } from './value';

export const QUANTIZED_MODULE_FORMAT = 'cipherquant.QuantizedModule/1';

type AttributeJSON =
  | { kind: 'float' | 'string'; value: number | string }
  | { kind: 'int'; value: string }
  | { kind: 'ints'; value: string[] }
  | { kind: 'floats' | 'strings'; value: (number | string)[] }
  | { kind: 'tensor'; value: TensorJSON }
  | { kind: 'tensors'; value: TensorJSON[] };

function encodeAttribute(attribute: Attribute, where: string): AttributeJSON {
  switch (attribute.kind) {
    case 'int':
      return { kind: 'int', value: attribute.value.toString() };
    case 'ints':
      return { kind: 'ints', value: attribute.value.map(String) };
    case 'float':
    case 'string':
      return { kind: attribute.kind, value: attribute.value };
    case 'floats':
    case 'strings':
      return { kind: attribute.kind, value: [...attribute.value] };
    case 'tensor':
      return { kind: 'tensor', value: encodeTensor(attribute.value) };
    case 'tensors':
      return { kind: 'tensors', value: attribute.value.map(encodeTensor) };
    default:
      throw new TypeError(`${where}: attributes of this kind cannot be saved`);
  }
}

function decodeAttribute(json: AttributeJSON): Attribute {
  switch (json.kind) {
    case 'int':
      return { kind: 'int', value: BigInt(json.value) };
    case 'ints':
      return { kind: 'ints', value: json.value.map((v) => BigInt(v)) };
    case 'tensor':
      return { kind: 'tensor', value: decodeTensor(json.value, 'attribute') };
    case 'tensors':
      return { kind: 'tensors', value: json.value.map((t) => decodeTensor(t, 'attribute')) };
    case 'float':
      return { kind: 'float', value: json.value as number };
    case 'string':
      return { kind: 'string', value: json.value as string };
    case 'floats':
      return { kind: 'floats', value: json.value as number[] };
    case 'strings':
      return { kind: 'strings', value: json.value as string[] };
    default:
      throw new TypeError(`unknown attribute kind ${(json as { kind: string }).kind}`);
  }
}

function encodeValue(value: QuantizedValue): unknown {
  return { values: encodeTensor(value.values), qvalues: encodeTensor(value.qvalues), quantizer: value.quantizer.toJSON() };
}

function decodeValue(json: unknown): QuantizedValue {
  const record = checkRecord(json, ['values', 'qvalues', 'quantizer'], 'quantized value');
  return QuantizedValue.restore(
    decodeTensor(record.values, 'values') as FloatTensor,
    decodeTensor(record.qvalues, 'qvalues') as Tensor<'int32'>,
    UniformQuantizer.fromJSON(record.quantizer),
  );
}

function encodePerChannel(weights: ChannelQuantizedWeights): unknown {
  return { qvalues: encodeTensor(weights.qvalues), axis: weights.axis, scales: encodeTensor(new Tensor(weights.scales)), zeroPoints: encodeTensor(new Tensor(weights.zeroPoints)) };
}

function decodePerChannel(json: unknown): ChannelQuantizedWeights {
  const record = checkRecord(json, ['qvalues', 'axis', 'scales', 'zeroPoints'], 'per-channel weights');
  return {
    qvalues: decodeTensor(record.qvalues, 'qvalues') as Tensor<'int32'>,
    axis: record.axis as number,
    scales: decodeTensor(record.scales, 'scales').data as Float64Array,
    zeroPoints: decodeTensor(record.zeroPoints, 'zeroPoints').data as Float64Array,
  };
}

function encodeOp(layer: QuantizedModuleLayer): unknown {
  const { op } = layer;
  const node = op.node;
  return {
    outputName: layer.outputName,
    inputNames: [...layer.inputNames],
    node: {
      name: node.name,
      opType: node.opType,
      domain: node.domain,
      inputs: [...node.inputs],
      outputs: [...node.outputs],
      attributes: [...node.attributes].map(([name, attribute]) => [name, encodeAttribute(attribute, op.describe())]),
    },
    opset: op.opset,
    nBits: op.nBits,
    intInputNames: [...op.intInputNames],
    constants: [...op.constants].map(([index, c]) => ({
      index,
      tensor: encodeTensor(c.tensor),
      quantized: c.quantized ? encodeValue(c.quantized) : null,
      ...(c.perChannel === undefined ? {} : { perChannel: encodePerChannel(c.perChannel) }),
    })),
    inputQuantOptions: op.inputQuantOptions.toJSON(),
    rounding: op.rounding,
    outputStats: op.outputStats?.toJSON() ?? null,
    outputParams: op.outputParams?.toJSON() ?? null,
    producesGraphOutput: op.producesGraphOutput,
    accumulators: [...op.accumulators],
    lookupInputRanges: [...op.lookupInputRanges],
    extra: op.extraState(),
  };
}

function decodeOp(json: unknown): QuantizedModuleLayer {
  const r = json as Record<string, unknown>;
  const n = r.node as Record<string, unknown>;
  const node: OnnxNode = {
    name: n.name as string,
    opType: n.opType as string,
    domain: n.domain as string,
    inputs: n.inputs as string[],
    outputs: n.outputs as string[],
    attributes: new Map((n.attributes as [string, AttributeJSON][]).map(([name, a]) => [name, decodeAttribute(a)])),
  };
  const constants = new Map<number, ConstantInput>(
    (r.constants as { index: number; tensor: TensorJSON; quantized: unknown; perChannel?: unknown }[]).map((c) => [
      c.index,
      {
        tensor: decodeTensor(c.tensor, 'constant'),
        quantized: c.quantized === null ? null : decodeValue(c.quantized),
        ...(c.perChannel === undefined ? {} : { perChannel: decodePerChannel(c.perChannel) }),
      },
    ]),
  );
  const opClass = quantizedOpClassOf(node);
  const op: QuantizedOp = new opClass({
    node,
    opset: r.opset as number,
    nBits: r.nBits as number,
    intInputNames: new Set(r.intInputNames as string[]),
    constants,
    inputQuantOptions: QuantizationOptions.fromJSON(r.inputQuantOptions),
    rounding: r.rounding as ResolvedRounding | null,
  });
  // options may have been changed after construction (QAT quantizers of inputs)
  op.inputQuantOptions = QuantizationOptions.fromJSON(r.inputQuantOptions);
  op.outputStats = r.outputStats === null ? null : MinMaxQuantizationStats.fromJSON(r.outputStats);
  op.outputParams = r.outputParams === null ? null : UniformQuantizationParameters.fromJSON(r.outputParams);
  op.producesGraphOutput = r.producesGraphOutput as boolean;
  for (const [id, record] of r.accumulators as [string, { lsbsToRemove: number; min: number; max: number }][]) op.accumulators.set(id, { ...record });
  for (const [id, range] of r.lookupInputRanges as [string, [number, number]][]) op.lookupInputRanges.set(id, [range[0], range[1]]);
  op.restoreExtraState(r.extra as Record<string, unknown>);
  return { outputName: r.outputName as string, inputNames: r.inputNames as string[], op };
}

export function quantizedModuleToJSON(module: QuantizedModule): unknown {
  return {
    format: QUANTIZED_MODULE_FORMAT,
    inputNames: [...module.inputNames],
    outputNames: [...module.outputNames],
    nBits: module.nBits,
    rounding: module.rounding,
    inputQuantizers: module.inputQuantizers.map((q) => q.toJSON()),
    layers: module.layers.map(encodeOp),
  };
}

export function quantizedModuleFromJSON(json: unknown): QuantizedModule {
  const record = checkRecord(json, ['format', 'inputNames', 'outputNames', 'nBits', 'rounding', 'inputQuantizers', 'layers'], 'QuantizedModule JSON');
  if (record.format !== QUANTIZED_MODULE_FORMAT) {
    throw new TypeError(`not a saved QuantizedModule (format ${JSON.stringify(record.format)}, expected ${QUANTIZED_MODULE_FORMAT})`);
  }
  const module = new QuantizedModule({
    inputNames: record.inputNames as string[],
    outputNames: record.outputNames as string[],
    layers: (record.layers as unknown[]).map(decodeOp),
    nBits: record.nBits as ResolvedNBits,
    rounding: record.rounding as ResolvedRounding | null,
  });
  module.setInputQuantizers((record.inputQuantizers as unknown[]).map((q) => UniformQuantizer.fromJSON(q)));
  return module;
}
