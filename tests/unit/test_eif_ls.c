/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_eif_ls.c: the scan and the walk of the golden signed image (entries
 * in order, sizes, the SHA-256 of bin/app), cmd/env lines, mode text and
 * the JSON of untrusted names; the newc header check fed in pieces of every
 * size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eif_ls.h"
#include "text.h"
#include "unit.h"

#define C5 FIXTURES "/golden/outputs/c5_signed_p384.eif"

struct seen {
	unsigned ramdisks, entries, bytes;
	char paths[2048];
	char app_sha256[65];
};

static int
on_ramdisk(void *ctx, unsigned nr, unsigned section, struct qt_err *err)
{
	struct seen *s = ctx;

	(void)err;
	s->ramdisks++;
	return nr + 3 == section ? 0 : -1;
}

static int
on_data(void *ctx, const struct eif_entry *e, const uint8_t *buf, size_t len, struct qt_err *err)
{
	struct seen *s = ctx;

	(void)e, (void)buf, (void)err;
	s->bytes += (unsigned)len;
	return 0;
}

static int
on_end(void *ctx, const struct eif_entry *e, struct qt_err *err)
{
	struct seen *s = ctx;

	(void)err;
	s->entries++;
	strncat(s->paths, e->path, sizeof(s->paths) - strlen(s->paths) - 2);
	strcat(s->paths, " ");
	if (strcmp(e->path, "rootfs/bin/app") == 0 && e->has_sha256)
		qt_hex(e->sha256, 32, s->app_sha256);
	return 0;
}

/* A newc entry at buf + *len (name with its NUL, padded, data of size bytes, padded). */
static void
newc(uint8_t *buf, size_t *len, const char *magic, uint32_t mode, uint32_t size, uint32_t namesize,
    const char *name)
{
	size_t n = *len;

	/* c_ino, c_mode, uid, gid, nlink, mtime, filesize, dev, rdev, namesize, check */
	n += (size_t)sprintf((char *)buf + n, "%s%08x%08x%08x%08x%08x%08x%08x", magic, 1u, mode, 0u,
	    0u, 1u, 0u, size);
	n += (size_t)sprintf(
	    (char *)buf + n, "%08x%08x%08x%08x%08x%08x", 0u, 0u, 0u, 0u, namesize, 0u);
	memcpy(buf + n, name, strlen(name) + 1);
	n += namesize;
	while ((n - *len) % 4 != 0)
		buf[n++] = 0;
	memset(buf + n, 'x', size);
	n += size;
	while ((n - *len) % 4 != 0)
		buf[n++] = 0;
	*len = n;
}

/* Feed buf in pieces of step bytes; the result of the first failing piece. */
static int
feed(struct eif_newc *c, const uint8_t *buf, size_t len, size_t step, struct qt_err *err)
{
	size_t i, n;

	eif_newc_init(c);
	qt_err_clear(err);
	for (i = 0; i < len; i += n) {
		n = len - i < step ? len - i : step;
		if (eif_newc_feed(c, buf + i, n, err) < 0)
			return -1;
	}
	return 0;
}

