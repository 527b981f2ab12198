/*===- tensor_file.c - safetensors and .npy reading and writing ---------===*
 *
 * Both readers treat the file as untrusted: every length, offset and shape
 * is checked against the file's size before it is used.
 *
 *===----------------------------------------------------------------------===*/

#include "cnnrt.h"
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Headers beyond this are not safetensors files a model could need. */
#define MAX_HEADER_BYTES ((uint64_t)100 << 20)
#define MAX_JSON_DEPTH 64

int cnnrt_fail(char *err, size_t errlen, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(err, errlen, format, args);
  va_end(args);
  return -1;
}

int64_t cnnrt_num_elements(const cnnrt_tensor *tensor) {
  int64_t count = 1;
  for (int32_t i = 0; i < tensor->rank; ++i)
    count *= tensor->shape[i];
  return count;
}

void cnnrt_format_shape(const int64_t *shape, int32_t rank, char *out,
                        size_t size) {
  size_t used = 0;
  used += (size_t)snprintf(out, size, "[");
  for (int32_t i = 0; i < rank && used < size; ++i)
    used += (size_t)snprintf(out + used, size - used, "%s%lld", i ? ", " : "",
                             (long long)shape[i]);
  if (used < size)
    snprintf(out + used, size - used, "]");
}

/* Reads a whole file into memory. */
static int read_file(const char *path, unsigned char **bytes, size_t *size,
                     char *err, size_t errlen) {
  FILE *file = fopen(path, "rb");
  if (!file)
    return cnnrt_fail(err, errlen, "cannot open: %s", strerror(errno));
  if (fseek(file, 0, SEEK_END) != 0) {
    fclose(file);
    return cnnrt_fail(err, errlen, "cannot read: %s", strerror(errno));
  }
  long length = ftell(file);
  if (length < 0 || fseek(file, 0, SEEK_SET) != 0) {
    fclose(file);
    return cnnrt_fail(err, errlen, "cannot read: not a regular file");
  }
  *bytes = malloc(length ? (size_t)length : 1);
  if (!*bytes) {
    fclose(file);
    return cnnrt_fail(err, errlen, "cannot read: out of memory for %ld bytes", length);
  }
  size_t got = fread(*bytes, 1, (size_t)length, file);
  fclose(file);
  if (got != (size_t)length) {
    free(*bytes);
    *bytes = NULL;
    return cnnrt_fail(err, errlen, "cannot read: short read");
  }
  *size = (size_t)length;
  return 0;
}

/* Writes `count` chunks to `path` through a temporary file and a rename, so
 * that a reader never sees a partial file. */
static int write_file_atomically(const char *path, int count,
                                 const void *const *chunks,
                                 const size_t *sizes, char *err,
                                 size_t errlen) {
  size_t length = strlen(path) + 32;
  char *temporary = malloc(length);
  if (!temporary)
    return cnnrt_fail(err, errlen, "out of memory");
  snprintf(temporary, length, "%s.tmp-%ld", path, (long)getpid());
  FILE *file = fopen(temporary, "wb");
  if (!file) {
    cnnrt_fail(err, errlen, "cannot write: %s", strerror(errno));
    free(temporary);
    return -1;
  }
  int ok = 1;
  for (int i = 0; i < count && ok; ++i)
    ok = fwrite(chunks[i], 1, sizes[i], file) == sizes[i];
  ok = (fclose(file) == 0) && ok;
  if (!ok || rename(temporary, path) != 0) {
    cnnrt_fail(err, errlen, "cannot write: %s", strerror(errno));
    remove(temporary);
    free(temporary);
    return -1;
  }
  free(temporary);
  return 0;
}

/*--- A JSON reader just large enough for safetensors headers ----------===*/

typedef struct {
  const char *text, *end;
  int depth;
  char *err;
  size_t errlen;
} json_reader;

static void skip_space(json_reader *r) {
  while (r->text < r->end && (*r->text == ' ' || *r->text == '\n' ||
                              *r->text == '\r' || *r->text == '\t'))
    ++r->text;
}

static int json_error(json_reader *r, const char *what) {
  return cnnrt_fail(r->err, r->errlen, "malformed header: %s", what);
}

static int expect(json_reader *r, char c) {
  skip_space(r);
  if (r->text >= r->end || *r->text != c) {
    char what[32];
    snprintf(what, sizeof what, "expected '%c'", c);
    return json_error(r, what);
  }
  ++r->text;
  return 0;
}

static int peek(json_reader *r, char c) {
  skip_space(r);
  return r->text < r->end && *r->text == c;
}

