// Every case of test/fixtures/quantization/reference-vectors.json, produced by Concrete ML 1.9
// (see generate.py next to it): statistics, scale, zero point, offset and integers must be
// identical; de-quantized floats within 1 ulp.

import test, { type ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../../lib/tensor';
import {
  QuantizationOptions,
  QuantizedArray,
  UniformQuantizationParameters,
  UniformQuantizer,
  type QuantizationFlags,
  type ZeroPointLike,
  roundHalfToEven,
} from '../../lib/quantization';
import { ulpDistance } from './ulp';

type JsonZeroPoint = number | { shape: number[]; data: number[] };

interface ReferenceCase {
  name: string;
  nBits: number;
  flags: QuantizationFlags;
  valueIsFloat?: boolean;
  noClipping?: boolean;
  dtype?: 'float32' | 'float64';
  shape: number[];
  values?: number[];
  qvalues?: number[];
  stats?: { rmin: number; rmax: number } | null;
  params?: { scale: number; zeroPoint: JsonZeroPoint; offset: number } | null;
  expected: {
    rmin?: number | null;
    rmax?: number | null;
    statsDtype?: 'float32' | 'float64' | null;
    scale?: number;
    zeroPoint?: JsonZeroPoint;
    offset?: number;
    qvalues?: number[];
    dequant: number[];
  };
  probe?: { shape: number[]; values: number[]; qvalues: number[]; dequant: number[] };
}

const fixture = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'quantization', 'reference-vectors.json'), 'utf8'),
) as { concreteMl: string; numpy: string; cases: ReferenceCase[] };

function floatTensor(dtype: 'float32' | 'float64', data: number[], shape: number[]): Tensor {
  return new Tensor(dtype === 'float32' ? Float32Array.from(data) : Float64Array.from(data), shape);
}

function zeroPoint(json: JsonZeroPoint): ZeroPointLike {
  return typeof json === 'number' ? json : new Tensor(Float64Array.from(json.data), json.shape);
}

function zeroPointData(value: ZeroPointLike): number[] {
  return typeof value === 'number' ? [value] : Array.from((value as Tensor).data as Float64Array);
}

function checkFloats(t: ExecutionContext, actual: ArrayLike<number>, expected: number[], what: string): void {
  t.is(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (ulpDistance(actual[i], expected[i]) > 1) {
      t.fail(`${what}[${i}]: ${actual[i]} is ${ulpDistance(actual[i], expected[i])} ulp from ${expected[i]}`);
      return;
    }
  }
  t.pass();
}

function checkQuantizer(t: ExecutionContext, quantizer: UniformQuantizer, expected: ReferenceCase['expected']): void {
  if (expected.rmin !== undefined && expected.rmin !== null) {
    t.is(quantizer.stats?.rmin, expected.rmin ?? undefined, 'rmin');
    t.is(quantizer.stats?.rmax, expected.rmax ?? undefined, 'rmax');
    t.is(quantizer.stats?.dtype, expected.statsDtype ?? undefined, 'stats dtype');
  }
  if (expected.scale !== undefined) {
    t.true(ulpDistance(quantizer.scale, expected.scale) <= 1, `scale ${quantizer.scale} vs ${expected.scale}`);
  }
  if (expected.zeroPoint !== undefined) {
    t.deepEqual(zeroPointData(quantizer.zeroPoint), zeroPointData(zeroPoint(expected.zeroPoint)), 'zero point');
  }
  if (expected.offset !== undefined) t.is(quantizer.offset, expected.offset, 'offset');
}

