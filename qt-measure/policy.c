/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.c: `qt-measure policy [--profile qingtian|nitro] MANIFEST`: print
 * the KMS/IAM condition block that pins the manifest's PCRs (formats/policy.c).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "attest_cmds.h"
#include "fileio.h"
#include "manifest.h"
#include "policy.h"
#include "tool.h"

static const char policy_usage[] =
    "usage: qt-measure policy --profile qingtian|nitro [--allow-zero] [--json=pretty|short]\n"
    "           MANIFEST\n";

enum {
	OPT_PROFILE = 256,
	OPT_FORMAT,
	OPT_ALLOW_ZERO,
	OPT_JSON,
};

static const struct option policy_opts[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "allow-zero", no_argument, NULL, OPT_ALLOW_ZERO },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The old --format huawei|aws: huawei is qingtian's cloud, aws nitro's. */
static void
format_alias(const char **profile, const char *value)
{
	const char *p = strcmp(value, "huawei") == 0 ? "qingtian"
	                : strcmp(value, "aws") == 0  ? "nitro"
	                                             : NULL;

	if (p == NULL)
		tool_usage(policy_usage, "--format: '%.32s' is not huawei or aws", value);
	tool_profile_alias(policy_usage, profile, "--format", "--format huawei|aws",
	    "--profile qingtian|nitro", p, false);
}

int
cmd_policy(int argc, char *argv[])
{
	enum qt_profile profile;
	enum qt_json json;
	struct manifest *m = NULL;
	struct qt_err err = { 0 };
	const char *profile_text = NULL, *style = NULL, *path;
	bool allow_zero = false;
	uint8_t *raw = NULL;
	json_t *pol = NULL;
	size_t rl;
	int ch, rc = QT_EXIT_TROUBLE;

	optind = 0;
	opterr = 0; /* reported below as "qt-measure: policy: ..." */
	while ((ch = getopt_long(argc, argv, "h", policy_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_PROFILE:
			tool_set_once(policy_usage, &profile_text, "profile", optarg);
			break;
		case OPT_FORMAT:
			format_alias(&profile_text, optarg);
			break;
		case OPT_ALLOW_ZERO:
			allow_zero = true;
			break;
		case OPT_JSON:
			tool_set_once(policy_usage, &style, "json", optarg);
			break;
		case 'h':
			tool_help(policy_usage);
		default:
			tool_usage(policy_usage, "policy: unknown option or missing argument: '%s'",
			    argv[optind - 1]);
		}
	}
	if (profile_text == NULL)
		tool_usage(policy_usage, "policy: --profile is required");
	profile = tool_profile_arg(policy_usage, profile_text, false, QT_PROFILE_QINGTIAN);
	json = tool_json_arg(policy_usage, style);
	path = tool_one_operand(policy_usage, argc - optind, argv[optind], "policy", "MANIFEST");
	if (fileio_read_all(path, MANIFEST_MAX, &raw, &rl, &err) < 0 ||
	    manifest_parse(path, raw, rl, &m, &err) < 0 ||
	    policy_conditions(path, m, profile, allow_zero, &pol, &err) < 0 ||
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
