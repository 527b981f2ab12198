/*===- fuzz_safetensors.c - Fuzz the runtime's safetensors reader -------===*
 *
 * Any byte string is a weight file: it is rejected with a message, or every
 * tensor it lists lies inside it and can be read.
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
  cnnrt_safetensors file;
  char message[256];
  if (cnnrt_safetensors_parse(copy, size, &file, message, sizeof message)) {
    if (!message[0])
      abort();
    return 0;
  }
  volatile unsigned sink = 0; /* reading every byte is the check */
  for (int32_t i = 0; i < file.count; ++i) {
    const cnnrt_file_tensor *t = &file.tensors[i];
    if (cnnrt_safetensors_find(&file, t->name) != t)
      abort();
    for (uint64_t b = 0; b < t->nbytes; ++b)
      sink += t->data[b];
  }
  cnnrt_safetensors_free(&file);
  return 0;
}
