/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_extend.c: qt-measure extend: a register (48 zero bytes, or --from)
 * extended by each step in order, reg = SHA384(reg || data) (spec/qingtian.md):
 * a digest given in hex, a raw string, or a file's SHA-384. --iam-agency and
 * --instance-id are checked raw strings: PCR3 and PCR4 as QingTian computes them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "pcr.h"
#include "text.h"
#include "tool.h"

#define MAX_STEPS 256

enum { OPT_FROM = 256, OPT_DIGEST, OPT_STRING, OPT_FILE, OPT_IAM, OPT_INSTANCE, OPT_JSON };

static const struct option longopts[] = {
	{ "from", required_argument, NULL, OPT_FROM },
	{ "digest", required_argument, NULL, OPT_DIGEST },
	{ "string", required_argument, NULL, OPT_STRING },
	{ "file", required_argument, NULL, OPT_FILE },
	{ "iam-agency", required_argument, NULL, OPT_IAM },
	{ "instance-id", required_argument, NULL, OPT_INSTANCE },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct step {
	int kind; /* OPT_DIGEST, OPT_STRING (also the checked helpers), OPT_FILE */
	char *arg;
};

/* iam::<domain id>:agency:<agency name> (Huawei's PCR3 recipe) */
static bool
iam_agency_ok(const char *s)
{
	const char *p;

	if (strncmp(s, "iam::", 5) != 0)
		return false;
	p = strstr(s + 5, ":agency:");
	return p != NULL && p > s + 5 && p[8] != '\0' &&
	       memchr(s + 5, ':', (size_t)(p - s - 5)) == NULL;
}

int
cmd_extend(int argc, char *argv[])
{
	enum qt_json json = QT_JSON_PRETTY;
	struct qt_err err = { 0 };
	struct step steps[MAX_STEPS];
	uint8_t reg[PCR_LEN], d[PCR_LEN];
	char hex[2 * PCR_LEN + 1];
	size_t n = 0, i;
	json_t *doc = NULL;
	bool from = false;
	int ch, rc = QT_EXIT_TROUBLE;

	memset(reg, 0, sizeof(reg));
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_FROM:
			if (from || n > 0)
				tool_usage(measure_usage,
				    "extend: --from must come once, before the steps");
			if (qt_unhex(optarg, reg, sizeof(reg)) < 0)
				tool_usage(measure_usage,
				    "extend: --from: '%s' is not 96 hex digits (48 bytes)", optarg);
			from = true;
			break;
		case OPT_DIGEST:
		case OPT_STRING:
		case OPT_FILE:
		case OPT_IAM:
		case OPT_INSTANCE:
			if (ch == OPT_DIGEST && qt_unhex(optarg, d, sizeof(d)) < 0)
				tool_usage(measure_usage,
				    "extend: --digest: '%s' is not 96 hex digits (a SHA-384 "
				    "digest)",
				    optarg);
			if (ch == OPT_IAM && !iam_agency_ok(optarg))
				tool_usage(measure_usage,
				    "extend: --iam-agency: '%s' is not iam::<domain "
				    "id>:agency:<name>",
				    optarg);
			if (ch == OPT_INSTANCE && !pcr_uuid_canon(optarg))
				tool_usage(measure_usage,
				    "extend: --instance-id: '%s' is not a UUID "
				    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
				    optarg);
			if (n == MAX_STEPS)
				tool_usage(measure_usage, "extend: more than %d steps", MAX_STEPS);
			steps[n].kind = ch == OPT_IAM || ch == OPT_INSTANCE ? OPT_STRING : ch;
			steps[n++].arg = optarg;
			break;
		case OPT_JSON:
			if (tool_parse_json_style(optarg, &json) < 0)
				tool_usage(measure_usage, "--json: unknown style '%s'", optarg);
			break;
		case 'h':
			tool_help(measure_usage);
		default:
			tool_usage(measure_usage, NULL);
		}
	}
	if (optind != argc)
		tool_usage(measure_usage, "extend: unexpected argument '%s'", argv[optind]);
	if (n == 0)
		tool_usage(measure_usage,
		    "extend: give at least one step (--digest, --string, --file, "
		    "--iam-agency, --instance-id)");
	for (i = 0; i < n; i++) {
		switch (steps[i].kind) {
		case OPT_DIGEST:
			if (qt_unhex(steps[i].arg, d, sizeof(d)) < 0 ||
			    pcr_extend(reg, d, sizeof(d), &err) < 0)
				goto out;
			break;
		case OPT_FILE:
			if (pcr_sha384_file(steps[i].arg, d, &err) < 0 ||
			    pcr_extend(reg, d, sizeof(d), &err) < 0)
				goto out;
			break;
		default:
			if (pcr_extend(
			        reg, (const uint8_t *)steps[i].arg, strlen(steps[i].arg), &err) < 0)
				goto out;
			break;
		}
	}
	qt_hex(reg, sizeof(reg), hex);
	if ((doc = json_pack("{s:s}", "PCR", hex)) == NULL) {
		qt_err_set(&err, ENOMEM, "out of memory");
		goto out;
	}
	if (tool_print_json(doc, json, &err) < 0)
		goto out;
	rc = QT_EXIT_OK;
out:
	if (rc == QT_EXIT_TROUBLE)
		tool_report(&err);
	json_decref(doc);
	return tool_finish(rc);
}
