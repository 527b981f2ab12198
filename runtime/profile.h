/*===- profile.h - The time of each layer of a context's calls --*- C -*-===*
 *
 * Internal to the runtime: a context that profiles keeps one table of the
 * layers its forward calls ran. The generated code marks the end of each
 * layer (cnnrt_profile_layer); the time since the previous mark, or since
 * the call began, goes to that layer.
 *
 *===----------------------------------------------------------------------===*/

#ifndef CNNRT_PROFILE_H
#define CNNRT_PROFILE_H

#include "cnnrt.h"

typedef struct {
  cnnrt_layer_profile *layers;
  int32_t count, capacity;
  int32_t next;  /* where the next layer is looked for first */
  double mark;   /* seconds, at the end of the last layer */
} cnnrt_profile_table;

/* A call begins. */
void cnnrt_profile_start(cnnrt_profile_table *table);
/* `layer` ended: adds the time since the last mark. Returns 0, or -1 when
 * the table cannot grow (the layer goes unrecorded). */
int cnnrt_profile_record(cnnrt_profile_table *table, const char *layer,
                         int64_t multiply_adds);
void cnnrt_profile_free(cnnrt_profile_table *table);

#endif /* CNNRT_PROFILE_H */
