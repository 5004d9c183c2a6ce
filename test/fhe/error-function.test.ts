import test from 'ava';
import fc from 'fast-check';
import { erfc, erfcinv, erfcinvOfLog2, log2Erfc } from '../../lib/fhe/error-function';

// Reference values from CPython's math.erfc (correctly rounded to a few ulps).
const REFERENCE: ReadonlyArray<[number, number]> = [
  [0.25, 0.7236736098317631], [1, 0.15729920705028513], [1.75, 0.013328328780817555],
  [1.249, 0.07733668868493401], [1.25, 0.07709987174354177], [1.999, 0.004698443348629488], [2, 0.004677734981047265], [2.5, 0.0004069520174449589],
  [4, 1.541725790028002e-8], [6, 2.1519736712498916e-17], [9.27, 2.895141869179654e-39],
  [15, 7.212994172451206e-100], [25, 8.300172571196522e-274], [-1, 1.842700792949715],
];

test('erfc matches reference values on both sides of the series/continued-fraction switch', (t) => {
  for (const [x, expected] of REFERENCE) {
    // e^(-x^2) turns an ulp of x^2 into a relative error of ~x^2 ulps: allow for it.
    const tolerance = 1e-14 * Math.max(10, x * x);
    const relative = Math.abs(erfc(x) - expected) / expected;
    t.true(relative < tolerance, `erfc(${x}) = ${erfc(x)}, expected ${expected}`);
  }
  t.is(erfc(0), 1);
});

test('log2Erfc stays finite far past float64 underflow and matches the asymptotic series', (t) => {
  // erfc(x) = e^(-x^2) / (x sqrt(pi)) * (1 - 1/(2x^2) + 3/(2x^2)^2 - 15/(2x^2)^3 + ...)
  for (const x of [30, 50, 100, 1000]) {
    const u = 1 / (2 * x * x);
    const series = 1 - u + 3 * u ** 2 - 15 * u ** 3 + 105 * u ** 4 - 945 * u ** 5;
    const expected = (-x * x - Math.log(x * Math.sqrt(Math.PI)) + Math.log(series)) / Math.LN2;
    t.true(Math.abs(log2Erfc(x) - expected) < 1e-9 * Math.abs(expected), `log2Erfc(${x})`);
  }
});

test('erfcinv inverts erfc over (0, 2)', (t) => {
  t.true(Math.abs(erfcinv(0.5) - 0.4769362762044699) < 1e-15);
  t.is(erfcinv(1), 0);
  fc.assert(fc.property(fc.double({ min: -1, max: 26, noNaN: true }), (x) => {
    return Math.abs(erfcinv(erfc(x)) - x) <= 1e-9 * Math.max(1, Math.abs(x));
  }));
  t.throws(() => erfcinv(-0.1), { instanceOf: RangeError });
  t.throws(() => erfcinv(2.5), { instanceOf: RangeError });
});

test('erfcinvOfLog2 reaches probabilities below the float64 range', (t) => {
  fc.assert(fc.property(fc.double({ min: 0, max: 200, noNaN: true }), (x) => {
    return Math.abs(erfcinvOfLog2(log2Erfc(x)) - x) <= 1e-9 * Math.max(1, x);
  }));
  t.throws(() => erfcinvOfLog2(1), { instanceOf: RangeError });
});
