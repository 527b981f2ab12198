/*===- device.c - Running a model's kernels on an NVIDIA GPU ------------===*
 *
 * The host side of a model compiled for the GPU calls the functions that
 * MLIR's GPU lowering emits: mgpuModuleLoadJIT from a constructor, then
 * mgpuModuleGetFunction, mgpuStreamCreate and mgpuLaunchKernel for each
 * launch. They are defined here over the CUDA driver API, which is loaded
 * with dlopen when a context first runs on the GPU: building cnnc needs no
 * CUDA SDK, a compiled model no CUDA toolkit, and a machine without a
 * driver gets one message instead of a loader error.
 *
 * Everything runs inside cnnrt_invoke, so a failure of the driver unwinds
 * the call with a status and a message as a failed allocation does. The
 * kernels of a call run in order on the context's one stream; the call
 * waits for them once, at its end (and after each layer when profiling).
 *
 *===----------------------------------------------------------------------===*/

#include "cnnrt.h"
#include "context_internal.h"
#include "cuda_driver.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*--- The driver, loaded -----------------------------------------------===*/

static struct {
  __typeof__(cuInit) *init;
  __typeof__(cuDeviceGet) *deviceGet;
  __typeof__(cuDevicePrimaryCtxRetain) *primaryCtxRetain;
  __typeof__(cuCtxSetCurrent) *ctxSetCurrent;
  __typeof__(cuModuleLoadDataEx) *moduleLoadDataEx;
  __typeof__(cuModuleGetFunction) *moduleGetFunction;
  __typeof__(cuLaunchKernel) *launchKernel;
  __typeof__(cuStreamCreate) *streamCreate;
  __typeof__(cuStreamSynchronize) *streamSynchronize;
  __typeof__(cuStreamDestroy_v2) *streamDestroy;
  __typeof__(cuMemAlloc_v2) *memAlloc;
  __typeof__(cuMemFree_v2) *memFree;
  __typeof__(cuMemcpyHtoDAsync_v2) *memcpyHtoDAsync;
  __typeof__(cuMemcpyDtoHAsync_v2) *memcpyDtoHAsync;
  __typeof__(cuGetErrorName) *getErrorName;
} cu;

static CUcontext primary_context;
/* Why the GPU cannot be used ("" when it can), set once per process. */
static char driver_error[512];
static pthread_once_t driver_once = PTHREAD_ONCE_INIT;

static const char *error_name(CUresult result) {
  static _Thread_local char unknown[32];
  const char *name = NULL;
  if (cu.getErrorName && cu.getErrorName(result, &name) == CUDA_SUCCESS && name)
    return name;
  snprintf(unknown, sizeof unknown, "CUDA error %d", result);
  return unknown;
}

static void load_driver(void) {
  const char *path = getenv("CNNRT_CUDA_DRIVER");
  if (!path || !*path)
    path = "libcuda.so.1";
  void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    snprintf(driver_error, sizeof driver_error, "no NVIDIA GPU driver (%s not found)", path);
    return;
  }
  const struct {
    const char *name;
    void **function;
  } symbols[] = {
      {"cuInit", (void **)&cu.init},
      {"cuDeviceGet", (void **)&cu.deviceGet},
      {"cuDevicePrimaryCtxRetain", (void **)&cu.primaryCtxRetain},
      {"cuCtxSetCurrent", (void **)&cu.ctxSetCurrent},
      {"cuModuleLoadDataEx", (void **)&cu.moduleLoadDataEx},
      {"cuModuleGetFunction", (void **)&cu.moduleGetFunction},
      {"cuLaunchKernel", (void **)&cu.launchKernel},
      {"cuStreamCreate", (void **)&cu.streamCreate},
      {"cuStreamSynchronize", (void **)&cu.streamSynchronize},
      {"cuStreamDestroy_v2", (void **)&cu.streamDestroy},
      {"cuMemAlloc_v2", (void **)&cu.memAlloc},
      {"cuMemFree_v2", (void **)&cu.memFree},
      {"cuMemcpyHtoDAsync_v2", (void **)&cu.memcpyHtoDAsync},
      {"cuMemcpyDtoHAsync_v2", (void **)&cu.memcpyDtoHAsync},
      {"cuGetErrorName", (void **)&cu.getErrorName},
  };
  for (size_t i = 0; i < sizeof symbols / sizeof *symbols; ++i) {
    *symbols[i].function = dlsym(library, symbols[i].name);
    if (!*symbols[i].function) {
      snprintf(driver_error, sizeof driver_error,
               "the NVIDIA GPU driver %s has no function %s (too old a driver)", path,
               symbols[i].name);
      return;
    }
  }
  CUresult result = cu.init(0);
  CUdevice device = 0;
  if (result == CUDA_SUCCESS)
    result = cu.deviceGet(&device, 0);
  if (result == CUDA_SUCCESS)
    result = cu.primaryCtxRetain(&primary_context, device);
  if (result != CUDA_SUCCESS)
    snprintf(driver_error, sizeof driver_error,
             "the NVIDIA GPU driver found no GPU to run on (%s)", error_name(result));
}

