/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_extend.c: qt-measure extend: a register (48 zero bytes, or --from)
 * extended by each step in order, reg = SHA384(reg || data) (spec/qingtian.md):
 * a digest given in hex, a raw string, or a file's SHA-384. --iam-agency
 * (QingTian), --iam-role (Nitro) and --instance-id are raw strings checked by
 * the rule of pcr.h: PCR3 and PCR4 as the platform (--profile) computes them.
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

static const char extend_usage[] =
    "usage: qt-measure extend [--from HEX] (--digest HEX | --string TEXT | --file FILE |\n"
    "                         --iam-agency URN | --iam-role ARN | --instance-id ID)...\n"
    "                         [--profile qingtian|nitro] [--json=pretty|short]\n";

/* The rest of --help, after the synopsis. */
static const char extend_help[] =
    "Extend a register, in order, with each step: reg = SHA-384(reg || data).\n"
    "\n"
    "Start:\n"
    "  --from HEX                 start from HEX (96 digits; default 48 zero bytes)\n"
    "Steps (in the order given, repeatable):\n"
    "  --digest HEX               a SHA-384 digest (96 hex digits)\n"
    "  --string TEXT              the SHA-384 of TEXT\n"
    "  --file FILE                the SHA-384 of FILE's bytes\n"
    "  --iam-agency URN           PCR3 from the parent's IAM agency (qingtian)\n"
    "  --iam-role ARN             PCR3 from the parent's IAM role (nitro)\n"
    "  --instance-id ID           PCR4 from the parent instance's id\n"
    "Output:\n"
    "  --profile qingtian|nitro   whose conventions to follow (default qingtian)\n"
    "  --json=pretty|short        the style of the JSON on standard output\n"
    "  -h, --help                 this text\n"
    "\n"
    "Exit status: 0 done (checks pass); 1 a check ran and failed; 2 usage error,\n"
    "unreadable or malformed input, I/O error (nothing on standard output).\n"
    "See qt-measure(1).\n";

enum {
	OPT_FROM = 256,
	OPT_DIGEST,
	OPT_STRING,
	OPT_FILE,
	OPT_IAM,
	OPT_ROLE,
	OPT_INSTANCE,
	OPT_PROFILE,
	OPT_JSON,
};

static const struct option longopts[] = {
	{ "from", required_argument, NULL, OPT_FROM },
	{ "digest", required_argument, NULL, OPT_DIGEST },
	{ "string", required_argument, NULL, OPT_STRING },
	{ "file", required_argument, NULL, OPT_FILE },
	{ "iam-agency", required_argument, NULL, OPT_IAM },
	{ "iam-role", required_argument, NULL, OPT_ROLE },
	{ "instance-id", required_argument, NULL, OPT_INSTANCE },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct step {
	int kind; /* OPT_DIGEST, OPT_STRING, OPT_FILE, OPT_IAM, OPT_INSTANCE */
	char *arg;
};

struct extend_args {
	uint8_t reg[PCR_LEN];
	bool from;
	struct step steps[MAX_STEPS];
	size_t n;
	const char *profile, *json;
};

static void
add_step(struct extend_args *a, int kind, char *arg)
{
	uint8_t d[PCR_LEN];

	if (kind == OPT_DIGEST && qt_unhex(arg, d, sizeof(d)) < 0)
		tool_usage(extend_usage,
		    "extend: --digest: '%s' is not 96 hex digits (a SHA-384 digest)", arg);
	if (a->n == MAX_STEPS)
		tool_usage(extend_usage, "extend: more than %d steps", MAX_STEPS);
	a->steps[a->n].kind = kind;
	a->steps[a->n++].arg = arg;
}

static void
parse_args(int argc, char *argv[], struct extend_args *a)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_FROM:
			if (a->from || a->n > 0)
				tool_usage(extend_usage,
				    "extend: --from must come once, before the steps");
			if (qt_unhex(optarg, a->reg, sizeof(a->reg)) < 0)
				tool_usage(extend_usage,
				    "extend: --from: '%s' is not 96 hex digits (48 bytes)", optarg);
			a->from = true;
			break;
		case OPT_DIGEST:
		case OPT_STRING:
		case OPT_FILE:
		case OPT_IAM:
		case OPT_ROLE:
		case OPT_INSTANCE:
			add_step(a, ch, optarg);
			break;
		case OPT_PROFILE:
			tool_set_once(extend_usage, &a->profile, "profile", optarg);
			break;
		case OPT_JSON:
			tool_set_once(extend_usage, &a->json, "json", optarg);
			break;
		case 'h':
			tool_help(extend_usage, extend_help);
		default:
			tool_usage(extend_usage, NULL);
		}
	}
	if (optind != argc)
		tool_usage(extend_usage, "extend: unexpected argument '%s'", argv[optind]);
	if (a->n == 0)
		tool_usage(extend_usage,
		    "extend: give at least one step (--digest, --string, --file, "
		    "--iam-agency, --iam-role, --instance-id)");
}

