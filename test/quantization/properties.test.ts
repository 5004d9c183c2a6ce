// Property tests (fast-check) of the quantizer over random options, bit widths, widths and data.

import test from 'ava';
import fc from 'fast-check';
import { Tensor } from '../../lib/tensor';
import {
  MinMaxQuantizationStats,
  QuantizationOptions,
  QuantizedArray,
  UniformQuantizationParameters,
  UniformQuantizer,
  type QuantizationFlags,
} from '../../lib/quantization';

const ALL_MODES: QuantizationFlags[] = [
  {},
  { isSigned: true },
  { isSigned: true, isSymmetric: true },
  { isSigned: true, isSymmetric: true, isNarrow: true },
  { isQat: true },
  { isQat: true, isSigned: true },
  { isQat: true, isSigned: true, isNarrow: true },
  { isSigned: true, isNarrow: true },
  { isNarrow: true },
];

const optionsArb = (modes: QuantizationFlags[]) =>
  fc
    .record({ nBits: fc.integer({ min: 1, max: 24 }), flags: fc.constantFrom(...modes) })
    .filter(({ nBits, flags }) => !(flags.isSymmetric && nBits < 2))
    .map(({ nBits, flags }) => new QuantizationOptions(nBits, flags));

const dtypeArb = fc.constantFrom('float32' as const, 'float64' as const);

const finite = (max: number) => fc.double({ min: -max, max, noNaN: true, noDefaultInfinity: true });

// Calibration data: wide random tensors, constant tensors and near-constant tensors (range
// around the 1e-6 threshold), at magnitudes float32 can hold.
const calibrationArb = fc.oneof(
  fc.array(finite(1e6), { minLength: 1, maxLength: 24 }),
  fc.tuple(finite(1e3), fc.integer({ min: 1, max: 6 })).map(([value, n]) => new Array<number>(n).fill(value)),
  fc
    .tuple(finite(1e3), fc.array(fc.double({ min: 0, max: 3e-6, noNaN: true }), { minLength: 1, maxLength: 8 }))
    .map(([base, noise]) => noise.map((d) => base + d)),
);

function tensorOf(dtype: 'float32' | 'float64', values: number[]): Tensor {
  return new Tensor(dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values));
}

test('qvalues always lie in the clipping range, whatever the values', (t) => {
  fc.assert(
    fc.property(optionsArb(ALL_MODES), dtypeArb, calibrationArb, fc.array(finite(1e38), { minLength: 1, maxLength: 16 }), (options, dtype, calibration, probe) => {
      const array = new QuantizedArray(options.nBits, tensorOf(dtype, calibration), { options });
      const { qmin, qmax } = array.quantizer;
      const inRange = (q: Tensor) => (q.data as Int32Array).every((v) => Number.isInteger(v) && v >= qmin && v <= qmax);
      return inRange(array.qvalues) && inRange(array.updateValues(tensorOf(dtype, probe)));
    }),
    { numRuns: 500 },
  );
  t.pass();
});

// |dequant(quant(x)) - x| <= |scale| / 2 holds in exact arithmetic for x in [rmin, rmax] when the
// integer grid covers the range: asymmetric (zero point rounded, so rmin and rmax land within
// half a step of the ends), symmetric, and constant tensors. Not for QAT (zero point forced to
// 0, values off the grid are clipped) nor narrow range (the lowest level is dropped).
//
// In floats, each rounded step adds a little:
//   x / scale           relative error u           -> u * |x|          (after multiplying by scale)
//   + zeroPoint         absolute u * |y|, |y| <= 2^n -> u * |scale| * 2^n
//   scale, zero point   computed with rounding: the grid ends move by ~u * 2^n steps -> same term
//   scale * (q - zp)    relative error u on the result -> u * |d|
// with u = 2^-53 for float64 data. Float32 data is divided and shifted in float32 (u = 2^-24)
// with a scale itself rounded to float32, and its statistics take rmax - rmin in float32. The
// tolerance allows a factor 8 (float64) or 4 (float32) over these terms.
function roundTripTolerance(dtype: 'float32' | 'float64', scale: number, nBits: number, x: number, d: number): number {
  const grid = Math.abs(scale) * 2 ** (nBits + 1);
  const unit = dtype === 'float32' ? 2 ** -22 : 2 ** -50;
  return Math.abs(scale) / 2 + unit * (Math.abs(x) + grid) + 2 ** -50 * Math.abs(d);
}