/* Parses a string into a malloc'ed UTF-8 copy (if out is not NULL). */
static int parse_string(json_reader *r, char **out) {
  if (expect(r, '"'))
    return -1;
  size_t capacity = 16, length = 0;
  char *buffer = out ? malloc(capacity) : NULL;
  if (out && !buffer)
    return json_error(r, "out of memory");
  while (1) {
    if (r->text >= r->end) {
      free(buffer);
      return json_error(r, "unterminated string");
    }
    unsigned char c = (unsigned char)*r->text++;
    if (c == '"')
      break;
    if (c < 0x20) {
      free(buffer);
      return json_error(r, "control character in a string");
    }
    unsigned char bytes[4];
    int n = 1;
    bytes[0] = c;
    if (c == '\\') {
      if (r->text >= r->end) {
        free(buffer);
        return json_error(r, "unterminated string");
      }
      char e = *r->text++;
      switch (e) {
      case '"': case '\\': case '/': bytes[0] = (unsigned char)e; break;
      case 'b': bytes[0] = '\b'; break;
      case 'f': bytes[0] = '\f'; break;
      case 'n': bytes[0] = '\n'; break;
      case 'r': bytes[0] = '\r'; break;
      case 't': bytes[0] = '\t'; break;
      case 'u': {
        unsigned code = 0;
        for (int i = 0; i < 4; ++i) {
          if (r->text >= r->end) {
            free(buffer);
            return json_error(r, "bad \\u escape");
          }
          char h = *r->text++;
          code <<= 4;
          if (h >= '0' && h <= '9') code |= (unsigned)(h - '0');
          else if (h >= 'a' && h <= 'f') code |= (unsigned)(h - 'a' + 10);
          else if (h >= 'A' && h <= 'F') code |= (unsigned)(h - 'A' + 10);
          else {
            free(buffer);
            return json_error(r, "bad \\u escape");
          }
        }
        if (code >= 0xD800 && code <= 0xDFFF) {
          free(buffer);
          return json_error(r, "surrogate \\u escapes are not supported in names");
        }
        if (code < 0x80) { bytes[0] = (unsigned char)code; }
        else if (code < 0x800) {
          bytes[0] = (unsigned char)(0xC0 | (code >> 6));
          bytes[1] = (unsigned char)(0x80 | (code & 0x3F));
          n = 2;
        } else {
          bytes[0] = (unsigned char)(0xE0 | (code >> 12));
          bytes[1] = (unsigned char)(0x80 | ((code >> 6) & 0x3F));
          bytes[2] = (unsigned char)(0x80 | (code & 0x3F));
          n = 3;
        }
        break;
      }
      default:
        free(buffer);
        return json_error(r, "bad escape in a string");
      }
    }
    if (out) {
      if (length + (size_t)n + 1 > capacity) {
        capacity *= 2;
        char *grown = realloc(buffer, capacity);
        if (!grown) {
          free(buffer);
          return json_error(r, "out of memory");
        }
        buffer = grown;
      }
      memcpy(buffer + length, bytes, (size_t)n);
      length += (size_t)n;
    }
  }
  if (out) {
    buffer[length] = 0;
    *out = buffer;
  }
  return 0;
}

/* A non-negative integer that fits in 63 bits. */
static int parse_size(json_reader *r, int64_t *value) {
  skip_space(r);
  if (r->text >= r->end || *r->text < '0' || *r->text > '9')
    return json_error(r, "expected a non-negative integer");
  int64_t v = 0;
  while (r->text < r->end && *r->text >= '0' && *r->text <= '9') {
    if (v > (INT64_MAX - 9) / 10)
      return json_error(r, "integer too large");
    v = v * 10 + (*r->text++ - '0');
  }
  if (r->text < r->end && (*r->text == '.' || *r->text == 'e' || *r->text == 'E'))
    return json_error(r, "expected an integer");
  *value = v;
  return 0;
}

static int skip_value(json_reader *r) {
  skip_space(r);
  if (r->text >= r->end)
    return json_error(r, "unexpected end");
  if (++r->depth > MAX_JSON_DEPTH)
    return json_error(r, "nested too deeply");
  int status = 0;
  char c = *r->text;
  if (c == '"') {
    status = parse_string(r, NULL);
  } else if (c == '{' || c == '[') {
    char close = c == '{' ? '}' : ']';
    ++r->text;
    if (peek(r, close)) {
      ++r->text;
    } else {
      while (!status) {
        if (c == '{' && (parse_string(r, NULL) || expect(r, ':'))) {
          status = -1;
          break;
        }
        if (skip_value(r)) {
          status = -1;
          break;
        }
        if (peek(r, ',')) {
          ++r->text;
          continue;
        }
        status = expect(r, close);
        break;
      }
    }
  } else {
    /* numbers, true, false, null */
    const char *start = r->text;
    while (r->text < r->end && strchr("+-.0123456789eEtruefalsn", *r->text))
      ++r->text;
    if (r->text == start)
      status = json_error(r, "unexpected character");
  }
  --r->depth;
  return status;
}

