/*===- main.c - The main of an executable compiled by cnnc --------------===*
 *
 *   NAME [--weights W.safetensors] [--input [NAME=]X.npy]...
 *        [--output [NAME=]Y.npy]... [--output-dir DIR] [--bench N]
 *        [--save-weights W.safetensors] [--memory-limit MIB] [--threads N]
 *        [--train-steps N]
 *
 * Binds the model's tensors (weights from a file, embedded or initialised;
 * the input from a file or generated), runs it, and writes or prints the
 * output. Any problem is one message and exit code 1; no output file is
 * written then.
 *
 *===----------------------------------------------------------------------===*/

#include "cnnrt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

extern const cnnrt_model cnnc_model;

static const char *program = "model";

static void usage(FILE *out) {
  fprintf(out,
          "usage: %s [--weights W.safetensors] [--input [NAME=]X.npy]... "
          "[--output [NAME=]Y.npy]... [--output-dir DIR] [--check-numerics] "
          "[--allow-extra-weights] "
          "[--bench N] [--save-weights W.safetensors] [--memory-limit MIB] "
          "[--threads N] [--profile] [--train-steps N]\n"
          "\n"
          "Runs the model '%s' compiled by cnnc.\n"
          "  --weights FILE  parameters from a safetensors file (default: the\n"
          "                  embedded ones, else a fixed deterministic initialisation);\n"
          "                  every tensor of the file must be the model's\n"
          "  --allow-extra-weights  ignore tensors of the weight file that the\n"
          "                  model does not have\n"
          "  --input [NAME=]FILE  an input as a float32 .npy array, by name or in\n"
          "                  the order the model declares its inputs (default: fixed\n"
          "                  pseudo-random values in [-1, 1))\n"
          "  --output [NAME=]FILE  write an output as .npy (the name may be left\n"
          "                  out when the model has one output)\n"
          "  --output-dir DIR  write every output as DIR/NAME.npy\n"
          "  --threads N     run on N threads (default: one per core); the\n"
          "                  results are the same for any N\n"
          "  --bench N       time N runs after a warm-up and print the median,\n"
          "                  min and max latency\n"
          "  --profile       print the time of each layer, its share and its\n"
          "                  GFLOP/s (averaged over the --bench runs)\n"
          "  --save-weights FILE  write the parameters the run used (from a file,\n"
          "                  embedded or initialised) as safetensors; after\n"
          "                  --train-steps, the trained ones\n"
          "  --train-steps N  with a model compiled with --train: run N training\n"
          "                  steps on the input and labels instead of forward,\n"
          "                  printing the loss of each\n"
          "  --train-data DIR  train on an IDX dataset (MNIST's files, .gz or not)\n"
          "                  until --epochs N (1) are trained, shuffled by --seed S (1);\n"
          "                  after each epoch evaluate the test set and write\n"
          "                  --save-weights (parameters, optimizer state, the epoch\n"
          "                  and the seed: pass it as --weights to resume), a line of\n"
          "                  --log CSV and the curves to --plot SVG\n",
          program, cnnc_model.name);
}

static int error(const char *format, ...) __attribute__((format(printf, 1, 2)));
static int error(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fprintf(stderr, "%s: error: ", program);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  return 1;
}

/* The time of each layer, per forward call, in the order the layers ran. */
static void print_profile(const cnnrt_context *context) {
  const cnnrt_layer_profile *layers = NULL;
  int32_t count = cnnrt_context_profile(context, &layers);
  double total = 0.0;
  for (int32_t i = 0; i < count; ++i)
    total += layers[i].milliseconds / (double)layers[i].calls;
  printf("profile of '%s': %.3f ms a run in %d layers\n", cnnc_model.name, total,
         (int)count);
  printf("%10s %7s %8s  %s\n", "ms/run", "share", "GFLOP/s", "layer");
  for (int32_t i = 0; i < count; ++i) {
    double ms = layers[i].milliseconds / (double)layers[i].calls;
    char rate[32] = "-";
    if (layers[i].multiply_adds && ms > 0)
      snprintf(rate, sizeof rate, "%.1f", 2e-6 * (double)layers[i].multiply_adds / ms);
    printf("%10.3f %6.1f%% %8s  %s\n", ms, total > 0 ? 100.0 * ms / total : 0.0, rate,
           layers[i].layer);
  }
}

