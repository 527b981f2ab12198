/*===- fuzz_idx.c - Fuzz the runtime's IDX and gzip readers -------------===*
 *
 * Any byte string is a dataset file, gzip-compressed or not: it is rejected
 * with a message, or its values fill exactly the shape it declares and can
 * be read. Through cnnrt_idx_parse, a .gz input exercises the inflater.
 *
 *===----------------------------------------------------------------------===*/

#include "cnnrt.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  unsigned char *copy = malloc(size ? size : 1);
  if (!copy)
    return 0;
  memcpy(copy, data, size);
  cnnrt_idx idx;
  char message[256];
  message[0] = 0;
  if (cnnrt_idx_parse(copy, size, &idx, message, sizeof message)) {
    if (!message[0])
      abort();
    return 0;
  }
  uint64_t count = 1;
  for (int32_t d = 0; d < idx.rank; ++d)
    count *= (uint64_t)idx.shape[d];
  if (count != idx.count)
    abort();
  volatile unsigned sink = 0; /* reading every value is the check */
  for (uint64_t i = 0; i < idx.count; ++i)
    sink += idx.data[i];
  cnnrt_idx_free(&idx);
  return 0;
}
