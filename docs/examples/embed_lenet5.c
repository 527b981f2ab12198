/* Embedding a compiled model in a C program.
 *
 *   cnnc compile models/lenet5.json --emit=lib -o build/lenet5
 *   cc docs/examples/embed_lenet5.c -Ibuild build/lenet5.a build/libcnnrt.a \
 *      -lm -lpthread -o embed
 *   ./embed [weights.safetensors]
 *
 * lenet5.h lists the tensors that lenet5_forward takes, in order. This
 * program checks that the library matches the header it was compiled
 * against, binds the parameters (every one from the weight file when one is
 * given, else the runtime's deterministic initialisation), classifies one
 * input and prints the ten class scores. Every failure is one message and
 * exit code 1.
 */
#include "lenet5.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies the tensor called like `tensor` from `file`, or says why not. */
static int bind(const cnnrt_tensor *tensor, const cnnrt_safetensors *file,
                const char *path, float *buffer) {
  const cnnrt_file_tensor *found = cnnrt_safetensors_find(file, tensor->name);
  char expected[160], got[160];
  if (!found) {
    fprintf(stderr, "%s: error: no tensor '%s' in the file\n", path, tensor->name);
    return 1;
  }
  int same = found->rank == tensor->rank && !strcmp(found->dtype, "F32");
  for (int32_t d = 0; same && d < tensor->rank; ++d)
    same = found->shape[d] == tensor->shape[d];
  if (!same) {
    cnnrt_format_shape(tensor->shape, tensor->rank, expected, sizeof expected);
    cnnrt_format_shape(found->shape, found->rank, got, sizeof got);
    fprintf(stderr, "%s: error: tensor '%s' is %s %s, the model expects F32 %s\n",
            path, tensor->name, found->dtype, got, expected);
    return 1;
  }
  memcpy(buffer, found->data, found->nbytes);
  return 0;
}

int main(int argc, char **argv) {
  const cnnrt_model *model = &lenet5_model;
  if (cnnrt_check_model(model) != CNNRT_OK) {
    fprintf(stderr, "error: lenet5.a is of ABI version %d, lenet5.h of %d\n",
            (int)model->abi_version, CNNRT_ABI_VERSION);
    return 1;
  }
  const char *path = argc > 1 ? argv[1] : NULL;
  cnnrt_safetensors weights;
  memset(&weights, 0, sizeof weights);
  char message[256];
  if (path && cnnrt_safetensors_read(path, &weights, message, sizeof message)) {
    fprintf(stderr, "%s: error: %s\n", path, message);
    return 1;
  }

  float **buffers = calloc((size_t)model->num_tensors, sizeof *buffers);
  cnnrt_context *context = NULL;
  int status = 0, output = -1;
  if (!buffers)
    fprintf(stderr, "error: out of memory\n"), status = 1;
  for (int32_t i = 0; i < model->num_tensors && !status; ++i) {
    const cnnrt_tensor *tensor = &model->tensors[i];
    int64_t count = cnnrt_num_elements(tensor);
    buffers[i] = malloc((size_t)count * sizeof(float));
    if (!buffers[i]) {
      fprintf(stderr, "error: out of memory for tensor '%s'\n", tensor->name);
      status = 1;
    } else if (tensor->role == CNNRT_PARAM || tensor->role == CNNRT_BUFFER) {
      if (path)
        status = bind(tensor, &weights, path, buffers[i]);
      else
        cnnrt_initialize(tensor, buffers[i]);
    } else if (tensor->role == CNNRT_INPUT) {
      /* The executable's default input: values seeded by the name. */
      cnnrt_fill_uniform(tensor->name, buffers[i], count);
    } else if (tensor->role == CNNRT_OUTPUT) {
      output = i;
    } /* CNNRT_PREPARED: lenet5_prepare computes it from the weights. */
  }

  cnnrt_status result = CNNRT_OK;
  if (!status && (result = cnnrt_context_create(NULL, &context)) == CNNRT_OK)
    result = lenet5_prepare(context, buffers);
  if (!status && result == CNNRT_OK)
    result = lenet5_forward(context, buffers);
  if (!status && result != CNNRT_OK) {
    fprintf(stderr, "error: lenet5: %s\n",
            context ? cnnrt_context_message(context) : cnnrt_status_string(result));
    status = 1;
  }
  if (!status) {
    const float *scores = buffers[output];
    int best = 0;
    for (int k = 0; k < 10; ++k) {
      printf("class %d: %+.5f\n", k, scores[k]);
      if (scores[k] > scores[best])
        best = k;
    }
    printf("predicted class: %d\n", best);
  }
  cnnrt_context_destroy(context);
  for (int32_t i = 0; buffers && i < model->num_tensors; ++i)
    free(buffers[i]);
  free(buffers);
  cnnrt_safetensors_free(&weights);
  return status;
}
