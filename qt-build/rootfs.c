/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rootfs.c: qt-build's generated ramdisks: the application ramdisk from
 * --rootfs SOURCE (with --cmd/--entrypoint/--env) and the bootstrap ramdisk
 * from --init/--driver or --bootstrap DIR. The formats live in
 * formats/ramdisk; this file turns options into calls and warnings.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "build.h"
#include "ramdisk/ramdisk.h"
#include "text.h"

struct rootfs_state {
	struct ramdisk_tree *tree;
	struct ramdisk_strv cmd;
	struct ramdisk_strv env;
	uint32_t clamp;
};

/* SOURCE_DATE_EPOCH as the mtime clamp: newc mtimes are 32-bit. */
static int
mtime_clamp(uint32_t *ret, struct qt_err *err)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	int64_t v;
	bool set;

	*ret = 0;
	if (qt_source_date_epoch(sde, &v, &set, err) < 0)
		return -1;
	if (set && v > UINT32_MAX)
		return qt_err_set(err, EINVAL,
		    "SOURCE_DATE_EPOCH: '%s' is after 2106, beyond the 32-bit mtimes of cpio newc",
		    sde);
	*ret = set ? (uint32_t)v : 0;
	return 0;
}

/* --cmd/--entrypoint values: '[...]' is a JSON array of strings, anything else one element. */
static int
expand(
    const char *const *raw, size_t n, const char *opt, struct ramdisk_strv *ret, struct qt_err *err)
{
	json_error_t je;
	json_t *arr, *v;
	size_t i, k;
	char **g;

	for (i = 0; i < n; i++) {
		if (raw[i][0] != '[') {
			if ((g = realloc(ret->v, (ret->n + 2) * sizeof(*g))) == NULL)
				return qt_err_set(err, ENOMEM, "out of memory");
			ret->v = g;
			if ((ret->v[ret->n] = strdup(raw[i])) == NULL)
				return qt_err_set(err, ENOMEM, "out of memory");
			ret->v[++ret->n] = NULL;
			continue;
		}
		if ((arr = json_loads(raw[i], JSON_REJECT_DUPLICATES, &je)) == NULL)
			return qt_err_set(err, EINVAL, "--%s: '%s': %s", opt, raw[i], je.text);
		if (!json_is_array(arr)) {
			json_decref(arr);
			return qt_err_set(err, EINVAL, "--%s: '%s': not a JSON array", opt, raw[i]);
		}
		json_array_foreach(arr, k, v) {
			if (!json_is_string(v)) {
				json_decref(arr);
				return qt_err_set(err, EINVAL,
				    "--%s: '%s': element %zu is not a string", opt, raw[i], k);
			}
			if ((g = realloc(ret->v, (ret->n + 2) * sizeof(*g))) == NULL ||
			    ((ret->v = g), (g[ret->n] = strdup(json_string_value(v))) == NULL)) {
				json_decref(arr);
				return qt_err_set(err, ENOMEM, "out of memory");
			}
			ret->v[++ret->n] = NULL;
		}
		json_decref(arr);
	}
	return 0;
}

void
rootfs_free(struct rootfs_state *s)
{
	if (s == NULL)
		return;
	ramdisk_tree_free(s->tree);
	ramdisk_strv_free(&s->cmd);
	ramdisk_strv_free(&s->env);
	free(s);
}