static void
test_newc(struct unit *u)
{
	static uint8_t buf[16384];
	static const size_t steps[] = { 1, 3, 110, 111, 4096, sizeof(buf) };
	struct eif_newc c;
	struct qt_err err = { 0 };
	size_t len = 0, first, i;

	/* dir, file of odd size, 4096-byte symlink, trailer, padding, another archive */
	newc(buf, &len, "070701", 0040755, 0, 7, "rootfs");
	newc(buf, &len, "070702", 0100644, 5, 9, "rootfs/a");
	newc(buf, &len, "070701", 0120777, 4096, 9, "rootfs/l");
	newc(buf, &len, "070701", 0, 0, 11, "TRAILER!!!");
	memset(buf + len, 0, 509);
	len += 509; /* the next archive at an offset not a multiple of 4 */
	first = len;
	newc(buf, &len, "070701", 0100644, 0, 2, "b");
	newc(buf, &len, "070701", 0, 0, 11, "TRAILER!!!");
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		CHECK(u, feed(&c, buf, len, steps[i], &err) == 0);
		CHECK_STR(u, err.msg, "");
		CHECK(u, c.state == EIF_NEWC_ZEROS && c.off == len && c.hdr_off == len - 124);
	}
	/* a symlink target over 4096 bytes, in the second archive */
	len = first;
	newc(buf, &len, "070701", 0120777, 4097, 2, "l");
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		CHECK(u, feed(&c, buf, len, steps[i], &err) == -1);
		CHECK(u, c.hdr_off == first);
		CHECK_STR(u, err.msg, "a symlink target of 4097 bytes (the limit is 4096)");
	}
	/* a 2 GiB symlink refused on its header; a 4 GiB file passes (data is streamed) */
	len = 0;
	newc(buf, &len, "070701", 0120777, 0, 2, "l");
	memcpy(buf + 54, "7fffffff", 8);
	CHECK(u, feed(&c, buf, 110, 1, &err) == -1 && c.hdr_off == 0);
	CHECK_STR(u, err.msg, "a symlink target of 2147483647 bytes (the limit is 4096)");
	memcpy(buf + 14, "000081a4", 8);
	memcpy(buf + 54, "ffffffff", 8);
	CHECK(u, feed(&c, buf, len, 1, &err) == 0);
	CHECK(u, c.state == EIF_NEWC_SKIP && c.left == 0x100000000u);
	/* the name: 1 to 4097 bytes with its NUL */
	len = 0;
	newc(buf, &len, "070701", 0100644, 0, 4097, "n");
	CHECK(u, feed(&c, buf, len, 7, &err) == 0 && c.state == EIF_NEWC_HDR && c.off == 4208);
	memcpy(buf + 94, "00001002", 8);
	CHECK(u, feed(&c, buf, 110, 7, &err) == -1);
	CHECK_STR(u, err.msg, "an entry name of 4098 bytes (the limit is 4097 with its NUL)");
	memcpy(buf + 94, "00000000", 8);
	CHECK(u, feed(&c, buf, 110, 7, &err) == -1);
	CHECK_STR(u, err.msg, "an entry name of 0 bytes (the limit is 4097 with its NUL)");
	/* hex digits only (both cases), the newc magic only */
	memcpy(buf + 94, "0000000A", 8);
	CHECK(u, feed(&c, buf, 110, 110, &err) == 0);
	memcpy(buf + 102, "0000 000", 8);
	CHECK(u, feed(&c, buf, 110, 110, &err) == -1);
	CHECK_STR(u, err.msg, "malformed cpio header: c_check is not 8 hex digits");
	memcpy(buf + 102, "00000000", 8);
	memcpy(buf, "070707", 6);
	CHECK(u, feed(&c, buf, 110, 110, &err) == -1);
	CHECK_STR(u, err.msg, "not a cpio newc header (\"070701\" or \"070702\")");
	/* after a trailer, a non-zero byte starts a header: garbage is refused there */
	len = 0;
	newc(buf, &len, "070701", 0, 0, 11, "TRAILER!!!");
	memcpy(buf + len, "\0\0\0junk", 7);
	memset(buf + len + 7, 0, 110);
	CHECK(u, feed(&c, buf, len + 117, 1, &err) == -1 && c.hdr_off == len + 3);
	CHECK_STR(u, err.msg, "not a cpio newc header (\"070701\" or \"070702\")");
}

/* The progress reports of a scan and a walk: how many, and the last. */
struct reports {
	unsigned n;
	struct qt_progress last;
	bool backwards; /* bytes or entries went down */
};

static void
on_progress(void *ctx, const struct qt_progress *p)
{
	struct reports *r = ctx;

	if (r->n > 0 && (p->bytes < r->last.bytes || p->entries < r->last.entries))
		r->backwards = true;
	r->last = *p;
	r->n++;
}

/*
 * Progress of a scan and a walk: one count from 0 to the file's size plus
 * its ramdisks' (read again), ending with every entry; nothing printed.
 */