static size_t dtype_size(const char *dtype) {
  static const struct { const char *name; size_t size; } sizes[] = {
      {"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8}, {"I32", 4},
      {"I16", 2}, {"I8", 1}, {"U8", 1}, {"BOOL", 1}, {"U16", 2}, {"U32", 4},
      {"U64", 8}, {"F8_E4M3", 1}, {"F8_E5M2", 1}};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; ++i)
    if (!strcmp(dtype, sizes[i].name))
      return sizes[i].size;
  return 0;
}

/* Parses one tensor entry {"dtype": ..., "shape": [...], "data_offsets": [b, e]}. */
static int parse_entry(json_reader *r, cnnrt_file_tensor *t, int64_t *begin,
                       int64_t *end) {
  int have_dtype = 0, have_shape = 0, have_offsets = 0;
  if (expect(r, '{'))
    return -1;
  while (!peek(r, '}')) {
    char *key = NULL;
    if (parse_string(r, &key) || expect(r, ':')) {
      free(key);
      return -1;
    }
    int status = 0;
    if (!strcmp(key, "dtype")) {
      char *dtype = NULL;
      status = parse_string(r, &dtype);
      if (!status && strlen(dtype) >= sizeof t->dtype)
        status = cnnrt_fail(r->err, r->errlen, "tensor '%s': unknown dtype '%s'", t->name, dtype);
      if (!status)
        strcpy(t->dtype, dtype);
      free(dtype);
      have_dtype = 1;
    } else if (!strcmp(key, "shape")) {
      status = expect(r, '[');
      t->rank = 0;
      while (!status && !peek(r, ']')) {
        if (t->rank == CNNRT_MAX_RANK) {
          status = cnnrt_fail(r->err, r->errlen, "tensor '%s': more than %d dimensions",
                        t->name, CNNRT_MAX_RANK);
          break;
        }
        status = parse_size(r, &t->shape[t->rank++]);
        if (!status && peek(r, ','))
          ++r->text;
      }
      if (!status)
        status = expect(r, ']');
      have_shape = 1;
    } else if (!strcmp(key, "data_offsets")) {
      status = expect(r, '[') || parse_size(r, begin) || expect(r, ',') ||
               parse_size(r, end) || expect(r, ']');
      have_offsets = 1;
    } else {
      status = skip_value(r);
    }
    free(key);
    if (status)
      return -1;
    if (peek(r, ','))
      ++r->text;
    else if (!peek(r, '}'))
      return json_error(r, "expected ',' or '}'");
  }
  ++r->text;
  if (!have_dtype || !have_shape || !have_offsets)
    return cnnrt_fail(r->err, r->errlen,
                "tensor '%s': needs \"dtype\", \"shape\" and \"data_offsets\"", t->name);
  return 0;
}

/* "__metadata__": an object whose string values are kept (the format
 * allows only strings; other values are passed over). */
static int parse_metadata(json_reader *r, cnnrt_safetensors *file) {
  if (!peek(r, '{'))
    return skip_value(r);
  ++r->text;
  int32_t capacity = 0;
  while (!peek(r, '}')) {
    char *key = NULL, *value = NULL;
    if (parse_string(r, &key) || expect(r, ':')) {
      free(key);
      return -1;
    }
    if (!peek(r, '"')) {
      free(key);
      if (skip_value(r))
        return -1;
    } else if (parse_string(r, &value)) {
      free(key);
      return -1;
    } else {
      if (file->metadata_count == capacity) {
        capacity = capacity ? capacity * 2 : 4;
        char **grown = realloc(file->metadata, sizeof *grown * 2 * (size_t)capacity);
        if (!grown) {
          free(key);
          free(value);
          return json_error(r, "out of memory");
        }
        file->metadata = grown;
      }
      file->metadata[2 * file->metadata_count] = key;
      file->metadata[2 * file->metadata_count++ + 1] = value;
    }
    if (!peek(r, ','))
      break;
    ++r->text;
  }
  return expect(r, '}');
}

