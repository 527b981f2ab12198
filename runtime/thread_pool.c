/*===- thread_pool.c - The worker threads of a context ------------------===*
 *
 * Workers wait for the pool to publish a job (a new generation), take the
 * range of their index, and report when done. Ranges are contiguous and
 * fixed by the thread count, so every tile is computed by exactly one
 * thread with the same instructions: results do not depend on the number
 * of threads.
 *
 * A model runs one job a layer, back to back, so waiting is spin first,
 * then sleep: a worker (and the caller waiting for the workers) polls for
 * up to kSpinNanoseconds before it sleeps on a condition variable. Waking
 * a sleeping thread costs tens of microseconds, a real share of a small
 * layer; after the spin, an idle pool costs no CPU.
 *
 *===----------------------------------------------------------------------===*/

#include "thread_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

enum { kSpinNanoseconds = 200000 };

struct cnnrt_thread_pool {
  pthread_mutex_t lock;
  pthread_cond_t wake, done;
  pthread_t *workers;
  int32_t num_workers;
  /* The job; a worker runs it when `generation` moves past its own. The
   * job's fields are written before `generation` is released. */
  _Atomic uint64_t generation;
  _Atomic int32_t stopping;
  cnnrt_tile_range_function body;
  void **arguments;
  int64_t count;
  _Atomic int32_t pending; /* workers still running the job */
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

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static int64_t now_nanoseconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* Polls `done(pool, state)` for up to kSpinNanoseconds; returns whether it
 * became true. */
static int spin_until(int (*done)(cnnrt_thread_pool *, uint64_t),
                      cnnrt_thread_pool *pool, uint64_t state) {
  int64_t deadline = now_nanoseconds() + kSpinNanoseconds;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done(pool, state))
        return 1;
      cpu_relax();
    }
    if (now_nanoseconds() > deadline)
      return 0;
  }
}

static int job_published(cnnrt_thread_pool *pool, uint64_t seen) {
  return atomic_load_explicit(&pool->stopping, memory_order_acquire) ||
         atomic_load_explicit(&pool->generation, memory_order_acquire) != seen;
}

static int workers_finished(cnnrt_thread_pool *pool, uint64_t unused) {
  (void)unused;
  return atomic_load_explicit(&pool->pending, memory_order_acquire) == 0;
}

static void *worker_main(void *opaque) {
  worker_start start = *(worker_start *)opaque;
  free(opaque);
  cnnrt_thread_pool *pool = start.pool;
  uint64_t seen = 0;
  for (;;) {
    if (!spin_until(job_published, pool, seen)) {
      /* The publisher moves `generation` under the lock: checked under
       * it, no wake-up is lost. */
      pthread_mutex_lock(&pool->lock);
      while (!job_published(pool, seen))
        pthread_cond_wait(&pool->wake, &pool->lock);
      pthread_mutex_unlock(&pool->lock);
    }
    if (atomic_load_explicit(&pool->stopping, memory_order_acquire))
      break;
    seen = atomic_load_explicit(&pool->generation, memory_order_acquire);
    int64_t begin, end;
    range_of(pool->count, pool->num_workers + 1, start.index, &begin, &end);
    if (begin < end)
      pool->body(begin, end, pool->arguments);
    if (atomic_fetch_sub_explicit(&pool->pending, 1, memory_order_acq_rel) == 1) {
      pthread_mutex_lock(&pool->lock);
      pthread_cond_signal(&pool->done);
      pthread_mutex_unlock(&pool->lock);
    }
  }
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
  atomic_store_explicit(&pool->stopping, 1, memory_order_release);
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
  atomic_store_explicit(&pool->pending, pool->num_workers, memory_order_relaxed);
  atomic_fetch_add_explicit(&pool->generation, 1, memory_order_release);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);

  int64_t begin, end;
  range_of(count, pool->num_workers + 1, 0, &begin, &end);
  if (begin < end)
    body(begin, end, arguments);

  if (spin_until(workers_finished, pool, 0))
    return;
  pthread_mutex_lock(&pool->lock);
  while (!workers_finished(pool, 0))
    pthread_cond_wait(&pool->done, &pool->lock);
  pthread_mutex_unlock(&pool->lock);
}
