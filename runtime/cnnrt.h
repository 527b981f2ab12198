/*===- cnnrt.h - The cnnc runtime: the C interface of compiled models --===*
 *
 * Plain C, no dependency beyond libc, libm and pthreads. This header is the
 * reference of the interface; docs/c-interface.md explains it with an
 * example.
 *
 * A model compiled by cnnc exports a descriptor, `PREFIX_model` (a
 * cnnrt_model), and one function per entry point: `PREFIX_prepare`, which
 * computes the prepared tensors (packed filters, per-channel scales) from
 * the weights, and `PREFIX_forward`, which runs the model; a model compiled
 * for training (`cnnc compile --train`) also has "train_step", which runs
 * the forward and backward passes and one optimizer step, updating the
 * parameters and the optimizer state in their buffers and writing the
 * "loss" and "correct" outputs, and "evaluate", which writes only those.
 * Their "labels" input holds class indices as floats. Call prepare
 * once after binding the weights (and again whenever they change), then
 * forward as often as needed. Every entry point takes a context the caller
 * made and one buffer per tensor of the model's table, and returns a
 * status: CNNRT_OK, or an error whose message cnnrt_context_message()
 * gives. A model has no global state of its own: two contexts run the same
 * model in two threads at once.
 *
 *===----------------------------------------------------------------------===*/

#ifndef CNNRT_H
#define CNNRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this interface. A model records the version it was
 * compiled for; cnnrt_check_model() refuses a model of another version, so
 * that a program learns at load time that its header and library differ. */
#define CNNRT_ABI_VERSION 4

typedef enum {
  CNNRT_OK = 0,
  CNNRT_ERROR_INVALID_ARGUMENT = 1, /* a null context or buffer list */
  CNNRT_ERROR_OUT_OF_MEMORY = 2,    /* an allocation inside the model failed */
  CNNRT_ERROR_ABI_MISMATCH = 3,     /* the model is of another ABI version */
  CNNRT_ERROR_BUSY = 4,             /* the context is running in another thread */
  CNNRT_ERROR_NOT_FINITE = 5,       /* with check_numerics: a layer computed NaN or inf */
  CNNRT_ERROR_DEVICE = 6            /* a model for the GPU found no GPU, or the driver failed */
} cnnrt_status;

/* "ok", "out of memory", ...: a short name for a status. */
const char *cnnrt_status_string(cnnrt_status status);

/*--- Contexts ----------------------------------------------------------===*/

/* Where a model runs: its memory accounting, its worker threads and the
 * message of the last failure. A context is used by one thread at a time. */
typedef struct cnnrt_context cnnrt_context;

typedef struct {
  int32_t abi_version;   /* CNNRT_ABI_VERSION */
  /* The most bytes the model may hold allocated for its intermediate
   * tensors during one call; more is CNNRT_ERROR_OUT_OF_MEMORY. 0: no
   * limit but the system's. */
  uint64_t memory_limit;
  /* Nonzero: check every layer's output, and fail with
   * CNNRT_ERROR_NOT_FINITE naming the first layer that computes a NaN or an
   * infinity (as TensorFlow's check_numerics). Costs a pass over each
   * output. */
  int32_t check_numerics;
  /* Threads a call may use, the calling thread included; 0: one per core
   * available to the process. Results do not depend on it. */
  int32_t num_threads;
  /* Nonzero: time each layer of every forward call (a clock read per
   * layer); cnnrt_context_profile() gives the times. */
  int32_t profile;
} cnnrt_context_options;

/* Makes a context; `options` may be NULL (no limit). On failure *context is
 * NULL and the status says why. */
cnnrt_status cnnrt_context_create(const cnnrt_context_options *options,
                                  cnnrt_context **context);
void cnnrt_context_destroy(cnnrt_context *context);
/* The message of the last failed call on this context ("" after a success).
 * Valid until the next call on it. */
const char *cnnrt_context_message(const cnnrt_context *context);
/* The most bytes the model held at once during the last call. */
uint64_t cnnrt_context_peak_memory(const cnnrt_context *context);

/* One layer of a profiling context: the dispatch group that computes it
 * ("layer1.0.conv1 + layer1.0.bn1 + layer1.0.relu"). */
typedef struct {
  const char *layer;
  int64_t calls;          /* forward calls that ran it */
  double milliseconds;    /* over all those calls */
  int64_t multiply_adds;  /* per call; 0 where the layer does not multiply */
} cnnrt_layer_profile;

/* The layers of the forward calls on a profiling context so far, in the
 * order they first ran; sets *layers (valid until the next call) and
 * returns their number. 0 when the context does not profile. */
