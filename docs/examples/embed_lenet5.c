/* Embedding a compiled model in a C program.
 *
 *   cnnc compile models/lenet5.json --emit=lib -o build/lenet5
 *   cc docs/examples/embed_lenet5.c -Ibuild build/lenet5.a -lm -o embed
 *   ./embed [weights.safetensors]
 *
 * The library holds the model and the runtime; lenet5.h lists the tensors
 * that lenet5_run takes, in order. This program binds the parameters (from a
 * weight file, or the runtime's deterministic initialisation), classifies
 * one input and prints the ten class scores.
 */
#include "lenet5.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  const cnnrt_model *model = &lenet5_model;
  float **buffers = calloc((size_t)model->num_tensors, sizeof *buffers);
  cnnrt_safetensors weights;
  char error[256];
  if (argc > 1 && cnnrt_safetensors_read(argv[1], &weights, error, sizeof error)) {
    fprintf(stderr, "%s: %s\n", argv[1], error);
    return 1;
  }
  int output = -1;
  for (int32_t i = 0; i < model->num_tensors; ++i) {
    const cnnrt_tensor *tensor = &model->tensors[i];
    int64_t count = cnnrt_num_elements(tensor);
    buffers[i] = malloc((size_t)count * sizeof(float));
    if (tensor->role == CNNRT_PARAM || tensor->role == CNNRT_BUFFER) {
      const cnnrt_file_tensor *found =
          argc > 1 ? cnnrt_safetensors_find(&weights, tensor->name) : NULL;
      if (found && found->nbytes == (uint64_t)count * sizeof(float))
        memcpy(buffers[i], found->data, found->nbytes);
      else
        cnnrt_initialize(tensor, buffers[i]);
    } else if (tensor->role == CNNRT_INPUT) {
      /* The executable's default input: values seeded by the name. */
      cnnrt_fill_uniform(tensor->name, buffers[i], count);
    } else {
      output = i;
    }
  }
  lenet5_run(buffers);

  const float *scores = buffers[output];
  int best = 0;
  for (int k = 0; k < 10; ++k) {
    printf("class %d: %+.5f\n", k, scores[k]);
    if (scores[k] > scores[best])
      best = k;
  }
  printf("predicted class: %d\n", best);
  for (int32_t i = 0; i < model->num_tensors; ++i)
    free(buffers[i]);
  free(buffers);
  if (argc > 1)
    cnnrt_safetensors_free(&weights);
  return 0;
}
