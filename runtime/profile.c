/*===- profile.c - The time of each layer of a context's calls ----------===*/

#include "profile.h"

#include <stdlib.h>
#include <time.h>

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void cnnrt_profile_start(cnnrt_profile_table *table) {
  table->next = 0;
  table->mark = now_seconds();
}

int cnnrt_profile_record(cnnrt_profile_table *table, const char *layer,
                         int64_t multiply_adds) {
  double end = now_seconds(), elapsed = end - table->mark;
  table->mark = end;
  /* Layers run in the same order on every call: the next one is almost
   * always where the last one left off. Names are the model's constants, so
   * a layer is its pointer. */
  int32_t found = -1;
  if (table->next < table->count && table->layers[table->next].layer == layer)
    found = table->next;
  for (int32_t i = 0; found < 0 && i < table->count; ++i)
    if (table->layers[i].layer == layer)
      found = i;
  if (found < 0) {
    if (table->count == table->capacity) {
      int32_t capacity = table->capacity ? 2 * table->capacity : 64;
      cnnrt_layer_profile *grown =
          realloc(table->layers, (size_t)capacity * sizeof *grown);
      if (!grown)
        return -1;
      table->layers = grown;
      table->capacity = capacity;
    }
    found = table->count++;
    cnnrt_layer_profile fresh = {layer, 0, 0.0, multiply_adds};
    table->layers[found] = fresh;
  }
  table->layers[found].calls += 1;
  table->layers[found].milliseconds += 1e3 * elapsed;
  table->next = found + 1;
  return 0;
}

void cnnrt_profile_free(cnnrt_profile_table *table) {
  free(table->layers);
  table->layers = NULL;
  table->count = table->capacity = table->next = 0;
}