const char *cnnrt_safetensors_metadata(const cnnrt_safetensors *file, const char *key) {
  for (int32_t i = 0; i < file->metadata_count; ++i)
    if (!strcmp(file->metadata[2 * i], key))
      return file->metadata[2 * i + 1];
  return NULL;
}

void cnnrt_safetensors_free(cnnrt_safetensors *file) {
  for (int32_t i = 0; i < file->count; ++i)
    free(file->tensors[i].name);
  for (int32_t i = 0; i < 2 * file->metadata_count; ++i)
    free(file->metadata[i]);
  free(file->metadata);
  free(file->tensors);
  free(file->bytes);
  memset(file, 0, sizeof *file);
}

/* Orders tensors by where their data starts. */
static int compare_data(const void *a, const void *b) {
  const cnnrt_file_tensor *x = *(const cnnrt_file_tensor *const *)a;
  const cnnrt_file_tensor *y = *(const cnnrt_file_tensor *const *)b;
  return (x->data > y->data) - (x->data < y->data);
}

/* The data of the tensors must cover the data section exactly: no overlap,
 * no gap, nothing after the last tensor (as the format requires). */
static int check_layout(const cnnrt_safetensors *file, const unsigned char *data,
                        uint64_t dataSize, char *err, size_t errlen) {
  if (!file->count)
    return dataSize ? cnnrt_fail(err, errlen, "%llu data bytes but no tensors",
                           (unsigned long long)dataSize)
                    : 0;
  const cnnrt_file_tensor **order = malloc(sizeof *order * (size_t)file->count);
  if (!order)
    return cnnrt_fail(err, errlen, "out of memory");
  for (int32_t i = 0; i < file->count; ++i)
    order[i] = &file->tensors[i];
  qsort(order, (size_t)file->count, sizeof *order, compare_data);
  int status = 0;
  const unsigned char *expected = data;
  for (int32_t i = 0; i < file->count && !status; ++i) {
    const cnnrt_file_tensor *t = order[i];
    if (t->data < expected)
      status = cnnrt_fail(err, errlen, "tensors '%s' and '%s' overlap", order[i - 1]->name,
                    t->name);
    else if (t->data > expected)
      status = cnnrt_fail(err, errlen, "%llu data bytes before tensor '%s' belong to no tensor",
                    (unsigned long long)(t->data - expected), t->name);
    expected = t->data + t->nbytes;
  }
  if (!status && expected != data + dataSize)
    status = cnnrt_fail(err, errlen, "%llu data bytes after the last tensor belong to no tensor",
                  (unsigned long long)(data + dataSize - expected));
  free(order);
  return status;
}

/* True for well-formed UTF-8 without overlong forms or surrogates. */
static int is_utf8(const char *text) {
  const unsigned char *c = (const unsigned char *)text;
  while (*c) {
    unsigned length = *c < 0x80 ? 1 : (*c >> 5) == 0x6 ? 2 : (*c >> 4) == 0xE ? 3
                                  : (*c >> 3) == 0x1E ? 4 : 0;
    if (!length || (length == 2 && *c < 0xC2) || (length == 4 && *c > 0xF4))
      return 0;
    for (unsigned i = 1; i < length; ++i)
      if ((c[i] & 0xC0) != 0x80)
        return 0;
    if ((length == 3 && *c == 0xE0 && c[1] < 0xA0) ||
        (length == 3 && *c == 0xED && c[1] >= 0xA0) ||
        (length == 4 && *c == 0xF0 && c[1] < 0x90) ||
        (length == 4 && *c == 0xF4 && c[1] >= 0x90))
      return 0;
    c += length;
  }
  return 1;
}

int cnnrt_safetensors_read(const char *path, cnnrt_safetensors *file,
                           char *err, size_t errlen) {
  unsigned char *bytes = NULL;
  size_t size = 0;
  memset(file, 0, sizeof *file);
  if (read_file(path, &bytes, &size, err, errlen))
    return -1;
  return cnnrt_safetensors_parse(bytes, size, file, err, errlen);
}