/*--- A context's state on the GPU --------------------------------------===*/

typedef struct device_block {
  CUdeviceptr address;
  uint64_t size;
  struct device_block *next;
} device_block;

struct cnnrt_device {
  int active; /* a call is running on the GPU */
  CUstream stream;
  const cnnrt_model *model; /* whose tensors `tensors` holds */
  CUdeviceptr *tensors;     /* each tensor of the model's table, or 0 */
  /* The host buffer each parameter and buffer was last copied from. */
  const float **uploaded_from;
  float **table; /* the tensors as the body's buffers */
  device_block *live, *spare; /* the call's intermediate tensors; kept ones */
  const char *kernel;         /* the last kernel launched, for messages */
};

static void free_blocks(device_block *block) {
  while (block) {
    device_block *next = block->next;
    cu.memFree(block->address);
    free(block);
    block = next;
  }
}

static void free_tensors(struct cnnrt_device *device) {
  for (int32_t i = 0; device->model && i < device->model->num_tensors; ++i)
    if (device->tensors[i])
      cu.memFree(device->tensors[i]);
  free(device->tensors);
  free(device->uploaded_from);
  free(device->table);
  device->tensors = NULL;
  device->uploaded_from = NULL;
  device->table = NULL;
  device->model = NULL;
}

void cnnrt_device_destroy(struct cnnrt_device *device) {
  if (!device)
    return;
  cu.ctxSetCurrent(primary_context);
  free_blocks(device->live);
  free_blocks(device->spare);
  free_tensors(device);
  if (device->stream)
    cu.streamDestroy(device->stream);
  free(device);
}

int cnnrt_device_active(const struct cnnrt_device *device) {
  return device && device->active;
}

void cnnrt_device_end_call(struct cnnrt_device *device, int keep) {
  device->active = 0;
  while (device->live) {
    device_block *block = device->live;
    device->live = block->next;
    block->next = device->spare;
    device->spare = block;
  }
  if (!keep) {
    free_blocks(device->spare);
    device->spare = NULL;
  }
}

static void check(cnnrt_context *context, CUresult result, const char *what) {
  if (result == CUDA_SUCCESS)
    return;
  /* The driver reports a kernel's failure at a later call. */
  const char *kernel = (*cnnrt_context_device(context))->kernel;
  if (kernel)
    cnnrt_unwind(context, CNNRT_ERROR_DEVICE, "%s (%s; the last kernel launched was %s)",
                 what, error_name(result), kernel);
  cnnrt_unwind(context, CNNRT_ERROR_DEVICE, "%s (%s)", what, error_name(result));
}

/* The running call's context, which must be on the GPU. */
static cnnrt_context *device_call(const char *what) {
  cnnrt_context *context = cnnrt_current_context();
  if (!context || !cnnrt_device_active(*cnnrt_context_device(context))) {
    fprintf(stderr, "cnnrt: a model %s outside cnnrt_device_invoke\n", what);
    abort();
  }
  return context;
}

