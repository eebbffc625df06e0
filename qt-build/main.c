/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qt-build: pack an enclave image (EIF v4) from a kernel, a command line and
 * ramdisks, reproducibly; print its measurements as JSON on stdout.
 * argv -> struct eif_build_opts -> eif_build_run (formats/eif_build.c) ->
 * measurements (and --manifest) -> exit code.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>

#include "corim.h"
#include "describe.h"
#include "eif.h"
#include "eif_build.h"
#include "fileio.h"
#include "manifest.h"
#include "provenance.h"
#include "signer.h"
#include "tool.h"

static const char usage_text[] =
    "usage: qt-build --kernel FILE (--cmdline STRING | --cmdline-file FILE)\n"
    "                [--ramdisk FILE ...] (-o OUT | --measure-only)\n"
    "                [--bootstrap DIR] [--init FILE [--driver FILE ...]]\n"
    "                [--rootfs SOURCE [--cmd ARG|JSON ...] [--entrypoint ARG|JSON ...]\n"
    "                 [--env KEY=VALUE ...] [--platform OS/ARCH[/VARIANT]] [--keep-owner]\n"
    "                 [--max-entries N] [--max-bytes N]] [--compress gzip|none]\n"
    "                [--arch x86_64|aarch64] [--image-name NAME] [--image-version VERSION]\n"
    "                [--metadata FILE] [--build-time TIME] [--build-tool NAME]\n"
    "                [--build-tool-version VERSION] [--img-os OS] [--img-kernel VERSION]\n"
    "                [--kernel-config FILE] [--profile qingtian|nitro] [--json=pretty|short]\n"
    "                [--sign-key KEY --sign-cert CERT [--sign-pass SPEC]\n"
    "                 [--pkcs11-module MODULE] [--allow-expired-cert]]\n"
    "                [--manifest FILE] [--corim FILE] [--strict] [--provenance FILE\n"
    "                 [--provenance-key KEY --provenance-cert CERT]]\n"
    "                [--progress | --quiet]\n"
    "       qt-build --help | --version\n";

