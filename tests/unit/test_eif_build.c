/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_eif_build.c: the build pipeline reproduces golden c1/c2 byte for byte
 * (as tests/cli/qt-build.bats builds them), measures without writing, signs
 * to c5's PCRs; the rewrite pipeline removes and adds a signature; the
 * bootstrap directory and the warning callback.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eif.h"
#include "eif_build.h"
#include "fileio.h"
#include "signer.h"
#include "text.h"
#include "unit.h"

#define GOLD FIXTURES "/golden"
#define GIN  GOLD "/inputs"
#define GOUT GOLD "/outputs"

static const char c2_pcr0[] = "8b7a024caa4148ffaa64114656e339921cfce6a070828aaa3992492104b452"
                              "63bfb99e76fbba081392837db934fa1131";
static const char c5_pcr8[] = "cc5824781bb970c37a35a8aaaecb12b16c0f07c2030925060363a0d031a96b"
                              "5e5dd907e08b3244f207366ce6d4ea80e1";

static uint8_t *
slurp(const char *path, size_t *len)
{
	struct qt_err err = { 0 };
	uint8_t *buf = NULL;

	if (fileio_read_all(path, 1u << 24, &buf, len, &err) < 0) {
		printf("cannot read %s: %s\n", path, err.msg);
		exit(1);
	}
	return buf;
}

/* Is the file at path the golden file gold, byte for byte? */
static int
same_file(const char *path, const char *gold)
{
	uint8_t *a, *b;
	size_t alen, blen;
	int same;

	a = slurp(path, &alen);
	b = slurp(gold, &blen);
	same = alen == blen && memcmp(a, b, alen) == 0;
	free(a);
	free(b);
	return same;
}

static int
hex_is(const uint8_t pcr[PCR_LEN], const char *want)
{
	char hex[2 * PCR_LEN + 1];

	qt_hex(pcr, PCR_LEN, hex);
	return strcmp(hex, want) == 0;
}

/* The options of the golden builds (tests/fixtures/golden/README.md). */
static void
golden_opts(struct eif_build_opts *o, char *cmdline, size_t nramdisks)
{
	static const char *const rd[] = { GIN "/ramdisk0.cpio", GIN "/ramdisk1.cpio" };
	size_t i;

	*o = (struct eif_build_opts){ .kernel = GIN "/kernel.bin", .cmdline = cmdline };
	for (i = 0; i < nramdisks; i++) {
		o->ramdisks[i].kind = EIF_BUILD_RAMDISK_FILE;
		o->ramdisks[i].path = rd[i];
	}
	o->nramdisks = nramdisks;
	o->build_time = "2024-01-01T00:00:00+00:00";
	o->build_tool = "eif_build";
	o->build_tool_version = "0.3.1";
}

/* cmdline.txt as the shell's "$(cat ...)" gives it: trailing newlines dropped. */
static char *
golden_cmdline(void)
{
	size_t len;
	char *s = (char *)slurp(GIN "/cmdline.txt", &len);

	while (len > 0 && s[len - 1] == '\n')
		s[--len] = '\0';
	return s;
}

static void
test_golden(struct unit *u, const char *dir, char *cmdline)
{
	struct eif_build_opts o;
	struct qt_err err = { 0 };
	struct pcr_set p;
	char out[512];

	golden_opts(&o, cmdline, 1);
	snprintf(out, sizeof(out), "%s/c1.eif", dir);
	o.output = out;
	CHECK(u, eif_build_run(&o, &p, &err) == 0);
	CHECK(u, same_file(out, GOUT "/c1_x86_1rd.eif"));
	CHECK(u, !p.has_pcr8);

	golden_opts(&o, cmdline, 2);
	snprintf(out, sizeof(out), "%s/c2.eif", dir);
	o.output = out;
	CHECK(u, eif_build_run(&o, &p, &err) == 0);
	CHECK(u, same_file(out, GOUT "/c2_x86_2rd.eif"));
	CHECK(u, hex_is(p.pcr0, c2_pcr0));

	/* measure only: the same PCRs, nothing written */
	golden_opts(&o, cmdline, 2);
	memset(&p, 0, sizeof(p));
	CHECK(u, eif_build_run(&o, &p, &err) == 0);
	CHECK(u, hex_is(p.pcr0, c2_pcr0));

	/* signed as c5: its PCR0 is c2's, PCR8 pins the certificate */
	golden_opts(&o, cmdline, 2);
	snprintf(out, sizeof(out), "%s/c5.eif", dir);
	o.output = out;
	o.sign_key = GIN "/key-p384.pem";
	o.sign_cert = GIN "/cert-p384.pem";
	o.allow_expired_cert = true;
	CHECK(u, eif_build_run(&o, &p, &err) == 0);
	CHECK(u, hex_is(p.pcr0, c2_pcr0));
	CHECK(u, p.has_pcr8 && hex_is(p.pcr8, c5_pcr8));
	if (err.code != 0)
		printf("  err: %s\n", err.msg);
}

