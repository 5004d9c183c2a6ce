import test from 'ava';
import { ulpDistance } from './ulp';

test('identical numbers are 0 ulp apart, +0 and -0 included', (t) => {
  t.is(ulpDistance(1.5, 1.5), 0);
  t.is(ulpDistance(0, -0), 0);
  t.is(ulpDistance(-3.25e-300, -3.25e-300), 0);
});

test('neighbouring doubles are 1 ulp apart, across powers of two and across zero', (t) => {
  t.is(ulpDistance(1, 1 + Number.EPSILON), 1);
  t.is(ulpDistance(1, 1 - Number.EPSILON / 2), 1);
  t.is(ulpDistance(-1, -1 - Number.EPSILON), 1);
  t.is(ulpDistance(0, Number.MIN_VALUE), 1);
  t.is(ulpDistance(-Number.MIN_VALUE, Number.MIN_VALUE), 2);
  t.is(ulpDistance(0.1 + 0.2, 0.3), 1);
});

test('larger gaps count every double in between', (t) => {
  t.is(ulpDistance(1, 1 + 4 * Number.EPSILON), 4);
  t.is(ulpDistance(2, 1), 2 ** 52);
  t.is(ulpDistance(1, -1), 2 * 0x3ff0000000000000);
  t.is(ulpDistance(Number.MAX_VALUE, Infinity), 1);
  t.is(ulpDistance(NaN, 1), Infinity);
});
