/*===- thread_pool.h - The worker threads of a context ----------*- C -*-===*
 *
 * Internal to the runtime: a context owns one pool, made at its first
 * parallel loop, so that a model's tiles run on the threads the caller
 * asked for and the threads live as long as the context.
 *
 *===----------------------------------------------------------------------===*/

#ifndef CNNRT_THREAD_POOL_H
#define CNNRT_THREAD_POOL_H

#include <stdint.h>

typedef struct cnnrt_thread_pool cnnrt_thread_pool;

typedef void (*cnnrt_tile_range_function)(int64_t begin, int64_t end,
                                          void **arguments);

/* A pool of `threads` - 1 workers (the calling thread is the last one), or
 * NULL when no thread could be started. */
cnnrt_thread_pool *cnnrt_thread_pool_create(int32_t threads);
void cnnrt_thread_pool_destroy(cnnrt_thread_pool *pool);
/* Runs body(begin, end, arguments) over [0, count) split into one
 * contiguous range a thread, and returns when all have returned. */
void cnnrt_thread_pool_run(cnnrt_thread_pool *pool, cnnrt_tile_range_function body,
                           void **arguments, int64_t count);

#endif /* CNNRT_THREAD_POOL_H */
