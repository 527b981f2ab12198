/*===- context.c - Contexts, statuses and the model's allocations -------===*
 *
 * A compiled entry point runs its body through cnnrt_invoke, which makes
 * the context current for the calling thread and sets an unwinding point.
 * Every allocation of the body goes through cnnrt_aligned_alloc: it counts
 * the bytes against the context's limit and keeps each block on the
 * context's list. When an allocation fails, the runtime jumps back to
 * cnnrt_invoke, which frees every block the call still holds and returns
 * CNNRT_ERROR_OUT_OF_MEMORY: the generated code never sees a null pointer,
 * and the caller gets a status instead of a signal.
 *
 * A released block stays with the context, and the next allocation of the
 * same size and alignment takes it again: a model allocates the same
 * buffers on every call, so from the second call on a call costs no trip to
 * the system (and no page faults on fresh memory).
 *
 *===----------------------------------------------------------------------===*/

#include "cnnrt.h"
#include "context_internal.h"
#include "profile.h"
#include "thread_pool.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Lies just before each block the model gets; the block is 64-byte aligned
 * (a cache line, and the widest vector) or more when asked. */
typedef struct allocation {
  struct allocation *previous, *next;
  void *raw;
  uint64_t size, alignment;
} allocation;

struct cnnrt_context {
  uint64_t memory_limit;
  int32_t check_numerics;
  int32_t num_threads;
  int32_t profile;
  cnnrt_profile_table profile_table;
  cnnrt_thread_pool *pool; /* made at the first parallel loop */
  int32_t pool_tried;
  cnnrt_status unwind_status; /* why the call unwound */
  uint64_t in_use, peak;
  allocation *live;
  allocation *spare; /* released blocks kept for reuse (singly linked) */
  uint64_t spare_bytes;
  struct cnnrt_device *device; /* device.c's, for calls on the GPU */
  atomic_flag busy;
  jmp_buf unwind;
  char message[512];
};

/* The context of the call running on this thread. */
static _Thread_local cnnrt_context *current;

const char *cnnrt_status_string(cnnrt_status status) {
  switch (status) {
  case CNNRT_OK: return "ok";
  case CNNRT_ERROR_INVALID_ARGUMENT: return "invalid argument";
  case CNNRT_ERROR_OUT_OF_MEMORY: return "out of memory";
  case CNNRT_ERROR_ABI_MISMATCH: return "ABI version mismatch";
  case CNNRT_ERROR_BUSY: return "context busy";
  case CNNRT_ERROR_NOT_FINITE: return "not finite";
  case CNNRT_ERROR_DEVICE: return "device error";
  }
  return "unknown status";
}

cnnrt_status cnnrt_context_create(const cnnrt_context_options *options,
                                  cnnrt_context **context) {
  if (!context)
    return CNNRT_ERROR_INVALID_ARGUMENT;
  *context = NULL;
  if (options && options->abi_version != CNNRT_ABI_VERSION)
    return CNNRT_ERROR_ABI_MISMATCH;
  cnnrt_context *made = calloc(1, sizeof *made);
  if (!made)
    return CNNRT_ERROR_OUT_OF_MEMORY;
  made->memory_limit = options ? options->memory_limit : 0;
  made->check_numerics = options ? options->check_numerics : 0;
  made->num_threads = options ? options->num_threads : 0;
  made->profile = options ? options->profile : 0;
  if (made->num_threads < 0) {
    free(made);
    return CNNRT_ERROR_INVALID_ARGUMENT;
  }
  atomic_flag_clear(&made->busy);
  *context = made;
  return CNNRT_OK;
}

static void free_spare(cnnrt_context *context) {
  while (context->spare) {
    allocation *block = context->spare;
    context->spare = block->next;
    free(block->raw);
  }
  context->spare_bytes = 0;
}

/* Ends a call: its blocks become spare, or are freed when it failed. */
static void release_all(cnnrt_context *context, int keep) {
  while (context->live) {
    allocation *block = context->live;
    context->live = block->next;
    if (keep) {
      block->next = context->spare;
      context->spare = block;
      context->spare_bytes += block->size;
    } else {
      free(block->raw);
    }
  }
  context->in_use = 0;
  if (!keep)
    free_spare(context);
}

