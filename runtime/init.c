/*===- init.c - Deterministic initialisation of parameters and inputs ---===*
 *
 * Each tensor draws from its own generator, seeded by its name, so a value
 * does not depend on the order or number of the other tensors.
 *
 *===----------------------------------------------------------------------===*/

#include "cnnrt.h"

#include <math.h>

static uint64_t seed_of(const char *name) {
  /* FNV-1a */
  uint64_t hash = 1469598103934665603ull;
  for (const unsigned char *c = (const unsigned char *)name; *c; ++c)
    hash = (hash ^ *c) * 1099511628211ull;
  return hash;
}

/* splitmix64 */
static uint64_t next(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform in [-bound, bound). */
static void fill(uint64_t seed, float *data, int64_t count, double bound) {
  uint64_t state = seed;
  for (int64_t i = 0; i < count; ++i) {
    double unit = (double)(next(&state) >> 11) * 0x1.0p-53; /* [0, 1) */
    data[i] = (float)((2.0 * unit - 1.0) * bound);
  }
}

void cnnrt_fill_uniform(const char *seed_name, float *data, int64_t count) {
  fill(seed_of(seed_name), data, count, 1.0);
}

void cnnrt_initialize(const cnnrt_tensor *tensor, float *data) {
  int64_t count = cnnrt_num_elements(tensor);
  /* [out, in, kh, kw] or [out, in]: fan_in = in * kh * kw. */
  int64_t receptive = 1;
  for (int32_t i = 2; i < tensor->rank; ++i)
    receptive *= tensor->shape[i];
  double fanIn = tensor->rank >= 2 ? (double)(tensor->shape[1] * receptive) : 1.0;
  double fanOut = tensor->rank >= 1 ? (double)(tensor->shape[0] * receptive) : 1.0;
  switch (tensor->init) {
  case CNNRT_INIT_ONES:
    for (int64_t i = 0; i < count; ++i)
      data[i] = 1.0f;
    break;
  case CNNRT_INIT_HE_UNIFORM:
    fill(seed_of(tensor->name), data, count, sqrt(6.0 / fanIn));
    break;
  case CNNRT_INIT_GLOROT_UNIFORM:
    fill(seed_of(tensor->name), data, count, sqrt(6.0 / (fanIn + fanOut)));
    break;
  default:
    for (int64_t i = 0; i < count; ++i)
      data[i] = 0.0f;
    break;
  }
}
