/*===- weights.c - Binding a weight file to a model's tensors -----------===*
 *
 * The rules, shared by the executable's --weights and the compiler's
 * --embed-weights: every parameter and buffer of the model must be in the
 * file, as float32 of its exact shape; a tensor of the file that the model
 * does not have is an error (as PyTorch's strict load_state_dict), named
 * with the closest expected name; NaN and infinite values are counted so
 * that the caller can warn. And the other way: a model's weights (and its
 * optimizer state) written as a file that --weights reads back.
 *
 *===----------------------------------------------------------------------===*/

#include "cnnrt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cnnrt_match_weight(const char *name, const int64_t *shape, int32_t rank,
                       const cnnrt_safetensors *file,
                       const cnnrt_file_tensor **found, char *err,
                       size_t errlen) {
  const cnnrt_file_tensor *f = cnnrt_safetensors_find(file, name);
  *found = NULL;
  if (!f) {
    snprintf(err, errlen, "no tensor '%s' in the file", name);
    return -1;
  }
  int same = f->rank == rank;
  for (int32_t d = 0; same && d < rank; ++d)
    same = f->shape[d] == shape[d];
  if (!same) {
    char expected[160], got[160];
    cnnrt_format_shape(shape, rank, expected, sizeof expected);
    cnnrt_format_shape(f->shape, f->rank, got, sizeof got);
    snprintf(err, errlen, "tensor '%s' has shape %s, the model expects %s", name,
             got, expected);
    return -1;
  }
  if (strcmp(f->dtype, "F32") != 0) {
    snprintf(err, errlen, "tensor '%s' has dtype %s, the model expects F32", name,
             f->dtype);
    return -1;
  }
  *found = f;
  return 0;
}

/* Levenshtein distance, or a large number for names over 127 bytes. */
static size_t edit_distance(const char *a, const char *b) {
  size_t n = strlen(a), m = strlen(b);
  if (n > 127 || m > 127)
    return (size_t)-1;
  size_t row[128];
  for (size_t j = 0; j <= m; ++j)
    row[j] = j;
  for (size_t i = 1; i <= n; ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= m; ++j) {
      size_t above = row[j];
      size_t best = diagonal + (a[i - 1] != b[j - 1]);
      if (above + 1 < best)
        best = above + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diagonal = above;
    }
  }
  return row[m];
}

/* The expected name closest to `name`, if one is close (a few edits). */
static const char *closest(const char *name, const char *const *names,
                           int32_t count) {
  const char *best = NULL;
  size_t bestDistance = strlen(name) / 3 + 1;
  if (bestDistance > 3)
    bestDistance = 3;
  for (int32_t i = 0; i < count; ++i) {
    size_t distance = edit_distance(name, names[i]);
    if (distance <= bestDistance) {
      best = names[i];
      bestDistance = distance;
    }
  }
  return best;
}

static int is_expected(const char *name, const char *const *names, int32_t count) {
  for (int32_t i = 0; i < count; ++i)
    if (!strcmp(name, names[i]))
      return 1;
  return 0;
}

int cnnrt_check_unexpected_weights(const cnnrt_safetensors *file,
                                   const char *const *names, int32_t count,
                                   char *err, size_t errlen) {
  int32_t unexpected = 0;
  for (int32_t i = 0; i < file->count; ++i)
    unexpected += !is_expected(file->tensors[i].name, names, count);
  if (!unexpected)
    return 0;
  size_t used = (size_t)snprintf(err, errlen, "%d %s in the file %s not in the model:",
                                 (int)unexpected, unexpected == 1 ? "tensor" : "tensors",
                                 unexpected == 1 ? "is" : "are");
  int32_t listed = 0;
  for (int32_t i = 0; i < file->count && used < errlen; ++i) {
    const char *name = file->tensors[i].name;
    if (is_expected(name, names, count))
      continue;
    if (listed == 8) {
      used += (size_t)snprintf(err + used, errlen - used, " and %d more",
                               (int)(unexpected - listed));
      break;
    }
    const char *near = closest(name, names, count);
    used += (size_t)snprintf(err + used, errlen - used, "%s '%s'", listed ? "," : "",
                             name);
    if (near && used < errlen)
      used += (size_t)snprintf(err + used, errlen - used, " (did you mean '%s'?)", near);
    ++listed;
  }
  if (used < errlen)
    snprintf(err + used, errlen - used, "; --allow-extra-weights ignores them");
  return -1;
}

int64_t cnnrt_count_nonfinite(const cnnrt_file_tensor *tensor, int64_t *nans) {
  int64_t count = (int64_t)(tensor->nbytes / sizeof(float)), infinite = 0;
  *nans = 0;
  for (int64_t i = 0; i < count; ++i) {
    float value;
    memcpy(&value, tensor->data + i * (int64_t)sizeof value, sizeof value);
    *nans += isnan(value) != 0;
    infinite += isinf(value) != 0;
  }
  return infinite;
}

int cnnrt_save_weights(const cnnrt_model *model, float *const *buffers, const char *path,
                       const char *const *metadata, char *err, size_t errlen) {
  int32_t count = 0;
  const char **names = calloc((size_t)model->num_tensors + 1, sizeof *names);
  const int64_t **shapes = calloc((size_t)model->num_tensors + 1, sizeof *shapes);
  int32_t *ranks = calloc((size_t)model->num_tensors + 1, sizeof *ranks);
  const float **data = calloc((size_t)model->num_tensors + 1, sizeof *data);
  int status = 0;
  if (!names || !shapes || !ranks || !data) {
    snprintf(err, errlen, "out of memory");
    status = -1;
  }
  for (int32_t i = 0; i < model->num_tensors && !status; ++i) {
    const cnnrt_tensor *t = &model->tensors[i];
    if (t->role != CNNRT_PARAM && t->role != CNNRT_BUFFER && t->role != CNNRT_STATE)
      continue;
    names[count] = t->name;
    shapes[count] = t->shape;
    ranks[count] = t->rank;
    data[count++] = buffers[i];
  }
  if (!status)
    status = cnnrt_safetensors_write(path, count, names, shapes, ranks, data, metadata,
                                     err, errlen);
  free(names);
  free(shapes);
  free(ranks);
  free(data);
  return status;
}