test('dequant(quant(x)) is within scale / 2 of x for x in [rmin, rmax] (up to float rounding)', (t) => {
  const modes = ALL_MODES.filter((m) => !m.isQat && !m.isNarrow);
  fc.assert(
    fc.property(
      optionsArb(modes), dtypeArb, calibrationArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 16 }),
      (options, dtype, calibration, fractions) => {
        const values = tensorOf(dtype, calibration);
        const array = new QuantizedArray(options.nBits, values, { options });
        const { rmin, rmax } = array.quantizer.stats!;
        // the calibration values themselves plus points spread over [rmin, rmax]
        const xs = tensorOf(dtype, [...values.data as Float64Array, ...fractions.map((f) => rmin + f * (rmax - rmin))]
          .map((x) => Math.min(rmax, Math.max(rmin, dtype === 'float32' ? Math.fround(x) : x))));
        const back = array.quantizer.dequant(array.quantizer.quant(xs)).data;
        for (let i = 0; i < xs.size; i++) {
          const x = xs.data[i] as number;
          const tolerance = roundTripTolerance(dtype, array.quantizer.scale, options.nBits, x, back[i]);
          if (!(Math.abs(back[i] - x) <= tolerance)) {
            throw new Error(`x=${x} -> ${back[i]}: error ${Math.abs(back[i] - x)} > ${tolerance} (scale ${array.quantizer.scale})`);
          }
        }
        return true;
      },
    ),
    { numRuns: 500 },
  );
  t.pass();
});

// Parameters from statistics, or given directly with float zero points and either sign of scale.
const quantizerArb = fc.oneof(
  fc.tuple(optionsArb(ALL_MODES), dtypeArb, calibrationArb).map(([options, dtype, calibration]) => {
    const stats = MinMaxQuantizationStats.computeQuantizationStats(tensorOf(dtype, calibration));
    const params = UniformQuantizationParameters.computeQuantizationParameters(options, stats);
    return new UniformQuantizer({ options, stats, params });
  }),
  fc
    .tuple(
      optionsArb(ALL_MODES),
      fc.double({ min: 1e-10, max: 1e10, noNaN: true }),
      fc.boolean(),
      fc.oneof(fc.integer({ min: -(2 ** 24), max: 2 ** 24 }), finite(2 ** 24)),
    )
    .map(([options, magnitude, negative, zeroPoint]) => {
      const offset = options.isSigned ? 2 ** (options.nBits - 1) : 0;
      const params = new UniformQuantizationParameters({ scale: negative ? -magnitude : magnitude, zeroPoint, offset });
      return new UniformQuantizer({ options, params });
    }),
);

test('quant(dequant(q)) = q for every q in the clipping range', (t) => {
  fc.assert(
    fc.property(quantizerArb, fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 32 }), (quantizer, fractions) => {
      const { qmin, qmax } = quantizer;
      // (q - zp) * s / s comes back within ~2 ulps of q - zp: exact after rounding only while
      // |q - zp| * 2^-51 < 1/2. A near-constant calibration tensor can give zero points near
      // 2^52 (scale ~1e-13), where no float64 quantizer (numpy's included) round-trips.
      fc.pre(Math.max(Math.abs(qmin - Number(quantizer.zeroPoint)), Math.abs(qmax - Number(quantizer.zeroPoint))) < 2 ** 48);
      const q = Int32Array.from(fractions, (f) => qmin + Math.floor(f * (qmax - qmin + 1)));
      const again = quantizer.quant(quantizer.dequant(q)).data;
      return q.every((v, i) => again[i] === v);
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

const bitwiseEqual = (a: Tensor, b: Tensor) =>
  a.dtype === b.dtype &&
  a.shape.join() === b.shape.join() &&
  Array.from(a.data as ArrayLike<number>).every((v, i) => Object.is(v, (b.data as ArrayLike<number>)[i]));

test('JSON round trip is lossless: values, qvalues, scale and zero point bit for bit', (t) => {
  fc.assert(
    fc.property(optionsArb(ALL_MODES), dtypeArb, calibrationArb, fc.boolean(), (options, dtype, calibration, dequantize) => {
      const array = new QuantizedArray(options.nBits, tensorOf(dtype, calibration), { options });
      if (dequantize) array.dequant(); // float64 values, possibly -0
      const text = JSON.stringify(array);
      const loaded = QuantizedArray.fromJSON(JSON.parse(text));
      return (
        loaded.equals(array) &&
        JSON.stringify(loaded) === text &&
        bitwiseEqual(loaded.values, array.values) &&
        bitwiseEqual(loaded.qvalues, array.qvalues) &&
        Object.is(loaded.quantizer.scale, array.quantizer.scale) &&
        Object.is(loaded.quantizer.zeroPoint, array.quantizer.zeroPoint) &&
        loaded.quantizer.stats!.dtype === array.quantizer.stats!.dtype
      );
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(quantizerArb, fc.boolean(), fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 6 }), (quantizer, noClipping, channelZeroPoints) => {
      const source = new UniformQuantizer({
        options: quantizer.options,
        stats: quantizer.stats,
        params: new UniformQuantizationParameters({ scale: quantizer.scale, zeroPoint: [channelZeroPoints], offset: quantizer.offset }),
        noClipping,
      });
      const loaded = UniformQuantizer.fromJSON(JSON.parse(JSON.stringify(source)));
      return loaded.equals(source) && bitwiseEqual(loaded.zeroPoint as Tensor, source.zeroPoint as Tensor);
    }),
    { numRuns: 300 },
  );
  t.pass();
});
