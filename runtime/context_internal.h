/*===- context_internal.h - What the runtime's parts share of a call --*- C -*-===*
 *
 * Internal to the runtime: device.c runs a call's kernels on the GPU inside
 * cnnrt_invoke, and needs the context of the running call, its unwinding
 * and its accounting of intermediate memory.
 *
 *===----------------------------------------------------------------------===*/

#ifndef CNNRT_CONTEXT_INTERNAL_H
#define CNNRT_CONTEXT_INTERNAL_H

#include "cnnrt.h"

/* The context of the call running on this thread, or NULL. */
cnnrt_context *cnnrt_current_context(void);

/* Ends the running call of `context` with `status` and a message. */
_Noreturn void cnnrt_unwind(cnnrt_context *context, cnnrt_status status,
                            const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Counts `size` more bytes of intermediate memory against the context's
 * limit (unwinding with CNNRT_ERROR_OUT_OF_MEMORY past it); a negative size
 * releases them. */
void cnnrt_count_memory(cnnrt_context *context, int64_t size);

/* The GPU state of a context (NULL until its first call on the GPU), owned
 * by device.c. */
struct cnnrt_device;
struct cnnrt_device **cnnrt_context_device(cnnrt_context *context);

/* device.c: whether the running call of `context` computes on the GPU;
 * waits for its kernels; copies `count` floats at device `address` to
 * `host`; ends a call (its blocks become spare, or are freed when it
 * failed); releases everything. */
int cnnrt_device_active(const struct cnnrt_device *device);
void cnnrt_device_synchronize(cnnrt_context *context);
void cnnrt_device_read(cnnrt_context *context, int64_t address, int64_t count,
                       float *host);
void cnnrt_device_end_call(struct cnnrt_device *device, int keep);
void cnnrt_device_destroy(struct cnnrt_device *device);

#endif /* CNNRT_CONTEXT_INTERNAL_H */
