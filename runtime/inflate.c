/*===- inflate.c - gzip decompression for the data readers ---------------===*
 *
 * Datasets come as .gz files (Debian's dataset-fashion-mnist); the runtime
 * reads them as they are, without zlib, as a compiled model depends on
 * libc, libm and pthreads only. A decoder of deflate (RFC 1951) in the
 * gzip container (RFC 1952), written for untrusted input: every read is
 * bounds-checked, the output is capped, and the CRC-32 and length of each
 * member are verified. Huffman codes are decoded canonically, a bit at a
 * time, from the count of codes of each length (as in zlib's puff.c).
 *
 *===----------------------------------------------------------------------===*/

#include "cnnrt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_BITS = 15, MAX_LITERALS = 288, MAX_DISTANCES = 30 };

/* The most a file may inflate to: far beyond any dataset a model trains on
 * here, far below what a malicious file could ask for. */
#define MAX_OUTPUT ((size_t)4 << 30)

typedef struct {
  const unsigned char *in;
  size_t size, pos;     /* bytes */
  uint32_t bits;        /* bit buffer, LSB first */
  int count;            /* bits in the buffer */
  unsigned char *out;
  size_t length, capacity;
  const char *error;    /* set on the first failure */
} inflate_state;

typedef struct {
  short count[MAX_BITS + 1]; /* codes of each length */
  short symbol[MAX_LITERALS];
} huffman;

static int fail_with(inflate_state *s, const char *error) {
  if (!s->error)
    s->error = error;
  return -1;
}

/* `need` bits, LSB first; -1 (and the error set) past the end. */
static int bits(inflate_state *s, int need) {
  uint32_t value = s->bits;
  while (s->count < need) {
    if (s->pos == s->size)
      return fail_with(s, "the compressed data ends early");
    value |= (uint32_t)s->in[s->pos++] << s->count;
    s->count += 8;
  }
  s->bits = value >> need;
  s->count -= need;
  return (int)(value & ((1u << need) - 1));
}

static int put(inflate_state *s, unsigned char byte) {
  if (s->length == s->capacity) {
    if (s->capacity >= MAX_OUTPUT)
      return fail_with(s, "the data inflates to more than 4 GiB");
    size_t capacity = s->capacity ? s->capacity * 2 : 1 << 16;
    unsigned char *grown = realloc(s->out, capacity);
    if (!grown)
      return fail_with(s, "out of memory");
    s->out = grown;
    s->capacity = capacity;
  }
  s->out[s->length++] = byte;
  return 0;
}

/* Builds a canonical code from the lengths of `n` symbols. Returns the
 * number of codes left unused (0: complete), or -1 when over-subscribed. */
static int construct(huffman *h, const short *lengths, int n) {
  memset(h->count, 0, sizeof h->count);
  for (int symbol = 0; symbol < n; ++symbol)
    h->count[lengths[symbol]]++;
  if (h->count[0] == n)
    return 0; /* no codes: only an error if one is decoded */
  int left = 1;
  for (int len = 1; len <= MAX_BITS; ++len) {
    left <<= 1;
    left -= h->count[len];
    if (left < 0)
      return -1;
  }
  short offsets[MAX_BITS + 1];
  offsets[1] = 0;
  for (int len = 1; len < MAX_BITS; ++len)
    offsets[len + 1] = (short)(offsets[len] + h->count[len]);
  for (int symbol = 0; symbol < n; ++symbol)
    if (lengths[symbol])
      h->symbol[offsets[lengths[symbol]]++] = (short)symbol;
  return left;
}

static int decode(inflate_state *s, const huffman *h) {
  int code = 0, first = 0, index = 0;
  for (int len = 1; len <= MAX_BITS; ++len) {
    int bit = bits(s, 1);
    if (bit < 0)
      return -1;
    code |= bit;
    int count = h->count[len];
    if (code - count < first)
      return h->symbol[index + (code - first)];
    index += count;
    first = (first + count) << 1;
    code <<= 1;
  }
  return fail_with(s, "an invalid Huffman code");
}

static const short length_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,
                                      15, 17, 19, 23, 27, 31, 35, 43, 51,  59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258};
static const short length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const short distance_base[30] = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const short distance_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                         6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