static void
test_errors(struct unit *u, const char *dir, char *cmdline)
{
	struct eif_build_opts o;
	struct qt_err err = { 0 };
	struct pcr_set p;
	char out[512];

	/* an impossible --build-time names the option; no output, no temporary file */
	golden_opts(&o, cmdline, 1);
	snprintf(out, sizeof(out), "%s/bad.eif", dir);
	o.output = out;
	o.build_time = "2024-02-30";
	CHECK(u, eif_build_run(&o, &p, &err) == -1);
	CHECK(u, strncmp(err.msg, "--build-time: '2024-02-30' is not a valid time", 46) == 0);
	CHECK(u, access(out, F_OK) != 0);

	/* @SECONDS is stored in nitro-cli's form */
	qt_err_clear(&err);
	golden_opts(&o, cmdline, 1);
	o.build_time = "@1704067200";
	snprintf(out, sizeof(out), "%s/at.eif", dir);
	o.output = out;
	CHECK(u, eif_build_run(&o, &p, &err) == 0);
	CHECK(u, same_file(out, GOUT "/c1_x86_1rd.eif"));

	/* SOURCE_DATE_EPOCH comes from the caller, checked */
	qt_err_clear(&err);
	golden_opts(&o, cmdline, 1);
	o.build_time = NULL;
	o.source_date_epoch = "soon";
	CHECK(u, eif_build_run(&o, &p, &err) == -1);
	CHECK(u, strncmp(err.msg, "SOURCE_DATE_EPOCH", 17) == 0);

	qt_err_clear(&err);
	golden_opts(&o, cmdline, 1);
	o.ramdisks[0].path = GIN "/missing.cpio";
	CHECK(u, eif_build_run(&o, &p, &err) == -1);
	CHECK_STR(u, err.msg, GIN "/missing.cpio: cannot open: No such file or directory");
}

static void
test_bootstrap(struct unit *u, const char *dir)
{
	struct eif_build_opts o = { 0 };
	struct qt_err err = { 0 };
	char *owned[5] = { NULL }, path[512];
	const char *drivers[1];
	size_t i;
	int fd;

	/* DIR without a kernel: ENOENT naming it */
	o.rootfs.bootstrap_dir = dir;
	o.rootfs.drivers = drivers;
	CHECK(u, eif_build_bootstrap(&o, owned, 5, &err) == -1);
	CHECK(u, err.code == ENOENT && strstr(err.msg, ": no kernel 'bzImage'") != NULL);

	/* a complete DIR: every path filled, the bootstrap ramdisk first */
	for (i = 0; i < 4; i++) {
		static const char *const names[] = { "bzImage", "cmdline", "init", "nsm.ko" };

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0)
			close(fd);
	}
	qt_err_clear(&err);
	memset(&o, 0, sizeof(o));
	o.rootfs.bootstrap_dir = dir;
	o.rootfs.drivers = drivers;
	o.ramdisks[0].kind = EIF_BUILD_RAMDISK_FILE;
	o.ramdisks[0].path = "app.cpio";
	o.nramdisks = 1;
	CHECK(u, eif_build_bootstrap(&o, owned, 5, &err) == 0);
	CHECK(u, o.kernel != NULL && strstr(o.kernel, "/bzImage") != NULL);
	CHECK(u, o.cmdline_file != NULL && strstr(o.cmdline_file, "/cmdline") != NULL);
	CHECK(u, o.rootfs.ndrivers == 1 && strstr(o.rootfs.drivers[0], "/nsm.ko") != NULL);
	CHECK(u, o.kernel_config == NULL); /* no bzImage.config: optional */
	CHECK(u, o.nramdisks == 2 && o.ramdisks[0].kind == EIF_BUILD_RAMDISK_BOOTSTRAP);
	CHECK_STR(u, o.ramdisks[1].path, "app.cpio");
	for (i = 0; i < 5; i++)
		free(owned[i]);
}

