/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eif_inputs.c: what the build checks and makes before the first byte is
 * written: the kernel's and executables' formats against --arch, and the
 * generated ramdisks' options (--rootfs with its command, environment and
 * pre-flight of the command; --init/--driver; --bootstrap DIR). The
 * formats themselves are formats/ramdisk; eif_build.c writes the image.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "eif.h"
#include "eif_build.h"
#include "eif_build_private.h"
#include "eif_meta.h"
#include "fileio.h"
#include "json.h"
#include "ramdisk/ramdisk.h"
#include "text.h"

static void QT_PRINTF(2, 3) build_warn(const struct eif_build_opts *o, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int n;

	if (o->warn == NULL)
		return;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	o->warn(o->warn_ctx, n >= 0 ? msg : "a warning was lost (out of memory)");
	if (n >= 0)
		free(msg);
}

/* ---- the kernel's format against --arch ------------------------------------------ */

enum kernel_fmt { KERNEL_UNKNOWN, KERNEL_X86, KERNEL_ARM64 };

/*
 * x86: the boot protocol header ("HdrS" at 0x202, 0x55AA at 0x1FE) of a
 * bzImage; arm64: the Image header's magic "ARM\x64" at 0x38 (Linux
 * Documentation/arch/x86/boot.rst and arch/arm64/booting.rst).
 */
static enum kernel_fmt
kernel_fmt(const uint8_t *b, size_t n)
{
	if (n >= 0x206 && b[0x1fe] == 0x55 && b[0x1ff] == 0xaa && memcmp(b + 0x202, "HdrS", 4) == 0)
		return KERNEL_X86;
	if (n >= 0x3c && memcmp(b + 0x38, "ARM\x64", 4) == 0)
		return KERNEL_ARM64;
	return KERNEL_UNKNOWN;
}