void cnnrt_device_synchronize(cnnrt_context *context) {
  struct cnnrt_device *device = *cnnrt_context_device(context);
  check(context, cu.streamSynchronize(device->stream), "a kernel of the model failed on the GPU");
}

void cnnrt_device_read(cnnrt_context *context, int64_t address, int64_t count,
                       float *host) {
  struct cnnrt_device *device = *cnnrt_context_device(context);
  check(context,
        cu.memcpyDtoHAsync(host, (CUdeviceptr)address, (size_t)count * sizeof(float),
                           device->stream),
        "cannot copy a layer's output from the GPU");
  cnnrt_device_synchronize(context);
}

/*--- The calls of generated code ---------------------------------------===*/

void *cnnrt_device_aligned_alloc(uint64_t alignment, uint64_t size) {
  cnnrt_context *context = device_call("allocated GPU memory");
  struct cnnrt_device *device = *cnnrt_context_device(context);
  /* The driver aligns every block to 256 bytes; more is over-allocated. */
  uint64_t padded = alignment > 256 ? size + alignment : size;
  cnnrt_count_memory(context, (int64_t)padded);
  device_block *block = NULL;
  for (device_block **link = &device->spare; *link; link = &(*link)->next)
    if ((*link)->size == padded) {
      block = *link;
      *link = block->next;
      break;
    }
  if (!block) {
    block = malloc(sizeof *block);
    if (!block)
      cnnrt_unwind(context, CNNRT_ERROR_OUT_OF_MEMORY, "out of memory");
    block->size = padded;
    CUresult result = cu.memAlloc(&block->address, padded ? padded : 1);
    if (result != CUDA_SUCCESS && device->spare) {
      free_blocks(device->spare);
      device->spare = NULL;
      result = cu.memAlloc(&block->address, padded ? padded : 1);
    }
    if (result != CUDA_SUCCESS) {
      free(block);
      cnnrt_unwind(context, CNNRT_ERROR_OUT_OF_MEMORY,
                   "out of GPU memory: the model needs %llu more bytes (%s)",
                   (unsigned long long)size, error_name(result));
    }
  }
  block->next = device->live;
  device->live = block;
  CUdeviceptr aligned = block->address;
  if (alignment > 256)
    aligned = (aligned + alignment - 1) & ~(CUdeviceptr)(alignment - 1);
  return (void *)(uintptr_t)aligned;
}

void *cnnrt_device_alloc(uint64_t size) { return cnnrt_device_aligned_alloc(256, size); }

void cnnrt_device_free(void *pointer) {
  if (!pointer)
    return;
  cnnrt_context *context = device_call("freed GPU memory");
  struct cnnrt_device *device = *cnnrt_context_device(context);
  CUdeviceptr address = (CUdeviceptr)(uintptr_t)pointer;
  for (device_block **link = &device->live; *link; link = &(*link)->next) {
    device_block *block = *link;
    if (address < block->address || address >= block->address + (block->size ? block->size : 1))
      continue;
    /* Later kernels on the stream may reuse it: they run after the ones
     * that read it. */
    *link = block->next;
    block->next = device->spare;
    device->spare = block;
    cnnrt_count_memory(context, -(int64_t)block->size);
    return;
  }
}

/* A module of kernels as the constructor registers it: loaded into the
 * GPU's context at its first launch, since a program starts before it
 * knows whether it will use the GPU. */
typedef struct {
  const void *image;
  CUmodule module;
} kernel_module;

static pthread_mutex_t module_lock = PTHREAD_MUTEX_INITIALIZER;

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  (void)optLevel;
  kernel_module *module = calloc(1, sizeof *module);
  if (module)
    module->image = data;
  return module;
}

/* At exit: the driver releases what a process loaded, and may already be
 * shut down, so the module is only forgotten. */
