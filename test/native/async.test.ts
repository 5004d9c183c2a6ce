import test from 'ava';

import { native } from '../../lib/native';
import { seededInts } from './matmul-reference';

test('a long native call does not block the event loop', async (t) => {
  // Grow the product until one call takes long enough to count timer ticks against it.
  for (let size = 128; ; size *= 2) {
    const a = seededInts(size * size, 1000, 1);
    const b = seededInts(size * size, 1000, 2);
    let ticks = 0;
    const interval = setInterval(() => ticks++, 2);
    const started = performance.now();
    const product = native.integerMatmul(a, b, size, size, size);
    const returnedAfter = performance.now() - started;
    await product;
    const elapsed = performance.now() - started;
    clearInterval(interval);
    if (elapsed < 150 && size < 4096) continue;
    t.log(`${size}x${size}x${size}: call returned after ${returnedAfter.toFixed(2)} ms, resolved after ${elapsed.toFixed(0)} ms, ${ticks} timer ticks`);
    t.true(returnedAfter < elapsed / 4, 'the call returns a promise before the work is done');
    t.true(ticks >= 5, `the 2 ms timer fired ${ticks} times during ${elapsed.toFixed(0)} ms of native work`);
    return;
  }
});
