/*===- thread_pool.c - The worker threads of a context ------------------===*
 *
 * Workers sleep on a condition variable until the pool publishes a job (a
 * new generation), take the range of their index, and report when done.
 * Ranges are contiguous and fixed by the thread count, so every tile is
 * computed by exactly one thread with the same instructions: results do not
 * depend on the number of threads.
 *
 *===----------------------------------------------------------------------===*/

#include "thread_pool.h"

#include <pthread.h>
#include <stdlib.h>

struct cnnrt_thread_pool {
  pthread_mutex_t lock;
  pthread_cond_t wake, done;
  pthread_t *workers;
  int32_t num_workers;
  /* The job; a worker runs it when `generation` moves past its own. */
  uint64_t generation;
  int32_t stopping;
  cnnrt_tile_range_function body;
  void **arguments;
  int64_t count;
  int32_t pending; /* workers still running the job */
};

typedef struct {
  cnnrt_thread_pool *pool;
  int32_t index; /* 1 .. num_workers; the caller is 0 */
} worker_start;

/* The range of thread `index` of `threads` over [0, count). */
static void range_of(int64_t count, int32_t threads, int32_t index,
                     int64_t *begin, int64_t *end) {
  *begin = count * index / threads;
  *end = count * (index + 1) / threads;
}

static void *worker_main(void *opaque) {
  worker_start start = *(worker_start *)opaque;
  free(opaque);
  cnnrt_thread_pool *pool = start.pool;
  uint64_t seen = 0;
  pthread_mutex_lock(&pool->lock);
  for (;;) {
    while (!pool->stopping && pool->generation == seen)
      pthread_cond_wait(&pool->wake, &pool->lock);
    if (pool->stopping)
      break;
    seen = pool->generation;
    cnnrt_tile_range_function body = pool->body;
    void **arguments = pool->arguments;
    int64_t begin, end;
    range_of(pool->count, pool->num_workers + 1, start.index, &begin, &end);
    pthread_mutex_unlock(&pool->lock);
    if (begin < end)
      body(begin, end, arguments);
    pthread_mutex_lock(&pool->lock);
    if (--pool->pending == 0)
      pthread_cond_signal(&pool->done);
  }
  pthread_mutex_unlock(&pool->lock);
  return NULL;
}

cnnrt_thread_pool *cnnrt_thread_pool_create(int32_t threads) {
  if (threads < 2)
    return NULL;
  cnnrt_thread_pool *pool = calloc(1, sizeof *pool);
  if (!pool)
    return NULL;
  pool->workers = calloc((size_t)threads - 1, sizeof *pool->workers);
  if (!pool->workers) {
    free(pool);
    return NULL;
  }
  pthread_mutex_init(&pool->lock, NULL);
  pthread_cond_init(&pool->wake, NULL);
  pthread_cond_init(&pool->done, NULL);
  for (int32_t i = 1; i < threads; ++i) {
    worker_start *start = malloc(sizeof *start);
    if (!start)
      break;
    start->pool = pool;
    start->index = i;
    if (pthread_create(&pool->workers[pool->num_workers], NULL, worker_main, start)) {
      free(start);
      break;
    }
    ++pool->num_workers;
  }
  if (pool->num_workers == 0) {
    cnnrt_thread_pool_destroy(pool);
    return NULL;
  }
  return pool;
}

void cnnrt_thread_pool_destroy(cnnrt_thread_pool *pool) {
  if (!pool)
    return;
  pthread_mutex_lock(&pool->lock);
  pool->stopping = 1;
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
  for (int32_t i = 0; i < pool->num_workers; ++i)
    pthread_join(pool->workers[i], NULL);
  pthread_cond_destroy(&pool->done);
  pthread_cond_destroy(&pool->wake);
  pthread_mutex_destroy(&pool->lock);
  free(pool->workers);
  free(pool);
}

void cnnrt_thread_pool_run(cnnrt_thread_pool *pool, cnnrt_tile_range_function body,
                           void **arguments, int64_t count) {
  if (!pool || count < 2) {
    body(0, count, arguments);
    return;
  }
  pthread_mutex_lock(&pool->lock);
  pool->body = body;
  pool->arguments = arguments;
  pool->count = count;
  pool->pending = pool->num_workers;
  ++pool->generation;
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);

  int64_t begin, end;
  range_of(count, pool->num_workers + 1, 0, &begin, &end);
  if (begin < end)
    body(begin, end, arguments);

  pthread_mutex_lock(&pool->lock);
  while (pool->pending > 0)
    pthread_cond_wait(&pool->done, &pool->lock);
  pthread_mutex_unlock(&pool->lock);
}
