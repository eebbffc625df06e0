/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qt-build: pack an enclave image (EIF v4) from a kernel, a command line and
 * ramdisks, reproducibly; print its measurements as JSON on stdout.
 * Options parse into struct build_opts; the build is build.c.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "eif.h"
#include "manifest.h"
#include "tool.h"

static const char usage_text[] =
    "usage: qt-build --kernel FILE (--cmdline STRING | --cmdline-file FILE)\n"
    "                [--ramdisk FILE ...] (-o OUT | --measure-only)\n"
    "                [--bootstrap DIR] [--init FILE [--driver FILE ...]]\n"
    "                [--rootfs SOURCE [--cmd ARG|JSON ...] [--entrypoint ARG|JSON ...]\n"
    "                 [--env KEY=VALUE ...] [--platform OS/ARCH] [--keep-owner]\n"
    "                 [--max-entries N] [--max-bytes N]] [--compress gzip|none]\n"
    "                [--arch x86_64|aarch64] [--image-name NAME] [--image-version VERSION]\n"
    "                [--metadata FILE] [--build-time RFC3339] [--build-tool NAME]\n"
    "                [--build-tool-version VERSION] [--img-os OS] [--img-kernel VERSION]\n"
    "                [--kernel-config FILE] [--format qingtian|nitro] [--json=pretty|short]\n"
    "                [--sign-key KEY --sign-cert CERT [--sign-pass SPEC]\n"
    "                 [--pkcs11-module MODULE] [--allow-expired-cert]]\n"
    "                [--manifest FILE]\n"
    "       qt-build --help | --version\n";

enum {
	OPT_KERNEL = 256,
	OPT_CMDLINE,
	OPT_CMDLINE_FILE,
	OPT_RAMDISK,
	OPT_ARCH,
	OPT_IMAGE_NAME,
	OPT_IMAGE_VERSION,
	OPT_METADATA,
	OPT_BUILD_TIME,
	OPT_BUILD_TOOL,
	OPT_BUILD_TOOL_VERSION,
	OPT_IMG_OS,
	OPT_IMG_KERNEL,
	OPT_KERNEL_CONFIG,
	OPT_MEASURE_ONLY,
	OPT_FORMAT,
	OPT_JSON,
	OPT_VERSION,
	OPT_SIGN_KEY,
	OPT_SIGN_CERT,
	OPT_SIGN_PASS,
	OPT_PKCS11_MODULE,
	OPT_ALLOW_EXPIRED_CERT,
	OPT_ROOTFS,
	OPT_INIT,
	OPT_DRIVER,
	OPT_BOOTSTRAP,
	OPT_CMD,
	OPT_ENTRYPOINT,
	OPT_ENV,
	OPT_PLATFORM,
	OPT_COMPRESS,
	OPT_KEEP_OWNER,
	OPT_MAX_ENTRIES,
	OPT_MAX_BYTES,
	OPT_MANIFEST,
};

static const struct option longopts[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "cmdline-file", required_argument, NULL, OPT_CMDLINE_FILE },
	{ "ramdisk", required_argument, NULL, OPT_RAMDISK },
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ "image-name", required_argument, NULL, OPT_IMAGE_NAME },
	{ "image-version", required_argument, NULL, OPT_IMAGE_VERSION },
	{ "metadata", required_argument, NULL, OPT_METADATA },
	{ "build-time", required_argument, NULL, OPT_BUILD_TIME },
	{ "build-tool", required_argument, NULL, OPT_BUILD_TOOL },
	{ "build-tool-version", required_argument, NULL, OPT_BUILD_TOOL_VERSION },
	{ "img-os", required_argument, NULL, OPT_IMG_OS },
	{ "img-kernel", required_argument, NULL, OPT_IMG_KERNEL },
	{ "kernel-config", required_argument, NULL, OPT_KERNEL_CONFIG },
	{ "output", required_argument, NULL, 'o' },
	{ "measure-only", no_argument, NULL, OPT_MEASURE_ONLY },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "sign-key", required_argument, NULL, OPT_SIGN_KEY },
	{ "sign-cert", required_argument, NULL, OPT_SIGN_CERT },
	{ "sign-pass", required_argument, NULL, OPT_SIGN_PASS },
	{ "pkcs11-module", required_argument, NULL, OPT_PKCS11_MODULE },
	{ "allow-expired-cert", no_argument, NULL, OPT_ALLOW_EXPIRED_CERT },
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "init", required_argument, NULL, OPT_INIT },
	{ "driver", required_argument, NULL, OPT_DRIVER },
	{ "bootstrap", required_argument, NULL, OPT_BOOTSTRAP },
	{ "cmd", required_argument, NULL, OPT_CMD },
	{ "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
	{ "env", required_argument, NULL, OPT_ENV },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "compress", required_argument, NULL, OPT_COMPRESS },
	{ "keep-owner", no_argument, NULL, OPT_KEEP_OWNER },
	{ "max-entries", required_argument, NULL, OPT_MAX_ENTRIES },
	{ "max-bytes", required_argument, NULL, OPT_MAX_BYTES },
	{ "manifest", required_argument, NULL, OPT_MANIFEST },
	{ NULL, 0, NULL, 0 },
};

