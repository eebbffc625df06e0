/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build.c: qt-build's build: inputs -> EIF writer (streamed into a temporary
 * file beside the output, hashed on the way) -> header -> rename into place.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "eif.h"
#include "eifmeta.h"
#include "fileio.h"
#include "qtjson.h"
#include "signer.h"
#include "text.h"

#define KERNEL_CONFIG_MAX (1u << 20)

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
build_trim(const char *text, size_t len, size_t *ret_start, size_t *ret_len)
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

/*
 * BuildTime: --build-time (the time grammar of text.h; an RFC 3339 text is
 * kept as written), else SOURCE_DATE_EPOCH, else the epoch (reproducible).
 */
static int
build_time(const struct build_opts *o, char *buf, size_t size, struct qt_err *err)
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
		if (qt_source_date_epoch(getenv("SOURCE_DATE_EPOCH"), &sde, &have_sde, err) < 0)
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
kernel_config(const char *path, char **ret_os, char **ret_ver, struct qt_err *err)
{
	uint8_t *buf = NULL;
	char *line, *p, *words[4] = { NULL };
	size_t len, nw = 0, i;
	int r = -1;

	if (fileio_read_all(path, KERNEL_CONFIG_MAX, &buf, &len, err) < 0)
		return -1;
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
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	r = 0;
out:
	free(buf);
	return r;
}

static int
cmdline_bytes(const struct build_opts *o, uint8_t **ret, size_t *ret_len, struct qt_err *err)
{
	const char *what = o->cmdline_file != NULL ? o->cmdline_file : "--cmdline";
	uint8_t *buf = NULL;
	size_t len, start;

	if (o->cmdline_file != NULL) {
		if (fileio_read_all(o->cmdline_file, QT_CMDLINE_MAX, &buf, &len, err) < 0)
			return -1;
		/* nitro-cli reads blobs/cmdline and applies str::trim() */
		build_trim((const char *)buf, len, &start, &len);
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
custom_metadata(const char *path, json_t **ret, struct qt_err *err)
{
	uint8_t *buf = NULL;
	json_error_t je;
	json_t *v;
	size_t len;

	/* nitro-cli: a file of at most 4096 bytes of JSON (identity.rs) */
	if (fileio_read_all(path, QT_CUSTOM_METADATA_MAX, &buf, &len, err) < 0)
		return -1;
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

/* Stream a file into the open section, QT_IO_CHUNK at a time. */
static int
copy_file(struct eif_writer *w, const char *path, uint8_t *buf, struct qt_err *err)
{
	struct stat st;
	int fd, r = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return qt_err_set(err, errno, "%s: cannot open: %s", path, strerror(errno));
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
		if (eif_writer_write(w, buf, got, err) < 0)
			goto out;
		if (got < QT_IO_CHUNK)
			break;
	}
	r = 0;
out:
	close(fd);
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

int
build_run(const struct build_opts *o, struct pcr_set *ret, struct qt_err *err)
{
	struct fileio_out out = { .fd = -1 };
	struct eif_write_opts wo = { .flags = o->arch_flags };
	struct eif_writer *w = NULL;
	struct signer *signer = NULL;
	struct eif_meta meta;
	json_t *custom = NULL;
	uint8_t *cmd = NULL, *buf = NULL;
	char *meta_json = NULL, *cfg_os = NULL, *cfg_ver = NULL, when[64];
	size_t cmdlen = 0, metalen = 0, i;
	struct rootfs_state *rootfs = NULL;
	bool opened = false;
	int r = -1;

	if (cmdline_bytes(o, &cmd, &cmdlen, err) < 0 || build_time(o, when, sizeof(when), err) < 0)
		goto out;
	/* sources are read and checked before any output exists (hostile archives: exit 2) */
	if (rootfs_prepare(o, &rootfs, err) < 0)
		goto out;
	if (o->kernel_config != NULL && kernel_config(o->kernel_config, &cfg_os, &cfg_ver, err) < 0)
		goto out;
	if (o->metadata_file != NULL && custom_metadata(o->metadata_file, &custom, err) < 0)
		goto out;
	/* Defaults (man/qt-build.1): those of the reference writer eif_build, except BuildTool. */
	meta = (struct eif_meta){
		.image_name = o->image_name != NULL ? o->image_name : base_name(o->kernel),
		.image_version = o->image_version != NULL ? o->image_version : "1.0",
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
		.docker_info = NULL,
		.custom = custom,
	};
	if (eif_meta_build(&meta, &meta_json, &metalen, err) < 0)
		goto out;
	if ((buf = malloc(QT_IO_CHUNK)) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	/* Key and certificate are checked before anything is written (man/qt-sign.1). */
	if (o->sign_key != NULL) {
		struct signer_opts so = { o->sign_key, o->sign_cert, o->sign_pass, o->pkcs11_module,
			o->allow_expired_cert, (int64_t)time(NULL) };

		if (signer_new(&so, &signer, err) < 0)
			goto out;
	}
	if (!o->measure_only) {
		if (fileio_out_open(o->output, &out, err) < 0)
			goto out;
		opened = true;
	}
	if (eif_writer_new(o->measure_only ? -1 : out.fd, o->measure_only ? "image" : o->output,
	        &wo, &w, err) < 0)
		goto out;
	/* Reference section order: kernel, cmdline, metadata, ramdisks (spec/eif.md 3) */
	if (eif_writer_section_begin(w, EIF_SECTION_KERNEL, err) < 0 ||
	    copy_file(w, o->kernel, buf, err) < 0 || eif_writer_section_end(w, err) < 0)
		goto out;
	if (section_bytes(w, EIF_SECTION_CMDLINE, cmd, cmdlen, err) < 0 ||
	    section_bytes(w, EIF_SECTION_METADATA, (const uint8_t *)meta_json, metalen, err) < 0)
		goto out;
	for (i = 0; i < o->nramdisks; i++) {
		const struct build_ramdisk *rd = &o->ramdisks[i];

		if (eif_writer_section_begin(w, EIF_SECTION_RAMDISK, err) < 0)
			goto out;
		switch (rd->kind) {
		case BUILD_RAMDISK_FILE:
			if (copy_file(w, rd->path, buf, err) < 0)
				goto out;
			break;
		case BUILD_RAMDISK_ROOTFS:
		case BUILD_RAMDISK_BOOTSTRAP:
			if (rootfs_write(o, rootfs, rd->kind, eif_writer_sink(w), err) < 0)
				goto out;
			break;
		}
		if (eif_writer_section_end(w, err) < 0)
			goto out;
	}
	/* Signed: the signature section goes last, over PCR0 (spec/eif.md 5.3). */
	if ((signer != NULL ? signer_append(signer, w, ret, err) : eif_writer_pcrs(w, ret, err)) <
	        0 ||
	    eif_writer_finish(w, err) < 0)
		goto out;
	if (opened) {
		opened = false;
		if (fileio_out_commit(&out, err) < 0)
			goto out;
	}
	r = 0;
out:
	if (opened)
		fileio_out_abort(&out);
	eif_writer_free(w);
	signer_free(signer);
	rootfs_free(rootfs);
	json_decref(custom);
	free(meta_json);
	free(cfg_os);
	free(cfg_ver);
	free(cmd);
	free(buf);
	return r;
}
