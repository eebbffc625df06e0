/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe.c: what the finished tree holds at a path, as the enclave's kernel
 * would find it (symbolic links inside the tree followed, ".." stopping at
 * the root), and the first bytes of a regular file: the pre-flight check of
 * the command qt-build packs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "ramdisk_private.h"

#define PROBE_MAX_LINKS 40 /* as the kernel's MAXSYMLINKS */

static const struct ent *
tree_find(const struct ramdisk_tree *t, const char *path)
{
	size_t lo = 0, hi = t->out.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->tab.v[t->out.v[mid]].path, path);
		if (c == 0)
			return &t->tab.v[t->out.v[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Lexical clean-up of in (no leading '/', "." dropped, ".." stops at the root) into out. */
static int
clean(const char *in, char *out, size_t size)
{
	size_t len = 0;
	const char *p = in;

	out[0] = '\0';
	while (*p != '\0') {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *s = strrchr(out, '/');
			len = s != NULL ? (size_t)(s - out) : 0;
			out[len] = '\0';
		} else {
			if (len + (len > 0) + n + 1 > size)
				return -1;
			if (len > 0)
				out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
			out[len] = '\0';
		}
		p += n;
	}
	return 0;
}

/* Follow path component by component; *ret is the entry it ends at (NULL: not there). */
static int
resolve(const struct ramdisk_tree *t, const char *path, const struct ent **ret, char *where,
    size_t size)
{
	char cur[RAMDISK_PATH_MAX + 1], next[RAMDISK_PATH_MAX + 1];
	size_t done = 0, links = 0;

	*ret = NULL;
	if (clean(path, cur, sizeof(cur)) < 0)
		return -1;
	for (;;) {
		const struct ent *e;
		size_t n = strcspn(cur + done, "/");
		char save = cur[done + n];

		if (cur[0] == '\0') /* the root itself */
			return 0;
		cur[done + n] = '\0';
		e = tree_find(t, cur);
		cur[done + n] = save;
		if (e == NULL)
			return 0;
		if (e->kind == K_LNK) {
			if (++links > PROBE_MAX_LINKS || e->link == NULL)
				return -1;
			/* target (relative to the link's folder) + the rest of the path */
			if (snprintf(next, sizeof(next), "%.*s%s%s",
			        e->link[0] == '/' ? 0 : (int)done, cur, e->link,
			        cur + done + n) >= (int)sizeof(next))
				return -1;
			if (clean(next, cur, sizeof(cur)) < 0)
				return -1;
			done = 0;
			continue;
		}
		if (save == '\0') {
			*ret = e;
			snprintf(where, size, "%s", cur);
			return 0;
		}
		if (e->kind != K_DIR)
			return 0;
		done += n + 1;
	}
}

/* The first bytes of a regular file's data, wherever the tree keeps them. */
static size_t
head_bytes(const struct ramdisk_tree *t, const struct ent *e, uint8_t *buf, size_t len)
{
	size_t want = e->size < len ? (size_t)e->size : len, got = 0;
	int fd;

	switch (e->src) {
	case S_MEM:
		memcpy(buf, e->mem, want);
		return want;
	case S_SPOOL:
		if (fileio_read_full(t->spool.fd, buf, want, (int64_t)e->off, &got) < 0)
			return 0;
		return got;
	case S_FILE:
		if (fileio_read_full(t->src.fd, buf, want, (int64_t)e->off, &got) < 0)
			return 0;
		return got;
	case S_DISK:
		fd = openat(t->rootfd, e->path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			return 0;
		if (fileio_read_full(fd, buf, want, -1, &got) < 0)
			got = 0;
		close(fd);
		return got;
	default:
		return 0;
	}
}

int
ramdisk_tree_probe(const struct ramdisk_tree *t, const char *path, struct ramdisk_probe *ret)
{
	const struct ent *e = NULL;

	memset(ret, 0, sizeof(*ret));
	if (resolve(t, path, &e, ret->resolved, sizeof(ret->resolved)) < 0) {
		ret->loop = true;
		return 0;
	}
	if (e == NULL)
		return 0;
	ret->exists = true;
	ret->regular = e->kind == K_REG;
	ret->dir = e->kind == K_DIR;
	ret->mode = e->mode;
	if (ret->regular)
		ret->headlen = head_bytes(t, e, ret->head, sizeof(ret->head));
	return 0;
}
