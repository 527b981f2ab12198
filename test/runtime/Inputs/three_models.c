/* Three compiled models in one program: LeNet-5, LeNet-5 at batch 4 (the
 * same model under another prefix) and LeNet-5 (1998). Each runs on the
 * runtime's deterministic parameters and input, and writes its output to
 * DIR/PREFIX.npy for comparison with the executables. Then the C interface's
 * promises: two contexts run one model in two threads with the same result,
 * a context's memory limit gives CNNRT_ERROR_OUT_OF_MEMORY with a message
 * and leaves the context usable, and a model of another ABI version is
 * refused. */
#include "lenet5.h"
#include "lenet5_1998.h"
#include "lenet5_b4.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const cnnrt_model *model;
  float **buffers;
  int output;
} bound_model;

static int bind(const cnnrt_model *model, bound_model *bound) {
  bound->model = model;
  bound->output = -1;
  bound->buffers = calloc((size_t)model->num_tensors, sizeof(float *));
  if (!bound->buffers)
    return 1;
  for (int32_t i = 0; i < model->num_tensors; ++i) {
    const cnnrt_tensor *t = &model->tensors[i];
    int64_t count = cnnrt_num_elements(t);
    if (!(bound->buffers[i] = malloc((size_t)count * sizeof(float))))
      return 1;
    if (t->role == CNNRT_INPUT)
      cnnrt_fill_uniform(t->name, bound->buffers[i], count);
    else if (t->role == CNNRT_OUTPUT)
      bound->output = i;
    else if (t->role != CNNRT_PREPARED)
      cnnrt_initialize(t, bound->buffers[i]);
  }
  return 0;
}

static void release(bound_model *bound) {
  for (int32_t i = 0; bound->buffers && i < bound->model->num_tensors; ++i)
    free(bound->buffers[i]);
  free(bound->buffers);
}

/* Prepares the weights, then runs the model. */
static cnnrt_status run(bound_model *bound, cnnrt_context *context) {
  const cnnrt_entry_point *prepare = cnnrt_find_entry_point(bound->model, "prepare");
  const cnnrt_entry_point *forward = cnnrt_find_entry_point(bound->model, "forward");
  if (!prepare || !forward)
    return CNNRT_ERROR_INVALID_ARGUMENT;
  cnnrt_status status = prepare->call(context, bound->buffers);
  return status == CNNRT_OK ? forward->call(context, bound->buffers) : status;
}

typedef struct {
  bound_model bound;
  cnnrt_status status;
} job;

static void *run_job(void *arg) {
  job *j = arg;
  cnnrt_context *context = NULL;
  j->status = cnnrt_context_create(NULL, &context);
  for (int repeat = 0; repeat < 20 && j->status == CNNRT_OK; ++repeat)
    j->status = run(&j->bound, context);
  cnnrt_context_destroy(context);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  const cnnrt_model *models[] = {&lenet5_model, &lenet5_b4_model, &lenet5_1998_model};
  const char *prefixes[] = {"lenet5", "lenet5_b4", "lenet5_1998"};
  cnnrt_context *context = NULL;
  if (cnnrt_context_create(NULL, &context) != CNNRT_OK)
    return 1;
  for (int m = 0; m < 3; ++m) {
    bound_model bound;
    if (cnnrt_check_model(models[m]) != CNNRT_OK || bind(models[m], &bound))
      return 1;
    cnnrt_status status = run(&bound, context);
    printf("%s: %s\n", prefixes[m], cnnrt_status_string(status));
    const cnnrt_tensor *out = &models[m]->tensors[bound.output];
    char path[4096], message[256];
    snprintf(path, sizeof path, "%s/%s.npy", argv[1], prefixes[m]);
    if (cnnrt_npy_write(path, out->shape, out->rank, bound.buffers[bound.output],
                        message, sizeof message))
      return 1;
    release(&bound);
  }

  /* Two threads, two contexts, one model. */
  job jobs[2];
  pthread_t threads[2];
  for (int t = 0; t < 2; ++t)
    if (bind(&lenet5_b4_model, &jobs[t].bound) ||
        pthread_create(&threads[t], NULL, run_job, &jobs[t]))
      return 1;
  for (int t = 0; t < 2; ++t)
    pthread_join(threads[t], NULL);
  const cnnrt_tensor *out = &lenet5_b4_model.tensors[jobs[0].bound.output];
  int same = jobs[0].status == CNNRT_OK && jobs[1].status == CNNRT_OK &&
             !memcmp(jobs[0].bound.buffers[jobs[0].bound.output],
                     jobs[1].bound.buffers[jobs[1].bound.output],
                     (size_t)cnnrt_num_elements(out) * sizeof(float));
  printf("two threads: %s\n", same ? "same outputs" : "different outputs");
  release(&jobs[0].bound);
  release(&jobs[1].bound);

  /* A memory limit the model cannot keep. */
  cnnrt_context *limited = NULL;
  cnnrt_context_options options = {CNNRT_ABI_VERSION, 1024, 0};
  bound_model bound;
  if (cnnrt_context_create(&options, &limited) != CNNRT_OK || bind(&lenet5_b4_model, &bound))
    return 1;
  cnnrt_status status = run(&bound, limited);
  printf("limited: %s: %s\n", cnnrt_status_string(status), cnnrt_context_message(limited));
  status = run(&bound, context);
  printf("unlimited after: %s, peak %s\n", cnnrt_status_string(status),
         cnnrt_context_peak_memory(context) > 1024 ? "above the limit" : "within the limit");
  release(&bound);
  cnnrt_context_destroy(limited);

  /* Another ABI version, as a stale header or library would have. */
  cnnrt_model stale = lenet5_model;
  stale.abi_version = CNNRT_ABI_VERSION + 1;
  printf("stale model: %s\n", cnnrt_status_string(cnnrt_check_model(&stale)));
  cnnrt_context_options staleOptions = {CNNRT_ABI_VERSION + 1, 0, 0};
  cnnrt_context *none = NULL;
  printf("stale context: %s\n",
         cnnrt_status_string(cnnrt_context_create(&staleOptions, &none)));
  printf("null context: %s\n", cnnrt_status_string(lenet5_forward(NULL, NULL)));
  cnnrt_context_destroy(context);
  return 0;
}
