/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz.h: what the libFuzzer targets in tests/fuzz/ share. Each fuzz_<name>.c
 * defines LLVMFuzzerTestOneInput over one parser, exactly as a tool calls it;
 * it is linked either with libFuzzer (make fuzz, clang) or with replay.c
 * (make test: every seed and every crash input under tests/fixtures/fuzz/
 * replayed through the same entry point in the ordinary build).
 * A target aborts when an invariant the parser promises does not hold.
 */
#ifndef QT_FUZZ_H
#define QT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "qt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An anonymous in-memory file holding data, positioned at 0; -1 on failure. */
static inline int
fuzz_memfd(const uint8_t *data, size_t size)
{
	size_t off = 0;
	ssize_t n;
	int fd;

	if ((fd = memfd_create("fuzz", MFD_CLOEXEC)) < 0)
		return -1;
	while (off < size) {
		if ((n = write(fd, data + off, size - off)) <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The harness itself failed (not the code under test): stop loudly. */
#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(                                                                   \
			    stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);   \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static inline int
fuzz_discard(void *ctx, const uint8_t *buf, size_t len, struct qt_err *err)
{
	(void)ctx;
	(void)buf;
	(void)len;
	(void)err;
	return 0;
}

/* No control character (newline, escape) in a message. */
static inline int
fuzz_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/*
 * A failure must come with a message, on one line, with no control characters.
 * FUZZ_DEBUG=1 in the environment prints it (to see how deep a seed gets).
 */
#define FUZZ_CHECK_ERR(err)                                                                        \
	do {                                                                                       \
		if (getenv("FUZZ_DEBUG") != NULL)                                                  \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, (err)->msg);            \
		FUZZ_ASSERT((err)->msg[0] != '\0');                                                \
		FUZZ_ASSERT(fuzz_printable((err)->msg));                                           \
	} while (0)

#endif