int cnnrt_safetensors_parse(unsigned char *bytes, size_t size,
                            cnnrt_safetensors *file, char *err, size_t errlen) {
  memset(file, 0, sizeof *file);
  file->bytes = bytes;
  file->size = size;
  if (file->size < 8) {
    size_t size = file->size;
    cnnrt_safetensors_free(file);
    return cnnrt_fail(err, errlen,
                "not a safetensors file: %zu bytes, shorter than its 8-byte header length",
                size);
  }
  uint64_t header = 0;
  for (int i = 7; i >= 0; --i)
    header = (header << 8) | file->bytes[i];
  if (header > MAX_HEADER_BYTES || header > file->size - 8) {
    unsigned long long length = (unsigned long long)header;
    size_t size = file->size;
    cnnrt_safetensors_free(file);
    return cnnrt_fail(err, errlen,
                "not a safetensors file: header length %llu does not fit the file's %zu bytes",
                length, size);
  }
  const unsigned char *data = file->bytes + 8 + header;
  uint64_t dataSize = file->size - 8 - header;
  json_reader r = {(const char *)file->bytes + 8, (const char *)data, 0, err, errlen};
  int32_t capacity = 0;
  int seenMetadata = 0;
  int status = expect(&r, '{');
  while (!status && !peek(&r, '}')) {
    char *name = NULL;
    status = parse_string(&r, &name) || expect(&r, ':');
    if (status) {
      free(name);
      break;
    }
    if (!strcmp(name, "__metadata__")) {
      free(name);
      if (seenMetadata++) {
        status = cnnrt_fail(err, errlen, "\"__metadata__\" appears twice");
        break;
      }
      status = parse_metadata(&r, file);
    } else if (!is_utf8(name)) {
      free(name);
      status = cnnrt_fail(err, errlen, "a tensor name is not valid UTF-8");
      break;
    } else {
      if (cnnrt_safetensors_find(file, name)) {
        status = cnnrt_fail(err, errlen, "tensor '%s' appears twice", name);
        free(name);
        break;
      }
      if (file->count == capacity) {
        capacity = capacity ? capacity * 2 : 16;
        cnnrt_file_tensor *grown = realloc(file->tensors, sizeof *grown * (size_t)capacity);
        if (!grown) {
          free(name);
          status = cnnrt_fail(err, errlen, "out of memory");
          break;
        }
        file->tensors = grown;
      }
      cnnrt_file_tensor *t = &file->tensors[file->count++];
      memset(t, 0, sizeof *t);
      t->name = name;
      int64_t begin = 0, end = 0;
      status = parse_entry(&r, t, &begin, &end);
      if (status)
        break;
      size_t element = dtype_size(t->dtype);
      if (!element) {
        status = cnnrt_fail(err, errlen, "tensor '%s': unknown dtype '%s'", t->name, t->dtype);
        break;
      }
      uint64_t bytes = element;
      for (int32_t i = 0; i < t->rank && !status; ++i)
        if (t->shape[i] && bytes > UINT64_MAX / (uint64_t)t->shape[i])
          status = cnnrt_fail(err, errlen, "tensor '%s': its shape is too large", t->name);
        else
          bytes *= (uint64_t)t->shape[i];
      if (status)
        break;
      if (begin > end) {
        status = cnnrt_fail(err, errlen, "tensor '%s': data_offsets [%lld, %lld] end before they begin",
                      t->name, (long long)begin, (long long)end);
        break;
      }
      if ((uint64_t)end > dataSize) {
        status = cnnrt_fail(err, errlen,
                      "tensor '%s': data_offsets [%lld, %lld] lie outside the %llu data bytes",
                      t->name, (long long)begin, (long long)end,
                      (unsigned long long)dataSize);
        break;
      }
      if ((uint64_t)(end - begin) != bytes) {
        char shape[128];
        cnnrt_format_shape(t->shape, t->rank, shape, sizeof shape);
        status = cnnrt_fail(err, errlen,
                      "tensor '%s': %lld data bytes, but %s %s needs %llu",
                      t->name, (long long)(end - begin), t->dtype, shape,
                      (unsigned long long)bytes);
        break;
      }
      t->data = data + begin;
      t->nbytes = bytes;
    }
    if (!status && peek(&r, ','))
      ++r.text;
    else if (!status && !peek(&r, '}'))
      status = json_error(&r, "expected ',' or '}'");
  }
  if (!status)
    status = expect(&r, '}');
  skip_space(&r);
  if (!status && r.text != r.end)
    status = json_error(&r, "text after the header object");
  if (!status)
    status = check_layout(file, data, dataSize, err, errlen);
  if (status) {
    cnnrt_safetensors_free(file);
    return -1;
  }
  return 0;
}

const cnnrt_file_tensor *cnnrt_safetensors_find(const cnnrt_safetensors *file,
                                                const char *name) {
  for (int32_t i = 0; i < file->count; ++i)
    if (!strcmp(file->tensors[i].name, name))
      return &file->tensors[i];
  return NULL;
}

