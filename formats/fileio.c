/* SPDX-License-Identifier: Apache-2.0 */
/* fileio.c: the one read-fully and write-fully loop, bounded whole-file reads, atomic outputs. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

int
fileio_open_input(const char *path, int *ret_fd, struct qt_err *err)
{
	const char *name = strcmp(path, "-") == 0 ? "standard input" : path;
	struct stat st;
	int fd;

	if (strcmp(path, "-") == 0) {
		if ((fd = dup(STDIN_FILENO)) < 0)
			return qt_err_set(err, errno, "standard input: %s", strerror(errno));
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return qt_err_set(err, errno, "%s: cannot open: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return qt_err_set(err, EISDIR, "%s: is a directory", name);
	}
	*ret_fd = fd;
	return 0;
}

int
fileio_read_all(
    const char *path, size_t max, uint8_t **ret_buf, size_t *ret_len, struct qt_err *err)
{
	uint8_t *buf = NULL, *grown;
	size_t len = 0, cap = 0, got;
	int fd = -1, r = -1;

	if (fileio_open_input(path, &fd, err) < 0)
		goto out;
	for (;;) {
		if (len == cap) {
			if (cap > max) {
				qt_err_set(err, EFBIG, "%s: larger than the limit of %zu bytes",
				    path, max);
				goto out;
			}
			cap = cap == 0 ? 4096 : cap * 2;
			if ((grown = realloc(buf, cap + 1)) == NULL) {
				qt_err_set(err, ENOMEM, "%s: out of memory", path);
				goto out;
			}
			buf = grown;
		}
		if (fileio_read_full(fd, buf + len, cap - len, -1, &got) < 0) {
			qt_err_set(err, errno, "%s: read error: %s", path, strerror(errno));
			goto out;
		}
		len += got;
		if (len < cap) /* end of file */
			break;
	}
	if (len > max) {
		qt_err_set(err, EFBIG, "%s: larger than the limit of %zu bytes", path, max);
		goto out;
	}
	if (buf == NULL && (buf = malloc(1)) == NULL) {
		qt_err_set(err, ENOMEM, "%s: out of memory", path);
		goto out;
	}
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
	buf = NULL;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return r;
}

int
fileio_read_full(int fd, uint8_t *buf, size_t len, int64_t off, size_t *ret_got)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = off < 0 ? read(fd, buf + got, len - got)
		                    : pread(fd, buf + got, len - got, (off_t)(off + (int64_t)got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*ret_got = got;
	return 0;
}

int
fileio_write_full(int fd, const uint8_t *buf, size_t len, int64_t off)
{
	while (len > 0) {
		ssize_t n = off < 0 ? write(fd, buf, len) : pwrite(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) { /* never for a regular file; do not spin */
			errno = EIO;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
		if (off >= 0)
			off += n;
	}
	return 0;
}

void
fileio_write_behind(int fd, uint64_t off, uint64_t len)
{
#ifdef SYNC_FILE_RANGE_WRITE
	/* errors are the fsync's to report: this only starts the writeback early */
	(void)sync_file_range(fd, (off_t)off, (off_t)len, SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
	(void)off;
	(void)len;
#endif
}

int
fileio_write_all(int fd, const char *name, const uint8_t *buf, size_t len, struct qt_err *err)
{
	if (fileio_write_full(fd, buf, len, -1) < 0)
		return qt_err_set(err, errno, "%s: write error: %s", name, strerror(errno));
	return 0;
}

int
fileio_out_open(const char *path, struct fileio_out *ret, struct qt_err *err)
{
	char *copy1 = NULL, *copy2 = NULL, *tmp = NULL, *final = NULL;
	const char *dir, *base;
	struct stat st;
	mode_t mask, mode;
	int fd = -1, r = -1;

	if ((copy1 = strdup(path)) == NULL || (copy2 = strdup(path)) == NULL ||
	    (final = strdup(path)) == NULL) {
		qt_err_set(err, ENOMEM, "%s: out of memory", path);
		goto out;
	}
	dir = dirname(copy1);
	base = basename(copy2);
	if (asprintf(&tmp, "%s/.%s.qt-XXXXXX", dir, base) < 0) {
		tmp = NULL;
		qt_err_set(err, ENOMEM, "%s: out of memory", path);
		goto out;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		qt_err_set(err, errno, "%s: cannot create temporary file in '%s': %s", path, dir,
		    strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	/* mkstemp makes 0600; give the result the mode a plain creat() would. */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		mode = st.st_mode & 07777;
	} else {
		mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	if (fchmod(fd, mode) < 0) {
		qt_err_set(err, errno, "%s: cannot set mode: %s", tmp, strerror(errno));
		goto out;
	}
	ret->fd = fd;
	ret->tmp_path = tmp;
	ret->path = final;
	fd = -1;
	tmp = final = NULL;
	r = 0;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	free(final);
	free(copy1);
	free(copy2);
	return r;
}

static void
fsync_parent(const char *path)
{
	char *copy;
	int dfd;

	if ((copy = strdup(path)) == NULL)
		return;
	if ((dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(copy);
}

int
fileio_out_commit(struct fileio_out *out, struct qt_err *err)
{
	int fd = out->fd;

	out->fd = -1;
	if (fsync(fd) < 0) {
		qt_err_set(err, errno, "%s: fsync failed: %s", out->path, strerror(errno));
		close(fd);
		fileio_out_abort(out);
		return -1;
	}
	if (close(fd) < 0) {
		qt_err_set(err, errno, "%s: close failed: %s", out->path, strerror(errno));
		fileio_out_abort(out);
		return -1;
	}
	if (rename(out->tmp_path, out->path) < 0) {
		qt_err_set(err, errno, "%s: cannot rename temporary file into place: %s", out->path,
		    strerror(errno));
		fileio_out_abort(out);
		return -1;
	}
	fsync_parent(out->path);
	free(out->tmp_path);
	free(out->path);
	out->tmp_path = out->path = NULL;
	return 0;
}

void
fileio_out_abort(struct fileio_out *out)
{
	if (out->fd >= 0)
		close(out->fd);
	out->fd = -1;
	if (out->tmp_path != NULL)
		unlink(out->tmp_path);
	free(out->tmp_path);
	free(out->path);
	out->tmp_path = out->path = NULL;
}
