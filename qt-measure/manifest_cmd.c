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
    "usage: qt-measure manifest [--profile qingtian|nitro] [--iam-agency URN | --iam-role ARN]\n"
    "           [--instance-id ID] [-o FILE] [--progress | --quiet] IMAGE\n";

/* The rest of --help, after the synopsis. */
static const char manifest_help[] =
    "Write an image's manifest (qt-manifest(5)): its PCRs, signer and metadata.\n"
    "\n"
    "  --profile qingtian|nitro   whose conventions to follow (default qingtian)\n"
    "  --platform qingtian|nitro  deprecated spelling of --profile\n"
    "  --iam-agency URN           PCR3 from the parent's IAM agency (qingtian)\n"
    "  --iam-role ARN             PCR3 from the parent's IAM role (nitro)\n"
    "  --instance-id ID           PCR4 from the parent instance's id\n"
    "  -o, --output FILE          write to FILE (atomically; default standard output)\n"
    "  --progress                 progress on stderr: a plain line every 2 s (default:\n"
    "                             a line that updates, on a terminal, after a second)\n"
    "  --quiet                    no progress\n"
    "  -h, --help                 this text\n"
    "\n"
    "Exit status: 0 done (checks pass); 1 a check ran and failed; 2 usage error,\n"
    "unreadable or malformed input, I/O error (nothing on standard output).\n"
    "See qt-measure(1).\n";

enum {
	OPT_PROFILE = 256,
	OPT_PLATFORM,
	OPT_IAM_AGENCY,
	OPT_IAM_ROLE,
	OPT_INSTANCE_ID,
	OPT_PROGRESS,
	OPT_QUIET,
};

static const struct option manifest_opts[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "iam-agency", required_argument, NULL, OPT_IAM_AGENCY },
	{ "iam-role", required_argument, NULL, OPT_IAM_ROLE },
	{ "instance-id", required_argument, NULL, OPT_INSTANCE_ID },
	{ "output", required_argument, NULL, 'o' },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_manifest(int argc, char *argv[])
{
	enum qt_profile platform;
	const char *agency = NULL, *role = NULL, *instance = NULL, *out = NULL, *profile = NULL,
	           *path;
	struct manifest *m = NULL;
	struct qt_err err = { 0 };
	char *text = NULL;
	size_t len;
	enum tool_progress_mode mode = TOOL_PROGRESS_AUTO;
	int ch, rc = QT_EXIT_TROUBLE;

	optind = 0;
	opterr = 0; /* reported below as "qt-measure: manifest: ..." */
	while ((ch = getopt_long(argc, argv, "ho:", manifest_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_PROFILE:
			tool_set_once(manifest_usage, &profile, "profile", optarg);
			break;
		case OPT_PLATFORM:
			tool_profile_alias(manifest_usage, &profile, "--platform",
			    "--platform qingtian|nitro", "--profile qingtian|nitro", optarg, false);
			break;
		case OPT_IAM_AGENCY:
			tool_set_once(manifest_usage, &agency, "iam-agency", optarg);
			break;
		case OPT_IAM_ROLE:
			tool_set_once(manifest_usage, &role, "iam-role", optarg);
			break;
		case OPT_INSTANCE_ID:
			tool_set_once(manifest_usage, &instance, "instance-id", optarg);
			break;
		case 'o':
			tool_set_once(manifest_usage, &out, "output", optarg);
			break;
		case OPT_PROGRESS:
		case OPT_QUIET:
			mode = tool_progress_arg(manifest_usage, mode, ch == OPT_PROGRESS);
			break;
		case 'h':
			tool_help(manifest_usage, manifest_help);
		default:
			tool_usage(manifest_usage,
			    "manifest: unknown option or missing argument: '%s'", argv[optind - 1]);
		}
	}
	path = tool_one_operand(manifest_usage, argc - optind, argv[optind], "manifest", "IMAGE");
	platform = tool_profile_arg(manifest_usage, profile, false, QT_PROFILE_QINGTIAN);
	if (tool_manifest_from_image(path, platform, mode, &m, &err) < 0 ||
	    (agency != NULL && manifest_set_iam_agency(m, agency, &err) < 0) ||
	    (role != NULL && manifest_set_iam_role(m, role, &err) < 0) ||
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
