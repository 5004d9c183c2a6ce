// The float Conv cases both paths run (the native kernel and the TypeScript loop), shared by
// differential-native-conv.test.ts and its child-process probe: the integer kernels' shapes
// (groups, strides, dilations, asymmetric pads, depthwise, 1-D as height 1), a layer large
// enough to split over several tasks, and 1x1 images.
import type { Attribute, OnnxNode } from '../../lib/onnx';
import type { OpContext } from '../../lib/onnx/ops/context';
import { Tensor } from '../../lib/tensor';
import { CONV_CASES as INTEGER_CONV_CASES, type ConvCase } from '../kernels/reference';
import { seededNormal } from './differential-reference';

export const FLOAT_CONV_CASES: readonly (Omit<ConvCase, 'padValue'> & { readonly bias: boolean })[] = [
  ...INTEGER_CONV_CASES.map(({ padValue, ...c }) => ({ ...c, bias: padValue % 2 === 0 })),
  { inputShape: [3, 3, 40, 40], weightShape: [16, 3, 3, 3], group: 1, strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], bias: true },
  // 1x1 images (a fully connected layer): the kernel's pointwise path, with partial tiles
  { inputShape: [37, 12, 1, 1], weightShape: [9, 12, 1, 1], group: 1, strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], bias: true },
  { inputShape: [5, 3, 1, 1], weightShape: [2, 3, 1, 1], group: 1, strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], bias: false },
];

const volume = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function convNode(c: Pick<ConvCase, 'group' | 'strides' | 'pads' | 'dilations'>): OnnxNode {
  const ints = (values: readonly number[]): Attribute => ({ kind: 'ints', value: values.map(BigInt) });
  const attributes = new Map<string, Attribute>([
    ['group', { kind: 'int', value: BigInt(c.group) }],
    ['strides', ints(c.strides)],
    ['pads', ints(c.pads)],
    ['dilations', ints(c.dilations)],
  ]);
  return { name: 'conv_under_test', opType: 'Conv', domain: '', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes };
}

/** Seeded float32 inputs for case `index`. */
export function caseContext(index: number): OpContext {
  const c = FLOAT_CONV_CASES[index];
  const x = new Tensor(seededNormal(volume(c.inputShape), 3 * index + 1), c.inputShape);
  const w = new Tensor(seededNormal(volume(c.weightShape), 3 * index + 2), c.weightShape);
  const b = c.bias ? new Tensor(seededNormal(c.weightShape[0], 3 * index + 3)) : undefined;
  return { node: convNode(c), inputs: [x, w, b], opset: 17 };
}