/* The literals, lengths and distances of one compressed block. */
static int codes(inflate_state *s, const huffman *literals, const huffman *distances) {
  for (;;) {
    int symbol = decode(s, literals);
    if (symbol < 0)
      return -1;
    if (symbol < 256) {
      if (put(s, (unsigned char)symbol))
        return -1;
      continue;
    }
    if (symbol == 256)
      return 0;
    symbol -= 257;
    if (symbol >= 29)
      return fail_with(s, "an invalid length code");
    int extra = bits(s, length_extra[symbol]);
    if (extra < 0)
      return -1;
    int length = length_base[symbol] + extra;
    symbol = decode(s, distances);
    if (symbol < 0)
      return -1;
    if (symbol >= 30)
      return fail_with(s, "an invalid distance code");
    extra = bits(s, distance_extra[symbol]);
    if (extra < 0)
      return -1;
    size_t distance = (size_t)(distance_base[symbol] + extra);
    if (distance > s->length)
      return fail_with(s, "a distance back beyond the start of the data");
    for (int i = 0; i < length; ++i)
      if (put(s, s->out[s->length - distance]))
        return -1;
  }
}

static int stored(inflate_state *s) {
  s->bits = 0; /* to the byte boundary */
  s->count = 0;
  if (s->size - s->pos < 4)
    return fail_with(s, "the compressed data ends early");
  unsigned length = s->in[s->pos] | (unsigned)s->in[s->pos + 1] << 8;
  unsigned check = s->in[s->pos + 2] | (unsigned)s->in[s->pos + 3] << 8;
  s->pos += 4;
  if (length != (~check & 0xffff))
    return fail_with(s, "a stored block whose length check fails");
  if (s->size - s->pos < length)
    return fail_with(s, "the compressed data ends early");
  for (unsigned i = 0; i < length; ++i)
    if (put(s, s->in[s->pos + i]))
      return -1;
  s->pos += length;
  return 0;
}

static int fixed(inflate_state *s) {
  huffman literals, distances;
  short lengths[MAX_LITERALS];
  for (int i = 0; i < 144; ++i) lengths[i] = 8;
  for (int i = 144; i < 256; ++i) lengths[i] = 9;
  for (int i = 256; i < 280; ++i) lengths[i] = 7;
  for (int i = 280; i < MAX_LITERALS; ++i) lengths[i] = 8;
  construct(&literals, lengths, MAX_LITERALS);
  for (int i = 0; i < MAX_DISTANCES; ++i) lengths[i] = 5;
  construct(&distances, lengths, MAX_DISTANCES);
  return codes(s, &literals, &distances);
}

static int dynamic(inflate_state *s) {
  static const short order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                  11, 4,  12, 3, 13, 2, 14, 1, 15};
  int nlen = bits(s, 5), ndist = bits(s, 5), ncode = bits(s, 4);
  if (nlen < 0 || ndist < 0 || ncode < 0)
    return -1;
  nlen += 257;
  ndist += 1;
  ncode += 4;
  if (nlen > MAX_LITERALS || ndist > MAX_DISTANCES)
    return fail_with(s, "a block with too many codes");
  short lengths[MAX_LITERALS + MAX_DISTANCES];
  memset(lengths, 0, sizeof lengths);
  for (int i = 0; i < ncode; ++i) {
    int length = bits(s, 3);
    if (length < 0)
      return -1;
    lengths[order[i]] = (short)length;
  }
  huffman lencode, distcode;
  if (construct(&lencode, lengths, 19) != 0)
    return fail_with(s, "an incomplete code-length code");
  for (int index = 0; index < nlen + ndist;) {
    int symbol = decode(s, &lencode);
    if (symbol < 0)
      return -1;
    if (symbol < 16) {
      lengths[index++] = (short)symbol;
      continue;
    }
    short repeated = 0;
    int times;
    if (symbol == 16) {
      if (index == 0)
        return fail_with(s, "a repeated code length with none before it");
      repeated = lengths[index - 1];
      times = bits(s, 2);
      times = times < 0 ? -1 : 3 + times;
    } else if (symbol == 17) {
      times = bits(s, 3);
      times = times < 0 ? -1 : 3 + times;
    } else {
      times = bits(s, 7);
      times = times < 0 ? -1 : 11 + times;
    }
    if (times < 0)
      return -1;
    if (index + times > nlen + ndist)
      return fail_with(s, "code lengths beyond the codes of the block");
    while (times--)
      lengths[index++] = repeated;
  }
  if (lengths[256] == 0)
    return fail_with(s, "a block without an end code");
  /* Incomplete codes are allowed only where a single code is used. */
  int left = construct(&lencode, lengths, nlen);
  if (left < 0 || (left > 0 && nlen - lencode.count[0] != 1))
    return fail_with(s, "an invalid literal/length code");
  left = construct(&distcode, lengths + nlen, ndist);
  if (left < 0 || (left > 0 && ndist - distcode.count[0] != 1))
    return fail_with(s, "an invalid distance code");
  return codes(s, &lencode, &distcode);
}

