/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fileio.h: reading small bounded files whole, and writing outputs atomically
 * (temporary file beside the target, fsync, rename): every file the tools
 * write appears whole or not at all.
 */
#ifndef QT_FILEIO_H
#define QT_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include <stdbool.h>

#include "qt.h"

/*
 * Open an input for reading: "-" is a duplicate of standard input (close it
 * like any fd); a directory is refused. Errors name the input ("standard
 * input" for "-").
 */
int fileio_open_input(const char *path, int *ret_fd, struct qt_err *err);

/*
 * Read all of path ("-" = stdin) into a malloc'd buffer, refusing more than
 * max bytes and directories. *ret_buf is NUL-terminated (not counted in
 * *ret_len) so text files can be used as C strings. Errors name path.
 */
int fileio_read_all(
    const char *path, size_t max, uint8_t **ret_buf, size_t *ret_len, struct qt_err *err);

/*
 * An output being written. The temporary file is "<dir>/.<name>.qt-XXXXXX"
 * (documented in the man pages); it gets mode 0666 & ~umask, or the mode of
 * an existing target so re-signing in place keeps permissions.
 */
struct fileio_out {
	int fd;
	char *tmp_path;
	char *path;
};

int fileio_out_open(const char *path, struct fileio_out *ret, struct qt_err *err);
/* fsync, close, rename over path, fsync the directory. Frees the paths. */
int fileio_out_commit(struct fileio_out *out, struct qt_err *err);
/* Close and unlink the temporary file (safe after a failed commit, or twice). */
void fileio_out_abort(struct fileio_out *out);

/*
 * The one read-fully loop: read len bytes from fd (at offset off with pread
 * if off >= 0, else from the current position), retrying interrupted and
 * short reads. *ret_got < len only at end of file. 0, or -1 with errno set
 * (the caller names the file in its message).
 */
int fileio_read_full(int fd, uint8_t *buf, size_t len, int64_t off, size_t *ret_got);
/* The one write-fully loop, likewise (pwrite at off if off >= 0). 0, or -1 with errno set. */
int fileio_write_full(int fd, const uint8_t *buf, size_t len, int64_t off);

/*
 * Write-behind: start writing [off, off + len) of fd out to disk without
 * waiting for it (Linux sync_file_range), so that the fsync of
 * fileio_out_commit finds little left to do. Nothing where the call is
 * missing or refused (not a regular file, a file system without it): the
 * fsync still writes everything, and any write error is reported there.
 */
void fileio_write_behind(int fd, uint64_t off, uint64_t len);

/* Write all of buf to fd; errors name name. */
int fileio_write_all(int fd, const char *name, const uint8_t *buf, size_t len, struct qt_err *err);

#endif
