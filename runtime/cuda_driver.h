/*===- cuda_driver.h - The part of NVIDIA's driver API the runtime uses --*- C -*-===*
 *
 * Internal to the runtime: declared here rather than taken from the CUDA
 * SDK, which building cnnc does not need. device.c loads these functions
 * with dlopen; a test's stand-in driver defines them.
 *
 *===----------------------------------------------------------------------===*/

#ifndef CNNRT_CUDA_DRIVER_H
#define CNNRT_CUDA_DRIVER_H

#include <stddef.h>

typedef int CUresult;
typedef int CUdevice;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef unsigned long long CUdeviceptr;

enum {
  CUDA_SUCCESS = 0,
  /* cuModuleLoadDataEx's options: where the PTX compiler writes its errors. */
  CU_JIT_ERROR_LOG_BUFFER = 5,
  CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
};

/* The versioned names (_v2) are the ones the current API's macros select. */
CUresult cuInit(unsigned flags);
CUresult cuDeviceGet(CUdevice *device, int ordinal);
CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice device);
CUresult cuCtxSetCurrent(CUcontext context);
CUresult cuModuleLoadDataEx(CUmodule *module, const void *image, unsigned count,
                            int *options, void **values);
CUresult cuModuleGetFunction(CUfunction *function, CUmodule module, const char *name);
CUresult cuLaunchKernel(CUfunction function, unsigned gridX, unsigned gridY, unsigned gridZ,
                        unsigned blockX, unsigned blockY, unsigned blockZ, unsigned sharedBytes,
                        CUstream stream, void **params, void **extra);
CUresult cuStreamCreate(CUstream *stream, unsigned flags);
CUresult cuStreamSynchronize(CUstream stream);
CUresult cuStreamDestroy_v2(CUstream stream);
CUresult cuMemAlloc_v2(CUdeviceptr *address, size_t size);
CUresult cuMemFree_v2(CUdeviceptr address);
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr device, const void *host, size_t size,
                              CUstream stream);
CUresult cuMemcpyDtoHAsync_v2(void *host, CUdeviceptr device, size_t size, CUstream stream);
CUresult cuGetErrorName(CUresult error, const char **name);

#endif /* CNNRT_CUDA_DRIVER_H */
