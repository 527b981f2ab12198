/*===- error.h - The runtime's error messages -------------------*- C -*-===*
 *
 * Internal to the runtime: how its readers and the training loop report a
 * problem, as one message in the caller's buffer.
 *
 *===----------------------------------------------------------------------===*/

#ifndef CNNRT_ERROR_H
#define CNNRT_ERROR_H

#include <stddef.h>

/* Formats the message into err (at most errlen bytes); returns -1. */
int cnnrt_fail(char *err, size_t errlen, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* CNNRT_ERROR_H */
