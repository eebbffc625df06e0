/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eif_build.c: the build pipeline (inputs -> EIF writer, streamed into a
 * temporary file beside the output and hashed on the way -> signature ->
 * header -> rename into place; the checks and generated ramdisks before it
 * are eif_inputs.c), and the rewrite pipeline of qt-sign (copy an image, dropping or adding its
 * signature section).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
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
#include "signer.h"
#include "text.h"

#define KERNEL_CONFIG_MAX (1u << 20)

/* ---- the record of the inputs read (provenance) ------------------------------------ */

void
eif_build_record_free(struct eif_build_record *r)
{
	if (r == NULL)
		return;
	free(r->inputs);
	free(r->cmdline);
	r->inputs = NULL;
	r->ninputs = 0;
	r->cmdline = NULL;
}

/* A new entry of r for (role, path), its digests zero; NULL when r is NULL or out of memory. */
static struct eif_build_input *
rec_new(struct eif_build_record *r, const char *role, const char *path)
{
	struct eif_build_input *v, *e;

	if (r == NULL || (v = realloc(r->inputs, (r->ninputs + 1) * sizeof(*v))) == NULL)
		return NULL;
	r->inputs = v;
	e = &v[r->ninputs++];
	memset(e, 0, sizeof(*e));
	e->role = role;
	e->path = path;
	return e;
}

/* Record the digests of bytes already read (r NULL: nothing to do). */
int
eb_rec_add(struct eif_build_record *r, const char *role, const char *path, const uint8_t *buf,
    size_t len, struct qt_err *err)
{
	struct eif_build_input *e;

	if (r == NULL)
		return 0;
	if ((e = rec_new(r, role, path)) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	if (EVP_Digest(buf, len, e->sha256, NULL, EVP_sha256(), NULL) != 1 ||
	    EVP_Digest(buf, len, e->sha384, NULL, EVP_sha384(), NULL) != 1)
		return qt_err_set(err, EIO, "%s: digest failed", path);
	return 0;
}

/* Where an input goes in the record's documented order. */
static int
rec_rank(const char *role)
{
	static const char *const first[] = { "kernel", "cmdline-file", "kernel-config",
		"metadata" };
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(role, first[i]) == 0)
			return i;
	return 4;
}

/* Stable insertion sort into the order of eif_build.h (ramdisk files keep image order). */
static void
rec_sort(struct eif_build_record *r)
{
	size_t i, j;

	for (i = 1; i < r->ninputs; i++) {
		struct eif_build_input t = r->inputs[i];

		for (j = i; j > 0 && rec_rank(r->inputs[j - 1].role) > rec_rank(t.role); j--)
			r->inputs[j] = r->inputs[j - 1];
		r->inputs[j] = t;
	}
}

/* ---- white space as Rust's str::trim sees it ------------------------------------ */