static void
test_progress(struct unit *u)
{
	struct qt_err err = { 0 };
	struct eif_scan *scan = NULL;
	struct reports r = { 0 };
	struct qt_progress_cb pc = { on_progress, &r };
	struct eif_walk_cb cb = { NULL, NULL, NULL, NULL, NULL, { on_progress, &r } };
	uint64_t rd = 0;
	struct stat st;
	unsigned i;

	CHECK(u, stat(C5, &st) == 0);
	CHECK(u, eif_scan_path(C5, &pc, &scan, &err) == 0);
	if (scan == NULL)
		return;
	for (i = 0; i < scan->info->nsections; i++)
		if (scan->info->sections[i].type == EIF_SECTION_RAMDISK)
			rd += scan->info->sections[i].size;
	/* the scan's end: the file read, of the file and the ramdisks again */
	CHECK(u, r.n == 1 && r.last.bytes == (uint64_t)st.st_size);
	CHECK(u, r.last.total == (uint64_t)st.st_size + rd && rd == 2560 + 2048);
	CHECK(u, r.last.section == 6 && r.last.nsections == 6 && r.last.entries == 0);
	CHECK(u, eif_walk(C5, scan, &cb, &err) == 0);
	CHECK(u, r.n == 2 && r.last.bytes == r.last.total && r.last.entries == 14);
	CHECK(u, r.last.nentries == 0 && r.last.nsections == 6 && !r.backwards);
	eif_scan_free(scan);
}

/* The cmd/env capture ls and diff share: which names, replacement, the size bound. */
static void
test_cmdenv(struct unit *u)
{
	struct eif_cmdenv c = { .capture = -1 };
	struct eif_entry e;
	struct qt_err err = { 0 };

	CHECK(u, eif_cmdenv_index("cmd") == 0 && eif_cmdenv_index("./env") == 1);
	CHECK(u, eif_cmdenv_index("rootfs/cmd") == -1 && eif_cmdenv_index("cmdx") == -1);
	memset(&e, 0, sizeof(e));
	e.type = EIF_ENTRY_FILE;
	e.path = "./cmd";
	e.size = 6;
	CHECK(u, eif_cmdenv_begin(&c, "a.eif", &e, &err) == 0 && c.capture == 0);
	eif_cmdenv_data(&c, &e, (const uint8_t *)"/bin/", 5);
	eif_cmdenv_data(&c, &e, (const uint8_t *)"sh", 2); /* past the stated size: not kept */
	eif_cmdenv_data(&c, &e, (const uint8_t *)"x", 1);
	CHECK(u, c.len[0] == 6 && memcmp(c.buf[0], "/bin/x", 6) == 0 && c.buf[1] == NULL);
	/* a later cmd replaces it; a directory named env is not kept */
	e.path = "cmd";
	e.size = 2;
	CHECK(u, eif_cmdenv_begin(&c, "a.eif", &e, &err) == 0);
	eif_cmdenv_data(&c, &e, (const uint8_t *)"ls", 2);
	CHECK(u, c.len[0] == 2 && memcmp(c.buf[0], "ls", 2) == 0);
	e.type = EIF_ENTRY_DIR;
	e.path = "env";
	e.size = 0;
	CHECK(u, eif_cmdenv_begin(&c, "a.eif", &e, &err) == 0 && c.capture == -1);
	CHECK(u, c.buf[1] == NULL);
	e.type = EIF_ENTRY_FILE;
	e.ramdisk = 1;
	e.size = EIF_LS_CMD_MAX + 1u;
	CHECK(u, eif_cmdenv_begin(&c, "a.eif", &e, &err) == -1 && c.buf[1] == NULL);
	CHECK_STR(u, err.msg, "a.eif: ramdisk 1: env: more than 1048576 bytes");
	eif_cmdenv_free(&c);
	CHECK(u, c.buf[0] == NULL && c.buf[1] == NULL);
}

