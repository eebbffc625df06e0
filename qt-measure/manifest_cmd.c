/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest_cmd.c: `qt-measure manifest IMAGE`: the reference-value manifest
 * (qt-manifest(5)) of an image, on stdout or atomically into -o FILE.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest_cmds.h"
#include "manifest.h"
#include "tool.h"

static const char manifest_usage[] =
    "usage: qt-measure manifest [--platform qingtian|nitro] [--iam-agency URN]\n"
    "           [--instance-id ID] [-o FILE] IMAGE\n";

enum {
	OPT_PLATFORM = 256,
	OPT_IAM_AGENCY,
	OPT_INSTANCE_ID,
};

static const struct option manifest_opts[] = {
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "iam-agency", required_argument, NULL, OPT_IAM_AGENCY },
	{ "instance-id", required_argument, NULL, OPT_INSTANCE_ID },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_manifest(int argc, char *argv[])
{
	enum qt_profile platform = QT_PROFILE_QINGTIAN;
	const char *agency = NULL, *instance = NULL, *out = NULL;
	struct manifest *m = NULL;
	struct qt_err err = { 0 };
	char *text = NULL;
	size_t len;
	int ch, rc = QT_EXIT_TROUBLE;

	optind = 0;
	opterr = 0; /* reported below as "qt-measure: manifest: ..." */
	while ((ch = getopt_long(argc, argv, "ho:", manifest_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_PLATFORM:
			if (qt_profile_parse(optarg, false, &platform) < 0)
				tool_usage(manifest_usage,
				    "--platform: '%.32s' is not qingtian or nitro", optarg);
			break;
		case OPT_IAM_AGENCY:
			agency = optarg;
			break;
		case OPT_INSTANCE_ID:
			instance = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			tool_help(manifest_usage);
		default:
			tool_usage(manifest_usage,
			    "manifest: unknown option or missing argument: '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		tool_usage(manifest_usage, "manifest: expected exactly one image operand");
	if (manifest_from_image(argv[optind], NULL, platform, &m, &err) < 0 ||
	    (agency != NULL && manifest_set_iam_agency(m, agency, &err) < 0) ||
	    (instance != NULL && manifest_set_instance_id(m, instance, &err) < 0))
		goto out;
	if (out != NULL && strcmp(out, "-") != 0) {
		if (manifest_write_file(m, out, &err) < 0)
			goto out;
	} else {
		if (manifest_dump(m, &text, &len, &err) < 0)
			goto out;
		if (fwrite(text, 1, len, stdout) != len) {
			qt_err_set(&err, EIO, "standard output: write failed");
			goto out;
		}
	}
	rc = QT_EXIT_OK;
out:
	if (rc != QT_EXIT_OK)
		tool_report(&err);
	free(text);
	manifest_free(m);
	return rc;
}
