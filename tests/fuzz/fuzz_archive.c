/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_archive.c: archive ingestion as qt-build --rootfs does it: the input
 * as a tarball (any compression libarchive reads), as a `docker save`
 * archive (manifest.json, image config, layer tars, whiteouts; by reference
 * too) and as an oci-archive, each loaded into a tree, probed for a command,
 * its provenance built, and written out as the application ramdisk.
 * Limits are lowered so one input stays fast.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/err.h>

#include "fuzz.h"
#include "ramdisk/ramdisk.h"

static void
load_and_write(const char *source, bool docker)
{
	static const char *const init[] = { "/init", NULL };
	struct ramdisk_opts o = { 0 };
	struct ramdisk_overrides ov = { 0 };
	struct ramdisk_strv cmd = { 0 }, env = { 0 }, dflt = { (char **)init, 1 };
	struct ramdisk_tree *t = NULL;
	struct qt_sink sink = { .write = fuzz_discard, .ctx = NULL };
	struct qt_err err = { 0 };
	bool own = false;

	o.max_entries = 4096;
	o.max_bytes = 8u << 20;
	o.tmpdir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NULL;
	if (ramdisk_tree_load(source, &o, &t, &err) < 0) {
		FUZZ_CHECK_ERR(&err);
		FUZZ_ASSERT(t == NULL);
		return;
	}
	FUZZ_ASSERT(ramdisk_tree_stats(t)->entries <= o.max_entries);
	FUZZ_ASSERT(ramdisk_tree_stats(t)->bytes <= o.max_bytes);
	{
		struct ramdisk_probe pr;
		json_t *di = NULL;
		char *name = NULL, *version = NULL;

		ramdisk_tree_probe(t, "/bin/sh", &pr);
		FUZZ_ASSERT(pr.headlen <= sizeof(pr.head));
		if (ramdisk_tree_docker_info(t, &di, &err) < 0)
			FUZZ_CHECK_ERR(&err);
		qt_err_clear(&err);
		json_decref(di);
		if (ramdisk_tree_identity(t, &name, &version) == 0)
			FUZZ_ASSERT((name == NULL) == (version == NULL));
		free(name);
		free(version);
	}
	if (docker && ramdisk_command(ramdisk_tree_config(t), &ov, &cmd, &env, &err) == 0)
		own = true;
	qt_err_clear(&err);
	if (ramdisk_write_app(t, own ? &cmd : &dflt, own ? &env : &(struct ramdisk_strv){ 0 },
	        false, NULL, sink, &err) < 0)
		FUZZ_CHECK_ERR(&err);
	if (own) {
		ramdisk_strv_free(&cmd);
		ramdisk_strv_free(&env);
	}
	ramdisk_tree_free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd;

	if ((fd = fuzz_memfd(data, size)) < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	load_and_write(path, false);
	snprintf(path, sizeof(path), "docker-archive:/proc/self/fd/%d", fd);
	load_and_write(path, true);
	snprintf(path, sizeof(path), "docker-archive:/proc/self/fd/%d:app:1.0", fd);
	load_and_write(path, true);
	snprintf(path, sizeof(path), "oci-archive:/proc/self/fd/%d", fd);
	load_and_write(path, true);
	close(fd);
	ERR_clear_error();
	return 0;
}