int32_t cnnrt_context_profile(const cnnrt_context *context,
                              const cnnrt_layer_profile **layers);

/*--- Model descriptors -------------------------------------------------===*/

typedef enum {
  CNNRT_PARAM = 0,  /* a learned parameter */
  CNNRT_BUFFER = 1, /* state that is not learned (batch norm statistics) */
  CNNRT_INPUT = 2,
  CNNRT_OUTPUT = 3,
  /* Computed from the weights by the "prepare" entry point: the caller
   * only provides the buffer. */
  CNNRT_PREPARED = 4,
  /* Optimizer state of a model compiled for training (momentum, Adam's
   * moments and step count): zero at first, then read and written by
   * "train_step" only. */
  CNNRT_STATE = 5
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

/* One function of the model. buffers[i] is tensor tensors[i] of the model's
 * table: contiguous float32 in C order, inputs and parameters read, outputs
 * written. Both entry points of a compiled model list every tensor in the
 * table's order, so one array of buffers serves them. */
typedef cnnrt_status (*cnnrt_entry_function)(cnnrt_context *context,
                                             float *const *buffers);

typedef struct {
  const char *name;          /* "prepare", "forward", "train_step", "evaluate" */
  const int32_t *tensors;    /* indices into the model's tensor table */
  int32_t num_tensors;
  cnnrt_entry_function call;
} cnnrt_entry_point;

typedef struct {
  int32_t abi_version;       /* CNNRT_ABI_VERSION when compiled */
  const char *name;
  const cnnrt_tensor *tensors;
  int32_t num_tensors;
  const cnnrt_entry_point *entry_points;
  int32_t num_entry_points;
} cnnrt_model;

/* CNNRT_OK when `model` has this runtime's ABI version, else
 * CNNRT_ERROR_ABI_MISMATCH. */
cnnrt_status cnnrt_check_model(const cnnrt_model *model);
/* The entry point called `name`, or NULL. */
const cnnrt_entry_point *cnnrt_find_entry_point(const cnnrt_model *model,
                                                const char *name);

/*--- What generated code calls -----------------------------------------===*/
/* Not for programs: a compiled entry point runs its body through
 * cnnrt_invoke, and every allocation of the body goes through cnnrt_alloc
 * and cnnrt_free, so that a failed allocation returns
 * CNNRT_ERROR_OUT_OF_MEMORY from the entry point, with everything the call
 * had allocated released; cnnrt_check_finite fails the same way. */
cnnrt_status cnnrt_invoke(cnnrt_context *context,
                          void (*body)(float *const *buffers),
                          float *const *buffers);
void *cnnrt_alloc(uint64_t size);
/* After each layer: checks `count` floats at `address` when the context
 * asks for it (check_numerics). */
void cnnrt_check_finite(int64_t address, int64_t count, const char *layer);
/* After each layer of forward: adds the time since the last mark to the
 * layer's, when the context profiles. */
void cnnrt_profile_layer(const char *layer, int64_t multiply_adds);
void *cnnrt_aligned_alloc(uint64_t alignment, uint64_t size);
void cnnrt_free(void *pointer);
/* Runs body(begin, end, arguments) over ranges that cover [0, count) once,
 * on the threads of the current context, and returns when all are done.
 * The body does not allocate. */
void cnnrt_parallel_for(void (*body)(int64_t begin, int64_t end, void **arguments),
                        void **arguments, int64_t count);

/* A model compiled for the GPU (--target=nvptx) runs each entry point's
 * body through cnnrt_device_invoke, as cnnrt_invoke, with a buffer in the
 * GPU's memory for every tensor of `model`'s table: the context keeps
 * them. Parameters and buffers are copied there on the context's first call
 * and on every call of "prepare" (`forward` is 0), inputs on every call of
 * "forward" (`forward` is 1), whose outputs are copied back when it
 * returns; prepared tensors stay on the GPU. The body's kernels run in
 * order on the context's stream. Its intermediate tensors come from
 * cnnrt_device_alloc, whose blocks the context keeps for the next call.
 * Without a driver, a GPU, or with a failing kernel the call returns
 * CNNRT_ERROR_DEVICE and says why. CNNRT_CUDA_DRIVER in the environment
 * names the driver library to load (default "libcuda.so.1"). */
cnnrt_status cnnrt_device_invoke(cnnrt_context *context,
                                 void (*body)(float *const *buffers),
                                 float *const *buffers, const cnnrt_model *model,
                                 int32_t forward);
void *cnnrt_device_alloc(uint64_t size);
void *cnnrt_device_aligned_alloc(uint64_t alignment, uint64_t size);
void cnnrt_device_free(void *pointer);

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
  int32_t metadata_count;
  char **metadata;      /* "__metadata__": key, value, key, value, ... */
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
/* The string `key` of the file's "__metadata__", or NULL. */
const char *cnnrt_safetensors_metadata(const cnnrt_safetensors *file, const char *key);
/* Writes float32 tensors, and the "__metadata__" strings `metadata` (key,
 * value, ..., NULL; or NULL for none); the file appears complete or not at
 * all. */
int cnnrt_safetensors_write(const char *path, int32_t count,
                            const char *const *names,
                            const int64_t *const *shapes, const int32_t *ranks,
                            const float *const *data, const char *const *metadata,
                            char *err, size_t errlen);

/* Inflates the gzip data `in` (one or more members) into *out (malloc'ed),
 * checking each member's CRC-32 and length. */
int cnnrt_gunzip(const unsigned char *in, size_t size, unsigned char **out,
                 size_t *out_size, char *err, size_t errlen);

/* An IDX file of unsigned bytes (MNIST's images and labels), read whole and
 * inflated first when it is gzip-compressed. */
typedef struct {
  unsigned char *bytes;       /* the (inflated) file */
  int32_t rank;
  int64_t shape[CNNRT_MAX_RANK];
  const unsigned char *data;  /* the values, row-major */
  uint64_t count;
} cnnrt_idx;

int cnnrt_idx_read(const char *path, cnnrt_idx *idx, char *err, size_t errlen);
/* The same from memory: takes ownership of `bytes` (malloc'ed). */
int cnnrt_idx_parse(unsigned char *bytes, size_t size, cnnrt_idx *idx, char *err,
                    size_t errlen);
void cnnrt_idx_free(cnnrt_idx *idx);

/*--- Binding weight files ---------------------------------------------===*/

/* Finds the tensor `name` in `file` as float32 of exactly `shape`. */
int cnnrt_match_weight(const char *name, const int64_t *shape, int32_t rank,
                       const cnnrt_safetensors *file,
                       const cnnrt_file_tensor **found, char *err,
                       size_t errlen);
/* Fails, listing them (with the closest of `names` where one is close), when
 * the file has tensors that are not among the `count` `names`. */
int cnnrt_check_unexpected_weights(const cnnrt_safetensors *file,
                                   const char *const *names, int32_t count,
                                   char *err, size_t errlen);
/* Writes the model's parameters, buffers and optimizer state as bound in
 * `buffers` (its table), with the "__metadata__" strings `metadata` (see
 * cnnrt_safetensors_write): a file that --weights binds again. */
int cnnrt_save_weights(const cnnrt_model *model, float *const *buffers, const char *path,
                       const char *const *metadata, char *err, size_t errlen);
/* The number of infinite values of a float32 tensor; *nans gets the NaNs. */
int64_t cnnrt_count_nonfinite(const cnnrt_file_tensor *tensor, int64_t *nans);

/* A little-endian float32 .npy array in C order; *data is malloc'ed. */
int cnnrt_npy_read(const char *path, int64_t *shape, int32_t *rank,
                   float **data, char *err, size_t errlen);
/* The same from memory. */
int cnnrt_npy_parse(const unsigned char *bytes, size_t size, int64_t *shape,
                    int32_t *rank, float **data, char *err, size_t errlen);
int cnnrt_npy_write(const char *path, const int64_t *shape, int32_t rank,
                    const float *data, char *err, size_t errlen);

/*--- Training ----------------------------------------------------------===*/

typedef struct {
  const char *data_dir;    /* train-/t10k-{images-idx3,labels-idx1}-ubyte[.gz] */
  int32_t trained_epochs;  /* epochs the bound state has trained already */
  int32_t epochs;          /* train until this many are done */
  uint64_t seed;           /* the shuffling of each epoch, the dropout masks */
  const char *checkpoint;  /* written after every epoch, or NULL */
  const char *log_csv;     /* or NULL; appended to when resuming */
  const char *plot_svg;    /* or NULL */
} cnnrt_train_options;

/* Trains a model compiled with --train on an IDX dataset from the state in
 * `buffers` (the model's table: parameters, buffers and optimizer state
 * bound), printing one line per epoch (and a progress bar on a terminal).
 * Epoch e (from 0) visits the training images in an order that depends on
 * the seed and e alone, so a run resumed from a checkpoint goes on exactly
 * as one that was not stopped. The checkpoint's metadata holds "epoch" and
 * "seed". */
int cnnrt_train(const cnnrt_model *model, cnnrt_context *context, float **buffers,
                const cnnrt_train_options *options, char *err, size_t errlen);

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