static uint32_t crc32_of(const unsigned char *data, size_t size) {
  uint32_t table[256];
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k)
      c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < size; ++i)
    crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

static uint32_t read_le32(const unsigned char *p) {
  return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One gzip member from s->pos: header, deflate blocks, trailer. */
static int member(inflate_state *s) {
  const unsigned char *in = s->in;
  if (s->size - s->pos < 18)
    return fail_with(s, "a gzip member shorter than its header and trailer");
  if (in[s->pos] != 0x1f || in[s->pos + 1] != 0x8b)
    return fail_with(s, "data that is not gzip after the compressed stream");
  if (in[s->pos + 2] != 8)
    return fail_with(s, "a gzip member compressed by another method than deflate");
  int flags = in[s->pos + 3];
  if (flags & 0xe0)
    return fail_with(s, "a gzip header with reserved flags set");
  s->pos += 10;
  if (flags & 4) { /* FEXTRA */
    if (s->size - s->pos < 2)
      return fail_with(s, "a gzip header that ends early");
    size_t extra = in[s->pos] | (size_t)in[s->pos + 1] << 8;
    s->pos += 2;
    if (s->size - s->pos < extra)
      return fail_with(s, "a gzip header that ends early");
    s->pos += extra;
  }
  for (int field = 8; field <= 16; field <<= 1) /* FNAME, FCOMMENT */
    if (flags & field) {
      while (s->pos < s->size && in[s->pos])
        ++s->pos;
      if (s->pos == s->size)
        return fail_with(s, "a gzip header that ends early");
      ++s->pos;
    }
  if (flags & 2) { /* FHCRC */
    if (s->size - s->pos < 2)
      return fail_with(s, "a gzip header that ends early");
    s->pos += 2;
  }
  size_t start = s->length;
  s->bits = 0;
  s->count = 0;
  for (int last = 0; !last;) {
    last = bits(s, 1);
    int type = bits(s, 2);
    if (last < 0 || type < 0)
      return -1;
    int status = type == 0   ? stored(s)
                 : type == 1 ? fixed(s)
                 : type == 2 ? dynamic(s)
                             : fail_with(s, "a block of the reserved type 3");
    if (status)
      return -1;
  }
  /* The trailer starts at the next byte. */
  s->bits = 0;
  s->count = 0;
  if (s->size - s->pos < 8)
    return fail_with(s, "a gzip member without its trailer");
  uint32_t crc = read_le32(in + s->pos), length = read_le32(in + s->pos + 4);
  s->pos += 8;
  if (crc != crc32_of(s->out + start, s->length - start))
    return fail_with(s, "the data does not match its CRC-32: the file is damaged");
  if (length != (uint32_t)(s->length - start))
    return fail_with(s, "the data does not have the length its trailer says");
  return 0;
}

int cnnrt_gunzip(const unsigned char *in, size_t size, unsigned char **out,
                 size_t *out_size, char *err, size_t errlen) {
  inflate_state s;
  memset(&s, 0, sizeof s);
  s.in = in;
  s.size = size;
  do {
    if (member(&s)) {
      snprintf(err, errlen, "%s (at byte %zu)", s.error, s.pos);
      free(s.out);
      return -1;
    }
  } while (s.pos < s.size);
  *out = s.out;
  *out_size = s.length;
  return 0;
}
