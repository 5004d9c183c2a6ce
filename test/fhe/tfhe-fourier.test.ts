// tfheMeasureFourier, the FFT timing behind bench:tfhe's FFT share: it must time transforms
// of real spectra. Its backward transform once re-read its own scratch, which gave wrong
// outputs from the second repetition and overflowed to infinities after 140 (N = 65536) to 340
// (N = 256) repetitions, so most of bench:tfhe's 1000 timed arithmetic on inf/NaN.
import test from 'ava';

import { native } from '../../lib/native';

test('every timed backward transform gives the input back exactly, at the smallest and largest N', async (t) => {
  // Past the point where a re-read spectrum overflows at either size.
  for (const [size, repetitions] of [[256, 1024], [65536, 256]] as const) {
    const timing = await native.tfheMeasureFourier(size, repetitions);
    t.true(timing.roundTripsExact, `N = ${size}`);
    t.true(timing.forwardMicroseconds > 0 && Number.isFinite(timing.forwardMicroseconds), `N = ${size}`);
    t.true(timing.backwardMicroseconds >= 0 && Number.isFinite(timing.backwardMicroseconds), `N = ${size}`);
  }
});

test('sizes and repetitions outside the FFT\'s range are RangeErrors naming the limit', async (t) => {
  for (const size of [128, 131072, 1000]) {
    await t.throwsAsync(async () => native.tfheMeasureFourier(size, 1), { instanceOf: RangeError, message: /^tfheMeasureFourier: .*polynomialSize/ });
  }
  await t.throwsAsync(async () => native.tfheMeasureFourier(256, 0), { instanceOf: RangeError, message: /repetitions.*\[1, 1000000\]/ });
});
