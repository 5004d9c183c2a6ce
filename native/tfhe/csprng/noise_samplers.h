// Noise for LWE/GLWE encryption, drawn from the ChaCha20 stream.
#pragma once

#include <cstdint>

#include "../parameters.h"
#include "random_generator.h"

namespace cq::tfhe {

// TUniform(b): uniform on [-2^b, 2^b] with the two endpoints at half weight, so that the
// variance is (2^(2b+1) + 1) / 6. b in [0, 62].
int64_t sampleTUniform(RandomGenerator& random, int boundLog2);

// A centred Gaussian of standard deviation `std` (a fraction of q), rounded to the nearest
// multiple of 1/q: a torus element (two's complement on 64 bits). std in (0, 0.5).
uint64_t sampleGaussian(RandomGenerator& random, double std);

// One noise value from `noise`, as a torus element (two's complement on 64 bits).
uint64_t sampleNoise(RandomGenerator& random, const NoiseDistribution& noise);

}  // namespace cq::tfhe