int
main(void)
{
	struct unit u = { 0 };
	struct qt_err err = { 0 };
	struct eif_scan *scan = NULL;
	struct seen s;
	struct eif_walk_cb cb = { on_ramdisk, NULL, on_data, on_end, &s, { NULL, NULL } };
	struct eif_entry e;
	char **v = NULL, mode[11], *js;
	size_t n = 0;
	json_t *j;

	memset(&s, 0, sizeof(s));
	CHECK(&u, eif_scan_path(C5, NULL, &scan, &err) == 0);
	CHECK_STR(&u, err.msg, "");
	if (scan != NULL) {
		CHECK(&u, scan->nramdisks == 2 && scan->pcrs.has_pcr8);
		CHECK(&u, eif_walk(C5, scan, &cb, &err) == 0);
		CHECK_STR(&u, err.msg, "");
		CHECK(&u, s.ramdisks == 2 && s.entries == 14);
		CHECK(&u, s.bytes == 1000 + 500 + 700 + 9 + 79);
		CHECK_STR(&u, s.paths,
		    "dev init nsm.ko rootfs rootfs/bin rootfs/bin/app rootfs/dev rootfs/proc "
		    "rootfs/run rootfs/sys rootfs/tmp rootfs/var cmd env ");
		/* sha256sum tests/fixtures/golden/inputs/app.bin */
		CHECK_STR(&u, s.app_sha256,
		    "fd402a384b34c2deeebfa84b41a9f2d02a2eb942d31e41c46755810717fcfd77");
		/* bytes that are not what the scan hashed: an error, not a listing */
		scan->digest[4][0] ^= 1;
		CHECK(&u, eif_walk(C5, scan, NULL, &err) == -1);
		CHECK_STR(&u, err.msg, C5 ": the file changed while it was read");
		qt_err_clear(&err);
	}
	eif_scan_free(scan);
	CHECK(&u, eif_scan_path("-", NULL, &scan, &err) == -1);
	qt_err_clear(&err);
	test_progress(&u);
	test_cmdenv(&u);

	/* cmd/env lines: every element ends with a newline; a last one may not */
	CHECK(&u, eif_lines((const uint8_t *)"/bin/sh\n-c\necho hi\n", 19, &v, &n, &err) == 0);
	CHECK(&u, n == 3 && v[3] == NULL);
	CHECK_STR(&u, v[2], "echo hi");
	free(v);
	CHECK(&u, eif_lines((const uint8_t *)"A=1\nB", 5, &v, &n, &err) == 0);
	CHECK(&u, n == 2);
	CHECK_STR(&u, v[1], "B");
	free(v);
	CHECK(&u, eif_lines((const uint8_t *)"", 0, &v, &n, &err) == 0);
	CHECK(&u, n == 0 && v[0] == NULL);
	free(v);

	/* mode text, as ls -l */
	memset(&e, 0, sizeof(e));
	e.type = EIF_ENTRY_FILE;
	e.mode = 04755;
	eif_entry_mode_text(&e, mode);
	CHECK_STR(&u, mode, "-rwsr-xr-x");
	e.type = EIF_ENTRY_DIR;
	e.mode = 01777;
	eif_entry_mode_text(&e, mode);
	CHECK_STR(&u, mode, "drwxrwxrwt");

	/* untrusted names: UTF-8 kept, anything else shown as '?' */
	j = eif_text_json("caf\xc3\xa9", 5);
	CHECK_STR(&u, json_string_value(j), "caf\xc3\xa9");
	json_decref(j);
	j = eif_text_json("a\nb\xff", 4);
	CHECK_STR(&u, json_string_value(j), "a?b?");
	json_decref(j);
	e.path = "x\ty";
	e.type = EIF_ENTRY_SYMLINK;
	e.mode = 0777;
	e.link = "../etc";
	j = eif_entry_json(&e);
	js = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	CHECK_STR(&u, js,
	    "{\"path\":\"x?y\",\"type\":\"symlink\",\"mode\":\"0777\",\"uid\":0,\"gid\":0,\"size\":"
	    "0,"
	    "\"mtime\":0,\"sha256\":null,\"link\":\"../etc\",\"rdev\":null}");
	free(js);
	json_decref(j);

	test_newc(&u);
	return unit_end(&u);
}