/* The rest of --help, after the synopsis. */
static const char help_text[] =
    "Build an enclave image (EIF v4) and print its measurements (PCRs) as JSON.\n"
    "\n"
    "Kernel and command line:\n"
    "  --kernel FILE              the kernel image (bzImage or Image)\n"
    "  --cmdline STRING           the kernel command line\n"
    "  --cmdline-file FILE        the kernel command line, read from FILE\n"
    "  --kernel-config FILE       the kernel's .config, recorded in the metadata\n"
    "Ramdisks (in order; at least one):\n"
    "  --ramdisk FILE             a ready-made ramdisk (cpio archive), as it is\n"
    "  --bootstrap DIR            the bootstrap ramdisk from DIR (init, nsm.ko)\n"
    "  --init FILE                the bootstrap ramdisk's init\n"
    "  --driver FILE              a driver for the bootstrap ramdisk (repeatable)\n"
    "  --rootfs SOURCE            the application ramdisk from SOURCE (below)\n"
    "Application (with --rootfs):\n"
    "  --cmd ARG|JSON             the command (repeatable, or one JSON array)\n"
    "  --entrypoint ARG|JSON      the entrypoint (repeatable, or one JSON array)\n"
    "  --env KEY=VALUE            an environment variable (repeatable)\n"
    "  --platform OS/ARCH[/VAR]   the image of a multi-platform source to take\n"
    "  --keep-owner               keep owners as the source has them (else root)\n"
    "  --max-entries N            refuse a source with more than N entries\n"
    "  --max-bytes N              refuse a source with more than N bytes of data\n"
    "  --compress gzip|none       compress the application ramdisk (default none)\n"
    "Output:\n"
    "  -o, --output OUT           write the image to OUT (atomically)\n"
    "  --measure-only             print the measurements, write no image\n"
    "  --json=pretty|short        the style of the JSON on standard output\n"
    "  --manifest FILE            also write the image's manifest (qt-manifest(5))\n"
    "  --provenance FILE          also write provenance (qt-provenance(5))\n"
    "  --provenance-key KEY       sign the provenance statement with KEY\n"
    "  --provenance-cert CERT     ... and name CERT as its signer\n"
    "  --strict                   a warning is an error (exit 1, nothing written)\n"
    "Metadata:\n"
    "  --arch x86_64|aarch64      the architecture (default: the kernel's)\n"
    "  --image-name NAME          the image name in the metadata\n"
    "  --image-version VERSION    the image version in the metadata\n"
    "  --metadata FILE            custom metadata (a JSON object)\n"
    "  --build-time TIME          the build time (now, @SECONDS, DATE, RFC 3339)\n"
    "  --build-tool NAME          the build tool named in the metadata\n"
    "  --build-tool-version VER   the build tool's version in the metadata\n"
    "  --img-os OS                the operating system named in the metadata\n"
    "  --img-kernel VERSION       the kernel version named in the metadata\n"
    "  --profile qingtian|nitro   whose conventions to follow (default qingtian)\n"
    "  --format qingtian|nitro    deprecated spelling of --profile\n"
    "Signing (PCR8):\n"
    "  --sign-key KEY             sign with KEY (PEM file or pkcs11: URI)\n"
    "  --sign-cert CERT           the signing certificate (PEM)\n"
    "  --sign-pass SPEC           KEY's passphrase (pass:, env:, file:, fd:)\n"
    "  --pkcs11-module MODULE     the PKCS#11 module for a pkcs11: key\n"
    "  --allow-expired-cert       sign with a certificate that is not valid now\n"
    "Progress (on standard error):\n"
    "  --progress                 a plain line every 2 s (default: a line that updates,\n"
    "                             on a terminal only, for work over a second)\n"
    "  --quiet                    no progress\n"
    "Other:\n"
    "  -h, --help                 this text\n"
    "  --version                  the version\n"
    "\n"
    "--rootfs SOURCE is one of:\n"
    "  DIR                              a directory\n"
    "  FILE[.gz|.xz|.zst|.bz2]          a tar archive (docker export)\n"
    "  docker-archive:FILE[:IMAGE|@DIGEST]  docker save, podman save\n"
    "  oci:DIR[:REF|@DIGEST]            an OCI image layout\n"
    "  oci-archive:FILE[:REF|@DIGEST]   an OCI image layout in a tar file\n"
    "\n"
    "Exit status: 0 built (or measured); 1 --strict and a warning; 2 usage error,\n"
    "unreadable or invalid input, I/O error (no output file created or changed).\n"
    "See qt-build(1).\n";

/* Everything the options say; o is what the library gets. */
struct build_args {
	struct eif_build_opts o;
	const char *arch, *compress, *profile, *json, *manifest, *max_entries, *max_bytes;
	const char *provenance, *prov_key, *prov_cert, *corim;
	bool measure_only;
	enum tool_progress_mode progress; /* --progress, --quiet */
	const char **vec;                 /* room for the repeatable options */
};

enum {
	OPT_STRING = 256, /* a single-valued option stored as text (string_opts) */
	OPT_RAMDISK,
	OPT_ROOTFS,
	OPT_DRIVER,
	OPT_CMD,
	OPT_ENTRYPOINT,
	OPT_ENV,
	OPT_FORMAT,
	OPT_MEASURE_ONLY,
	OPT_ALLOW_EXPIRED_CERT,
	OPT_KEEP_OWNER,
	OPT_STRICT,
	OPT_PROGRESS,
	OPT_QUIET,
	OPT_VERSION,
};

