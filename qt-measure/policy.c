/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.c: `qt-measure policy --format huawei|aws MANIFEST`: print the
 * KMS/IAM condition block that pins the manifest's PCRs.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "attest_cmds.h"
#include "fileio.h"
#include "manifest.h"
#include "tool.h"

static const char policy_usage[] =
    "usage: qt-measure policy --format huawei|aws [--allow-zero] [--json=pretty|short] MANIFEST\n";

enum {
	OPT_FORMAT = 256,
	OPT_ALLOW_ZERO,
	OPT_JSON,
};

static const struct option policy_opts[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "allow-zero", no_argument, NULL, OPT_ALLOW_ZERO },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_policy(int argc, char *argv[])
{
	enum manifest_policy_format fmt = MANIFEST_POLICY_HUAWEI;
	enum qt_json json = QT_JSON_PRETTY;
	struct manifest *m = NULL;
	struct qt_err err = { 0 };
	const char *format = NULL, *path;
	bool allow_zero = false;
	uint8_t *raw = NULL;
	json_t *pol = NULL;
	size_t rl;
	int ch, rc = QT_EXIT_TROUBLE;

	optind = 0;
	opterr = 0; /* reported below as "qt-measure: policy: ..." */
	while ((ch = getopt_long(argc, argv, "h", policy_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_FORMAT:
			format = optarg;
			break;
		case OPT_ALLOW_ZERO:
			allow_zero = true;
			break;
		case OPT_JSON:
			if (tool_parse_json_style(optarg, &json) < 0)
				tool_usage(policy_usage, "--json: unknown style '%.32s'", optarg);
			break;
		case 'h':
			tool_help(policy_usage);
		default:
			tool_usage(policy_usage, "policy: unknown option or missing argument: '%s'",
			    argv[optind - 1]);
		}
	}
	if (format == NULL)
		tool_usage(policy_usage, "policy: --format is required");
	else if (strcmp(format, "huawei") == 0)
		fmt = MANIFEST_POLICY_HUAWEI;
	else if (strcmp(format, "aws") == 0)
		fmt = MANIFEST_POLICY_AWS;
	else
		tool_usage(policy_usage, "--format: '%.32s' is not huawei or aws", format);
	if (argc - optind != 1)
		tool_usage(policy_usage, "policy: expected exactly one manifest operand");
	path = argv[optind];
	if (fileio_read_all(path, MANIFEST_MAX, &raw, &rl, &err) < 0 ||
	    manifest_parse(path, raw, rl, &m, &err) < 0 ||
	    manifest_policy(path, m, fmt, allow_zero, &pol, &err) < 0 ||
	    tool_print_json(pol, json, &err) < 0)
		goto out;
	rc = QT_EXIT_OK;
out:
	if (rc != QT_EXIT_OK)
		tool_report(&err);
	json_decref(pol);
	manifest_free(m);
	free(raw);
	return rc;
}