void cnnrt_context_destroy(cnnrt_context *context) {
  if (!context)
    return;
  release_all(context, 0);
  cnnrt_device_destroy(context->device);
  cnnrt_thread_pool_destroy(context->pool);
  cnnrt_profile_free(&context->profile_table);
  free(context);
}

/* The cores this process may run on. */
static int32_t available_cores(void) {
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? (int32_t)online : 1;
}

void cnnrt_parallel_for(void (*body)(int64_t, int64_t, void **), void **arguments,
                        int64_t count) {
  cnnrt_context *context = current;
  if (context && !context->pool_tried) {
    /* Without threads (none could start) the loop runs on the caller. */
    context->pool_tried = 1;
    int32_t threads = context->num_threads ? context->num_threads : available_cores();
    context->pool = cnnrt_thread_pool_create(threads);
  }
  cnnrt_thread_pool_run(context ? context->pool : NULL, body, arguments, count);
}

const char *cnnrt_context_message(const cnnrt_context *context) {
  return context ? context->message : "no context";
}

uint64_t cnnrt_context_peak_memory(const cnnrt_context *context) {
  return context ? context->peak : 0;
}

cnnrt_status cnnrt_check_model(const cnnrt_model *model) {
  if (!model)
    return CNNRT_ERROR_INVALID_ARGUMENT;
  return model->abi_version == CNNRT_ABI_VERSION ? CNNRT_OK
                                                 : CNNRT_ERROR_ABI_MISMATCH;
}

const cnnrt_entry_point *cnnrt_find_entry_point(const cnnrt_model *model,
                                                const char *name) {
  for (int32_t i = 0; model && name && i < model->num_entry_points; ++i)
    if (!strcmp(model->entry_points[i].name, name))
      return &model->entry_points[i];
  return NULL;
}

cnnrt_status cnnrt_invoke(cnnrt_context *context,
                          void (*body)(float *const *buffers),
                          float *const *buffers) {
  if (!context)
    return CNNRT_ERROR_INVALID_ARGUMENT;
  if (atomic_flag_test_and_set(&context->busy))
    return CNNRT_ERROR_BUSY; /* its message belongs to the running call */
  cnnrt_status status = CNNRT_OK;
  context->message[0] = '\0';
  context->peak = 0;
  if (!buffers) {
    snprintf(context->message, sizeof context->message,
             "the list of buffers is NULL");
    status = CNNRT_ERROR_INVALID_ARGUMENT;
  } else {
    cnnrt_context *outer = current;
    current = context;
    if (context->profile)
      cnnrt_profile_start(&context->profile_table);
    if (setjmp(context->unwind) == 0)
      body(buffers);
    else
      status = context->unwind_status;
    current = outer;
    /* A model's buffers live for one call; a successful call leaves them
     * for the next. */
    release_all(context, status == CNNRT_OK);
    if (context->device)
      cnnrt_device_end_call(context->device, status == CNNRT_OK);
  }
  atomic_flag_clear(&context->busy);
  return status;
}

cnnrt_context *cnnrt_current_context(void) { return current; }

struct cnnrt_device **cnnrt_context_device(cnnrt_context *context) {
  return &context->device;
}

void cnnrt_unwind(cnnrt_context *context, cnnrt_status status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(context->message, sizeof context->message, format, args);
  va_end(args);
  context->unwind_status = status;
  longjmp(context->unwind, 1);
}

static _Noreturn void out_of_memory(cnnrt_context *context, uint64_t size) {
  if (context->memory_limit)
    cnnrt_unwind(context, CNNRT_ERROR_OUT_OF_MEMORY,
                 "out of memory: the model needs %llu more bytes with %llu in use, "
                 "over the context's limit of %llu bytes",
                 (unsigned long long)size, (unsigned long long)context->in_use,
                 (unsigned long long)context->memory_limit);
  cnnrt_unwind(context, CNNRT_ERROR_OUT_OF_MEMORY,
               "out of memory: the system refused %llu more bytes with %llu in use",
               (unsigned long long)size, (unsigned long long)context->in_use);
}

void cnnrt_count_memory(cnnrt_context *context, int64_t size) {
  if (size > 0 && context->memory_limit &&
      (uint64_t)size > context->memory_limit - context->in_use)
    out_of_memory(context, (uint64_t)size);
  context->in_use += (uint64_t)size;
  if (context->in_use > context->peak)
    context->peak = context->in_use;
}