static const struct option longopts[] = {
	{ "kernel", required_argument, NULL, OPT_STRING },
	{ "cmdline", required_argument, NULL, OPT_STRING },
	{ "cmdline-file", required_argument, NULL, OPT_STRING },
	{ "ramdisk", required_argument, NULL, OPT_RAMDISK },
	{ "arch", required_argument, NULL, OPT_STRING },
	{ "image-name", required_argument, NULL, OPT_STRING },
	{ "image-version", required_argument, NULL, OPT_STRING },
	{ "metadata", required_argument, NULL, OPT_STRING },
	{ "build-time", required_argument, NULL, OPT_STRING },
	{ "build-tool", required_argument, NULL, OPT_STRING },
	{ "build-tool-version", required_argument, NULL, OPT_STRING },
	{ "img-os", required_argument, NULL, OPT_STRING },
	{ "img-kernel", required_argument, NULL, OPT_STRING },
	{ "kernel-config", required_argument, NULL, OPT_STRING },
	{ "output", required_argument, NULL, 'o' },
	{ "measure-only", no_argument, NULL, OPT_MEASURE_ONLY },
	{ "profile", required_argument, NULL, OPT_STRING },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "json", required_argument, NULL, OPT_STRING },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "sign-key", required_argument, NULL, OPT_STRING },
	{ "sign-cert", required_argument, NULL, OPT_STRING },
	{ "sign-pass", required_argument, NULL, OPT_STRING },
	{ "pkcs11-module", required_argument, NULL, OPT_STRING },
	{ "allow-expired-cert", no_argument, NULL, OPT_ALLOW_EXPIRED_CERT },
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "init", required_argument, NULL, OPT_STRING },
	{ "driver", required_argument, NULL, OPT_DRIVER },
	{ "bootstrap", required_argument, NULL, OPT_STRING },
	{ "cmd", required_argument, NULL, OPT_CMD },
	{ "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
	{ "env", required_argument, NULL, OPT_ENV },
	{ "platform", required_argument, NULL, OPT_STRING },
	{ "compress", required_argument, NULL, OPT_STRING },
	{ "keep-owner", no_argument, NULL, OPT_KEEP_OWNER },
	{ "max-entries", required_argument, NULL, OPT_STRING },
	{ "max-bytes", required_argument, NULL, OPT_STRING },
	{ "manifest", required_argument, NULL, OPT_STRING },
	{ "corim", required_argument, NULL, OPT_STRING },
	{ "provenance", required_argument, NULL, OPT_STRING },
	{ "provenance-key", required_argument, NULL, OPT_STRING },
	{ "provenance-cert", required_argument, NULL, OPT_STRING },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ NULL, 0, NULL, 0 },
};

/* Where each OPT_STRING option's text goes (given twice: a usage error). */
#define O(f)  offsetof(struct build_args, o.f)
#define RF(f) offsetof(struct build_args, o.rootfs.f)
#define A(f)  offsetof(struct build_args, f)
static const struct {
	const char *name;
	size_t off;
} string_opts[] = {
	{ "kernel", O(kernel) },
	{ "cmdline", O(cmdline) },
	{ "cmdline-file", O(cmdline_file) },
	{ "arch", A(arch) },
	{ "image-name", O(image_name) },
	{ "image-version", O(image_version) },
	{ "metadata", O(metadata_file) },
	{ "build-time", O(build_time) },
	{ "build-tool", O(build_tool) },
	{ "build-tool-version", O(build_tool_version) },
	{ "img-os", O(img_os) },
	{ "img-kernel", O(img_kernel) },
	{ "kernel-config", O(kernel_config) },
	{ "output", O(output) },
	{ "profile", A(profile) },
	{ "json", A(json) },
	{ "sign-key", O(sign_key) },
	{ "sign-cert", O(sign_cert) },
	{ "sign-pass", O(sign_pass) },
	{ "pkcs11-module", O(pkcs11_module) },
	{ "rootfs", RF(source) },
	{ "init", RF(init) },
	{ "bootstrap", RF(bootstrap_dir) },
	{ "platform", RF(platform) },
	{ "compress", A(compress) },
	{ "max-entries", A(max_entries) },
	{ "max-bytes", A(max_bytes) },
	{ "manifest", A(manifest) },
	{ "corim", A(corim) },
	{ "provenance", A(provenance) },
	{ "provenance-key", A(prov_key) },
	{ "provenance-cert", A(prov_cert) },
};
#undef O
#undef RF
#undef A