/* PCR3/PCR4 inputs obey the one rule of pcr.h (also `manifest` and `verify --manifest`). */
static void
check_parents(struct extend_args *a, enum qt_profile profile)
{
	struct qt_err err = { 0 };
	size_t i;

	for (i = 0; i < a->n; i++) {
		if ((a->steps[i].kind == OPT_IAM &&
		        pcr_iam_agency_check(a->steps[i].arg, &err) < 0) ||
		    (a->steps[i].kind == OPT_ROLE &&
		        pcr_iam_role_check(a->steps[i].arg, &err) < 0) ||
		    (a->steps[i].kind == OPT_INSTANCE &&
		        pcr_instance_id_canon(profile, a->steps[i].arg, &err) < 0))
			tool_usage(extend_usage, "%s", err.msg);
	}
}

static int
run_steps(const struct extend_args *a, uint8_t reg[PCR_LEN], struct qt_err *err)
{
	uint8_t d[PCR_LEN];
	size_t i;

	memcpy(reg, a->reg, PCR_LEN);
	for (i = 0; i < a->n; i++) {
		const char *arg = a->steps[i].arg;

		switch (a->steps[i].kind) {
		case OPT_DIGEST:
			if (qt_unhex(arg, d, sizeof(d)) < 0 ||
			    pcr_extend(reg, d, sizeof(d), err) < 0)
				return -1;
			break;
		case OPT_FILE:
			if (pcr_sha384_file(arg, d, err) < 0 ||
			    pcr_extend(reg, d, sizeof(d), err) < 0)
				return -1;
			break;
		default: /* a raw string, as PCR3 and PCR4 extend theirs */
			if (pcr_extend(reg, (const uint8_t *)arg, strlen(arg), err) < 0)
				return -1;
			break;
		}
	}
	return 0;
}

int
cmd_extend(int argc, char *argv[])
{
	struct extend_args a = { .from = false };
	struct qt_err err = { 0 };
	uint8_t reg[PCR_LEN];
	char hex[2 * PCR_LEN + 1];
	json_t *doc = NULL;
	enum qt_json style;
	int rc = QT_EXIT_TROUBLE;

	parse_args(argc, argv, &a);
	check_parents(&a, tool_profile_arg(extend_usage, a.profile, false, QT_PROFILE_QINGTIAN));
	style = tool_json_arg(extend_usage, a.json);
	if (run_steps(&a, reg, &err) < 0)
		goto out;
	qt_hex(reg, sizeof(reg), hex);
	if ((doc = json_pack("{s:s}", "PCR", hex)) == NULL) {
		qt_err_set(&err, ENOMEM, "out of memory");
		goto out;
	}
	if (tool_print_json(doc, style, &err) < 0)
		goto out;
	rc = QT_EXIT_OK;
out:
	if (rc == QT_EXIT_TROUBLE)
		tool_report(&err);
	json_decref(doc);
	return tool_finish(rc);
}