/* A kernel of the other architecture stops the build; an unknown format is a warning. */
int
eb_kernel_check(const struct eif_build_opts *o, struct qt_err *err)
{
	const char *arch = o->arch_flags != 0 ? "aarch64" : "x86_64";
	uint8_t b[0x240];
	size_t n = 0;
	enum kernel_fmt f;
	int fd;

	if ((fd = open(o->kernel, O_RDONLY | O_CLOEXEC)) < 0)
		return qt_err_set(err, errno, "%s: cannot open: %s", o->kernel, strerror(errno));
	if (fileio_read_full(fd, b, sizeof(b), -1, &n) < 0) {
		qt_err_set(err, errno, "%s: read error: %s", o->kernel, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	f = kernel_fmt(b, n);
	if (f == KERNEL_X86 && o->arch_flags != 0)
		return qt_err_set(err, EINVAL,
		    "%s: an x86 bzImage kernel, but --arch is aarch64 (an arm64 Image is needed)",
		    o->kernel);
	if (f == KERNEL_ARM64 && o->arch_flags == 0)
		return qt_err_set(err, EINVAL,
		    "%s: an arm64 Image kernel, but --arch is x86_64 (give --arch aarch64)",
		    o->kernel);
	if (f == KERNEL_UNKNOWN)
		build_warn(o,
		    "%s: neither an x86 bzImage nor an arm64 Image; cannot check it against --arch "
		    "%s",
		    o->kernel, arch);
	return 0;
}

/* Every --ramdisk FILE opens now; one that is neither cpio newc nor gzip is a warning. */
int
eb_ramdisk_files_check(const struct eif_build_opts *o, struct qt_err *err)
{
	uint8_t b[6];
	size_t i, n;
	int fd;

	for (i = 0; i < o->nramdisks; i++) {
		const char *p = o->ramdisks[i].path;
		struct stat st;

		if (o->ramdisks[i].kind != EIF_BUILD_RAMDISK_FILE)
			continue;
		if (stat(p, &st) < 0)
			return qt_err_set(err, errno, "%s: cannot open: %s", p, strerror(errno));
		if (S_ISDIR(st.st_mode))
			return qt_err_set(err, EISDIR, "%s: is a directory", p);
		if (!S_ISREG(st.st_mode)) /* a pipe is read once, when the image is written */
			continue;
		if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
			return qt_err_set(err, errno, "%s: cannot open: %s", p, strerror(errno));
		n = 0;
		if (fileio_read_full(fd, b, sizeof(b), -1, &n) < 0) {
			qt_err_set(err, errno, "%s: read error: %s", p, strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);
		if (!(n == 6 && memcmp(b, "070701", 6) == 0) &&
		    !(n >= 2 && b[0] == 0x1f && b[1] == 0x8b))
			build_warn(o,
			    "%s: --ramdisk is neither a cpio newc archive nor gzip; the kernel "
			    "will not unpack it",
			    p);
	}
	return 0;
}

/* ---- executables against --arch -------------------------------------------------- */

#define ELF_EM_386     3
#define ELF_EM_ARM     40
#define ELF_EM_X86_64  62
#define ELF_EM_AARCH64 183

/* e_machine of an ELF header (either byte order), or -1 if h is not one. */
static int
elf_machine(const uint8_t *h, size_t n)
{
	if (n < 20 || memcmp(h, "\177ELF", 4) != 0)
		return -1;
	if (h[5] == 1)
		return h[18] | h[19] << 8;
	if (h[5] == 2)
		return h[18] << 8 | h[19];
	return -1;
}

static const char *
machine_name(int m, char *buf, size_t size)
{
	switch (m) {
	case ELF_EM_X86_64:
		return "x86_64";
	case ELF_EM_AARCH64:
		return "aarch64";
	case ELF_EM_386:
		return "i386";
	case ELF_EM_ARM:
		return "32-bit arm";
	default:
		snprintf(buf, size, "machine %d", m);
		return buf;
	}
}

static const char *
arch_name(const struct eif_build_opts *o)
{
	return o->arch_flags != 0 ? "aarch64" : "x86_64";
}

static int
arch_machine(const struct eif_build_opts *o)
{
	return o->arch_flags != 0 ? ELF_EM_AARCH64 : ELF_EM_X86_64;
}

/* --init: an ELF executable for --arch or a #! script, else a warning. */
int
eb_init_check(const struct eif_build_opts *o, struct qt_err *err)
{
	const char *init = o->rootfs.init;
	uint8_t h[64];
	size_t n = 0;
	int fd, m;

	if (init == NULL)
		return 0;
	if ((fd = open(init, O_RDONLY | O_CLOEXEC)) < 0)
		return qt_err_set(err, errno, "%s: cannot open: %s", init, strerror(errno));
	if (fileio_read_full(fd, h, sizeof(h), -1, &n) < 0) {
		qt_err_set(err, errno, "%s: read error: %s", init, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	m = elf_machine(h, n);
	if (m >= 0 && m != arch_machine(o)) {
		char mb[32];

		build_warn(o, "%s: --init is an ELF executable for %s; the enclave is %s", init,
		    machine_name(m, mb, sizeof(mb)), arch_name(o));
	} else if (m < 0 && !(n >= 2 && h[0] == '#' && h[1] == '!'))
		build_warn(o, "%s: --init is neither an ELF executable for %s nor a #! script",
		    init, arch_name(o));
	return 0;
}

/* ---- generated ramdisks --------------------------------------------------------- */

/* The container platform an enclave of o's --arch runs (containerd's names). */
static const char *
eif_platform(const struct eif_build_opts *o)
{
	return o->arch_flags != 0 ? "linux/arm64" : "linux/amd64";
}

/* SOURCE_DATE_EPOCH as the mtime clamp: newc mtimes are 32-bit. */
static int
mtime_clamp(const char *sde, uint32_t *ret, struct qt_err *err)
{
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

static int
strv_push(struct ramdisk_strv *v, const char *s, struct qt_err *err)
{
	char **g;

	if ((g = realloc(v->v, (v->n + 2) * sizeof(*g))) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	v->v = g;
	if ((g[v->n] = strdup(s)) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	g[++v->n] = NULL;
	return 0;
}

/* One --cmd/--entrypoint value: '[...]' is a JSON array of strings, anything else one element. */
static int
expand_one(const char *raw, const char *opt, struct ramdisk_strv *ret, struct qt_err *err)
{
	json_error_t je;
	json_t *arr, *v;
	size_t k;
	int r = -1;

	if (raw[0] != '[')
		return strv_push(ret, raw, err);
	if ((arr = json_loads(raw, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return qt_err_set(err, EINVAL, "--%s: '%s': %s", opt, raw, je.text);
	if (!json_is_array(arr)) {
		qt_err_set(err, EINVAL, "--%s: '%s': not a JSON array", opt, raw);
		goto out;
	}
	json_array_foreach(arr, k, v) {
		if (!json_is_string(v)) {
			qt_err_set(
			    err, EINVAL, "--%s: '%s': element %zu is not a string", opt, raw, k);
			goto out;
		}
		if (strv_push(ret, json_string_value(v), err) < 0)
			goto out;
	}
	r = 0;
out:
	json_decref(arr);
	return r;
}

static int
expand(
    const char *const *raw, size_t n, const char *opt, struct ramdisk_strv *ret, struct qt_err *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (expand_one(raw[i], opt, ret, err) < 0)
			return -1;
	return 0;
}

void
eb_rootfs_free(struct rootfs_state *s)
{
	if (s == NULL)
		return;
	ramdisk_tree_free(s->tree);
	ramdisk_strv_free(&s->cmd);
	ramdisk_strv_free(&s->env);
	free(s);
}

/* What cpio newc and the enclave cannot keep: said, then dropped. */
static void
warn_dropped(const struct eif_build_opts *o, const struct ramdisk_stats *st)
{
	const char *src = o->rootfs.source;

	if (st->xattrs > 0)
		build_warn(o,
		    "%s: %llu %s extended attributes (first: '%s'), which cpio newc cannot carry; "
		    "dropping them",
		    src, (unsigned long long)st->xattrs,
		    st->xattrs == 1 ? "entry has" : "entries have", st->xattr_first);
	if (st->devices > 0)
		build_warn(o,
		    "%s: skipping %llu device %s (first: '%s'); the enclave's /dev is a devtmpfs",
		    src, (unsigned long long)st->devices,
		    st->devices == 1 ? "node or socket" : "nodes or sockets", st->device_first);
}

/* The command and environment: the image's, overridden by --entrypoint/--cmd/--env. */
static int
rootfs_command(const struct eif_build_opts *o, struct rootfs_state *s, struct qt_err *err)
{
	const struct eif_build_rootfs *rf = &o->rootfs;
	const struct ramdisk_config *cfg = ramdisk_tree_config(s->tree);
	struct ramdisk_strv ep = { 0 }, cmd = { 0 };
	struct ramdisk_overrides ov = { 0 };
	int r = -1;

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
	if (ramdisk_command(cfg, &ov, &s->cmd, &s->env, err) < 0) {
		/* name the source: "no command" is about the image */
		qt_err_prefix(err, "%s", rf->source);
		goto out;
	}
	if (cfg != NULL && cfg->user != NULL && strcmp(cfg->user, "root") != 0 &&
	    strcmp(cfg->user, "0") != 0 && strcmp(cfg->user, "0:0") != 0 &&
	    strcmp(cfg->user, "root:root") != 0)
		build_warn(o,
		    "%s: the image's User '%s' is not root; the enclave's init runs the command "
		    "as root (uid 0)",
		    rf->source, cfg->user);
	if (cfg != NULL && cfg->workdir != NULL && strcmp(cfg->workdir, "/") != 0)
		build_warn(o,
		    "%s: the image's WorkingDir '%s' has no place in the enclave layout; the "
		    "command starts in /",
		    rf->source, cfg->workdir);
	r = 0;
out:
	ramdisk_strv_free(&ep);
	ramdisk_strv_free(&cmd);
	return r;
}

/* The PATH the command is looked up in: env's, else docker's default. */
static const char *
env_path(const struct ramdisk_strv *env)
{
	size_t i;

	for (i = 0; i < env->n; i++)
		if (strncmp(env->v[i], "PATH=", 5) == 0)
			return env->v[i] + 5;
	return &RAMDISK_DEFAULT_PATH[sizeof("PATH=") - 1]; /* the value after "PATH=" */
}

/* prog as the enclave will find it: a path, or looked up in PATH. */
static void
find_program(
    const struct ramdisk_tree *t, const char *prog, const char *path, struct ramdisk_probe *pr)
{
	char cand[RAMDISK_PATH_MAX + 1];
	const char *p = path;

	if (strchr(prog, '/') != NULL) {
		ramdisk_tree_probe(t, prog, pr);
		return;
	}
	memset(pr, 0, sizeof(*pr));
	while (*p != '\0') {
		size_t n = strcspn(p, ":");
		if (n > 0 &&
		    snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, p, prog) < (int)sizeof(cand)) {
			ramdisk_tree_probe(t, cand, pr);
			if (pr->exists)
				return;
		}
		p += n + (p[n] == ':');
	}
}

/* #!INTERPRETER of a script's first line into buf ("" if none). */
static void
interpreter(const struct ramdisk_probe *pr, char *buf, size_t size)
{
	size_t i = 2, n;

	buf[0] = '\0';
	if (pr->headlen < 3 || pr->head[0] != '#' || pr->head[1] != '!')
		return;
	while (i < pr->headlen && (pr->head[i] == ' ' || pr->head[i] == '\t'))
		i++;
	for (n = 0; i + n < pr->headlen && n + 1 < size && pr->head[i + n] != ' ' &&
	            pr->head[i + n] != '\t' && pr->head[i + n] != '\n';
	     n++)
		buf[n] = (char)pr->head[i + n];
	buf[n] = '\0';
}

/* " (/resolved)" when the program was found elsewhere than its name says (PATH, links). */
#define SHOW_RESOLVED(prog, pr)                                                                    \
	strcmp((prog)[0] == '/' ? (prog) + 1 : (prog), (pr)->resolved) != 0 ? " (/" : "",          \
	    strcmp((prog)[0] == '/' ? (prog) + 1 : (prog), (pr)->resolved) != 0 ? (pr)->resolved   \
	                                                                        : "",              \
	    strcmp((prog)[0] == '/' ? (prog) + 1 : (prog), (pr)->resolved) != 0 ? ")" : ""

/* Pre-flight: the command's program is in the final rootfs, executable, for --arch. */
static int
command_check(const struct eif_build_opts *o, const struct rootfs_state *s, struct qt_err *err)
{
	const char *src = o->rootfs.source, *prog = s->cmd.v[0], *path = env_path(&s->env);
	struct ramdisk_probe *pr;
	char mb[32], interp[RAMDISK_PATH_MAX + 1];
	int m;

	if ((pr = malloc(sizeof(*pr))) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	find_program(s->tree, prog, path, pr);
	m = elf_machine(pr->head, pr->headlen);
	if (!pr->exists && strchr(prog, '/') == NULL)
		build_warn(o, "%s: the command '%s' is in no folder of PATH=%s in the image", src,
		    prog, path);
	else if (!pr->exists)
		build_warn(o, "%s: the command '%s' is not in the image%s", src, prog,
		    pr->loop ? " (too many symbolic links)" : "");
	else if (!pr->regular)
		build_warn(o, "%s: the command '%s' is not a regular file", src, prog);
	else if ((pr->mode & 0111) == 0)
		build_warn(o, "%s: the command '%s'%s%s%s is not executable (mode %04o)", src, prog,
		    SHOW_RESOLVED(prog, pr), (unsigned)pr->mode);
	else if (m >= 0 && m != arch_machine(o))
		build_warn(o,
		    "%s: the command '%s'%s%s%s is an ELF executable for %s; the enclave is %s",
		    src, prog, SHOW_RESOLVED(prog, pr), machine_name(m, mb, sizeof(mb)),
		    arch_name(o));
	else {
		interpreter(pr, interp, sizeof(interp));
		if (interp[0] != '\0') {
			ramdisk_tree_probe(s->tree, interp, pr);
			if (!pr->exists)
				build_warn(o,
				    "%s: the command '%s' is a script for '%s', which is not in "
				    "the "
				    "image",
				    src, prog, interp);
		}
	}
	free(pr);
	return 0;
}

/* Load --rootfs and compute cmd/env before anything is written. */
int
eb_rootfs_prepare(const struct eif_build_opts *o, struct rootfs_state **ret, struct qt_err *err)
{
	const struct eif_build_rootfs *rf = &o->rootfs;
	struct ramdisk_opts ro = { 0 };
	struct rootfs_state *s;
	int r = -1;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	if (mtime_clamp(o->source_date_epoch, &s->clamp, err) < 0)
		goto out;
	if (rf->source != NULL) {
		ro.mtime_clamp = s->clamp;
		ro.keep_owner = rf->keep_owner;
		ro.platform = rf->platform != NULL ? rf->platform : eif_platform(o);
		ro.eif_arch = o->arch_flags != 0 ? "aarch64" : "x86_64";
		ro.max_entries = rf->max_entries;
		ro.max_bytes = rf->max_bytes;
		if (ramdisk_tree_load(rf->source, &ro, &s->tree, err) < 0)
			goto out;
		warn_dropped(o, ramdisk_tree_stats(s->tree));
		if (rootfs_command(o, s, err) < 0 || command_check(o, s, err) < 0)
			goto out;
	}
	*ret = s;
	s = NULL;
	r = 0;
out:
	eb_rootfs_free(s);
	return r;
}

/* The bootstrap ramdisk's files as ramdisk/ reads them: into the record. */
struct seen_ctx {
	const struct eif_build_opts *o;
	struct qt_err err;
	bool failed;
};

static void
bootstrap_seen(void *ctx, size_t i, const uint8_t *buf, size_t len)
{
	struct seen_ctx *c = ctx;
	const struct eif_build_rootfs *rf = &c->o->rootfs;

	if (!c->failed && eb_rec_add(c->o->record, i == 0 ? "init" : "driver",
	                      i == 0 ? rf->init : rf->drivers[i - 1], buf, len, &c->err) < 0)
		c->failed = true;
}

/* Write a generated ramdisk (kind ROOTFS or BOOTSTRAP) into sink. */
int
eb_rootfs_write(const struct eif_build_opts *o, const struct rootfs_state *s,
    enum eif_build_ramdisk_kind kind, atomic_uint_least64_t *entries, struct qt_sink sink,
    struct qt_err *err)
{
	const struct eif_build_rootfs *rf = &o->rootfs;
	struct seen_ctx sc = { o, { 0 }, false };

	if (kind == EIF_BUILD_RAMDISK_BOOTSTRAP) {
		if (ramdisk_write_bootstrap_seen(rf->init, rf->drivers, rf->ndrivers, rf->gzip,
		        entries, sink, o->record != NULL ? bootstrap_seen : NULL, &sc, err) < 0)
			return -1;
		if (sc.failed) {
			*err = sc.err;
			return -1;
		}
		return 0;
	}
	return ramdisk_write_app(s->tree, &s->cmd, &s->env, rf->gzip, entries, sink, err);
}

int
eb_rootfs_size(const struct eif_build_opts *o, const struct rootfs_state *s,
    enum eif_build_ramdisk_kind kind, uint64_t *ret_entries, uint64_t *ret_bytes,
    struct qt_err *err)
{
	const struct eif_build_rootfs *rf = &o->rootfs;
	int r;

	if (kind == EIF_BUILD_RAMDISK_BOOTSTRAP)
		r = ramdisk_bootstrap_size(
		    rf->init, rf->drivers, rf->ndrivers, ret_entries, ret_bytes, err);
	else
		r = ramdisk_app_size(s->tree, &s->cmd, &s->env, ret_entries, ret_bytes, err);
	if (r == 0 && rf->gzip)
		*ret_bytes = 0; /* compressed: not known before it is written */
	return r;
}

/* "<dir>/<name>" into *ret if it exists, else NULL. */
static int
in_dir(const char *dir, const char *name, char **ret, struct qt_err *err)
{
	char *p = NULL;

	*ret = NULL;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return qt_err_set(err, ENOMEM, "out of memory");
	if (access(p, F_OK) != 0)
		free(p);
	else
		*ret = p;
	return 0;
}

/* A required file of --bootstrap DIR into *slot (and owned[*k]) unless given. */
static int
from_dir(const char *dir, const char *name, const char **slot, char **owned, size_t *k,
    struct qt_err *err)
{
	if (*slot != NULL)
		return 0;
	if (in_dir(dir, name, &owned[*k], err) < 0)
		return -1;
	if (owned[*k] == NULL)
		return qt_err_set(err, ENOENT, "--bootstrap %s: no '%s'", dir, name);
	*slot = owned[(*k)++];
	return 0;
}

static int
bootstrap_dir(struct eif_build_opts *o, char **owned, size_t *k, struct qt_err *err)
{
	struct eif_build_rootfs *rf = &o->rootfs;
	const char *dir = rf->bootstrap_dir;
	const char *kname = o->arch_flags != 0 ? "Image" : "bzImage";
	const char *driver = NULL;
	char kcfg[32];

	if (o->kernel == NULL) {
		if (in_dir(dir, kname, &owned[*k], err) < 0)
			return -1;
		if (owned[*k] == NULL)
			return qt_err_set(
			    err, ENOENT, "--bootstrap %s: no kernel '%s'", dir, kname);
		o->kernel = owned[(*k)++];
	}
	if (o->cmdline == NULL && from_dir(dir, "cmdline", &o->cmdline_file, owned, k, err) < 0)
		return -1;
	if (from_dir(dir, "init", &rf->init, owned, k, err) < 0)
		return -1;
	if (rf->ndrivers == 0) {
		/* the guest driver: Nitro's nsm.ko or QingTian's qtsm.ko, whichever is there */
		char *qtsm = NULL;

		if (in_dir(dir, "nsm.ko", &owned[*k], err) < 0 ||
		    in_dir(dir, "qtsm.ko", &qtsm, err) < 0)
			return -1;
		if (owned[*k] != NULL && qtsm != NULL) {
			free(qtsm);
			return qt_err_set(err, EINVAL,
			    "--bootstrap %s: holds both 'nsm.ko' and 'qtsm.ko'; name one with "
			    "--driver",
			    dir);
		}
		if (qtsm != NULL)
			owned[*k] = qtsm;
		if (owned[*k] == NULL)
			return qt_err_set(err, ENOENT,
			    "--bootstrap %s: no guest driver 'nsm.ko' (Nitro) or 'qtsm.ko' "
			    "(QingTian)",
			    dir);
		driver = owned[(*k)++];
		rf->bootstrap_driver = driver;
		rf->drivers = &rf->bootstrap_driver;
		rf->ndrivers = 1;
	}
	/* the kernel config is optional: OS and KernelVersion keep their defaults without it */
	snprintf(kcfg, sizeof(kcfg), "%s.config", kname);
	if (o->kernel_config == NULL && o->img_os == NULL && o->img_kernel == NULL) {
		if (in_dir(dir, kcfg, &owned[*k], err) < 0)
			return -1;
		o->kernel_config = owned[(*k)++];
	}
	return 0;
}

int
eif_build_bootstrap(struct eif_build_opts *o, char **owned, size_t nowned, struct qt_err *err)
{
	size_t k = 0;

	if (nowned < 5)
		return qt_err_set(err, EINVAL, "internal: bootstrap slots");
	if (o->rootfs.bootstrap_dir != NULL && bootstrap_dir(o, owned, &k, err) < 0)
		return -1;
	if (o->rootfs.init == NULL)
		return 0;
	/* the bootstrap ramdisk comes first: PCR1 covers kernel, cmdline and it */
	if (o->nramdisks >= EIF_BUILD_RAMDISKS_MAX)
		return qt_err_set(err, EINVAL, "at most %d ramdisks", EIF_BUILD_RAMDISKS_MAX);
	memmove(&o->ramdisks[1], &o->ramdisks[0], o->nramdisks * sizeof(o->ramdisks[0]));
	o->ramdisks[0].kind = EIF_BUILD_RAMDISK_BOOTSTRAP;
	o->ramdisks[0].path = o->rootfs.init;
	o->nramdisks++;
	return 0;
}