function runCase(t: ExecutionContext, c: ReferenceCase): void {
  const params = c.params
    ? { scale: c.params.scale, zeroPoint: zeroPoint(c.params.zeroPoint), offset: c.params.offset }
    : {};

  if (c.noClipping) {
    const quantizer = new UniformQuantizer({
      options: new QuantizationOptions(c.nBits, c.flags),
      params: new UniformQuantizationParameters(params as UniformQuantizationParameters),
      noClipping: true,
    });
    const q = quantizer.quant(floatTensor(c.dtype!, c.values!, c.shape));
    t.deepEqual(Array.from(q.data), c.expected.qvalues);
    checkFloats(t, quantizer.dequant(q).data, c.expected.dequant, 'dequant');
    return;
  }

  if (c.valueIsFloat === false) {
    const array = new QuantizedArray(c.nBits, new Tensor(Int32Array.from(c.qvalues!), c.shape), {
      valueIsFloat: false,
      ...c.flags,
      ...params,
    });
    checkQuantizer(t, array.quantizer, c.expected);
    t.deepEqual([...array.values.shape], c.shape);
    checkFloats(t, array.values.data, c.expected.dequant, 'dequant');
    return;
  }

  const array = new QuantizedArray(c.nBits, floatTensor(c.dtype!, c.values!, c.shape), {
    ...c.flags,
    ...(c.stats ?? {}),
    ...params,
  });
  checkQuantizer(t, array.quantizer, c.expected);
  t.deepEqual(Array.from(array.qvalues.data as Int32Array), c.expected.qvalues, 'qvalues');
  checkFloats(t, array.dequant().data, c.expected.dequant, 'dequant');

  if (c.probe) {
    const qvalues = array.updateValues(floatTensor(c.dtype!, c.probe.values, c.probe.shape));
    t.deepEqual(Array.from(qvalues.data as Int32Array), c.probe.qvalues, 'probe qvalues');
    checkFloats(t, array.updateQuantizedValues(qvalues).data, c.probe.dequant, 'probe dequant');
  }
}

test('the fixture comes from Concrete ML 1.9 and covers what the issue asks for', (t) => {
  t.is(fixture.concreteMl, '1.9.0');
  const cases = fixture.cases;
  t.true(cases.length >= 200, `${cases.length} cases`);
  for (let n = 1; n <= 16; n++) t.true(cases.some((c) => c.nBits === n), `nBits ${n}`);
  const has = (predicate: (c: ReferenceCase) => boolean, what: string) => t.true(cases.some(predicate), what);
  has((c) => !c.flags.isSigned, 'unsigned');
  has((c) => c.flags.isSigned === true && !c.flags.isSymmetric, 'signed asymmetric');
  has((c) => c.flags.isSymmetric === true, 'symmetric');
  has((c) => c.flags.isNarrow === true, 'narrow');
  has((c) => c.flags.isQat === true, 'QAT');
  has((c) => c.dtype === 'float32', 'float32 values');
  has((c) => c.name.startsWith('constant'), 'constant tensors');
  has((c) => c.name.startsWith('near-constant'), 'near-constant tensors');
  has((c) => c.name.startsWith('ties'), 'ties at .5');
  has((c) => (c.probe?.values ?? []).some((v) => Math.abs(v) === 1e6), 'out-of-range values');
});

fixture.cases.forEach((c, index) => {
  test(`reference #${index}: ${c.name}`, (t) => runCase(t, c));
});

// The fixture must be able to tell the reference's widths apart from simpler rules: if neither
// "all float64" nor "all float32" arithmetic ever gave a different integer, the float32 cases
// would not be testing anything.
test('the fixture tells the reference float32 widths apart from all-float64 and all-float32', (t) => {
  let float64Differs = 0;
  let float32Differs = 0;
  for (const c of fixture.cases) {
    if (c.dtype !== 'float32' || c.noClipping || typeof c.expected.zeroPoint !== 'number') continue;
    const { scale, zeroPoint: zp, offset } = c.expected as { scale: number; zeroPoint: number; offset: number };
    const qmin = -offset + (c.flags.isNarrow ? 1 : 0);
    const qmax = 2 ** c.nBits - 1 - offset;
    const quant = (y: number) => roundHalfToEven(Math.min(qmax, Math.max(qmin, y)));
    const pairs: [number[], number[]][] = [[c.values!, c.expected.qvalues!]];
    if (c.probe) pairs.push([c.probe.values, c.probe.qvalues]);
    for (const [values, qvalues] of pairs) {
      values.forEach((x, i) => {
        if (quant(x / scale + zp) !== qvalues[i]) float64Differs++;
        if (quant(Math.fround(Math.fround(x / Math.fround(scale)) + Math.fround(zp))) !== qvalues[i]) float32Differs++;
      });
    }
  }
  t.true(float64Differs > 0, 'some float32 case must differ from float64 arithmetic');
  t.true(float32Differs > 0, 'some float32 case must differ from all-float32 arithmetic');
});
