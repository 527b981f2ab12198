/* A stand-in for the NVIDIA driver (libcuda.so.1) where no GPU is: the
 * calls the runtime makes, with the driver's argument checks that matter
 * here, "device" memory in host memory, and kernels that do not run.
 *
 *   FAKE_CUDA_LOG=FILE   appends one line per call that moves data or runs
 *   FAKE_CUDA_FAIL=WHAT  fails: init (no device), load (the PTX does not
 *                        compile), alloc (out of memory), launch, sync (a
 *                        kernel launched before failed)
 *
 * A module must be PTX text, and a kernel is found only where the PTX has
 * its `.entry`: a model that launches a kernel its PTX lacks fails. */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_driver.h"

enum {
  CUDA_ERROR_INVALID_VALUE = 1,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_NO_DEVICE = 100,
  CUDA_ERROR_INVALID_PTX = 218,
  CUDA_ERROR_NOT_FOUND = 500,
  CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
  CUDA_ERROR_LAUNCH_FAILED = 719,
};

static int failing(const char *what) {
  const char *fail = getenv("FAKE_CUDA_FAIL");
  return fail && !strcmp(fail, what);
}

static void log_line(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *format, ...) {
  const char *path = getenv("FAKE_CUDA_LOG");
  if (!path)
    return;
  FILE *file = fopen(path, "a");
  if (!file)
    return;
  va_list args;
  va_start(args, format);
  vfprintf(file, format, args);
  va_end(args);
  fputc('\n', file);
  fclose(file);
}

CUresult cuGetErrorName(CUresult error, const char **name) {
  switch (error) {
  case CUDA_ERROR_INVALID_VALUE: *name = "CUDA_ERROR_INVALID_VALUE"; return 0;
  case CUDA_ERROR_OUT_OF_MEMORY: *name = "CUDA_ERROR_OUT_OF_MEMORY"; return 0;
  case CUDA_ERROR_NO_DEVICE: *name = "CUDA_ERROR_NO_DEVICE"; return 0;
  case CUDA_ERROR_INVALID_PTX: *name = "CUDA_ERROR_INVALID_PTX"; return 0;
  case CUDA_ERROR_NOT_FOUND: *name = "CUDA_ERROR_NOT_FOUND"; return 0;
  case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES: *name = "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"; return 0;
  case CUDA_ERROR_LAUNCH_FAILED: *name = "CUDA_ERROR_LAUNCH_FAILED"; return 0;
  }
  return CUDA_ERROR_INVALID_VALUE;
}

CUresult cuInit(unsigned flags) {
  return flags ? CUDA_ERROR_INVALID_VALUE : failing("init") ? CUDA_ERROR_NO_DEVICE : 0;
}
CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  *device = ordinal;
  return ordinal == 0 ? 0 : CUDA_ERROR_INVALID_VALUE;
}
static int context_object;
CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice device) {
  *context = (CUcontext)&context_object;
  return device == 0 ? 0 : CUDA_ERROR_INVALID_VALUE;
}
CUresult cuCtxSetCurrent(CUcontext context) {
  return (void *)context == &context_object ? 0 : CUDA_ERROR_INVALID_VALUE;
}

CUresult cuModuleLoadDataEx(CUmodule *module, const void *image, unsigned count, int *options,
                            void **values) {
  const char *text = image;
  char *log = NULL;
  size_t size = 0;
  for (unsigned i = 0; i < count; ++i) {
    if (options[i] == CU_JIT_ERROR_LOG_BUFFER)
      log = values[i];
    if (options[i] == CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES)
      size = (size_t)(uintptr_t)values[i];
  }
  if (failing("load") || strncmp(text, "//", 2) || !strstr(text, ".version") ||
      !strstr(text, ".target sm_")) {
    if (log && size)
      snprintf(log, size, "ptxas fatal   : the fake driver refused the module");
    return CUDA_ERROR_INVALID_PTX;
  }
  int kernels = 0;
  for (const char *at = strstr(text, ".entry "); at; at = strstr(at + 1, ".entry "))
    ++kernels;
  log_line("load %d kernels", kernels);
  *module = (CUmodule)image;
  return 0;
}

CUresult cuModuleGetFunction(CUfunction *function, CUmodule module, const char *name) {
  char entry[256];
  snprintf(entry, sizeof entry, ".entry %s(", name);
  if (!strstr((const char *)module, entry))
    return CUDA_ERROR_NOT_FOUND;
  *function = (CUfunction)name;
  return 0;
}

static int launches;

CUresult cuLaunchKernel(CUfunction function, unsigned gridX, unsigned gridY, unsigned gridZ,
                        unsigned blockX, unsigned blockY, unsigned blockZ, unsigned shared,
                        CUstream stream, void **params, void **extra) {
  (void)shared, (void)stream, (void)extra;
  if (!gridX || !gridY || !gridZ || !blockX || !blockY || !blockZ ||
      (uint64_t)blockX * blockY * blockZ > 1024 || blockZ > 64 || gridY > 65535 ||
      gridZ > 65535 || !params)
    return CUDA_ERROR_INVALID_VALUE;
  if (failing("launch"))
    return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
  ++launches;
  log_line("launch %s grid %u %u %u block %u %u %u", (const char *)function, gridX, gridY,
           gridZ, blockX, blockY, blockZ);
  return 0;
}

static int stream_object;
CUresult cuStreamCreate(CUstream *stream, unsigned flags) {
  (void)flags;
  *stream = (CUstream)&stream_object;
  return 0;
}
CUresult cuStreamSynchronize(CUstream stream) {
  if ((void *)stream != &stream_object)
    return CUDA_ERROR_INVALID_VALUE;
  return failing("sync") && launches ? CUDA_ERROR_LAUNCH_FAILED : 0;
}
CUresult cuStreamDestroy_v2(CUstream stream) {
  return (void *)stream == &stream_object ? 0 : CUDA_ERROR_INVALID_VALUE;
}

CUresult cuMemAlloc_v2(CUdeviceptr *address, size_t size) {
  if (!size)
    return CUDA_ERROR_INVALID_VALUE;
  if (failing("alloc"))
    return CUDA_ERROR_OUT_OF_MEMORY;
  void *memory = aligned_alloc(256, (size + 255) / 256 * 256);
  if (!memory)
    return CUDA_ERROR_OUT_OF_MEMORY;
  *address = (uintptr_t)memory;
  log_line("alloc %zu", size);
  return 0;
}
CUresult cuMemFree_v2(CUdeviceptr address) {
  free((void *)(uintptr_t)address);
  return 0;
}
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr device, const void *host, size_t size,
                              CUstream stream) {
  (void)stream;
  memcpy((void *)(uintptr_t)device, host, size);
  log_line("to device %zu", size);
  return 0;
}
CUresult cuMemcpyDtoHAsync_v2(void *host, CUdeviceptr device, size_t size,
                              CUstream stream) {
  (void)stream;
  memcpy(host, (const void *)(uintptr_t)device, size);
  log_line("to host %zu", size);
  return 0;
}