/* The most memory the process has held resident, in KiB (Linux's VmHWM,
 * which unlike getrusage does not count what a parent held before exec);
 * -1 where the system does not say. */
static long peak_resident_kib(void) {
  FILE *status = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  while (status && fgets(line, sizeof line, status))
    if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
      break;
  if (status)
    fclose(status);
  return kib;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Checks that a file tensor matches the model's and copies it. */
static int bind_from_file(const cnnrt_tensor *t, const cnnrt_safetensors *file,
                          const char *path, float *buffer) {
  const cnnrt_file_tensor *f;
  char message[512];
  if (cnnrt_match_weight(t->name, t->shape, t->rank, file, &f, message, sizeof message))
    return error("%s: %s", path, message);
  memcpy(buffer, f->data, f->nbytes);
  return 0;
}

/* The weight file's tensors must all be the model's; a NaN or infinite
 * value is worth a warning. */
static int check_weight_file(const cnnrt_model *model, const cnnrt_safetensors *file,
                             const char *path, int allowExtra) {
  const char **names = calloc((size_t)model->num_tensors + 1, sizeof *names);
  if (!names)
    return error("out of memory");
  int32_t count = 0;
  for (int32_t i = 0; i < model->num_tensors; ++i)
    if (model->tensors[i].role == CNNRT_PARAM || model->tensors[i].role == CNNRT_BUFFER ||
        model->tensors[i].role == CNNRT_STATE)
      names[count++] = model->tensors[i].name;
  char message[2048];
  int status = 0;
  if (!allowExtra &&
      cnnrt_check_unexpected_weights(file, names, count, message, sizeof message))
    status = error("%s: %s", path, message);
  free(names);
  for (int32_t i = 0; i < file->count && !status; ++i) {
    int64_t nans, infinite = cnnrt_count_nonfinite(&file->tensors[i], &nans);
    if (nans || infinite)
      fprintf(stderr, "%s: warning: %s: tensor '%s' has %lld NaN and %lld infinite values\n",
              program, path, file->tensors[i].name, (long long)nans, (long long)infinite);
  }
  return status;
}

/* The number `key` of the file's metadata, if it has one. */
static int read_metadata_number(const cnnrt_safetensors *file, const char *path,
                                const char *key, long *value) {
  const char *text = cnnrt_safetensors_metadata(file, key);
  if (!text)
    return 0;
  char *end = NULL;
  errno = 0;
  long number = strtol(text, &end, 10);
  if (!*text || *end || errno || number < 0 || number > 1000000)
    return error("%s: metadata '%s' is '%s', not a number from 0 to 1000000", path, key,
                 text);
  *value = number;
  return 0;
}

/* Writes the parameters, buffers and optimizer state as bound now. */
static int save_weights(const cnnrt_model *model, float *const *buffers,
                        const char *path) {
  char message[512];
  if (cnnrt_save_weights(model, buffers, path, NULL, message, sizeof message))
    return error("%s: %s", path, message);
  return 0;
}

/* Runs `steps` training steps on the bound batch, printing each one's loss
 * (and correct count, when the model has one). */
static int run_train_steps(const cnnrt_model *model, const cnnrt_entry_point *trainStep,
                           cnnrt_context *context, float **buffers, long steps) {
  const float *loss = NULL, *correct = NULL;
  for (int32_t i = 0; i < model->num_tensors; ++i) {
    if (model->tensors[i].role != CNNRT_OUTPUT)
      continue;
    if (!strcmp(model->tensors[i].name, "loss"))
      loss = buffers[i];
    else if (!strcmp(model->tensors[i].name, "correct"))
      correct = buffers[i];
  }
  /* The entry point takes the whole table, as every entry point does. */
  for (long step = 1; step <= steps; ++step) {
    if (trainStep->call(context, buffers) != CNNRT_OK)
      return error("%s", cnnrt_context_message(context));
    printf("step %ld: loss %.6f", step, loss ? (double)loss[0] : 0.0);
    if (correct)
      printf(" correct %.0f", (double)correct[0]);
    printf("\n");
  }
  return 0;
}

/* One --input or --output: "NAME=FILE", or "FILE" by position. */
typedef struct {
  const char *value;
  const char *path;
  size_t name_length; /* 0: by position */
} file_argument;

enum { MAX_FILE_ARGUMENTS = 256 };

/* Whether `value` names a tensor of `role` before its '='. */
static size_t named_length(const cnnrt_model *model, int32_t role, const char *value) {
  const char *equals = strchr(value, '=');
  for (int32_t i = 0; equals && i < model->num_tensors; ++i) {
    const cnnrt_tensor *t = &model->tensors[i];
    if (t->role == role && strlen(t->name) == (size_t)(equals - value) &&
        !strncmp(t->name, value, (size_t)(equals - value)))
      return (size_t)(equals - value);
  }
  return 0;
}

/* The names of the model's tensors of `role`, as "'a', 'b'". */
static void list_names(const cnnrt_model *model, int32_t role, char *out, size_t size) {
  size_t used = 0;
  out[0] = '\0';
  for (int32_t i = 0; i < model->num_tensors && used < size; ++i)
    if (model->tensors[i].role == role)
      used += (size_t)snprintf(out + used, size - used, "%s'%s'", used ? ", " : "",
                               model->tensors[i].name);
}

/* Gives each tensor of `role` its file: by name, else the next positional
 * one (for outputs: only when there is one output), else `directory`/NAME.npy
 * (outputs), else none. paths[i] is malloc'ed or NULL. */
static int assign_files(const cnnrt_model *model, int32_t role, file_argument *args,
                        int count, const char *directory, char **paths) {
  const char *flag = role == CNNRT_INPUT ? "--input" : "--output";
  const char *kind = role == CNNRT_INPUT ? "input" : "output";
  char names[1024];
  list_names(model, role, names, sizeof names);
  int tensors = 0, positional = 0;
  for (int32_t i = 0; i < model->num_tensors; ++i)
    tensors += model->tensors[i].role == role;
  for (int a = 0; a < count; ++a) {
    args[a].name_length = named_length(model, role, args[a].value);
    args[a].path = args[a].value + (args[a].name_length ? args[a].name_length + 1 : 0);
    positional += !args[a].name_length;
    /* NAME=FILE with a NAME the model lacks, rather than a file called so. */
    const char *equals = strchr(args[a].value, '=');
    if (!args[a].name_length && equals && !memchr(args[a].value, '/', (size_t)(equals - args[a].value)) &&
        access(args[a].value, F_OK) != 0)
      return error("%s %s: the model has no %s '%.*s' (its %ss: %s)", flag, args[a].value,
                   kind, (int)(equals - args[a].value), args[a].value, kind, names);
    if (!*args[a].path)
      return error("%s '%s' gives no file", flag, args[a].value);
    for (int b = 0; b < a; ++b)
      if (args[a].name_length && args[b].name_length == args[a].name_length &&
          !strncmp(args[a].value, args[b].value, args[a].name_length))
        return error("%s %.*s: given twice", flag, (int)args[a].name_length, args[a].value);
  }
  if (role == CNNRT_OUTPUT && positional && tensors > 1)
    return error("the model has several outputs (%s): give --output NAME=FILE "
                 "or --output-dir DIR", names);
  if (positional > tensors)
    return error("%d %s files for %d %s%s (%s)", positional, kind, tensors, kind,
                 tensors == 1 ? "" : "s", names);
  int next = 0;
  for (int32_t i = 0; i < model->num_tensors; ++i) {
    const cnnrt_tensor *t = &model->tensors[i];
    if (t->role != role)
      continue;
    const char *path = NULL;
    for (int a = 0; a < count && !path; ++a)
      if (args[a].name_length && !strncmp(args[a].value, t->name, args[a].name_length) &&
          !t->name[args[a].name_length])
        path = args[a].path;
    /* Positional files are taken in order. */
    for (; !path && next < count; ++next)
      if (!args[next].name_length)
        path = args[next].path;
    char built[4096];
    if (!path && directory) {
      /* Layer names may hold '/', which is not a file name's. */
      snprintf(built, sizeof built, "%s/%s.npy", directory, t->name);
      for (char *c = built + strlen(directory) + 1; *c; ++c)
        if (*c == '/')
          *c = '_';
      path = built;
    }
    if (path && !(paths[i] = strdup(path)))
      return error("out of memory");
  }
  return 0;
}

int main(int argc, char **argv) {
  const char *slash = strrchr(argv[0], '/');
  program = slash ? slash + 1 : argv[0];
  const char *weights = NULL, *saveWeights = NULL, *outputDir = NULL;
  file_argument inputArgs[MAX_FILE_ARGUMENTS], outputArgs[MAX_FILE_ARGUMENTS];
  int inputCount = 0, outputCount = 0;
  long bench = 0, memoryLimit = 0, threads = 0, trainSteps = 0, epochs = 0, seed = 0;
  const char *trainData = NULL, *logCsv = NULL, *plotSvg = NULL;
  int allowExtraWeights = 0, checkNumerics = 0, profile = 0;
  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
      usage(stdout);
      return 0;
    }
    if (!strcmp(arg, "--allow-extra-weights")) {
      allowExtraWeights = 1;
      continue;
    }
    if (!strcmp(arg, "--check-numerics")) {
      checkNumerics = 1;
      continue;
    }
    if (!strcmp(arg, "--profile")) {
      profile = 1;
      continue;
    }
    const char **target = !strcmp(arg, "--weights") ? &weights
                          : !strcmp(arg, "--output-dir") ? &outputDir
                          : !strcmp(arg, "--save-weights") ? &saveWeights
                          : !strcmp(arg, "--train-data") ? &trainData
                          : !strcmp(arg, "--log") ? &logCsv
                          : !strcmp(arg, "--plot") ? &plotSvg
                                                     : NULL;
    int isInput = !strcmp(arg, "--input"), isOutput = !strcmp(arg, "--output");
    if (isInput || isOutput) {
      if (i + 1 >= argc)
        return error("%s needs a value", arg);
      int *count = isInput ? &inputCount : &outputCount;
      if (*count == MAX_FILE_ARGUMENTS)
        return error("more than %d %s arguments", MAX_FILE_ARGUMENTS, arg);
      file_argument *list = isInput ? inputArgs : outputArgs;
      list[(*count)++] = (file_argument){argv[++i], NULL, 0};
      continue;
    }
    long *number = !strcmp(arg, "--bench") ? &bench
                   : !strcmp(arg, "--memory-limit") ? &memoryLimit
                   : !strcmp(arg, "--threads") ? &threads
                   : !strcmp(arg, "--train-steps") ? &trainSteps
                   : !strcmp(arg, "--epochs") ? &epochs
                   : !strcmp(arg, "--seed") ? &seed
                                                    : NULL;
    if (!target && !number) {
      error("unknown argument '%s'; see --help", arg);
      return 1;
    }
    if (i + 1 >= argc)
      return error("%s needs a value", arg);
    const char *value = argv[++i];
    if (target) {
      *target = value;
      continue;
    }
    char *end = NULL;
    errno = 0;
    *number = strtol(value, &end, 10);
    long most = number == &threads ? 1024 : 1000000;
    if (!*value || *end || errno || *number < 1 || *number > most)
      return error("%s takes a number of %s from 1 to %ld, got '%s'", arg,
                   number == &bench ? "runs" : number == &threads ? "threads"
                   : number == &trainSteps ? "steps" : number == &epochs ? "epochs"
                   : number == &seed ? "seed values" : "MiB",
                   most, value);
  }

  const cnnrt_model *model = &cnnc_model;
  if (cnnrt_check_model(model) != CNNRT_OK) {
    fprintf(stderr, "%s: error: the model was compiled for ABI version %d, the runtime is version %d\n",
            program, (int)model->abi_version, CNNRT_ABI_VERSION);
    return 1;
  }
  const cnnrt_entry_point *prepare = cnnrt_find_entry_point(model, "prepare");
  const cnnrt_entry_point *forward = cnnrt_find_entry_point(model, "forward");
  if (!prepare || !forward)
    return error("the model has no entry point '%s'", prepare ? "forward" : "prepare");
  if (prepare->num_tensors != forward->num_tensors)
    return error("the model's entry points take different tensors");
  const cnnrt_entry_point *trainStep = cnnrt_find_entry_point(model, "train_step");
  if ((trainSteps || trainData) && !trainStep)
    return error("--%s needs a model compiled with --train",
                 trainSteps ? "train-steps" : "train-data");
  if (trainSteps && trainData)
    return error("--train-steps runs steps on one batch; --train-data trains on a dataset: "
                 "give one of them");
  if (!trainData && (epochs || logCsv || plotSvg))
    return error("--epochs, --log and --plot go with --train-data");
  if (trainSteps && (bench || profile))
    return error("--train-steps does not go with --%s", bench ? "bench" : "profile");

  /* From here on every path ends at the clean-up below. */
  char **paths = calloc((size_t)model->num_tensors, sizeof *paths);
  float **buffers = calloc((size_t)model->num_tensors, sizeof *buffers);
  float **arguments = calloc((size_t)forward->num_tensors, sizeof *arguments);
  cnnrt_context *context = NULL;
  cnnrt_context_options options = {CNNRT_ABI_VERSION, (uint64_t)memoryLimit << 20,
                                   checkNumerics, (int32_t)threads, profile};
  cnnrt_safetensors file;
  memset(&file, 0, sizeof file);
  char message[512];
  int status = 0;
  struct stat directory;
  if (!paths || !buffers || !arguments ||
      cnnrt_context_create(&options, &context) != CNNRT_OK)
    status = error("out of memory");
  else if (outputDir && (!(status = stat(outputDir, &directory)) && !S_ISDIR(directory.st_mode)))
    status = error("--output-dir %s: not a directory", outputDir);
  else if (outputDir && status)
    status = error("--output-dir %s: %s", outputDir, strerror(errno));
  else if (assign_files(model, CNNRT_INPUT, inputArgs, inputCount, NULL, paths) ||
           assign_files(model, CNNRT_OUTPUT, outputArgs, outputCount, outputDir, paths))
    status = 1;
  else if (weights && cnnrt_safetensors_read(weights, &file, message, sizeof message))
    status = error("%s: %s", weights, message);
  else if (weights)
    status = check_weight_file(model, &file, weights, allowExtraWeights);
  /* A checkpoint of --train-data says how many epochs it has trained and
   * with which shuffling, so that training goes on where it stopped. */
  long trainedEpochs = 0, checkpointSeed = 1;
  if (!status && weights && trainData &&
      (read_metadata_number(&file, weights, "epoch", &trainedEpochs) ||
       read_metadata_number(&file, weights, "seed", &checkpointSeed)))
    status = 1;

  for (int32_t i = 0; i < model->num_tensors && !status; ++i) {
    const cnnrt_tensor *t = &model->tensors[i];
    int64_t count = cnnrt_num_elements(t);
    buffers[i] = aligned_alloc(64, (size_t)((count * 4 + 63) / 64 * 64));
    if (!buffers[i]) {
      status = error("out of memory for tensor '%s'", t->name);
      break;
    }
    /* Parameters, buffers and inputs are bound below; optimizer state starts
     * at zero unless a checkpoint carries it, and outputs an entry does not
     * write read as zeros. */
    if (t->role != CNNRT_PARAM && t->role != CNNRT_BUFFER && t->role != CNNRT_INPUT)
      memset(buffers[i], 0, (size_t)count * 4);
    if (t->role == CNNRT_STATE) {
      if (weights && cnnrt_safetensors_find(&file, t->name))
        status = bind_from_file(t, &file, weights, buffers[i]);
    } else if (t->role == CNNRT_PARAM || t->role == CNNRT_BUFFER) {
      if (weights)
        status = bind_from_file(t, &file, weights, buffers[i]);
      else if (t->data)
        memcpy(buffers[i], t->data, (size_t)count * 4);
      else
        cnnrt_initialize(t, buffers[i]);
    } else if (t->role == CNNRT_INPUT) {
      const char *input = paths[i];
      if (!input) {
        cnnrt_fill_uniform(t->name, buffers[i], count);
        continue;
      }
      int64_t shape[CNNRT_MAX_RANK];
      int32_t rank = 0;
      float *data = NULL;
      if (cnnrt_npy_read(input, shape, &rank, &data, message, sizeof message)) {
        status = error("%s: %s", input, message);
        break;
      }
      /* The array as a one-tensor file, checked by the same rule. */
      char name[4096];
      snprintf(name, sizeof name, "%s", t->name);
      cnnrt_file_tensor array = {0};
      array.name = name;
      strcpy(array.dtype, "F32");
      array.rank = rank;
      memcpy(array.shape, shape, sizeof shape);
      array.data = (const unsigned char *)data;
      array.nbytes = (uint64_t)count * 4;
      cnnrt_safetensors view = {NULL, 0, 1, &array, 0, NULL};
      status = bind_from_file(t, &view, input, buffers[i]);
      free(data);
    }
  }
  cnnrt_safetensors_free(&file);
  if (!status && saveWeights && !trainSteps && !trainData)
    status = save_weights(model, buffers, saveWeights);

  for (int32_t i = 0; !status && i < forward->num_tensors; ++i)
    arguments[i] = buffers[forward->tensors[i]];
  if (!status && trainSteps) {
    status = run_train_steps(model, trainStep, context, buffers, trainSteps);
  } else if (!status && trainData) {
    cnnrt_train_options train = {trainData,        (int32_t)trainedEpochs,
                                 epochs ? (int32_t)epochs : 1,
                                 (uint64_t)(seed ? seed : checkpointSeed),
                                 saveWeights,      logCsv,
                                 plotSvg};
    if (cnnrt_train(model, context, buffers, &train, message, sizeof message))
      status = error("%s", message);
  }
  else if (!status && (prepare->call(context, arguments) != CNNRT_OK ||
                       forward->call(context, arguments) != CNNRT_OK))
    status = error("%s", cnnrt_context_message(context));
  if (!status && saveWeights && trainSteps)
    status = save_weights(model, buffers, saveWeights);
  if (!status) {
    double *times = bench ? malloc(sizeof *times * (size_t)bench) : NULL;
    if (bench && !times)
      status = error("out of memory");
    if (times) {
      /* Warm-up: caches, page faults, the first-touch of every buffer. */
      for (int w = 0; w < 3 && !status; ++w)
        status = forward->call(context, arguments) != CNNRT_OK;
      for (long r = 0; r < bench && !status; ++r) {
        double start = now_ms();
        status = forward->call(context, arguments) != CNNRT_OK;
        times[r] = now_ms() - start;
      }
      if (status)
        error("%s", cnnrt_context_message(context));
    }
    if (times && !status) {
      qsort(times, (size_t)bench, sizeof *times, compare_doubles);
      double median = bench % 2 ? times[bench / 2]
                                : 0.5 * (times[bench / 2 - 1] + times[bench / 2]);
      printf("%s: %ld runs, median %.3f ms, min %.3f ms, max %.3f ms\n",
             model->name, bench, median, times[0], times[bench - 1]);
      printf("latency_ms median=%.4f min=%.4f max=%.4f runs=%ld\n", median,
             times[0], times[bench - 1], bench);
      printf("memory_mib peak_resident=%.1f peak_intermediate=%.1f\n",
             (double)peak_resident_kib() / 1024.0,
             (double)cnnrt_context_peak_memory(context) / (1024.0 * 1024.0));
    }
    free(times);
  }
  if (!status && profile)
    print_profile(context);

  /* Outputs go to their files; without any, the first values are printed. */
  int printOutputs = !outputCount && !outputDir && !bench && !profile && !trainData;
  for (int32_t i = 0; i < model->num_tensors && !status; ++i) {
    const cnnrt_tensor *t = &model->tensors[i];
    if (t->role != CNNRT_OUTPUT)
      continue;
    if (paths[i]) {
      if (cnnrt_npy_write(paths[i], t->shape, t->rank, buffers[i], message, sizeof message))
        status = error("%s: %s", paths[i], message);
    } else if (printOutputs) {
      char shape[160];
      cnnrt_format_shape(t->shape, t->rank, shape, sizeof shape);
      int64_t count = cnnrt_num_elements(t);
      printf("output '%s' %s:", t->name, shape);
      for (int64_t k = 0; k < count && k < 10; ++k)
        printf(" %.6g", buffers[i][k]);
      printf("%s\n", count > 10 ? " ..." : "");
    }
  }
  for (int32_t i = 0; buffers && i < model->num_tensors; ++i)
    free(buffers[i]);
  for (int32_t i = 0; paths && i < model->num_tensors; ++i)
    free(paths[i]);
  free(paths);
  free(buffers);
  free(arguments);
  cnnrt_context_destroy(context);
  return status;
}
