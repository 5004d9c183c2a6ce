import test from 'ava';

import { binomialAtLeast, binomialAtMost, clopperPearson } from './clopper-pearson';

const close = (got: number, expected: number, relative: number) =>
  Math.abs(got - expected) <= relative * Math.abs(expected);

test('binomial tails match exact sums and reference values', (t) => {
  // C(10, 0..3) = 1, 10, 45, 120 over 2^10.
  t.true(close(binomialAtMost(3, 10, 0.5), 176 / 1024, 1e-14));
  t.true(close(binomialAtLeast(4, 10, 0.5), 848 / 1024, 1e-14));
  t.is(binomialAtMost(10, 10, 0.3), 1);
  t.is(binomialAtLeast(0, 10, 0.3), 1);
  t.true(close(binomialAtMost(0, 20, 0.1), 0.9 ** 20, 1e-14));
  t.true(close(binomialAtLeast(20, 20, 0.1), 0.1 ** 20, 1e-12));
  // scipy.stats.binom 1.16: sf(49, 50000, 1e-3), cdf(20, 1e6, 1e-5), sf(999, 1e6, 1e-3).
  t.true(close(binomialAtLeast(50, 50000, 1e-3), 0.5188364943222357, 1e-12));
  t.true(close(binomialAtMost(20, 1_000_000, 1e-5), 0.9984118326406837, 1e-12));
  t.true(close(binomialAtLeast(1000, 1_000_000, 1e-3), 0.5042115551669921, 1e-10));
  // Far tails (scipy sf(59, 100, 0.01), cdf(5, 100, 0.9)) stay accurate where 1 - (the other
  // tail) would be 0.
  t.true(close(binomialAtLeast(60, 100, 0.01), 9.257141516941647e-93, 1e-10));
  t.true(close(binomialAtMost(5, 100, 0.9), 4.4714982068559054e-88, 1e-10));
  t.throws(() => binomialAtMost(11, 10, 0.5), { instanceOf: RangeError, message: /successes/ });
  t.throws(() => binomialAtMost(1, 10, 1.5), { instanceOf: RangeError, message: /probability/ });
});

test('Clopper-Pearson matches closed forms at the ends and reference intervals inside', (t) => {
  // R's binom.test(682, 925) documents 0.7076683 0.7654066; the others are scipy's
  // beta.ppf(alpha/2, k, n-k+1) and beta.ppf(1-alpha/2, k+1, n-k).
  const cases: [number, number, number, number, number][] = [
    [682, 925, 0.95, 0.707668264079039, 0.7654065582415253],
    [5, 10, 0.95, 0.18708602844739855, 0.8129139715526015],
    [36, 36000, 0.9999, 0.00047769766979180987, 0.0018186640422967054],
    [50, 50000, 0.999, 0.0005990707375509855, 0.0015558609109284289],
    [1, 1_000_000, 0.99, 5.012541810981499e-09, 7.430105611978525e-06],
  ];
  for (const [k, n, confidence, lower, upper] of cases) {
    const got = clopperPearson(k, n, confidence);
    t.true(close(got.lower, lower, 1e-9), `${k}/${n} lower ${got.lower} vs ${lower}`);
    t.true(close(got.upper, upper, 1e-9), `${k}/${n} upper ${got.upper} vs ${upper}`);
  }
  // No successes: [0, 1 - (alpha/2)^(1/n)]; all successes: [(alpha/2)^(1/n), 1].
  const none = clopperPearson(0, 10, 0.95);
  t.is(none.lower, 0);
  t.true(close(none.upper, 1 - 0.025 ** (1 / 10), 1e-12));
  const all = clopperPearson(10, 10, 0.95);
  t.true(close(all.lower, 0.025 ** (1 / 10), 1e-12));
  t.is(all.upper, 1);
  t.throws(() => clopperPearson(1, 10, 1), { instanceOf: RangeError, message: /confidence/ });
  t.throws(() => clopperPearson(1, 0, 0.9), { instanceOf: RangeError, message: /trials/ });
});
