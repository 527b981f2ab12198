/*===- cnnrt.h - The cnnc runtime: model descriptors and tensor files ---===*
 *
 * Plain C, no dependency beyond libc and libm. A model compiled by cnnc
 * exports one cnnrt_model describing its tensors in the order its run
 * function takes them: parameters and buffers, the input, then the outputs.
 *
 *===----------------------------------------------------------------------===*/

#ifndef CNNRT_H
#define CNNRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  CNNRT_PARAM = 0,  /* a learned parameter */
  CNNRT_BUFFER = 1, /* state that is not learned (batch norm statistics) */
  CNNRT_INPUT = 2,
  CNNRT_OUTPUT = 3
} cnnrt_role;

/* How a parameter is initialised when no weight file is given. */
typedef enum {
  CNNRT_INIT_ZEROS = 0,
  CNNRT_INIT_ONES = 1,
  CNNRT_INIT_HE_UNIFORM = 2,     /* U(-b, b), b = sqrt(6 / fan_in) */
  CNNRT_INIT_GLOROT_UNIFORM = 3  /* U(-b, b), b = sqrt(6 / (fan_in + fan_out)) */
} cnnrt_init;

typedef struct {
  const char *name;     /* "layer1.0.conv1.weight" */
  const int64_t *shape;
  const float *data;    /* embedded values, or NULL */
  int32_t role;         /* cnnrt_role */
  int32_t init;         /* cnnrt_init, for parameters and buffers */
  int32_t rank;
} cnnrt_tensor;

typedef struct {
  const char *name;
  const cnnrt_tensor *tensors;
  /* Runs the model on one buffer per tensor, in the order of `tensors`. */
  void (*run)(float *const *buffers);
  int32_t num_tensors;
} cnnrt_model;

/* Number of elements of a tensor. */
int64_t cnnrt_num_elements(const cnnrt_tensor *tensor);

/* Writes a shape as "[1, 3, 32, 32]" into `out` (always terminated). */
void cnnrt_format_shape(const int64_t *shape, int32_t rank, char *out,
                        size_t size);

/*--- Tensor files ------------------------------------------------------===*/
/* Every function returns 0 on success; on failure it returns -1 and writes
 * one message (without the file name prefix) into err. */

enum { CNNRT_MAX_RANK = 8 };

typedef struct {
  char *name;
  char dtype[8];        /* "F32", "F16", ... as the file says */
  int32_t rank;
  int64_t shape[CNNRT_MAX_RANK];
  const unsigned char *data;
  uint64_t nbytes;
} cnnrt_file_tensor;

typedef struct {
  unsigned char *bytes; /* the whole file */
  size_t size;
  int32_t count;
  cnnrt_file_tensor *tensors;
} cnnrt_safetensors;

int cnnrt_safetensors_read(const char *path, cnnrt_safetensors *file,
                           char *err, size_t errlen);
/* The same from memory: takes ownership of `bytes` (malloc'ed), which
 * cnnrt_safetensors_free releases (also when parsing fails). */
int cnnrt_safetensors_parse(unsigned char *bytes, size_t size,
                            cnnrt_safetensors *file, char *err, size_t errlen);
void cnnrt_safetensors_free(cnnrt_safetensors *file);
const cnnrt_file_tensor *cnnrt_safetensors_find(const cnnrt_safetensors *file,
                                                const char *name);
/* Writes float32 tensors; the file appears complete or not at all. */
int cnnrt_safetensors_write(const char *path, int32_t count,
                            const char *const *names,
                            const int64_t *const *shapes, const int32_t *ranks,
                            const float *const *data, char *err, size_t errlen);

/* A little-endian float32 .npy array in C order; *data is malloc'ed. */
int cnnrt_npy_read(const char *path, int64_t *shape, int32_t *rank,
                   float **data, char *err, size_t errlen);
/* The same from memory. */
int cnnrt_npy_parse(const unsigned char *bytes, size_t size, int64_t *shape,
                    int32_t *rank, float **data, char *err, size_t errlen);
int cnnrt_npy_write(const char *path, const int64_t *shape, int32_t rank,
                    const float *data, char *err, size_t errlen);

/*--- Initialisation ----------------------------------------------------===*/

/* Fills `data` as `tensor->init` says, from a generator seeded by the
 * tensor's name: the same values on every run and machine. */
void cnnrt_initialize(const cnnrt_tensor *tensor, float *data);
/* Uniform values in [-1, 1) seeded by `seed_name`. */
void cnnrt_fill_uniform(const char *seed_name, float *data, int64_t count);

#ifdef __cplusplus
}
#endif

#endif /* CNNRT_H */