/* Appends `text` to a growing buffer. */
typedef struct { char *text; size_t length, capacity; int failed; } string_builder;

static void append(string_builder *b, const char *text) {
  size_t n = strlen(text);
  if (b->failed)
    return;
  if (b->length + n + 1 > b->capacity) {
    size_t capacity = (b->length + n + 1) * 2;
    char *grown = realloc(b->text, capacity);
    if (!grown) {
      b->failed = 1;
      return;
    }
    b->text = grown;
    b->capacity = capacity;
  }
  memcpy(b->text + b->length, text, n + 1);
  b->length += n;
}

static void append_json_string(string_builder *b, const char *text) {
  append(b, "\"");
  for (const unsigned char *c = (const unsigned char *)text; *c; ++c) {
    char escaped[8];
    if (*c == '"' || *c == '\\')
      snprintf(escaped, sizeof escaped, "\\%c", *c);
    else if (*c < 0x20)
      snprintf(escaped, sizeof escaped, "\\u%04x", *c);
    else
      snprintf(escaped, sizeof escaped, "%c", *c);
    append(b, escaped);
  }
  append(b, "\"");
}

int cnnrt_safetensors_write(const char *path, int32_t count,
                            const char *const *names,
                            const int64_t *const *shapes, const int32_t *ranks,
                            const float *const *data, const char *const *metadata,
                            char *err, size_t errlen) {
  string_builder header = {0};
  uint64_t offset = 0;
  append(&header, "{");
  if (metadata && metadata[0]) {
    append(&header, "\"__metadata__\":{");
    for (int32_t i = 0; metadata[i]; i += 2) {
      append(&header, i ? "," : "");
      append_json_string(&header, metadata[i]);
      append(&header, ":");
      append_json_string(&header, metadata[i + 1]);
    }
    append(&header, count ? "}," : "}");
  }
  for (int32_t i = 0; i < count; ++i) {
    char number[64];
    uint64_t bytes = 4;
    append(&header, i ? "," : "");
    append_json_string(&header, names[i]);
    append(&header, ":{\"dtype\":\"F32\",\"shape\":[");
    for (int32_t d = 0; d < ranks[i]; ++d) {
      snprintf(number, sizeof number, "%s%lld", d ? "," : "", (long long)shapes[i][d]);
      append(&header, number);
      bytes *= (uint64_t)shapes[i][d];
    }
    snprintf(number, sizeof number, "],\"data_offsets\":[%llu,%llu]}",
             (unsigned long long)offset, (unsigned long long)(offset + bytes));
    append(&header, number);
    offset += bytes;
  }
  append(&header, "}");
  /* The data starts 8-byte aligned, padded with spaces as the format allows. */
  while (!header.failed && (header.length % 8) != 0)
    append(&header, " ");
  if (header.failed) {
    free(header.text);
    return cnnrt_fail(err, errlen, "out of memory");
  }
  unsigned char length[8];
  for (int i = 0; i < 8; ++i)
    length[i] = (unsigned char)((uint64_t)header.length >> (8 * i));

  int chunks = 2 + count;
  const void **parts = malloc(sizeof *parts * (size_t)chunks);
  size_t *sizes = malloc(sizeof *sizes * (size_t)chunks);
  if (!parts || !sizes) {
    free(parts);
    free(sizes);
    free(header.text);
    return cnnrt_fail(err, errlen, "out of memory");
  }
  parts[0] = length;
  sizes[0] = 8;
  parts[1] = header.text;
  sizes[1] = header.length;
  for (int32_t i = 0; i < count; ++i) {
    size_t bytes = 4;
    for (int32_t d = 0; d < ranks[i]; ++d)
      bytes *= (size_t)shapes[i][d];
    parts[2 + i] = data[i];
    sizes[2 + i] = bytes;
  }
  int status = write_file_atomically(path, chunks, parts, sizes, err, errlen);
  free(parts);
  free(sizes);
  free(header.text);
  return status;
}

/*--- .npy ---------------------------------------------------------------===*/

/* Finds `'key':` in a .npy header dict and returns what follows it. */
static const char *npy_field(const char *header, const char *key) {
  char pattern[32];
  snprintf(pattern, sizeof pattern, "'%s'", key);
  const char *at = strstr(header, pattern);
  if (!at)
    return NULL;
  at += strlen(pattern);
  while (*at == ' ')
    ++at;
  if (*at != ':')
    return NULL;
  ++at;
  while (*at == ' ')
    ++at;
  return at;
}