static void
set_string(struct build_args *a, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < sizeof(string_opts) / sizeof(string_opts[0]); i++)
		if (strcmp(string_opts[i].name, name) == 0) {
			tool_set_once(usage_text,
			    (const char **)(void *)((char *)a + string_opts[i].off), name, value);
			return;
		}
	tool_usage(usage_text, "--%s: internal: no slot", name);
}

static void
add_ramdisk(
    struct eif_build_opts *o, enum eif_build_ramdisk_kind kind, const char *opt, const char *path)
{
	if (o->nramdisks >= EIF_BUILD_RAMDISKS_MAX)
		tool_usage(usage_text, "--%s: at most %d ramdisks", opt, EIF_BUILD_RAMDISKS_MAX);
	o->ramdisks[o->nramdisks].kind = kind;
	o->ramdisks[o->nramdisks++].path = path;
}

/* The options that are not a single text: lists, flags, aliases. */
static void
set_option(struct build_args *a, int ch, const char *name, const char *arg)
{
	struct eif_build_rootfs *rf = &a->o.rootfs;

	switch (ch) {
	case OPT_STRING:
	case 'o':
		set_string(a, ch == 'o' ? "output" : name, arg);
		break;
	case OPT_RAMDISK:
		add_ramdisk(&a->o, EIF_BUILD_RAMDISK_FILE, name, arg);
		break;
	case OPT_ROOTFS:
		set_string(a, name, arg);
		add_ramdisk(&a->o, EIF_BUILD_RAMDISK_ROOTFS, name, arg);
		break;
	case OPT_DRIVER:
		rf->drivers[rf->ndrivers++] = arg;
		break;
	case OPT_CMD:
		rf->cmd[rf->ncmd++] = arg;
		break;
	case OPT_ENTRYPOINT:
		rf->entrypoint[rf->nentrypoint++] = arg;
		break;
	case OPT_ENV:
		if (strchr(arg, '=') == NULL || arg[0] == '=')
			tool_usage(usage_text, "--env: '%s' is not KEY=VALUE", arg);
		rf->env[rf->nenv++] = arg;
		break;
	case OPT_FORMAT:
		tool_profile_alias(usage_text, &a->profile, "--format", "--format qingtian|nitro",
		    "--profile qingtian|nitro", arg, false);
		break;
	case OPT_MEASURE_ONLY:
		a->measure_only = true;
		break;
	case OPT_ALLOW_EXPIRED_CERT:
		a->o.allow_expired_cert = true;
		break;
	case OPT_KEEP_OWNER:
		rf->keep_owner = true;
		break;
	case OPT_STRICT:
		a->o.strict = true;
		break;
	case OPT_PROGRESS:
	case OPT_QUIET:
		a->progress = tool_progress_arg(usage_text, a->progress, ch == OPT_PROGRESS);
		break;
	}
}

static void
parse_args(int argc, char *argv[], struct build_args *a)
{
	int ch, idx;

	while ((ch = getopt_long(argc, argv, "o:h", longopts, &idx)) != -1) {
		switch (ch) {
		case 'h':
			tool_help(usage_text, help_text);
		case OPT_VERSION:
			tool_version();
		case '?':
		case ':':
			tool_usage(usage_text, NULL);
		default:
			set_option(a, ch, ch == 'o' ? "output" : longopts[idx].name, optarg);
		}
	}
	if (optind != argc)
		tool_usage(usage_text, "unexpected argument '%s'", argv[optind]);
}

/* A positive decimal count for --max-entries / --max-bytes (0 = not given). */
static uint64_t
count_arg(const char *name, const char *text)
{
	unsigned long long v;
	char *end;

	if (text == NULL)
		return 0;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (!isdigit((unsigned char)text[0]) || *end != '\0' || errno != 0 || v == 0)
		tool_usage(usage_text, "--%s: '%s' is not a positive number", name, text);
	return (uint64_t)v;
}