void cnnrt_check_finite(int64_t address, int64_t count, const char *layer) {
  cnnrt_context *context = current;
  if (!context || !context->check_numerics)
    return;
  const float *data = (const float *)(uintptr_t)address;
  float *copy = NULL;
  if (cnnrt_device_active(context->device)) {
    /* The layer's output is in the GPU's memory. */
    copy = malloc(sizeof *copy * (size_t)count);
    if (!copy)
      out_of_memory(context, sizeof *copy * (uint64_t)count);
    cnnrt_device_read(context, address, count, copy);
    data = copy;
  }
  for (int64_t i = 0; i < count; ++i) {
    if (isfinite(data[i]))
      continue;
    const char *value = isnan(data[i]) ? "NaN" : data[i] > 0 ? "+inf" : "-inf";
    free(copy);
    cnnrt_unwind(context, CNNRT_ERROR_NOT_FINITE,
                 "layer '%s' computed %s (element %lld of its output); the layers before "
                 "it computed only finite values",
                 layer, value, (long long)i);
  }
  free(copy);
}

void cnnrt_profile_layer(const char *layer, int64_t multiply_adds) {
  cnnrt_context *context = current;
  if (!context || !context->profile)
    return;
  /* A layer on the GPU is done when its kernels are. */
  if (cnnrt_device_active(context->device))
    cnnrt_device_synchronize(context);
  cnnrt_profile_record(&context->profile_table, layer, multiply_adds);
}

int32_t cnnrt_context_profile(const cnnrt_context *context,
                              const cnnrt_layer_profile **layers) {
  if (layers)
    *layers = context ? context->profile_table.layers : NULL;
  return context ? context->profile_table.count : 0;
}

void *cnnrt_aligned_alloc(uint64_t alignment, uint64_t size) {
  uint64_t align = 64;
  while (align < alignment && align < ((uint64_t)1 << 62))
    align <<= 1;
  cnnrt_context *context = current;
  uint64_t overhead = align + sizeof(allocation);
  int too_big = size > UINT64_MAX - overhead || size + overhead > (uint64_t)SIZE_MAX;
  if (!context) {
    /* Generated code allocates only inside cnnrt_invoke. */
    fputs("cnnrt: a model allocated memory outside cnnrt_invoke\n", stderr);
    abort();
  }
  if (too_big ||
      (context->memory_limit && size > context->memory_limit - context->in_use))
    out_of_memory(context, size);
  allocation *block = NULL;
  for (allocation **link = &context->spare; *link; link = &(*link)->next)
    if ((*link)->size == size && (*link)->alignment == align) {
      block = *link;
      *link = block->next;
      context->spare_bytes -= size;
      break;
    }
  if (!block) {
    /* Spare blocks of other sizes go before the limit or the system says
     * no. */
    if (context->memory_limit &&
        context->spare_bytes > context->memory_limit - context->in_use - size)
      free_spare(context);
    void *raw = malloc((size_t)(size + overhead));
    if (!raw && context->spare) {
      free_spare(context);
      raw = malloc((size_t)(size + overhead));
    }
    if (!raw)
      out_of_memory(context, size);
    uintptr_t user =
        ((uintptr_t)raw + sizeof(allocation) + align - 1) & ~(uintptr_t)(align - 1);
    block = (allocation *)user - 1;
    block->raw = raw;
    block->size = size;
    block->alignment = align;
  }
  block->previous = NULL;
  block->next = context->live;
  if (context->live)
    context->live->previous = block;
  context->live = block;
  context->in_use += size;
  if (context->in_use > context->peak)
    context->peak = context->in_use;
  return block + 1;
}

void *cnnrt_alloc(uint64_t size) { return cnnrt_aligned_alloc(64, size); }

void cnnrt_free(void *pointer) {
  if (!pointer)
    return;
  allocation *block = (allocation *)pointer - 1;
  cnnrt_context *context = current;
  if (context && (block->previous || block->next || context->live == block)) {
    if (block->previous)
      block->previous->next = block->next;
    else
      context->live = block->next;
    if (block->next)
      block->next->previous = block->previous;
    context->in_use -= block->size;
    block->next = context->spare;
    context->spare = block;
    context->spare_bytes += block->size;
    return;
  }
  free(block->raw);
}
