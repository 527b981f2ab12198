/*===- fuzz_npy.c - Fuzz the runtime's .npy reader ----------------------===*
 *
 * Any byte string is an input file: it is rejected with a message, or its
 * shape accounts for exactly the float32 values it holds.
 *
 *===----------------------------------------------------------------------===*/

#include "cnnrt.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  int64_t shape[CNNRT_MAX_RANK];
  int32_t rank = 0;
  float *values = NULL;
  char message[256];
  if (cnnrt_npy_parse(data, size, shape, &rank, &values, message, sizeof message)) {
    if (!message[0] || values)
      abort();
    return 0;
  }
  uint64_t count = 1;
  for (int32_t i = 0; i < rank; ++i)
    count *= (uint64_t)shape[i];
  if (count * 4 > size)
    abort();
  /* Reading every value is the check; the sink keeps the loop. */
  volatile float sink = 0;
  for (uint64_t i = 0; i < count; ++i)
    sink += values[i];
  free(values);
  return 0;
}