/* A lower-case word of letters, digits and '_' (an os, architecture or variant). */
static size_t
platform_word(const char *s)
{
	size_t n = 0;

	while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_')
		n++;
	return n;
}

/*
 * --platform OS/ARCH[/VARIANT]: spelled as containerd spells it, and one an
 * enclave runs (linux/amd64 or linux/arm64); --arch follows from it, or the
 * two must agree.
 */
static void
check_platform(struct build_args *a)
{
	const char *p = a->o.rootfs.platform, *q = p, *arch;
	size_t n, words = 0;

	if (p == NULL)
		return;
	for (;;) {
		if ((n = platform_word(q)) == 0)
			break;
		words++;
		q += n;
		if (*q != '/')
			break;
		q++;
	}
	if (*q != '\0' || words < 2 || words > 3)
		tool_usage(
		    usage_text, "--platform: '%s' is not OS/ARCH[/VARIANT] (e.g. linux/amd64)", p);
	if (strcmp(p, "linux/amd64") == 0)
		arch = "x86_64";
	else if (strcmp(p, "linux/arm64") == 0 || strcmp(p, "linux/arm64/v8") == 0)
		arch = "aarch64";
	else
		tool_usage(usage_text,
		    "--platform %s: an enclave runs linux/amd64 (--arch x86_64) or linux/arm64 "
		    "(--arch aarch64)",
		    p);
	if (a->arch == NULL)
		a->arch = arch;
	else if (strcmp(a->arch, arch) != 0)
		tool_usage(usage_text, "--arch %s and --platform %s disagree (%s is --arch %s)",
		    a->arch, p, p, arch);
}

/* Option texts into values; options that need another option. */
static void
check_args(struct build_args *a)
{
	struct eif_build_opts *o = &a->o;
	struct eif_build_rootfs *rf = &o->rootfs;

	if (a->arch != NULL && strcmp(a->arch, "x86_64") != 0 && strcmp(a->arch, "aarch64") != 0)
		tool_usage(usage_text, "--arch: unknown architecture '%s'", a->arch);
	check_platform(a);
	o->arch_flags = a->arch != NULL && strcmp(a->arch, "aarch64") == 0 ? EIF_FLAG_ARM64 : 0;
	if (a->compress != NULL && strcmp(a->compress, "gzip") != 0 &&
	    strcmp(a->compress, "none") != 0)
		tool_usage(usage_text, "--compress: unknown method '%s'", a->compress);
	rf->gzip = a->compress != NULL && strcmp(a->compress, "gzip") == 0;
	rf->max_entries = count_arg("max-entries", a->max_entries);
	rf->max_bytes = count_arg("max-bytes", a->max_bytes);
	if (rf->source == NULL &&
	    (rf->ncmd > 0 || rf->nentrypoint > 0 || rf->nenv > 0 || rf->platform != NULL ||
	        rf->keep_owner || rf->max_entries > 0 || rf->max_bytes > 0))
		tool_usage(usage_text, "--cmd, --entrypoint, --env, --platform, --keep-owner and "
		                       "--max-* need --rootfs");
	if (rf->ndrivers > 0 && rf->init == NULL && rf->bootstrap_dir == NULL)
		tool_usage(usage_text, "--driver needs --init");
}

/*
 * --provenance records --entrypoint, --cmd and --env as JSON text: a value
 * that is not UTF-8 is a usage error before anything is written.
 */
static void
check_utf8(const char *opt, const char *const *v, size_t n)
{
	json_t *t;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((t = json_string(v[i])) == NULL)
			tool_usage(usage_text,
			    "--%s: value %zu is not UTF-8, which --provenance cannot record", opt,
			    i + 1);
		json_decref(t);
	}
}