void mgpuModuleUnload(void *module) { free(module); }

void *mgpuModuleGetFunction(void *handle, const char *name) {
  cnnrt_context *context = device_call("looked up a GPU kernel");
  kernel_module *module = handle;
  if (!module)
    cnnrt_unwind(context, CNNRT_ERROR_OUT_OF_MEMORY,
                 "out of memory: the model's kernels could not be registered");
  pthread_mutex_lock(&module_lock);
  CUresult result = CUDA_SUCCESS;
  char log[2048] = "";
  if (!module->module) {
    int options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void *values[] = {log, (void *)(uintptr_t)sizeof log};
    result = cu.moduleLoadDataEx(&module->module, module->image, 2, options, values);
    if (result != CUDA_SUCCESS)
      module->module = NULL;
  }
  pthread_mutex_unlock(&module_lock);
  if (result != CUDA_SUCCESS) {
    log[sizeof log - 1] = '\0';
    cnnrt_unwind(context, CNNRT_ERROR_DEVICE, "the GPU cannot load the model's kernels (%s)%s%s",
                 error_name(result), log[0] ? ": " : "", log);
  }
  CUfunction function = NULL;
  result = cu.moduleGetFunction(&function, module->module, name);
  if (result != CUDA_SUCCESS)
    cnnrt_unwind(context, CNNRT_ERROR_DEVICE, "the model's kernels have no kernel %s (%s)",
                 name, error_name(result));
  (*cnnrt_context_device(context))->kernel = name;
  return function;
}

void *mgpuStreamCreate(void) {
  cnnrt_context *context = device_call("made a GPU stream");
  return (*cnnrt_context_device(context))->stream;
}

/* The lowering brackets each launch with these; the call's stream is the
 * context's, and the call waits for it once, at its end. */
void mgpuStreamSynchronize(void *stream) { (void)stream; }
void mgpuStreamDestroy(void *stream) { (void)stream; }

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                      intptr_t blockX, intptr_t blockY, intptr_t blockZ,
                      int32_t sharedBytes, void *stream, void **params, void **extra,
                      size_t paramsCount) {
  (void)paramsCount;
  cnnrt_context *context = device_call("launched a GPU kernel");
  struct cnnrt_device *device = *cnnrt_context_device(context);
  CUresult result = cu.launchKernel((CUfunction)function, (unsigned)gridX, (unsigned)gridY,
                                    (unsigned)gridZ, (unsigned)blockX, (unsigned)blockY,
                                    (unsigned)blockZ, (unsigned)sharedBytes,
                                    (CUstream)stream, params, extra);
  if (result != CUDA_SUCCESS)
    cnnrt_unwind(context, CNNRT_ERROR_DEVICE,
                 "the GPU cannot launch kernel %s (%s) of %lld x %lld x %lld blocks of "
                 "%lld x %lld x %lld threads",
                 device->kernel, error_name(result), (long long)gridX, (long long)gridY,
                 (long long)gridZ, (long long)blockX, (long long)blockY, (long long)blockZ);
}

/*--- Calls on the GPU --------------------------------------------------===*/

static _Thread_local struct {
  void (*body)(float *const *);
  const cnnrt_model *model;
  int32_t forward;
} pending;

/* The context's state for `model`: its stream, and a buffer on the GPU for
 * each tensor of the table (made again for another model). */
static struct cnnrt_device *device_for(cnnrt_context *context, const cnnrt_model *model) {
  struct cnnrt_device **slot = cnnrt_context_device(context);
  if (!*slot) {
    *slot = calloc(1, sizeof **slot);
    if (!*slot)
      cnnrt_unwind(context, CNNRT_ERROR_OUT_OF_MEMORY, "out of memory");
    check(context, cu.streamCreate(&(*slot)->stream, 0), "cannot make a stream on the GPU");
  }
  struct cnnrt_device *device = *slot;
  if (device->model != model) {
    free_tensors(device);
    size_t count = (size_t)model->num_tensors;
    device->tensors = calloc(count ? count : 1, sizeof *device->tensors);
    device->uploaded_from = calloc(count ? count : 1, sizeof *device->uploaded_from);
    device->table = calloc(count ? count : 1, sizeof *device->table);
    if (!device->tensors || !device->uploaded_from || !device->table) {
      free_tensors(device);
      cnnrt_unwind(context, CNNRT_ERROR_OUT_OF_MEMORY, "out of memory");
    }
    device->model = model;
  }
  return device;
}

