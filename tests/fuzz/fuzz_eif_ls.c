/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_eif_ls.c: a ramdisk as qt-measure ls, extract and diff read it: the
 * input becomes the application ramdisk of a version 3 image (written by
 * eif_writer into memory), which is scanned, walked entry by entry through
 * libarchive, and compared with itself.
 */
#include <stdio.h>

#include "eif.h"
#include "eif_diff.h"
#include "eif_ls.h"
#include "fuzz.h"

static int
count(void *ctx, const struct eif_entry *e, struct qt_err *err)
{
	size_t *n = ctx;

	(void)err;
	FUZZ_ASSERT(e->path != NULL && strlen(e->path) <= EIF_LS_PATH_MAX);
	FUZZ_ASSERT(e->type != EIF_ENTRY_FILE || e->has_sha256);
	(*n)++;
	return 0;
}

static int
image(const uint8_t *data, size_t size, int fd)
{
	static const uint8_t k[] = "kernel", c[] = "console=ttyS0";
	struct eif_write_opts o = { .version = 3 };
	struct eif_writer *w = NULL;
	struct qt_err err = { 0 };
	int rc = -1;

	if (eif_writer_new(fd, "fuzz.eif", &o, &w, &err) < 0 ||
	    eif_writer_section_begin(w, EIF_SECTION_KERNEL, &err) < 0 ||
	    eif_writer_write(w, k, sizeof(k), &err) < 0 || eif_writer_section_end(w, &err) < 0 ||
	    eif_writer_section_begin(w, EIF_SECTION_CMDLINE, &err) < 0 ||
	    eif_writer_write(w, c, sizeof(c), &err) < 0 || eif_writer_section_end(w, &err) < 0 ||
	    eif_writer_section_begin(w, EIF_SECTION_RAMDISK, &err) < 0 ||
	    eif_writer_write(w, data, size, &err) < 0 || eif_writer_section_end(w, &err) < 0 ||
	    eif_writer_finish(w, &err) < 0)
		goto out;
	rc = 0;
out:
	eif_writer_free(w);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eif_scan *scan = NULL;
	struct diff_input *a = NULL, *b = NULL;
	struct qt_err err = { 0 };
	size_t n = 0;
	size_t *np = &n;
	struct eif_walk_cb cb = { NULL, NULL, NULL, count, np, { NULL, NULL } };
	char path[64];
	json_t *r = NULL;
	bool differ = true;
	int fd;

	if ((fd = memfd_create("fuzz.eif", MFD_CLOEXEC)) < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	FUZZ_ASSERT(image(data, size, fd) == 0);
	FUZZ_ASSERT(eif_scan_path(path, NULL, &scan, &err) == 0);
	if (eif_walk(path, scan, &cb, &err) < 0) {
		FUZZ_CHECK_ERR(&err);
		goto out;
	}
	FUZZ_ASSERT(n <= EIF_LS_ENTRIES_MAX);
	/* an image against itself: the same PCRs, nothing to explain */
	FUZZ_ASSERT(diff_load(path, NULL, &a, &err) == 0 && diff_load(path, NULL, &b, &err) == 0);
	FUZZ_ASSERT(diff_run(a, b, &r, &differ, &err) == 0 && !differ);
	FUZZ_ASSERT(json_object_size(json_object_get(r, "causes")) == 0);
out:
	json_decref(r);
	diff_input_free(a);
	diff_input_free(b);
	eif_scan_free(scan);
	close(fd);
	return 0;
}
