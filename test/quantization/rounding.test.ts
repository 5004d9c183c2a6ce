import test from 'ava';
import fc from 'fast-check';
import { roundHalfToEven } from '../../lib/quantization';

test('ties go to the even neighbour, unlike Math.round', (t) => {
  const cases: [number, number][] = [
    [0.5, 0], [1.5, 2], [2.5, 2], [3.5, 4], [-0.5, -0], [-1.5, -2], [-2.5, -2], [-3.5, -4],
    [1e6 + 0.5, 1e6], [2 ** 51 - 0.5, 2 ** 51], [-(2 ** 51) + 0.5, -(2 ** 51)],
    // between 2^51 and 2^52 doubles still have a half: the last range with fractions
    [2 ** 51 + 0.5, 2 ** 51], [2 ** 51 + 1.5, 2 ** 51 + 2], [-(2 ** 52) + 0.5, -(2 ** 52)], [2 ** 52 - 1.5, 2 ** 52 - 2],
  ];
  for (const [x, expected] of cases) t.is(roundHalfToEven(x), expected, `rint(${x})`);
  t.is(Math.round(2.5), 3); // the reason this function exists
});

test('non-ties round to nearest; integers, huge values and non-finite values pass through', (t) => {
  t.is(roundHalfToEven(0.49999999999999994), 0);
  t.is(roundHalfToEven(-0.49999999999999994), -0);
  t.is(roundHalfToEven(2.5000000000000004), 3);
  t.is(roundHalfToEven(-7.2), -7);
  t.is(roundHalfToEven(2 ** 52 + 2), 2 ** 52 + 2);
  t.is(roundHalfToEven(-1e300), -1e300);
  t.is(roundHalfToEven(Infinity), Infinity);
  t.true(Number.isNaN(roundHalfToEven(NaN)));
});

test('the sign of zero is kept as numpy.rint keeps it', (t) => {
  t.true(Object.is(roundHalfToEven(-0.3), -0));
  t.true(Object.is(roundHalfToEven(-0), -0));
  t.true(Object.is(roundHalfToEven(0.3), 0));
});

// A slow, obviously correct rint: floor(x) and x - floor(x) are exact for every double.
function slowRint(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  const rounded = fraction > 0.5 || (fraction === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
  return rounded === 0 && (x < 0 || Object.is(x, -0)) ? -0 : rounded;
}

test('matches a slow reference on arbitrary doubles and on halves', (t) => {
  fc.assert(
    fc.property(fc.oneof(fc.double({ noNaN: true }), fc.integer().map((k) => k + 0.5)), (x) => {
      return Object.is(roundHalfToEven(x), slowRint(x));
    }),
    { numRuns: 20000 },
  );
  t.pass();
});