/* Checks that need --bootstrap DIR resolved (it may supply kernel and cmdline). */
static void
check_inputs(const struct build_args *a)
{
	const struct eif_build_opts *o = &a->o;

	if (o->kernel == NULL)
		tool_usage(usage_text, "--kernel is required");
	if ((o->cmdline == NULL) == (o->cmdline_file == NULL))
		tool_usage(usage_text, "give exactly one of --cmdline and --cmdline-file");
	if (o->nramdisks == 0)
		tool_usage(usage_text,
		    "at least one --ramdisk, --rootfs, --init or --bootstrap is required");
	if (a->measure_only && o->output != NULL)
		tool_usage(usage_text, "-o and --measure-only exclude each other");
	if (!a->measure_only && o->output == NULL)
		tool_usage(usage_text, "-o OUT is required (or --measure-only)");
	if ((o->sign_key == NULL) != (o->sign_cert == NULL))
		tool_usage(usage_text, "--sign-key and --sign-cert go together");
	if (o->sign_key == NULL && a->prov_key == NULL &&
	    (o->sign_pass != NULL || o->pkcs11_module != NULL || o->allow_expired_cert))
		tool_usage(usage_text,
		    "--sign-pass, --pkcs11-module and --allow-expired-cert need --sign-key");
	if (o->output != NULL && strcmp(o->output, "-") == 0)
		tool_usage(usage_text, "-o: the image cannot go to standard output; give a file");
	if (a->manifest != NULL && a->measure_only)
		tool_usage(usage_text, "--manifest needs the image file: not with --measure-only");
	if (a->corim != NULL && a->measure_only)
		tool_usage(usage_text, "--corim needs the image file: not with --measure-only");
	if (a->provenance != NULL && a->measure_only)
		tool_usage(
		    usage_text, "--provenance needs the image file: not with --measure-only");
	if ((a->prov_key == NULL) != (a->prov_cert == NULL))
		tool_usage(usage_text, "--provenance-key and --provenance-cert go together");
	if (a->prov_key != NULL && a->provenance == NULL)
		tool_usage(usage_text, "--provenance-key needs --provenance");
	if (a->provenance != NULL) {
		check_utf8("entrypoint", o->rootfs.entrypoint, o->rootfs.nentrypoint);
		check_utf8("cmd", o->rootfs.cmd, o->rootfs.ncmd);
		check_utf8("env", o->rootfs.env, o->rootfs.nenv);
	}
}

/*
 * --corim: the CoRIM of the measured image (qt-corim(5), the profile URI of
 * qt-measure corim), signed with s when not NULL, written atomically; ref
 * gets its name, media type and SHA-256 for the provenance.
 */
static int
write_corim(const struct manifest *m, const struct signer *s, const char *path,
    struct prov_ref *ref, struct qt_err *err)
{
	struct corim_opts co = { CORIM_PROFILE_URI, NULL, false };
	struct fileio_out out = { -1, NULL, NULL };
	struct wbuf plain = { 0 }, cose = { 0 };
	const struct wbuf *b = &plain;
	int r = -1;

	if (corim_encode(m, &co, &plain, err) < 0)
		goto out;
	if (s != NULL) {
		if (corim_sign(s, plain.p, plain.len, &cose, err) < 0)
			goto out;
		b = &cose;
	}
	ref->media_type = s != NULL ? "application/rim+cose" : "application/rim+cbor";
	if (EVP_Digest(b->p, b->len, ref->sha256, NULL, EVP_sha256(), NULL) != 1) {
		qt_err_set(err, EIO, "%s: digest failed", path);
		goto out;
	}
	if (fileio_out_open(path, &out, err) < 0)
		goto out;
	if (fileio_write_all(out.fd, path, b->p, b->len, err) < 0 ||
	    fileio_out_commit(&out, err) < 0) {
		fileio_out_abort(&out);
		goto out;
	}
	r = 0;
out:
	wbuf_free(&plain);
	wbuf_free(&cose);
	return r;
}

/*
 * The key of --provenance and --corim: --provenance-key, else --sign-key,
 * else none (a plain statement, an unsigned CoRIM). Loaded and checked
 * before anything is written.
 */