static void
test_rewrite(struct unit *u, const char *dir)
{
	struct signer_opts so = { GIN "/key-p384.pem", GIN "/cert-p384.pem", NULL, NULL, true, 0 };
	struct qt_err err = { 0 };
	struct signer *s = NULL;
	struct pcr_set p;
	char out[512];
	bool was_signed = false;
	int fd;

	/* c5 minus its signature section is c2, byte for byte */
	snprintf(out, sizeof(out), "%s/unsigned.eif", dir);
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(u, fd >= 0);
	CHECK(u, eif_rewrite(GOUT "/c5_signed_p384.eif", fd, out, NULL, NULL, NULL, &p, &was_signed,
	             &err) == 0);
	close(fd);
	CHECK(u, was_signed);
	CHECK(u, same_file(out, GOUT "/c2_x86_2rd.eif"));
	CHECK(u, hex_is(p.pcr0, c2_pcr0));

	/* c2 signed again: the signature section goes over the same PCR0 */
	CHECK(u, signer_new(&so, &s, &err) == 0);
	snprintf(out, sizeof(out), "%s/signed.eif", dir);
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(u, eif_rewrite(GOUT "/c2_x86_2rd.eif", fd, out, eif_build_sign_section, s, NULL, &p,
	             &was_signed, &err) == 0);
	close(fd);
	CHECK(u, !was_signed && hex_is(p.pcr0, c2_pcr0));
	signer_free(s);

	/* a damaged input: the one CRC message, nothing copied */
	{
		size_t len;
		uint8_t *b = slurp(GOUT "/c2_x86_2rd.eif", &len);
		char bad[512];

		b[1000] ^= 0xff;
		snprintf(bad, sizeof(bad), "%s/bad.eif", dir);
		fd = open(bad, O_RDWR | O_CREAT | O_TRUNC, 0644);
		CHECK(u, fd >= 0 && fileio_write_all(fd, bad, b, len, &err) == 0);
		close(fd);
		free(b);
		qt_err_clear(&err);
		fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
		CHECK(u, eif_rewrite(bad, fd, out, NULL, NULL, NULL, &p, &was_signed, &err) == -1);
		close(fd);
		CHECK(u, strstr(err.msg, "/bad.eif: CRC mismatch: the header says a0896458, the "
		                         "contents give ") != NULL);
	}
}

struct warnings {
	unsigned n;
	char first[256];
	char last[256];
};

static void
collect(void *ctx, const char *msg)
{
	struct warnings *w = ctx;

	if (w->n++ == 0)
		snprintf(w->first, sizeof(w->first), "%s", msg);
	snprintf(w->last, sizeof(w->last), "%s", msg);
}

/* A rootfs whose image says WorkingDir /srv: the warning goes to the callback. */
static void
test_warning(struct unit *u, char *cmdline)
{
	struct eif_build_opts o;
	struct warnings w = { 0 };
	struct qt_err err = { 0 };
	struct pcr_set p;
	const char *cmd[] = { "/bin/true" }, *none[1] = { NULL };

	golden_opts(&o, cmdline, 0);
	o.rootfs.source = "docker-archive:" FIXTURES "/ramdisk/docker.tar";
	o.rootfs.cmd = cmd;
	o.rootfs.ncmd = 1;
	o.rootfs.drivers = none;
	o.rootfs.entrypoint = none;
	o.rootfs.env = none;
	o.ramdisks[0].kind = EIF_BUILD_RAMDISK_ROOTFS;
	o.ramdisks[0].path = o.rootfs.source;
	o.nramdisks = 1;
	o.warn = collect;
	o.warn_ctx = &w;
	CHECK(u, eif_build_run(&o, &p, &err) == 0);
	if (err.code != 0)
		printf("  err: %s\n", err.msg);
	/* said once each, through the callback, never printed by the library: the WorkingDir,
	 * the command (not in the image), the stand-in kernel (neither bzImage nor Image) */
	CHECK(u, w.n == 3);
	CHECK_STR(u, w.first,
	    "docker-archive:" FIXTURES "/ramdisk/docker.tar: the image's WorkingDir '/srv' has no "
	    "place in the enclave layout; the command starts in /");
	CHECK(u, strstr(w.last, "kernel.bin: neither an x86 bzImage nor an arm64 Image; cannot "
	                        "check it against --arch x86_64") != NULL);
	/* --strict: the same warnings, then 1 and no measurements */
	memset(&w, 0, sizeof(w));
	o.strict = true;
	CHECK(u, eif_build_run(&o, &p, &err) == 1);
	CHECK_STR(u, err.msg, "--strict: 3 warnings; no image written");
	CHECK(u, w.n == 3);
}

int
main(void)
{
	struct unit u = { 0 };
	char dir[] = "/tmp/test_eif_build.XXXXXX";
	char *cmdline = golden_cmdline();
	char cmd[128];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_golden(&u, dir, cmdline);
	test_errors(&u, dir, cmdline);
	test_rewrite(&u, dir);
	test_warning(&u, cmdline);
	snprintf(cmd, sizeof(cmd), "%s/boot", dir);
	if (mkdir(cmd, 0755) == 0)
		test_bootstrap(&u, cmd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", dir);
	free(cmdline);
	return unit_end(&u);
}
