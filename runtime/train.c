/*===- train.c - The training loop of a model compiled with --train ------===*
 *
 * Reads an IDX dataset (MNIST, Fashion-MNIST), and for each epoch shuffles
 * the training images with a seeded generator, runs "train_step" on every
 * full batch, evaluates the test set with "forward" (the loss and accuracy
 * computed here, so a last partial batch counts exactly), writes a
 * checkpoint (atomic safetensors: parameters, buffers and optimizer state)
 * and a line of the CSV log, and draws the curves as SVG.
 *
 *===----------------------------------------------------------------------===*/

#include "cnnrt.h"
#include "error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  cnnrt_idx images, labels;
} split;

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* DIR/NAME, or DIR/NAME.gz where only that exists. */
static int read_idx(const char *dir, const char *name, cnnrt_idx *idx, char *err,
                    size_t errlen) {
  char path[4096], message[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (access(path, R_OK) != 0)
    snprintf(path, sizeof path, "%s/%s.gz", dir, name);
  if (cnnrt_idx_read(path, idx, message, sizeof message))
    return cnnrt_fail(err, errlen, "%s: %s", path, message);
  return 0;
}

/* The images and labels of DIR/PREFIX-*, checked against the model: images
 * that fit its input, labels below its number of classes. */
static int read_split(const char *dir, const char *prefix, int64_t height, int64_t width,
                      int64_t classes, split *s, char *err, size_t errlen) {
  char images[64], labels[64];
  snprintf(images, sizeof images, "%s-images-idx3-ubyte", prefix);
  snprintf(labels, sizeof labels, "%s-labels-idx1-ubyte", prefix);
  if (read_idx(dir, images, &s->images, err, errlen) ||
      read_idx(dir, labels, &s->labels, err, errlen))
    return -1;
  if (s->images.rank != 3 || s->labels.rank != 1 ||
      s->images.shape[0] != s->labels.shape[0])
    return cnnrt_fail(err, errlen,
                "%s/%s: expected images [N, H, W] and as many labels, got %lld images and "
                "%lld labels", dir, prefix, (long long)s->images.shape[0],
                (long long)s->labels.shape[0]);
  if (s->images.shape[1] > height || s->images.shape[2] > width)
    return cnnrt_fail(err, errlen, "%s/%s: the images are %lldx%lld, larger than the model's "
                             "%lldx%lld input", dir, images, (long long)s->images.shape[1],
                (long long)s->images.shape[2], (long long)height, (long long)width);
  for (uint64_t i = 0; i < s->labels.count; ++i)
    if (s->labels.data[i] >= classes)
      return cnnrt_fail(err, errlen, "%s/%s: label %d (of image %llu) is not below the model's "
                               "%lld classes", dir, labels, s->labels.data[i],
                  (unsigned long long)i, (long long)classes);
  return 0;
}

/* Image `index` scaled to [0, 1], centred in the model's [1, H, W] input
 * with zeros around it (28x28 in 32x32, as LeNet-5's paper does). */
static void place_image(const split *s, int64_t index, float *out, int64_t height,
                        int64_t width) {
  int64_t h = s->images.shape[1], w = s->images.shape[2];
  int64_t top = (height - h) / 2, left = (width - w) / 2;
  memset(out, 0, sizeof(float) * (size_t)(height * width));
  const unsigned char *pixels = s->images.data + index * h * w;
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      out[(y + top) * width + x + left] = (float)pixels[y * w + x] / 255.0f;
}

static uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Fisher-Yates with a generator seeded by `seed` and the epoch. */
static void shuffle(int64_t *order, int64_t count, uint64_t seed, int32_t epoch) {
  uint64_t state = seed * 0x100000001b3ull + (uint64_t)epoch;
  for (int64_t i = 0; i < count; ++i)
    order[i] = i;
  for (int64_t i = count - 1; i > 0; --i) {
    int64_t j = (int64_t)(splitmix64(&state) % (uint64_t)(i + 1));
    int64_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

static int find_tensor(const cnnrt_model *model, const char *name, int32_t role) {
  for (int32_t i = 0; i < model->num_tensors; ++i)
    if (model->tensors[i].role == role && !strcmp(model->tensors[i].name, name))
      return i;
  return -1;
}

/* Parameters, buffers and optimizer state, with the epochs done and the
 * seed, written atomically. */
static int write_checkpoint(const cnnrt_model *model, float **buffers, const char *path,
                            int32_t epoch, uint64_t seed, char *err, size_t errlen) {
  char epochText[16], seedText[32], message[512];
  snprintf(epochText, sizeof epochText, "%d", (int)epoch);
  snprintf(seedText, sizeof seedText, "%llu", (unsigned long long)seed);
  const char *metadata[] = {"epoch", epochText, "seed", seedText, NULL};
  if (cnnrt_save_weights(model, buffers, path, metadata, message, sizeof message))
    return cnnrt_fail(err, errlen, "%s: %s", path, message);
  return 0;
}

/* The test set's mean cross-entropy and accuracy, from "forward"'s logits. */
static int evaluate(const cnnrt_model *model, cnnrt_context *context, float **buffers,
                    int input, int output, const split *test, double *loss,
                    double *accuracy, char *err, size_t errlen) {
  const cnnrt_tensor *in = &model->tensors[input], *out = &model->tensors[output];
  int64_t batch = in->shape[0], classes = out->shape[1];
  int64_t height = in->shape[2], width = in->shape[3];
  int64_t count = test->images.shape[0];
  const cnnrt_entry_point *prepare = cnnrt_find_entry_point(model, "prepare");
  const cnnrt_entry_point *forward = cnnrt_find_entry_point(model, "forward");
  if (prepare->call(context, buffers) != CNNRT_OK)
    return cnnrt_fail(err, errlen, "%s", cnnrt_context_message(context));
  double total = 0.0;
  int64_t correct = 0;
  for (int64_t start = 0; start < count; start += batch) {
    int64_t rows = count - start < batch ? count - start : batch;
    for (int64_t r = 0; r < batch; ++r)
      place_image(test, start + (r < rows ? r : 0), buffers[input] + r * height * width,
                  height, width);
    if (forward->call(context, buffers) != CNNRT_OK)
      return cnnrt_fail(err, errlen, "%s", cnnrt_context_message(context));
    for (int64_t r = 0; r < rows; ++r) {
      const float *z = buffers[output] + r * classes;
      int64_t label = test->labels.data[start + r], best = 0;
      double largest = z[0], sum = 0.0;
      for (int64_t k = 1; k < classes; ++k)
        if (z[k] > z[best])
          best = k;
      largest = z[best];
      for (int64_t k = 0; k < classes; ++k)
        sum += exp((double)z[k] - largest);
      total += largest + log(sum) - (double)z[label];
      correct += best == label;
    }
  }
  *loss = total / (double)count;
  *accuracy = (double)correct / (double)count;
  return 0;
}

typedef struct {
  double train_loss, train_accuracy, test_loss, test_accuracy, seconds;
} epoch_record;

static void write_log_line(FILE *log, int32_t epoch, const epoch_record *record,
                           int64_t images) {
  fprintf(log, "%d,%.6f,%.6f,%.6f,%.6f,%.3f,%.1f\n", epoch + 1, record->train_loss,
          record->train_accuracy, record->test_loss, record->test_accuracy,
          record->seconds, (double)images / record->seconds);
  fflush(log);
}

/* Reads the lines of epochs 1..`epochs` of an earlier run's log into
 * `records`; returns the first epoch (from 0) of the unbroken run of lines
 * that ends at `epochs`, or `epochs` when the log has none. */
static int32_t read_log(const char *path, epoch_record *records, int32_t epochs) {
  FILE *f = fopen(path, "r");
  if (!f)
    return epochs;
  char line[512];
  int32_t first = epochs;
  unsigned char *seen = calloc((size_t)epochs, 1);
  while (seen && fgets(line, sizeof line, f)) {
    int epoch;
    epoch_record r;
    if (sscanf(line, "%d,%lf,%lf,%lf,%lf,%lf", &epoch, &r.train_loss, &r.train_accuracy,
               &r.test_loss, &r.test_accuracy, &r.seconds) == 6 &&
        epoch >= 1 && epoch <= epochs) {
      records[epoch - 1] = r;
      seen[epoch - 1] = 1;
    }
  }
  while (seen && first > 0 && seen[first - 1])
    --first;
  free(seen);
  fclose(f);
  return first;
}

/* Loss and accuracy per epoch, train and test, as two SVG charts. */
static int write_plot(const char *path, const epoch_record *records, int32_t first,
                      int32_t epochs, char *err, size_t errlen) {
  char temporary[4200];
  snprintf(temporary, sizeof temporary, "%s.tmp-%d", path, (int)getpid());
  FILE *f = fopen(temporary, "w");
  if (!f)
    return cnnrt_fail(err, errlen, "%s: cannot write", path);
  fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"840\" height=\"320\" "
             "font-family=\"sans-serif\" font-size=\"12\">\n");
  for (int chart = 0; chart < 2; ++chart) {
    double x0 = 60 + 420 * chart, y0 = 260, w = 340, h = 220, top = 0.0;
    for (int32_t e = 0; e < epochs; ++e) {
      double a = chart ? 1.0 : records[e].train_loss, b = chart ? 1.0 : records[e].test_loss;
      top = fmax(top, fmax(a, b));
    }
    fprintf(f, "<text x=\"%g\" y=\"20\">%s per epoch</text>\n", x0,
            chart ? "accuracy" : "loss");
    fprintf(f, "<path d=\"M%g %gV%gH%g\" stroke=\"black\" fill=\"none\"/>\n", x0, y0 - h, y0,
            x0 + w);
    fprintf(f, "<text x=\"%g\" y=\"%g\">%.3g</text><text x=\"%g\" y=\"%g\">0</text>\n",
            x0 - 50, y0 - h + 4, top, x0 - 20, y0 + 4);
    fprintf(f, "<text x=\"%g\" y=\"%g\">epoch %d</text>", x0, y0 + 18, (int)first + 1);
    if (epochs > 1)
      fprintf(f, "<text x=\"%g\" y=\"%g\">%d</text>", x0 + w - 10, y0 + 18,
              (int)(first + epochs));
    fprintf(f, "\n");
    for (int series = 0; series < 2; ++series) {
      fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" points=\"",
              series ? "#d62728" : "#1f77b4");
      for (int32_t e = 0; e < epochs; ++e) {
        double v = chart ? (series ? records[e].test_accuracy : records[e].train_accuracy)
                         : (series ? records[e].test_loss : records[e].train_loss);
        double x = x0 + (epochs > 1 ? w * e / (epochs - 1) : w / 2);
        fprintf(f, "%g,%g ", x, y0 - h * (top > 0 ? v / top : 0));
      }
      fprintf(f, "\"/>\n<text x=\"%g\" y=\"%g\" fill=\"%s\">%s</text>\n", x0 + w - 60,
              y0 - h + 16 + 14 * series, series ? "#d62728" : "#1f77b4",
              series ? "test" : "train");
    }
  }
  fprintf(f, "</svg>\n");
  if (fclose(f) != 0 || rename(temporary, path) != 0) {
    remove(temporary);
    return cnnrt_fail(err, errlen, "%s: cannot write", path);
  }
  return 0;
}

int cnnrt_train(const cnnrt_model *model, cnnrt_context *context, float **buffers,
                const cnnrt_train_options *options, char *err, size_t errlen) {
  const cnnrt_entry_point *step = cnnrt_find_entry_point(model, "train_step");
  if (!step)
    return cnnrt_fail(err, errlen, "the model was compiled without --train");
  int input = find_tensor(model, "input", CNNRT_INPUT);
  int labels = find_tensor(model, "labels", CNNRT_INPUT);
  int loss = find_tensor(model, "loss", CNNRT_OUTPUT);
  int correct = find_tensor(model, "correct", CNNRT_OUTPUT);
  int output = -1;
  for (int32_t i = 0; i < model->num_tensors && output < 0; ++i)
    if (model->tensors[i].role == CNNRT_OUTPUT && i != loss && i != correct)
      output = i;
  if (input < 0 || labels < 0 || loss < 0 || correct < 0 || output < 0)
    return cnnrt_fail(err, errlen, "the model has no 'input', 'labels', 'loss' and 'correct': "
                             "train it with the cross-entropy loss");
  const cnnrt_tensor *in = &model->tensors[input];
  if (in->rank != 4 || in->shape[1] != 1 || model->tensors[output].rank != 2)
    return cnnrt_fail(err, errlen, "the model takes [N, 1, H, W] images and gives [N, classes] "
                             "logits to train on an IDX dataset");
  split train, test;
  memset(&train, 0, sizeof train);
  memset(&test, 0, sizeof test);
  int64_t batch = in->shape[0], height = in->shape[2], width = in->shape[3];
  int64_t classes = model->tensors[output].shape[1];
  int status = read_split(options->data_dir, "train", height, width, classes, &train, err,
                          errlen) ||
               read_split(options->data_dir, "t10k", height, width, classes, &test, err,
                          errlen);
  if (!status && train.images.shape[0] < batch)
    status = cnnrt_fail(err, errlen, "%s: %lld training images, fewer than a batch of %lld",
                  options->data_dir, (long long)train.images.shape[0], (long long)batch);
  int64_t count = train.images.shape[0], steps = count / batch;
  int64_t *order = status ? NULL : malloc(sizeof *order * (size_t)count);
  int32_t lastEpoch = options->epochs > options->trained_epochs ? options->epochs
                                                               : options->trained_epochs;
  epoch_record *records = status ? NULL : calloc((size_t)lastEpoch, sizeof *records);
  if (!status && (!order || !records))
    status = cnnrt_fail(err, errlen, "out of memory");
  /* A resumed run keeps the log's lines of the epochs the checkpoint has
   * trained, so that the log and the plot show the whole run. */
  int32_t firstRecord = options->trained_epochs;
  if (!status && options->log_csv && options->trained_epochs > 0)
    firstRecord = read_log(options->log_csv, records, options->trained_epochs);
  FILE *log = NULL;
  if (!status && options->log_csv) {
    log = fopen(options->log_csv, "w");
    if (!log)
      status = cnnrt_fail(err, errlen, "%s: cannot write", options->log_csv);
    else
      fprintf(log, "epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds,images_per_second\n");
    for (int32_t e = firstRecord; log && e < options->trained_epochs; ++e)
      write_log_line(log, e, &records[e], steps * batch);
  }
  if (!status && options->trained_epochs >= options->epochs)
    printf("the weights have trained %d epochs; --epochs %d asks for no more\n",
           options->trained_epochs, options->epochs);
  /* The dropout masks follow the seed from the first step; a resumed run
   * has the checkpoint's. */
  int dropoutSeed = find_tensor(model, "dropout_seed", CNNRT_STATE);
  if (!status && dropoutSeed >= 0 && options->trained_epochs == 0)
    buffers[dropoutSeed][0] = (float)options->seed;
  int tty = isatty(STDOUT_FILENO);
  for (int32_t epoch = options->trained_epochs; !status && epoch < options->epochs;
       ++epoch) {
    shuffle(order, count, options->seed, epoch);
    double start = now_seconds(), lossSum = 0.0, correctSum = 0.0;
    for (int64_t s = 0; s < steps && !status; ++s) {
      for (int64_t r = 0; r < batch; ++r) {
        int64_t image = order[s * batch + r];
        place_image(&train, image, buffers[input] + r * height * width, height, width);
        buffers[labels][r] = (float)train.labels.data[image];
      }
      if (step->call(context, buffers) != CNNRT_OK) {
        status = cnnrt_fail(err, errlen, "%s", cnnrt_context_message(context));
        break;
      }
      lossSum += buffers[loss][0];
      correctSum += buffers[correct][0];
      double elapsed = now_seconds() - start;
      if (tty && (s % 20 == 0 || s == steps - 1)) {
        double rate = (double)((s + 1) * batch) / elapsed;
        int width40 = (int)(40 * (s + 1) / steps);
        printf("\repoch %d/%d [%.*s%*s] loss %.4f accuracy %.2f%% %.0f images/s ETA %.0f s ",
               epoch + 1, options->epochs, width40, "########################################",
               40 - width40, "", lossSum / (double)(s + 1),
               100.0 * correctSum / (double)((s + 1) * batch), rate,
               (double)((steps - s - 1) * batch) / rate);
        fflush(stdout);
      }
    }
    if (status)
      break;
    epoch_record *record = &records[epoch];
    record->seconds = now_seconds() - start;
    record->train_loss = lossSum / (double)steps;
    record->train_accuracy = correctSum / (double)(steps * batch);
    status = evaluate(model, context, buffers, input, output, &test, &record->test_loss,
                      &record->test_accuracy, err, errlen);
    if (status)
      break;
    printf("%sepoch %d: train loss %.4f accuracy %.2f%%, test loss %.4f accuracy %.2f%%, "
           "%.1f s (%.0f images/s)\n",
           tty ? "\r" : "", epoch + 1, record->train_loss, 100 * record->train_accuracy,
           record->test_loss, 100 * record->test_accuracy, record->seconds,
           (double)(steps * batch) / record->seconds);
    fflush(stdout);
    if (log)
      write_log_line(log, epoch, record, steps * batch);
    if (options->checkpoint)
      status = write_checkpoint(model, buffers, options->checkpoint, epoch + 1,
                                options->seed, err, errlen);
    if (!status && options->plot_svg)
      status = write_plot(options->plot_svg, records + firstRecord, firstRecord,
                          epoch + 1 - firstRecord, err, errlen);
  }
  if (log && fclose(log) != 0 && !status)
    status = cnnrt_fail(err, errlen, "%s: cannot write", options->log_csv);
  free(order);
  free(records);
  cnnrt_idx_free(&train.images);
  cnnrt_idx_free(&train.labels);
  cnnrt_idx_free(&test.images);
  cnnrt_idx_free(&test.labels);
  return status ? -1 : 0;
}