static int
provenance_signer(const struct build_args *a, struct signer **ret, struct qt_err *err)
{
	struct signer_opts so = { a->o.sign_key, a->o.sign_cert, a->o.sign_pass, a->o.pkcs11_module,
		a->o.allow_expired_cert, a->o.sign_now };

	*ret = NULL;
	if (a->prov_key != NULL) {
		so.key = a->prov_key;
		so.cert = a->prov_cert;
	}
	return so.key != NULL ? signer_new(&so, ret, err) : 0;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/*
 * --provenance: the in-toto statement of the measured image m
 * (qt-provenance(5)), with the input files the build read (rec), the
 * options that changed its bytes, and the documents written in the same run
 * (refs) as byproducts, signed into a DSSE envelope when s is not NULL.
 */
static int
write_provenance(const struct build_args *a, const struct manifest *m,
    const struct eif_build_record *rec, const struct prov_ref *refs, size_t nrefs,
    const struct signer *s, struct qt_err *err)
{
	const struct eif_build_rootfs *rf = &a->o.rootfs;
	struct prov_build pb = { 0 };
	struct prov_opts po = { PROV_SLSA, "qt-build", refs, nrefs, &pb };
	struct prov_input *in = NULL;
	size_t i;
	int r = -1;

	if (rec->ninputs > 0 && (in = calloc(rec->ninputs, sizeof(*in))) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < rec->ninputs; i++) {
		in[i].role = rec->inputs[i].role;
		in[i].name = base_name(rec->inputs[i].path);
		memcpy(in[i].sha256, rec->inputs[i].sha256, 32);
		memcpy(in[i].sha384, rec->inputs[i].sha384, 48);
	}
	pb.inputs = in;
	pb.ninputs = rec->ninputs;
	pb.cmdline = rec->cmdline;
	pb.source_date_epoch = a->o.source_date_epoch;
	pb.rootfs = rf->source != NULL;
	pb.platform = rf->platform;
	pb.entrypoint = rf->entrypoint;
	pb.nentrypoint = rf->nentrypoint;
	pb.cmd = rf->cmd;
	pb.ncmd = rf->ncmd;
	pb.env = rf->env;
	pb.nenv = rf->nenv;
	pb.keep_owner = rf->keep_owner;
	if (rf->source != NULL || rf->init != NULL)
		pb.compress = rf->gzip ? "gzip" : "none";
	if (prov_write_file(m, &po, s, a->provenance, err) < 0)
		goto out;
	r = 0;
out:
	free(in);
	return r;
}

/*
 * --manifest, --corim, --provenance, in this order: the file hashes need the
 * finished file (its header is written last), so the written image is
 * measured once more, as `qt-measure manifest` would (the same bytes,
 * man/qt-manifest.5), and all three are made from that one measurement.
 */
static int
write_documents(const struct build_args *a, const struct eif_build_record *rec,
    const struct signer *s, enum qt_profile p, struct qt_err *err)
{
	struct prov_ref refs[2];
	struct manifest *m = NULL;
	uint8_t sha384[48];
	size_t nrefs = 0;
	int r = -1;

	if (a->manifest == NULL && a->corim == NULL && a->provenance == NULL)
		return 0;
	if (manifest_from_image(a->o.output, NULL, p, NULL, &m, err) < 0)
		goto out;
	if (a->manifest != NULL) {
		refs[nrefs] =
		    (struct prov_ref){ base_name(a->manifest), "application/json", { 0 } };
		if (manifest_write_file(m, a->manifest, err) < 0 ||
		    prov_file_digests(a->manifest, refs[nrefs++].sha256, sha384, err) < 0)
			goto out;
	}
	if (a->corim != NULL) {
		refs[nrefs].name = base_name(a->corim);
		if (write_corim(m, s, a->corim, &refs[nrefs++], err) < 0)
			goto out;
	}
	if (a->provenance != NULL && write_provenance(a, m, rec, refs, nrefs, s, err) < 0)
		goto out;
	r = 0;
out:
	manifest_free(m);
	return r;
}

/* Each warning of the build: on standard error at once, and kept for the JSON output. */
static void
collect_warning(void *ctx, const char *msg)
{
	json_t *s = json_string(msg);

	tool_warn("%s", msg);
	if (s == NULL) /* not UTF-8 (a file name): standard error has the bytes */
		s = json_string("a warning that is not valid UTF-8; see standard error");
	if (s != NULL)
		json_array_append_new(ctx, s);
}

/* The measurements; qt's shape adds "warnings" when the build had any (nitro-cli's does not). */
static int
print_measurements(const struct pcr_set *pcrs, enum qt_profile p, enum qt_json style,
    json_t *warnings, struct qt_err *err)
{
	json_t *doc = NULL;
	int r = -1;

	if (describe_measurements(pcrs, p, &doc, err) < 0)
		goto out;
	if (p != QT_PROFILE_NITRO && json_array_size(warnings) > 0 &&
	    json_object_set(doc, "warnings", warnings) != 0) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (tool_print_json(doc, style, err) == 0)
		r = 0;
out:
	json_decref(doc);
	return r;
}

int
main(int argc, char *argv[])
{
	struct build_args a = { 0 };
	struct eif_build_rootfs *rf = &a.o.rootfs;
	struct qt_err err = { 0 };
	enum qt_profile profile;
	enum qt_json style;
	struct pcr_set pcrs;
	struct signer *ps = NULL;
	struct eif_build_record rec = { 0 };
	struct tool_progress prog;
	char *owned[5] = { NULL };
	size_t i;
	int rc = QT_EXIT_TROUBLE, r;
	json_t *warnings = NULL;

	tool_init(argv[0]);
	if ((warnings = json_array()) == NULL) {
		tool_warn("out of memory");
		return QT_EXIT_TROUBLE;
	}
	a.o.warn = collect_warning;
	a.o.warn_ctx = warnings;
	/* each repeatable option takes one argv slot: argc slots per list suffice */
	if ((a.vec = calloc(4 * (size_t)argc + 4, sizeof(*a.vec))) == NULL) {
		tool_warn("out of memory");
		return QT_EXIT_TROUBLE;
	}
	rf->drivers = a.vec;
	rf->cmd = a.vec + argc + 1;
	rf->entrypoint = a.vec + 2 * argc + 2;
	rf->env = a.vec + 3 * argc + 3;
	parse_args(argc, argv, &a);
	check_args(&a);
	profile = tool_profile_arg(usage_text, a.profile, false, QT_PROFILE_QINGTIAN);
	style = tool_json_arg(usage_text, a.json);
	a.o.source_date_epoch = getenv("SOURCE_DATE_EPOCH");
	a.o.sign_now = (int64_t)time(NULL);
	if (eif_build_bootstrap(&a.o, owned, 5, &err) < 0)
		goto out;
	check_inputs(&a);
	if ((a.provenance != NULL || a.corim != NULL) && provenance_signer(&a, &ps, &err) < 0)
		goto out;
	if (a.provenance != NULL)
		a.o.record = &rec;
	/* the build knows the total; --measure-only writes nothing, it measures */
	tool_progress_start(&prog, a.progress, a.o.output != NULL ? "written" : "measured", 0);
	if (prog.mode != TOOL_PROGRESS_OFF) { /* off: no reports, no total worked out */
		a.o.progress = tool_progress_cb;
		a.o.progress_ctx = &prog;
	}
	r = eif_build_run(&a.o, &pcrs, &err);
	tool_progress_end(&prog);
	if (r == 1) {
		rc = QT_EXIT_MISMATCH; /* --strict and a warning: the check ran, the answer is no */
		tool_report(&err);
		goto out;
	}
	if (r < 0 || write_documents(&a, &rec, ps, profile, &err) < 0 ||
	    print_measurements(&pcrs, profile, style, warnings, &err) < 0)
		goto out;
	rc = QT_EXIT_OK;
out:
	if (rc == QT_EXIT_TROUBLE)
		tool_report(&err);
	json_decref(warnings);
	for (i = 0; i < 5; i++)
		free(owned[i]);
	signer_free(ps);
	eif_build_record_free(&rec);
	free(a.vec);
	return tool_finish(rc);
}