int cnnrt_npy_read(const char *path, int64_t *shape, int32_t *rank,
                   float **data, char *err, size_t errlen) {
  unsigned char *bytes = NULL;
  size_t size = 0;
  *data = NULL;
  if (read_file(path, &bytes, &size, err, errlen))
    return -1;
  int status = cnnrt_npy_parse(bytes, size, shape, rank, data, err, errlen);
  free(bytes);
  return status;
}

int cnnrt_npy_parse(const unsigned char *bytes, size_t size, int64_t *shape,
                    int32_t *rank, float **data, char *err, size_t errlen) {
  int status = 0;
  *data = NULL;
  *rank = 0;
  size_t headerLength = 0, start = 0;
  if (size < 10 || memcmp(bytes, "\x93NUMPY", 6) != 0) {
    status = cnnrt_fail(err, errlen, "not a .npy file (no \\x93NUMPY magic)");
  } else if (bytes[6] == 1) {
    headerLength = (size_t)bytes[8] | ((size_t)bytes[9] << 8);
    start = 10;
  } else if ((bytes[6] == 2 || bytes[6] == 3) && size >= 12) {
    headerLength = (size_t)bytes[8] | ((size_t)bytes[9] << 8) |
                   ((size_t)bytes[10] << 16) | ((size_t)bytes[11] << 24);
    start = 12;
  } else {
    status = cnnrt_fail(err, errlen, "unsupported .npy version %d", bytes[6]);
  }
  if (!status && headerLength > size - start)
    status = cnnrt_fail(err, errlen, "truncated .npy header");
  char *header = NULL;
  if (!status) {
    header = malloc(headerLength + 1);
    if (!header)
      status = cnnrt_fail(err, errlen, "out of memory");
  }
  if (!status) {
    memcpy(header, bytes + start, headerLength);
    header[headerLength] = 0;
    const char *descr = npy_field(header, "descr");
    const char *order = npy_field(header, "fortran_order");
    const char *dims = npy_field(header, "shape");
    if (!descr || !order || !dims) {
      status = cnnrt_fail(err, errlen, "malformed .npy header");
    } else if (strncmp(descr, "'<f4'", 5) != 0 && strncmp(descr, "'|f4'", 5) != 0) {
      char dtype[16] = {0};
      size_t n = strcspn(descr, ",}");
      memcpy(dtype, descr, n < sizeof dtype - 1 ? n : sizeof dtype - 1);
      status = cnnrt_fail(err, errlen,
                    "dtype %s: cnnc takes little-endian float32 ('<f4'); "
                    "convert with numpy's astype(numpy.float32)", dtype);
    } else if (strncmp(order, "False", 5) != 0) {
      status = cnnrt_fail(err, errlen, "array in Fortran order: save a C-ordered array "
                                 "(numpy.ascontiguousarray)");
    } else if (*dims != '(') {
      status = cnnrt_fail(err, errlen, "malformed .npy shape");
    } else {
      ++dims;
      *rank = 0;
      while (!status && *dims != ')') {
        while (*dims == ' ' || *dims == ',')
          ++dims;
        if (*dims == ')')
          break;
        if (*rank == CNNRT_MAX_RANK) {
          status = cnnrt_fail(err, errlen, "more than %d dimensions", CNNRT_MAX_RANK);
          break;
        }
        char *after = NULL;
        errno = 0;
        long long dim = strtoll(dims, &after, 10);
        if (after == dims || dim < 0 || errno) {
          status = cnnrt_fail(err, errlen, "malformed .npy shape");
          break;
        }
        shape[(*rank)++] = dim;
        dims = after;
      }
    }
  }
  if (!status) {
    uint64_t count = 1;
    for (int32_t i = 0; i < *rank && !status; ++i)
      if (shape[i] && count > UINT64_MAX / 4 / (uint64_t)shape[i])
        status = cnnrt_fail(err, errlen, "shape too large");
      else
        count *= (uint64_t)shape[i];
    size_t offset = start + headerLength;
    if (!status && count * 4 != size - offset)
      status = cnnrt_fail(err, errlen, "%llu data bytes, but the shape needs %llu",
                    (unsigned long long)(size - offset),
                    (unsigned long long)(count * 4));
    if (!status) {
      *data = malloc(count ? count * 4 : 1);
      if (!*data)
        status = cnnrt_fail(err, errlen, "out of memory");
      else
        memcpy(*data, bytes + offset, count * 4);
    }
  }
  free(header);
  return status;
}