/* Length of the Unicode White_Space character at s (0 if none); Rust's char::is_whitespace. */
static size_t
ws_len(const unsigned char *s, size_t left)
{
	if (left >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
		return 1;
	if (left >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (left >= 3 && s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80)
		return 3; /* U+1680 */
	if (left >= 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    (s[2] <= 0x8a || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf) && s[2] >= 0x80)
		return 3; /* U+2000-200A, U+2028, U+2029, U+202F */
	if (left >= 3 && s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)
		return 3; /* U+205F */
	if (left >= 3 && s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
		return 3; /* U+3000 */
	return 0;
}

/* Length of a White_Space character ending at s[len-1] (0 if none). */
static size_t
ws_len_back(const unsigned char *s, size_t len)
{
	size_t k;

	for (k = 1; k <= 3 && k <= len; k++)
		if (ws_len(s + len - k, k) == k)
			return k;
	return 0;
}

void
eif_build_trim(const char *text, size_t len, size_t *ret_start, size_t *ret_len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t start = 0, end = len, k;

	while (start < end && (k = ws_len(s + start, end - start)) > 0)
		start += k;
	while (end > start && (k = ws_len_back(s + start, end - start)) > 0)
		end -= k;
	*ret_start = start;
	*ret_len = end - start;
}

/* ---- the inputs -------------------------------------------------------------------- */

/*
 * BuildTime: --build-time (the time grammar of text.h; an RFC 3339 text is
 * kept as written), else SOURCE_DATE_EPOCH, else the epoch (reproducible).
 */
static int
build_time(const struct eif_build_opts *o, char *buf, size_t size, struct qt_err *err)
{
	struct qt_time t = { QT_TIME_AT, 0, false };
	int64_t sde;
	bool have_sde;

	if (o->build_time != NULL) {
		if (qt_time_parse("--build-time", o->build_time, 0, &t, err) < 0)
			return -1;
		if (t.rfc3339) {
			snprintf(buf, size, "%s", o->build_time);
			return 0;
		}
		if (t.kind == QT_TIME_NOW)
			t.ms = qt_time_now_ms();
	} else {
		if (qt_source_date_epoch(o->source_date_epoch, &sde, &have_sde, err) < 0)
			return -1;
		t.ms = have_sde ? sde * 1000 : 0;
	}
	qt_time_format(qt_time_ms_to_s(t.ms), true, buf, size);
	return 0;
}

/*
 * --kernel-config: nitro-cli takes words 1 and 3 of the config's third line,
 * split on ' ', '/' and '-' ("# Linux/x86_64 4.14.256-209... Kernel
 * Configuration" -> "Linux", "4.14.256"; spec/eif.md 6).
 */
static int
kernel_config(const char *path, struct eif_build_record *rec, char **ret_os, char **ret_ver,
    struct qt_err *err)
{
	uint8_t *buf = NULL;
	char *line, *p, *words[4] = { NULL };
	size_t nw = 0, len, i;
	int r = -1;

	if (fileio_read_all(path, KERNEL_CONFIG_MAX, &buf, &len, err) < 0)
		return -1;
	if (eb_rec_add(rec, "kernel-config", path, buf, len, err) < 0)
		goto out;
	line = (char *)buf;
	for (i = 0; i < 2 && line != NULL; i++)
		if ((line = strchr(line, '\n')) != NULL)
			line++;
	if (line == NULL) {
		qt_err_set(err, EINVAL, "%s: kernel config has fewer than 3 lines", path);
		goto out;
	}
	if ((p = strchr(line, '\n')) != NULL)
		*p = '\0';
	/* split, keeping empty words as Rust's str::split does */
	for (p = line; nw < 4;) {
		words[nw++] = p;
		p += strcspn(p, " /-");
		if (*p == '\0')
			break;
		*p++ = '\0';
	}
	if (nw < 4) {
		qt_err_set(err, EINVAL,
		    "%s: line 3 does not look like '# Linux/<arch> <version> Kernel Configuration'",
		    path);
		goto out;
	}
	if ((*ret_os = strdup(words[1])) == NULL || (*ret_ver = strdup(words[3])) == NULL) {
		free(*ret_os);
		*ret_os = NULL; /* the caller frees both */
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	r = 0;
out:
	free(buf);
	return r;
}

static int
cmdline_bytes(const struct eif_build_opts *o, uint8_t **ret, size_t *ret_len, struct qt_err *err)
{
	const char *what = o->cmdline_file != NULL ? o->cmdline_file : "--cmdline";
	uint8_t *buf = NULL;
	size_t len, start;

	if (o->cmdline_file != NULL) {
		if (fileio_read_all(o->cmdline_file, QT_CMDLINE_MAX, &buf, &len, err) < 0)
			return -1;
		if (eb_rec_add(o->record, "cmdline-file", o->cmdline_file, buf, len, err) < 0) {
			free(buf);
			return -1;
		}
		/* nitro-cli reads blobs/cmdline and applies str::trim() */
		eif_build_trim((const char *)buf, len, &start, &len);
		memmove(buf, buf + start, len);
	} else {
		len = strlen(o->cmdline);
		if (len > QT_CMDLINE_MAX)
			return qt_err_set(
			    err, EINVAL, "--cmdline: longer than %u bytes", QT_CMDLINE_MAX);
		if ((buf = malloc(len + 1)) == NULL)
			return qt_err_set(err, ENOMEM, "out of memory");
		memcpy(buf, o->cmdline, len);
	}
	/* the reference stores CString bytes: no NUL inside, none appended */
	if (memchr(buf, '\0', len) != NULL) {
		free(buf);
		return qt_err_set(
		    err, EINVAL, "%s: the kernel command line contains a NUL byte", what);
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

static int
custom_metadata(const char *path, struct eif_build_record *rec, json_t **ret, struct qt_err *err)
{
	uint8_t *buf = NULL;
	json_error_t je;
	json_t *v;
	size_t len;

	/* nitro-cli: a file of at most 4096 bytes of JSON (identity.rs) */
	if (fileio_read_all(path, QT_CUSTOM_METADATA_MAX, &buf, &len, err) < 0)
		return -1;
	if (eb_rec_add(rec, "metadata", path, buf, len, err) < 0) {
		free(buf);
		return -1;
	}
	v = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	free(buf);
	if (v == NULL)
		return qt_err_set(
		    err, EINVAL, "%s: line %d column %d: %s", path, je.line, je.column, je.text);
	if (qtjson_no_reals(path, "custom metadata", v, err) < 0) {
		json_decref(v);
		return -1;
	}
	*ret = v;
	return 0;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/* The metadata section's bytes. Defaults (man/qt-build.1): the reference writer's but BuildTool;
 * with a container image source, its name and version, and DockerInfo. */
static int
metadata_bytes(const struct eif_build_opts *o, const struct ramdisk_tree *tree, const char *when,
    char **ret, size_t *ret_len, struct qt_err *err)
{
	char *cfg_os = NULL, *cfg_ver = NULL, *img_name = NULL, *img_ver = NULL;
	json_t *custom = NULL, *docker = NULL;
	struct eif_meta meta;
	int r = -1;

	if (o->kernel_config != NULL &&
	    kernel_config(o->kernel_config, o->record, &cfg_os, &cfg_ver, err) < 0)
		goto out;
	if (o->metadata_file != NULL &&
	    custom_metadata(o->metadata_file, o->record, &custom, err) < 0)
		goto out;
	if (tree != NULL) {
		if (ramdisk_tree_docker_info(tree, &docker, err) < 0)
			goto out;
		if (ramdisk_tree_identity(tree, &img_name, &img_ver) < 0) {
			qt_err_set(err, ENOMEM, "out of memory");
			goto out;
		}
	}
	meta = (struct eif_meta){
		.image_name = o->image_name != NULL ? o->image_name
		              : img_name != NULL    ? img_name
		                                    : base_name(o->kernel),
		.image_version = o->image_version != NULL ? o->image_version
		                 : img_ver != NULL        ? img_ver
		                                          : "1.0",
		.build_time = when,
		.build_tool = o->build_tool != NULL ? o->build_tool : "qt-build",
		.build_tool_version =
		    o->build_tool_version != NULL ? o->build_tool_version : QT_VERSION,
		.os = o->img_os != NULL ? o->img_os
		      : cfg_os != NULL  ? cfg_os
		                        : "OS",
		.kernel_version = o->img_kernel != NULL ? o->img_kernel
		                  : cfg_ver != NULL     ? cfg_ver
		                                        : "kernel",
		.docker_info = docker,
		.custom = custom,
	};
	r = eif_meta_build(&meta, ret, ret_len, err);
out:
	json_decref(custom);
	json_decref(docker);
	free(cfg_os);
	free(cfg_ver);
	free(img_name);
	free(img_ver);
	return r;
}

/* ---- writing ------------------------------------------------------------------------- */

/*
 * The writer as a sink that tells o->progress how far it is, at most every
 * EIF_BUILD_PROGRESS_STEP bytes: the one place the build reports progress.
 */
struct progress_sink {
	struct eif_writer *w;
	struct qt_sink inner; /* the writer's own sink (with space/commit when it offers them) */
	const struct eif_build_opts *o;
	uint64_t done, next;
	uint64_t total, nentries; /* 0: unknown, none */
	/*
	 * cpio entries written: bumped by ramdisk/ on the calling thread, read
	 * here on the thread that feeds the writer (cpio.c's pipe)
	 */
	atomic_uint_least64_t entries;
	unsigned section, nsections;
};

static void
progress_tell(struct progress_sink *ps)
{
	struct qt_progress p = { ps->done, ps->total,
		atomic_load_explicit(&ps->entries, memory_order_relaxed), ps->nentries, ps->section,
		ps->nsections };

	ps->o->progress(ps->o->progress_ctx, &p);
}

static void
progress_count(struct progress_sink *ps, size_t len)
{
	ps->done += len;
	if (ps->o->progress != NULL && ps->done >= ps->next) {
		ps->next = ps->done + EIF_BUILD_PROGRESS_STEP;
		progress_tell(ps);
	}
}

static int
progress_write(void *ctx, const uint8_t *buf, size_t len, struct qt_err *err)
{
	struct progress_sink *ps = ctx;

	if (ps->inner.write(ps->inner.ctx, buf, len, err) < 0)
		return -1;
	progress_count(ps, len);
	return 0;
}

static uint8_t *
progress_space(void *ctx, size_t *ret_cap, struct qt_err *err)
{
	struct progress_sink *ps = ctx;

	return ps->inner.space(ps->inner.ctx, ret_cap, err);
}

static int
progress_commit(void *ctx, size_t n, struct qt_err *err)
{
	struct progress_sink *ps = ctx;

	if (ps->inner.commit(ps->inner.ctx, n, err) < 0)
		return -1;
	progress_count(ps, n);
	return 0;
}

/* The writer's sink seen through ps: the same room-filling offer, bytes counted. */
static struct qt_sink
progress_sink_of(struct progress_sink *ps)
{
	struct qt_sink s = { .write = progress_write, .ctx = ps };

	ps->inner = eif_writer_sink(ps->w);
	if (ps->inner.space != NULL && ps->inner.commit != NULL) {
		s.space = progress_space;
		s.commit = progress_commit;
	}
	return s;
}

/*
 * Stream a file into the open section (through sink), QT_IO_CHUNK at a time;
 * with rec, its SHA-256 and SHA-384 on the way, recorded under role.
 */
static int
copy_file(struct qt_sink sink, const char *path, uint8_t *buf, struct eif_build_record *rec,
    const char *role, struct qt_err *err)
{
	EVP_MD_CTX *c256 = NULL, *c384 = NULL;
	struct eif_build_input *e;
	struct stat st;
	int fd, r = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return qt_err_set(err, errno, "%s: cannot open: %s", path, strerror(errno));
	if (rec != NULL &&
	    ((c256 = EVP_MD_CTX_new()) == NULL || (c384 = EVP_MD_CTX_new()) == NULL ||
	        EVP_DigestInit_ex(c256, EVP_sha256(), NULL) != 1 ||
	        EVP_DigestInit_ex(c384, EVP_sha384(), NULL) != 1)) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		qt_err_set(err, EISDIR, "%s: is a directory", path);
		goto out;
	}
	for (;;) {
		size_t got;

		/* fill whole chunks so the writer passes them straight through */
		if (fileio_read_full(fd, buf, QT_IO_CHUNK, -1, &got) < 0) {
			qt_err_set(err, errno, "%s: read error: %s", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		if (sink.write(sink.ctx, buf, got, err) < 0)
			goto out;
		if (c256 != NULL && (EVP_DigestUpdate(c256, buf, got) != 1 ||
		                        EVP_DigestUpdate(c384, buf, got) != 1)) {
			qt_err_set(err, EIO, "%s: digest failed", path);
			goto out;
		}
		if (got < QT_IO_CHUNK)
			break;
	}
	if (c256 != NULL) {
		if ((e = rec_new(rec, role, path)) == NULL) {
			qt_err_set(err, ENOMEM, "out of memory");
			goto out;
		}
		if (EVP_DigestFinal_ex(c256, e->sha256, NULL) != 1 ||
		    EVP_DigestFinal_ex(c384, e->sha384, NULL) != 1) {
			qt_err_set(err, EIO, "%s: digest failed", path);
			goto out;
		}
	}
	r = 0;
out:
	close(fd);
	EVP_MD_CTX_free(c256);
	EVP_MD_CTX_free(c384);
	return r;
}

static int
section_bytes(struct eif_writer *w, enum eif_section_type t, const uint8_t *buf, size_t len,
    struct qt_err *err)
{
	if (eif_writer_section_begin(w, t, err) < 0 || eif_writer_write(w, buf, len, err) < 0 ||
	    eif_writer_section_end(w, err) < 0)
		return -1;
	return 0;
}

/* Sign the image in w (all other sections written) and append the signature section. */
static int
append_signature(
    const struct signer *s, struct eif_writer *w, struct pcr_set *pcrs, struct qt_err *err)
{
	struct wbuf sec = { 0 };
	int rv = -1;

	if (eif_writer_pcrs(w, pcrs, err) < 0 || signer_section(s, pcrs->pcr0, &sec, err) < 0 ||
	    section_bytes(w, EIF_SECTION_SIGNATURE, sec.p, sec.len, err) < 0 ||
	    signer_pcr8(s, pcrs->pcr8, err) < 0)
		goto out;
	pcrs->has_pcr8 = true;
	rv = 0;
out:
	wbuf_free(&sec);
	return rv;
}

/* Everything read and checked before the output exists (hostile archives: exit 2). */
struct build_inputs {
	uint8_t *cmd;
	size_t cmdlen;
	char *meta;
	size_t metalen;
	struct rootfs_state *rootfs;
	struct signer *signer;
	uint8_t *buf;  /* QT_IO_CHUNK bytes for copying files */
	char when[64]; /* BuildTime */
};

static void
inputs_free(struct build_inputs *in)
{
	free(in->cmd);
	free(in->meta);
	eb_rootfs_free(in->rootfs);
	signer_free(in->signer);
	free(in->buf);
}

static int
inputs_load(const struct eif_build_opts *o, struct build_inputs *in, struct qt_err *err)
{
	if (cmdline_bytes(o, &in->cmd, &in->cmdlen, err) < 0 ||
	    build_time(o, in->when, sizeof(in->when), err) < 0 ||
	    eb_rootfs_prepare(o, &in->rootfs, err) < 0 ||
	    metadata_bytes(o, in->rootfs->tree, in->when, &in->meta, &in->metalen, err) < 0)
		return -1;
	if ((in->buf = malloc(QT_IO_CHUNK)) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	/* Key and certificate are checked before anything is written (man/qt-sign.1). */
	if (o->sign_key != NULL) {
		struct signer_opts so = { o->sign_key, o->sign_cert, o->sign_pass, o->pkcs11_module,
			o->allow_expired_cert, o->sign_now };

		if (signer_new(&so, &in->signer, err) < 0)
			return -1;
	}
	if (eb_ramdisk_files_check(o, err) < 0 || eb_init_check(o, err) < 0)
		return -1;
	return eb_kernel_check(o, err);
}

static int
write_ramdisk(struct progress_sink *ps, const struct build_inputs *in,
    const struct eif_build_ramdisk *rd, struct qt_err *err)
{
	struct qt_sink sink = progress_sink_of(ps);

	if (eif_writer_section_begin(ps->w, EIF_SECTION_RAMDISK, err) < 0)
		return -1;
	ps->section++;
	if (rd->kind == EIF_BUILD_RAMDISK_FILE) {
		if (copy_file(sink, rd->path, in->buf, ps->o->record, "ramdisk", err) < 0)
			return -1;
	} else if (eb_rootfs_write(ps->o, in->rootfs, rd->kind, &ps->entries, sink, err) < 0) {
		return -1;
	}
	return eif_writer_section_end(ps->w, err);
}

/* A regular file's size into *size; false if it is none. */
static bool
file_size(const char *path, uint64_t *size)
{
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	*size = (uint64_t)st.st_size;
	return true;
}

/*
 * For progress: the bytes the sink will see (kernel and ramdisks; 0 when a
 * size is unknown) and the entries of the generated ramdisks, known before
 * the first byte. Only a guide: a size that cannot be had leaves it unknown
 * and the write itself says what is wrong.
 */
static void
progress_plan(
    struct progress_sink *ps, const struct eif_build_opts *o, const struct build_inputs *in)
{
	uint64_t total = 0, n, bytes;
	struct qt_err ignored = { 0 };
	bool known = file_size(o->kernel, &total);
	size_t i;

	for (i = 0; i < o->nramdisks; i++) {
		const struct eif_build_ramdisk *rd = &o->ramdisks[i];

		if (rd->kind == EIF_BUILD_RAMDISK_FILE) {
			known = known && file_size(rd->path, &bytes);
		} else if (eb_rootfs_size(o, in->rootfs, rd->kind, &n, &bytes, &ignored) == 0) {
			ps->nentries += n;
			known = known && bytes > 0; /* 0: gzip */
		} else {
			known = false;
		}
		if (known)
			total += bytes;
	}
	ps->total = known ? total : 0;
}

/* Reference section order: kernel, cmdline, metadata, ramdisks, signature (spec/eif.md 3). */
static int
write_sections(struct eif_writer *w, const struct eif_build_opts *o, const struct build_inputs *in,
    struct pcr_set *ret, struct qt_err *err)
{
	struct progress_sink ps = { .w = w, .o = o, .next = EIF_BUILD_PROGRESS_STEP, .section = 1 };
	struct qt_sink sink = progress_sink_of(&ps);
	size_t i;

	/* kernel, cmdline, metadata, the ramdisks and the signature */
	ps.nsections = 3 + (unsigned)o->nramdisks + (in->signer != NULL);
	if (o->progress != NULL)
		progress_plan(&ps, o, in);
	if (eif_writer_section_begin(w, EIF_SECTION_KERNEL, err) < 0 ||
	    copy_file(sink, o->kernel, in->buf, o->record, "kernel", err) < 0 ||
	    eif_writer_section_end(w, err) < 0 ||
	    section_bytes(w, EIF_SECTION_CMDLINE, in->cmd, in->cmdlen, err) < 0 ||
	    section_bytes(w, EIF_SECTION_METADATA, (const uint8_t *)in->meta, in->metalen, err) < 0)
		return -1;
	ps.section = 3;
	for (i = 0; i < o->nramdisks; i++)
		if (write_ramdisk(&ps, in, &o->ramdisks[i], err) < 0)
			return -1;
	if (o->progress != NULL) {
		ps.section = ps.nsections;
		progress_tell(&ps);
	}
	/* Signed: the signature section goes last, over PCR0 (spec/eif.md 5.3). */
	if (in->signer != NULL)
		return append_signature(in->signer, w, ret, err);
	return eif_writer_pcrs(w, ret, err);
}

/* -o names a file in a folder we may write: found out before the build, not after it. */
static int
output_check(const char *path, struct qt_err *err)
{
	const char *slash = strrchr(path, '/');
	char *dir = NULL;
	struct stat st;
	int r = 0;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return qt_err_set(err, EISDIR, "%s: is a directory; -o names the image file", path);
	if (slash == NULL)
		dir = strdup(".");
	else
		dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (dir == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	if (access(dir, W_OK | X_OK) != 0)
		r = qt_err_set(
		    err, errno, "%s: cannot create a file in '%s': %s", path, dir, strerror(errno));
	free(dir);
	return r;
}

/* The caller's warning callback, counted (--strict). */
struct warn_count {
	eif_build_warn_fn fn;
	void *ctx;
	size_t n;
};

static void
count_warning(void *ctx, const char *msg)
{
	struct warn_count *w = ctx;

	w->n++;
	if (w->fn != NULL)
		w->fn(w->ctx, msg);
}

int
eif_build_run(const struct eif_build_opts *opts, struct pcr_set *ret, struct qt_err *err)
{
	struct eif_build_opts local = *opts, *o = &local;
	struct warn_count wc = { opts->warn, opts->warn_ctx, 0 };
	struct fileio_out out = { .fd = -1 };
	struct eif_write_opts wo = { .flags = o->arch_flags };
	struct build_inputs in = { 0 };
	struct eif_writer *w = NULL;
	bool opened = false;
	int r = -1;

	local.warn = count_warning;
	local.warn_ctx = &wc;
	if ((o->output != NULL && output_check(o->output, err) < 0) || inputs_load(o, &in, err) < 0)
		goto out;
	if (o->strict && wc.n > 0) {
		qt_err_set(err, EINVAL, "--strict: %zu %s; no image written", wc.n,
		    wc.n == 1 ? "warning" : "warnings");
		r = 1;
		goto out;
	}
	if (o->output != NULL) {
		if (fileio_out_open(o->output, &out, err) < 0)
			goto out;
		opened = true;
	}
	if (eif_writer_new(opened ? out.fd : -1, opened ? o->output : "image", &wo, &w, err) < 0 ||
	    write_sections(w, o, &in, ret, err) < 0 || eif_writer_finish(w, err) < 0)
		goto out;
	if (o->record != NULL) {
		rec_sort(o->record);
		if ((o->record->cmdline = strndup((const char *)in.cmd, in.cmdlen)) == NULL) {
			qt_err_set(err, ENOMEM, "out of memory");
			goto out;
		}
	}
	if (opened) {
		opened = false;
		if (fileio_out_commit(&out, err) < 0)
			goto out;
	}
	r = 0;
out:
	if (r != 0)
		eif_build_record_free(o->record);
	if (opened)
		fileio_out_abort(&out);
	eif_writer_free(w);
	inputs_free(&in);
	return r;
}

/* ---- rewriting an image ---------------------------------------------------------------- */

struct copy {
	const char *name; /* output name for messages */
	int out_fd;
	bool need_sig_version; /* a signature will be appended */
	struct eif_writer *w;
	bool skipping; /* inside the input's signature section */
	bool was_signed;
};

static int
copy_header(void *ctx, const struct eif_header *h, struct qt_err *err)
{
	struct copy *c = ctx;
	struct eif_write_opts o = { h->version, h->flags, h->default_mem, h->default_cpus };

	if (c->need_sig_version && h->version < 3)
		return qt_err_set(err, EINVAL,
		    "%s: EIF version %u has no signature section (version 3 or later needed)",
		    c->name, h->version);
	return eif_writer_new(c->out_fd, c->name, &o, &c->w, err);
}

static int
copy_begin(void *ctx, const struct eif_section *s, struct qt_err *err)
{
	struct copy *c = ctx;

	c->skipping = s->type == EIF_SECTION_SIGNATURE;
	if (c->skipping) {
		c->was_signed = true;
		return 0;
	}
	return eif_writer_section_begin(c->w, s->type, err);
}

static int
copy_data(
    void *ctx, const struct eif_section *s, const uint8_t *buf, size_t len, struct qt_err *err)
{
	struct copy *c = ctx;

	(void)s;
	return c->skipping ? 0 : eif_writer_write(c->w, buf, len, err);
}

static int
copy_end(void *ctx, const struct eif_section *s, struct qt_err *err)
{
	struct copy *c = ctx;

	(void)s;
	if (c->skipping) {
		c->skipping = false;
		return 0;
	}
	return eif_writer_section_end(c->w, err);
}

int
eif_rewrite(const char *in_path, int out_fd, const char *out_name, eif_section_fn make, void *ctx,
    const struct qt_progress_cb *progress, struct pcr_set *ret_pcrs, bool *ret_was_signed,
    struct qt_err *err)
{
	struct copy c = { out_name, out_fd, make != NULL, NULL, false, false };
	struct eif_read_cb cb = { copy_header, copy_begin, copy_data, copy_end, &c,
		{ NULL, NULL } };
	struct eif_info *info = NULL;
	struct wbuf sec = { 0 };
	struct pcr_set pcrs;
	int v, rv = -1;

	if (progress != NULL)
		cb.progress = *progress;
	/* The writer hashes what it writes: the reader need not hash too. */
	if (eif_read_path(in_path, &cb, EIF_READ_NO_PCR, &info, err) < 0 ||
	    eif_crc_check(in_path, info, err) < 0 || eif_writer_pcrs(c.w, &pcrs, err) < 0)
		goto out;
	if (make != NULL) {
		v = make(ctx, pcrs.pcr0, &sec, err);
		if (v != 0) {
			rv = v;
			goto out;
		}
		if (section_bytes(c.w, EIF_SECTION_SIGNATURE, sec.p, sec.len, err) < 0)
			goto out;
	}
	if (eif_writer_finish(c.w, err) < 0)
		goto out;
	*ret_pcrs = pcrs;
	*ret_was_signed = c.was_signed;
	rv = 0;
out:
	wbuf_free(&sec);
	eif_writer_free(c.w);
	eif_info_free(info);
	return rv;
}

int
eif_build_sign_section(
    void *ctx, const uint8_t pcr0[PCR_LEN], struct wbuf *ret_section, struct qt_err *err)
{
	return signer_section(ctx, pcr0, ret_section, err);
}