/* A positive decimal count for --max-entries / --max-bytes. */
static uint64_t
parse_count(const char *name)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(optarg, &end, 10);
	if (!isdigit((unsigned char)optarg[0]) || *end != '\0' || errno != 0 || v == 0)
		tool_usage(usage_text, "--%s: '%s' is not a positive number", name, optarg);
	return (uint64_t)v;
}

int
main(int argc, char *argv[])
{
	struct build_opts o = { .shape = QT_PROFILE_QINGTIAN, .json = QT_JSON_PRETTY };
	struct qt_err err = { 0 };
	const char *arch = NULL, *manifest = NULL;
	struct manifest *m = NULL;
	json_t *doc = NULL;
	struct pcr_set pcrs;
	const char **vec = NULL, *compress = NULL;
	char *owned[5] = { NULL };
	struct build_rootfs *rf = &o.rootfs;
	bool bootstrap = false;
	size_t i;
	int ch, rc = QT_EXIT_TROUBLE;

	tool_init(argv[0]);
	/* each repeatable option takes one argv slot: argc slots per list suffice */
	if ((vec = calloc(4 * (size_t)argc + 4, sizeof(*vec))) == NULL) {
		tool_warn("out of memory");
		return QT_EXIT_TROUBLE;
	}
	rf->drivers = vec;
	rf->cmd = vec + argc + 1;
	rf->entrypoint = vec + 2 * argc + 2;
	rf->env = vec + 3 * argc + 3;
	while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_KERNEL:
			tool_set_once(usage_text, &o.kernel, "kernel", optarg);
			break;
		case OPT_CMDLINE:
			tool_set_once(usage_text, &o.cmdline, "cmdline", optarg);
			break;
		case OPT_CMDLINE_FILE:
			tool_set_once(usage_text, &o.cmdline_file, "cmdline-file", optarg);
			break;
		case OPT_RAMDISK:
			if (o.nramdisks >= QT_MAX_SECTIONS - 4)
				tool_usage(usage_text, "--ramdisk: at most %d ramdisks",
				    QT_MAX_SECTIONS - 4);
			o.ramdisks[o.nramdisks].kind = BUILD_RAMDISK_FILE;
			o.ramdisks[o.nramdisks++].path = optarg;
			break;
		case OPT_ARCH:
			tool_set_once(usage_text, &arch, "arch", optarg);
			if (strcmp(optarg, "x86_64") == 0)
				o.arch_flags = 0;
			else if (strcmp(optarg, "aarch64") == 0)
				o.arch_flags = EIF_FLAG_ARM64;
			else
				tool_usage(usage_text, "--arch: unknown architecture '%s'", optarg);
			break;
		case OPT_IMAGE_NAME:
			tool_set_once(usage_text, &o.image_name, "image-name", optarg);
			break;
		case OPT_IMAGE_VERSION:
			tool_set_once(usage_text, &o.image_version, "image-version", optarg);
			break;
		case OPT_METADATA:
			tool_set_once(usage_text, &o.metadata_file, "metadata", optarg);
			break;
		case OPT_BUILD_TIME:
			tool_set_once(usage_text, &o.build_time, "build-time", optarg);
			break;
		case OPT_BUILD_TOOL:
			tool_set_once(usage_text, &o.build_tool, "build-tool", optarg);
			break;
		case OPT_BUILD_TOOL_VERSION:
			tool_set_once(
			    usage_text, &o.build_tool_version, "build-tool-version", optarg);
			break;
		case OPT_IMG_OS:
			tool_set_once(usage_text, &o.img_os, "img-os", optarg);
			break;
		case OPT_IMG_KERNEL:
			tool_set_once(usage_text, &o.img_kernel, "img-kernel", optarg);
			break;
		case OPT_KERNEL_CONFIG:
			tool_set_once(usage_text, &o.kernel_config, "kernel-config", optarg);
			break;
		case 'o':
			tool_set_once(usage_text, &o.output, "output", optarg);
			break;
		case OPT_MEASURE_ONLY:
			o.measure_only = true;
			break;
		case OPT_FORMAT:
			if (qt_profile_parse(optarg, false, &o.shape) < 0)
				tool_usage(usage_text, "--format: unknown format '%s'", optarg);
			break;
		case OPT_JSON:
			if (tool_parse_json_style(optarg, &o.json) < 0)
				tool_usage(usage_text, "--json: unknown style '%s'", optarg);
			break;
		case OPT_SIGN_KEY:
			tool_set_once(usage_text, &o.sign_key, "sign-key", optarg);
			break;
		case OPT_SIGN_CERT:
			tool_set_once(usage_text, &o.sign_cert, "sign-cert", optarg);
			break;
		case OPT_SIGN_PASS:
			tool_set_once(usage_text, &o.sign_pass, "sign-pass", optarg);
			break;
		case OPT_PKCS11_MODULE:
			tool_set_once(usage_text, &o.pkcs11_module, "pkcs11-module", optarg);
			break;
		case OPT_ALLOW_EXPIRED_CERT:
			o.allow_expired_cert = true;
			break;
		case OPT_ROOTFS:
			tool_set_once(usage_text, &rf->source, "rootfs", optarg);
			if (o.nramdisks >= QT_MAX_SECTIONS - 4)
				tool_usage(usage_text, "--rootfs: at most %d ramdisks",
				    QT_MAX_SECTIONS - 4);
			o.ramdisks[o.nramdisks].kind = BUILD_RAMDISK_ROOTFS;
			o.ramdisks[o.nramdisks++].path = optarg;
			break;
		case OPT_INIT:
			tool_set_once(usage_text, &rf->init, "init", optarg);
			break;
		case OPT_DRIVER:
			rf->drivers[rf->ndrivers++] = optarg;
			break;
		case OPT_BOOTSTRAP:
			tool_set_once(usage_text, &rf->bootstrap_dir, "bootstrap", optarg);
			break;
		case OPT_CMD:
			rf->cmd[rf->ncmd++] = optarg;
			break;
		case OPT_ENTRYPOINT:
			rf->entrypoint[rf->nentrypoint++] = optarg;
			break;
		case OPT_ENV:
			if (strchr(optarg, '=') == NULL || optarg[0] == '=')
				tool_usage(usage_text, "--env: '%s' is not KEY=VALUE", optarg);
			rf->env[rf->nenv++] = optarg;
			break;
		case OPT_PLATFORM:
			tool_set_once(usage_text, &rf->platform, "platform", optarg);
			break;
		case OPT_COMPRESS:
			tool_set_once(usage_text, &compress, "compress", optarg);
			if (strcmp(optarg, "gzip") == 0)
				rf->gzip = true;
			else if (strcmp(optarg, "none") != 0)
				tool_usage(usage_text, "--compress: unknown method '%s'", optarg);
			break;
		case OPT_KEEP_OWNER:
			rf->keep_owner = true;
			break;
		case OPT_MAX_ENTRIES:
			rf->max_entries = parse_count("max-entries");
			break;
		case OPT_MAX_BYTES:
			rf->max_bytes = parse_count("max-bytes");
			break;
		case OPT_MANIFEST:
			tool_set_once(usage_text, &manifest, "manifest", optarg);
			break;
		case 'h':
			tool_help(usage_text);
		case OPT_VERSION:
			tool_version();
		default:
			tool_usage(usage_text, NULL);
		}
	}
	if (optind != argc)
		tool_usage(usage_text, "unexpected argument '%s'", argv[optind]);
	if (rf->source == NULL &&
	    (rf->ncmd > 0 || rf->nentrypoint > 0 || rf->nenv > 0 || rf->platform != NULL ||
	        rf->keep_owner || rf->max_entries > 0 || rf->max_bytes > 0))
		tool_usage(usage_text, "--cmd, --entrypoint, --env, --platform, --keep-owner and "
		                       "--max-* need --rootfs");
	if (rf->ndrivers > 0 && rf->init == NULL && rf->bootstrap_dir == NULL)
		tool_usage(usage_text, "--driver needs --init");
	if (rf->bootstrap_dir != NULL && rootfs_bootstrap_dir(&o, owned, 5, &err) < 0)
		goto out;
	/* the bootstrap ramdisk comes first: PCR1 covers kernel, cmdline and it */
	bootstrap = rf->init != NULL;
	if (bootstrap) {
		if (o.nramdisks >= QT_MAX_SECTIONS - 4)
			tool_usage(usage_text, "at most %d ramdisks", QT_MAX_SECTIONS - 4);
		memmove(&o.ramdisks[1], &o.ramdisks[0], o.nramdisks * sizeof(o.ramdisks[0]));
		o.ramdisks[0].kind = BUILD_RAMDISK_BOOTSTRAP;
		o.ramdisks[0].path = rf->init;
		o.nramdisks++;
	}
	if (o.kernel == NULL)
		tool_usage(usage_text, "--kernel is required");
	if ((o.cmdline == NULL) == (o.cmdline_file == NULL))
		tool_usage(usage_text, "give exactly one of --cmdline and --cmdline-file");
	if (o.nramdisks == 0)
		tool_usage(usage_text,
		    "at least one --ramdisk, --rootfs, --init or --bootstrap is required");
	if (o.measure_only && o.output != NULL)
		tool_usage(usage_text, "-o and --measure-only exclude each other");
	if (!o.measure_only && o.output == NULL)
		tool_usage(usage_text, "-o OUT is required (or --measure-only)");
	if ((o.sign_key == NULL) != (o.sign_cert == NULL))
		tool_usage(usage_text, "--sign-key and --sign-cert go together");
	if (o.sign_key == NULL &&
	    (o.sign_pass != NULL || o.pkcs11_module != NULL || o.allow_expired_cert))
		tool_usage(usage_text,
		    "--sign-pass, --pkcs11-module and --allow-expired-cert need --sign-key");
	if (o.output != NULL && strcmp(o.output, "-") == 0)
		tool_usage(usage_text, "-o: the image cannot go to standard output; give a file");
	if (manifest != NULL && o.measure_only)
		tool_usage(usage_text, "--manifest needs the image file: not with --measure-only");

	if (build_run(&o, &pcrs, &err) < 0)
		goto out;
	/*
	 * --manifest: the file hashes need the finished file (its header is written
	 * last), so the written image is measured again, as `qt-measure manifest`
	 * would: both give the same bytes (man/qt-manifest.5).
	 */
	if (manifest != NULL &&
	    (manifest_from_image(o.output, NULL,
	         o.shape == QT_PROFILE_NITRO ? QT_PROFILE_NITRO : QT_PROFILE_QINGTIAN, &m,
	         &err) < 0 ||
	        manifest_write_file(m, manifest, &err) < 0))
		goto out;
	if (describe_measurements(&pcrs, o.shape, &doc, &err) < 0 ||
	    tool_print_json(doc, o.json, &err) < 0)
		goto out;
	rc = QT_EXIT_OK;
out:
	if (rc == QT_EXIT_TROUBLE)
		tool_report(&err);
	manifest_free(m);
	json_decref(doc);
	for (i = 0; i < 5; i++)
		free(owned[i]);
	free(vec);
	return tool_finish(rc);
}