int
rootfs_prepare(const struct build_opts *o, struct rootfs_state **ret, struct qt_err *err)
{
	const struct build_rootfs *rf = &o->rootfs;
	struct rootfs_state *s;
	struct ramdisk_opts ro = { 0 };
	struct ramdisk_overrides ov = { 0 };
	struct ramdisk_strv ep = { 0 }, cmd = { 0 };
	const struct ramdisk_stats *st;
	const struct ramdisk_config *cfg;
	int r = -1;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	if (mtime_clamp(&s->clamp, err) < 0)
		goto out;
	if (rf->source == NULL) {
		r = 0;
		goto out;
	}
	ro.mtime_clamp = s->clamp;
	ro.keep_owner = rf->keep_owner;
	ro.platform = rf->platform;
	ro.max_entries = rf->max_entries;
	ro.max_bytes = rf->max_bytes;
	if (ramdisk_tree_load(rf->source, &ro, &s->tree, err) < 0)
		goto out;
	st = ramdisk_tree_stats(s->tree);
	if (st->xattrs > 0)
		tool_warn("%s: %llu %s extended attributes (first: '%s'), which cpio newc "
		          "cannot carry; dropping them",
		    rf->source, (unsigned long long)st->xattrs,
		    st->xattrs == 1 ? "entry has" : "entries have", st->xattr_first);
	if (st->devices > 0)
		tool_warn("%s: skipping %llu device %s (first: '%s'); the enclave's /dev is a "
		          "devtmpfs",
		    rf->source, (unsigned long long)st->devices,
		    st->devices == 1 ? "node or socket" : "nodes or sockets", st->device_first);
	if (expand(rf->entrypoint, rf->nentrypoint, "entrypoint", &ep, err) < 0 ||
	    expand(rf->cmd, rf->ncmd, "cmd", &cmd, err) < 0)
		goto out;
	ov.has_entrypoint = rf->nentrypoint > 0;
	ov.entrypoint = (const char *const *)ep.v;
	ov.n_entrypoint = ep.n;
	ov.has_cmd = rf->ncmd > 0;
	ov.cmd = (const char *const *)cmd.v;
	ov.n_cmd = cmd.n;
	ov.env = rf->env;
	ov.n_env = rf->nenv;
	cfg = ramdisk_tree_config(s->tree);
	if (ramdisk_command(cfg, &ov, &s->cmd, &s->env, err) < 0) {
		/* name the source: "no command" is about the image */
		qt_err_prefix(err, "%s", rf->source);
		goto out;
	}
	if (cfg != NULL && cfg->workdir != NULL && strcmp(cfg->workdir, "/") != 0)
		tool_warn("%s: the image's WorkingDir '%s' has no place in the enclave layout; the "
		          "command starts in /",
		    rf->source, cfg->workdir);
	r = 0;
out:
	ramdisk_strv_free(&ep);
	ramdisk_strv_free(&cmd);
	if (r == 0)
		*ret = s;
	else
		rootfs_free(s);
	return r;
}

int
rootfs_write(const struct build_opts *o, const struct rootfs_state *s, enum build_ramdisk_kind kind,
    struct qt_sink sink, struct qt_err *err)
{
	const struct build_rootfs *rf = &o->rootfs;

	if (kind == BUILD_RAMDISK_BOOTSTRAP)
		return ramdisk_write_bootstrap(
		    rf->init, rf->drivers, rf->ndrivers, s->clamp, rf->gzip, sink, err);
	return ramdisk_write_app(s->tree, &s->cmd, &s->env, rf->gzip, sink, err);
}

/* "<dir>/<name>" if it exists, else NULL; exits 2 on allocation failure. */
static char *
in_dir(const char *dir, const char *name)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", dir, name) < 0) {
		tool_warn("out of memory");
		exit(QT_EXIT_TROUBLE);
	}
	if (access(p, F_OK) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

int
rootfs_bootstrap_dir(struct build_opts *o, char **owned, size_t nowned, struct qt_err *err)
{
	const char *dir = o->rootfs.bootstrap_dir;
	const char *kname = o->arch_flags != 0 ? "Image" : "bzImage";
	char kcfg[32];
	size_t k = 0;

	if (dir == NULL)
		return 0;
	if (nowned < 5)
		return qt_err_set(err, EINVAL, "internal: bootstrap slots");
	if (o->kernel == NULL && (o->kernel = owned[k++] = in_dir(dir, kname)) == NULL)
		return qt_err_set(err, ENOENT, "--bootstrap %s: no kernel '%s'", dir, kname);
	if (o->cmdline == NULL && o->cmdline_file == NULL &&
	    (o->cmdline_file = owned[k++] = in_dir(dir, "cmdline")) == NULL)
		return qt_err_set(err, ENOENT, "--bootstrap %s: no 'cmdline'", dir);
	if (o->rootfs.init == NULL && (o->rootfs.init = owned[k++] = in_dir(dir, "init")) == NULL)
		return qt_err_set(err, ENOENT, "--bootstrap %s: no 'init'", dir);
	if (o->rootfs.ndrivers == 0) {
		if ((owned[k++] = in_dir(dir, "nsm.ko")) == NULL)
			return qt_err_set(err, ENOENT, "--bootstrap %s: no 'nsm.ko'", dir);
		o->rootfs.bootstrap_driver = owned[k - 1];
		o->rootfs.drivers = &o->rootfs.bootstrap_driver;
		o->rootfs.ndrivers = 1;
	}
	snprintf(kcfg, sizeof(kcfg), "%s.config", kname);
	if (o->kernel_config == NULL && o->img_os == NULL && o->img_kernel == NULL)
		o->kernel_config = owned[k++] = in_dir(dir, kcfg);
	return 0;
}
