/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_eif_ls.c: the scan and the walk of the golden signed image (entries
 * in order, sizes, the SHA-256 of bin/app), cmd/env lines, mode text and
 * the JSON of untrusted names.
 */
#include <stdlib.h>
#include <string.h>

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

int
main(void)
{
	struct unit u = { 0 };
	struct qt_err err = { 0 };
	struct eif_scan *scan = NULL;
	struct seen s;
	struct eif_walk_cb cb = { on_ramdisk, NULL, on_data, on_end, &s };
	struct eif_entry e;
	char **v = NULL, mode[11], *js;
	size_t n = 0;
	json_t *j;

	memset(&s, 0, sizeof(s));
	CHECK(&u, eif_scan_path(C5, &scan, &err) == 0);
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
	CHECK(&u, eif_scan_path("-", &scan, &err) == -1);
	qt_err_clear(&err);

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
	return unit_end(&u);
}