static void device_body(float *const *buffers) {
  cnnrt_context *context = cnnrt_current_context();
  pthread_once(&driver_once, load_driver);
  if (driver_error[0])
    cnnrt_unwind(context, CNNRT_ERROR_DEVICE, "%s", driver_error);
  if (cu.ctxSetCurrent(primary_context) != CUDA_SUCCESS)
    cnnrt_unwind(context, CNNRT_ERROR_DEVICE, "cannot use the GPU's context");
  const cnnrt_model *model = pending.model;
  struct cnnrt_device *device = device_for(context, model);
  device->kernel = NULL;
  device->active = 1;
  for (int32_t i = 0; i < model->num_tensors; ++i) {
    const cnnrt_tensor *tensor = &model->tensors[i];
    size_t bytes = (size_t)cnnrt_num_elements(tensor) * sizeof(float);
    if (!device->tensors[i]) {
      CUresult result = cu.memAlloc(&device->tensors[i], bytes ? bytes : 1);
      if (result != CUDA_SUCCESS) {
        device->tensors[i] = 0;
        cnnrt_unwind(context, CNNRT_ERROR_OUT_OF_MEMORY,
                     "out of GPU memory: %llu bytes for tensor '%s' (%s)",
                     (unsigned long long)bytes, tensor->name, error_name(result));
      }
    }
    int weight = tensor->role == CNNRT_PARAM || tensor->role == CNNRT_BUFFER;
    int copy = weight ? !pending.forward || device->uploaded_from[i] != buffers[i]
                      : tensor->role == CNNRT_INPUT && pending.forward;
    if (copy) {
      if (!buffers[i])
        cnnrt_unwind(context, CNNRT_ERROR_INVALID_ARGUMENT, "the buffer of tensor '%s' is NULL",
                     tensor->name);
      check(context, cu.memcpyHtoDAsync(device->tensors[i], buffers[i], bytes, device->stream),
            "cannot copy a tensor to the GPU");
      if (weight)
        device->uploaded_from[i] = buffers[i];
    }
    device->table[i] = (float *)(uintptr_t)device->tensors[i];
  }
  pending.body(device->table);
  cnnrt_device_synchronize(context);
  if (!pending.forward)
    return;
  for (int32_t i = 0; i < model->num_tensors; ++i) {
    const cnnrt_tensor *tensor = &model->tensors[i];
    if (tensor->role != CNNRT_OUTPUT)
      continue;
    if (!buffers[i])
      cnnrt_unwind(context, CNNRT_ERROR_INVALID_ARGUMENT, "the buffer of tensor '%s' is NULL",
                   tensor->name);
    check(context,
          cu.memcpyDtoHAsync(buffers[i], device->tensors[i],
                             (size_t)cnnrt_num_elements(tensor) * sizeof(float),
                             device->stream),
          "cannot copy an output from the GPU");
  }
  cnnrt_device_synchronize(context);
}

cnnrt_status cnnrt_device_invoke(cnnrt_context *context,
                                 void (*body)(float *const *buffers),
                                 float *const *buffers, const cnnrt_model *model,
                                 int32_t forward) {
  if (!model)
    return CNNRT_ERROR_INVALID_ARGUMENT;
  __typeof__(pending) outer = pending;
  pending.body = body;
  pending.model = model;
  pending.forward = forward;
  cnnrt_status status = cnnrt_invoke(context, device_body, buffers);
  pending = outer;
  return status;
}