int cnnrt_npy_write(const char *path, const int64_t *shape, int32_t rank,
                    const float *data, char *err, size_t errlen) {
  char header[512];
  int used = snprintf(header, sizeof header,
                      "{'descr': '<f4', 'fortran_order': False, 'shape': (");
  uint64_t count = 1;
  for (int32_t i = 0; i < rank; ++i) {
    used += snprintf(header + used, sizeof header - (size_t)used, "%lld,%s",
                     (long long)shape[i], i + 1 < rank ? " " : "");
    count *= (uint64_t)shape[i];
  }
  used += snprintf(header + used, sizeof header - (size_t)used, "), }");
  /* Pad with spaces and a newline so that the data is 64-byte aligned. */
  size_t total = 10 + (size_t)used + 1;
  size_t padded = (total + 63) / 64 * 64;
  unsigned char *prefix = malloc(padded);
  if (!prefix)
    return cnnrt_fail(err, errlen, "out of memory");
  memcpy(prefix, "\x93NUMPY\x01\x00", 8);
  size_t length = padded - 10;
  prefix[8] = (unsigned char)(length & 0xFF);
  prefix[9] = (unsigned char)(length >> 8);
  memcpy(prefix + 10, header, (size_t)used);
  memset(prefix + 10 + used, ' ', padded - 10 - (size_t)used - 1);
  prefix[padded - 1] = '\n';
  const void *parts[2] = {prefix, data};
  size_t sizes[2] = {padded, (size_t)(count * 4)};
  int status = write_file_atomically(path, 2, parts, sizes, err, errlen);
  free(prefix);
  return status;
}

/*--- IDX files (MNIST's format) ----------------------------------------===*/

int cnnrt_idx_parse(unsigned char *bytes, size_t size, cnnrt_idx *idx, char *err,
                    size_t errlen) {
  memset(idx, 0, sizeof *idx);
  /* Compressed as the datasets are distributed: inflate first. */
  if (size >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) {
    unsigned char *inflated = NULL;
    size_t inflatedSize = 0;
    int status = cnnrt_gunzip(bytes, size, &inflated, &inflatedSize, err, errlen);
    free(bytes);
    if (status)
      return -1;
    bytes = inflated;
    size = inflatedSize;
  }
  idx->bytes = bytes;
  if (size < 4 || bytes[0] != 0 || bytes[1] != 0)
    return cnnrt_idx_free(idx), cnnrt_fail(err, errlen, "not an IDX file (no 0x0000 magic)");
  int type = bytes[2];
  if (type != 0x08)
    return cnnrt_idx_free(idx),
           cnnrt_fail(err, errlen, "an IDX file of type 0x%02x; only unsigned bytes (0x08) are read",
                type);
  int32_t rank = bytes[3];
  if (rank < 1 || rank > CNNRT_MAX_RANK)
    return cnnrt_idx_free(idx),
           cnnrt_fail(err, errlen, "an IDX file of %d dimensions; 1 to %d are read", rank,
                CNNRT_MAX_RANK);
  if (size - 4 < (size_t)rank * 4)
    return cnnrt_idx_free(idx), cnnrt_fail(err, errlen, "the IDX header ends early");
  uint64_t count = 1;
  for (int32_t d = 0; d < rank; ++d) {
    const unsigned char *p = bytes + 4 + 4 * d;
    uint32_t dim = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    idx->shape[d] = dim;
    count *= dim; /* at most 2^32 per factor; checked against the size below */
    if (dim == 0)
      return cnnrt_idx_free(idx),
             cnnrt_fail(err, errlen, "dimension %d of the IDX shape is 0: the file holds nothing", d);
    if (count > size)
      return cnnrt_idx_free(idx),
             cnnrt_fail(err, errlen, "the IDX shape holds more values than the file has");
  }
  size_t header = 4 + (size_t)rank * 4;
  if (size - header != count)
    return cnnrt_idx_free(idx),
           cnnrt_fail(err, errlen, "the IDX shape holds %llu values, the file %zu",
                (unsigned long long)count, size - header);
  idx->rank = rank;
  idx->data = bytes + header;
  idx->count = count;
  return 0;
}

int cnnrt_idx_read(const char *path, cnnrt_idx *idx, char *err, size_t errlen) {
  unsigned char *bytes = NULL;
  size_t size = 0;
  memset(idx, 0, sizeof *idx);
  if (read_file(path, &bytes, &size, err, errlen))
    return -1;
  return cnnrt_idx_parse(bytes, size, idx, err, errlen);
}

void cnnrt_idx_free(cnnrt_idx *idx) {
  free(idx->bytes);
  memset(idx, 0, sizeof *idx);
}
