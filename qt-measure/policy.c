/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.c: `qt-measure policy --profile qingtian|nitro MANIFEST...`: the
 * KMS/IAM condition block, or with --statement a whole statement, that
 * admits only enclaves measuring to the manifests' PCRs (formats/policy.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "attest_cmds.h"
#include "fileio.h"
#include "manifest.h"
#include "pcr.h"
#include "policy.h"
#include "tool.h"

static const char policy_usage[] =
    "usage: qt-measure policy --profile qingtian|nitro [--pcr LIST] [--allow-zero]\n"
    "           [--iam-agency URN | --iam-role ARN] [--instance-id ID]\n"
    "           [--statement [--action ACTION]... [--resource RESOURCE]...\n"
    "           [--principal ARN] [--sid SID]] [--json=pretty|short] MANIFEST...\n";

/* The rest of --help, after the synopsis. */
static const char policy_help[] =
    "A key-release policy (Huawei IAM or AWS KMS) admitting the images of the\n"
    "manifests by their PCRs.\n"
    "\n"
    "What to pin:\n"
    "  --profile qingtian|nitro   the cloud whose policy to write (required)\n"
    "  --format huawei|aws        deprecated spelling of --profile\n"
    "  --pcr LIST                 exactly these registers (e.g. 0,8)\n"
    "  --allow-zero               pin all-zero values anyway (debug, unsigned)\n"
    "  --iam-agency URN           PCR3 from the parent's IAM agency (qingtian)\n"
    "  --iam-role ARN             PCR3 from the parent's IAM role (nitro)\n"
    "  --instance-id ID           PCR4 from the parent instance's id\n"
    "Statement:\n"
    "  --statement                print a whole statement, not the condition block\n"
    "  --action ACTION            an action the statement allows (repeatable)\n"
    "  --resource RESOURCE        a resource of the statement (repeatable)\n"
    "  --principal ARN            the statement's principal (nitro)\n"
    "  --sid SID                  the statement's Sid\n"
    "Output:\n"
    "  --json=pretty|short        the style of the JSON on standard output\n"
    "  -h, --help                 this text\n"
    "\n"
    "Exit status: 0 done (checks pass); 1 a check ran and failed; 2 usage error,\n"
    "unreadable or malformed input, I/O error (nothing on standard output).\n"
    "See qt-measure(1).\n";

enum {
	OPT_PROFILE = 256,
	OPT_FORMAT,
	OPT_ALLOW_ZERO,
	OPT_JSON,
	OPT_PCR,
	OPT_IAM_AGENCY,
	OPT_IAM_ROLE,
	OPT_INSTANCE_ID,
	OPT_STATEMENT,
	OPT_ACTION,
	OPT_RESOURCE,
	OPT_PRINCIPAL,
	OPT_SID,
};

static const struct option policy_opts[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "allow-zero", no_argument, NULL, OPT_ALLOW_ZERO },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "pcr", required_argument, NULL, OPT_PCR },
	{ "iam-agency", required_argument, NULL, OPT_IAM_AGENCY },
	{ "iam-role", required_argument, NULL, OPT_IAM_ROLE },
	{ "instance-id", required_argument, NULL, OPT_INSTANCE_ID },
	{ "statement", no_argument, NULL, OPT_STATEMENT },
	{ "action", required_argument, NULL, OPT_ACTION },
	{ "resource", required_argument, NULL, OPT_RESOURCE },
	{ "principal", required_argument, NULL, OPT_PRINCIPAL },
	{ "sid", required_argument, NULL, OPT_SID },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* What the command line says, as given. */
struct policy_args {
	const char *profile, *style, *pcr, *agency, *role, *instance, *principal, *sid;
	const char *actions[POLICY_LIST_MAX], *resources[POLICY_LIST_MAX];
	size_t nactions, nresources;
	bool allow_zero, statement;
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

static void
add(const char *opt, const char **list, size_t *n, const char *value)
{
	if (value[0] == '\0')
		tool_usage(policy_usage, "%s: empty value", opt);
	if (*n == POLICY_LIST_MAX)
		tool_usage(policy_usage, "%s: more than %d values", opt, POLICY_LIST_MAX);
	list[(*n)++] = value;
}

/* --pcr 0,8 (or PCR0,PCR8): the registers, each 0..31 once. */
static uint32_t
pcr_list(const char *text)
{
	const char *p = text;
	uint32_t mask = 0, bit;
	unsigned long i;
	char *end;

	for (;;) {
		if (strncmp(p, "PCR", 3) == 0 || strncmp(p, "pcr", 3) == 0)
			p += 3;
		errno = 0;
		if (*p < '0' || *p > '9' || (i = strtoul(p, &end, 10)) >= PCR_COUNT || errno != 0 ||
		    (*end != ',' && *end != '\0') || (p[0] == '0' && end - p > 1))
			tool_usage(policy_usage,
			    "--pcr: '%.64s' is not a list of PCR numbers 0..31", text);
		bit = 1u << (i & (PCR_COUNT - 1)); /* i < PCR_COUNT (32) here */
		if (mask & bit)
			tool_usage(policy_usage, "--pcr: PCR%lu given twice", i);
		mask |= bit;
		if (*end == '\0')
			return mask;
		p = end + 1;
	}
}

static void
parse_args(int argc, char *argv[], struct policy_args *a)
{
	int ch;

	optind = 0;
	opterr = 0; /* reported below as "qt-measure: policy: ..." */
	while ((ch = getopt_long(argc, argv, "h", policy_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_PROFILE:
			tool_set_once(policy_usage, &a->profile, "profile", optarg);
			break;
		case OPT_FORMAT:
			format_alias(&a->profile, optarg);
			break;
		case OPT_ALLOW_ZERO:
			a->allow_zero = true;
			break;
		case OPT_JSON:
			tool_set_once(policy_usage, &a->style, "json", optarg);
			break;
		case OPT_PCR:
			tool_set_once(policy_usage, &a->pcr, "pcr", optarg);
			break;
		case OPT_IAM_AGENCY:
			tool_set_once(policy_usage, &a->agency, "iam-agency", optarg);
			break;
		case OPT_IAM_ROLE:
			tool_set_once(policy_usage, &a->role, "iam-role", optarg);
			break;
		case OPT_INSTANCE_ID:
			tool_set_once(policy_usage, &a->instance, "instance-id", optarg);
			break;
		case OPT_STATEMENT:
			a->statement = true;
			break;
		case OPT_ACTION:
			add("--action", a->actions, &a->nactions, optarg);
			break;
		case OPT_RESOURCE:
			add("--resource", a->resources, &a->nresources, optarg);
			break;
		case OPT_PRINCIPAL:
			tool_set_once(policy_usage, &a->principal, "principal", optarg);
			break;
		case OPT_SID:
			tool_set_once(policy_usage, &a->sid, "sid", optarg);
			break;
		case 'h':
			tool_help(policy_usage, policy_help);
		default:
			tool_usage(policy_usage, "policy: unknown option or missing argument: '%s'",
			    argv[optind - 1]);
		}
	}
}

/* The options' values into o; every usage error is found here, before any file is read. */
static void
check_args(struct policy_args *a, struct policy_opts *o, char *instance)
{
	struct qt_err err = { 0 };
	bool nitro;

	if (a->profile == NULL)
		tool_usage(policy_usage, "policy: --profile is required");
	o->profile = tool_profile_arg(policy_usage, a->profile, false, QT_PROFILE_QINGTIAN);
	nitro = o->profile == QT_PROFILE_NITRO;
	o->allow_zero = a->allow_zero;
	o->pcrs = a->pcr != NULL ? pcr_list(a->pcr) : 0;
	if (!a->statement &&
	    (a->nactions > 0 || a->nresources > 0 || a->principal != NULL || a->sid != NULL))
		tool_usage(policy_usage,
		    "policy: --action, --resource, --principal and --sid shape a --statement");
	if (!nitro && (a->principal != NULL || a->sid != NULL))
		tool_usage(policy_usage, "policy: --principal and --sid are for an AWS key policy "
		                         "statement (--profile nitro)");
	if (a->agency != NULL && nitro)
		tool_usage(policy_usage,
		    "--iam-agency: an agency URN is Huawei's (qingtian); on nitro "
		    "PCR3 is the parent instance's IAM role: use --iam-role ARN");
	if (a->role != NULL && !nitro)
		tool_usage(policy_usage,
		    "--iam-role: an IAM role ARN is AWS's (nitro); on qingtian "
		    "PCR3 is the parent's IAM agency: use --iam-agency URN");
	if ((a->agency != NULL && pcr_iam_agency_check(a->agency, &err) < 0) ||
	    (a->role != NULL && pcr_iam_role_check(a->role, &err) < 0) ||
	    (instance != NULL && pcr_instance_id_canon(o->profile, instance, &err) < 0))
		tool_usage(policy_usage, "%s", err.msg);
	o->statement = a->statement;
	o->actions = a->nactions > 0 ? a->actions : NULL;
	o->nactions = a->nactions;
	o->resources = a->nresources > 0 ? a->resources : NULL;
	o->nresources = a->nresources;
	o->principal = a->principal;
	o->sid = a->sid;
	o->role = a->role;
}

/* --iam-agency/--iam-role and --instance-id as PCR3 and PCR4. */
static int
parent_pcrs(
    const struct policy_args *a, const char *instance, struct policy_opts *o, struct qt_err *err)
{
	const char *p3 = a->agency != NULL ? a->agency : a->role;

	if (p3 != NULL) {
		if (pcr_of_text(p3, o->pcr3, err) < 0)
			return -1;
		o->have_pcr3 = true;
		o->pcr3_opt = a->agency != NULL ? "--iam-agency" : "--iam-role";
	}
	if (instance != NULL) {
		if (pcr_of_text(instance, o->pcr4, err) < 0)
			return -1;
		o->have_pcr4 = true;
		o->pcr4_opt = "--instance-id";
	}
	return 0;
}

int
cmd_policy(int argc, char *argv[])
{
	struct policy_args a = { .profile = NULL };
	struct policy_opts o = { .profile = QT_PROFILE_QINGTIAN };
	struct manifest *ms[POLICY_MANIFESTS_MAX] = { NULL };
	const char *names[POLICY_MANIFESTS_MAX];
	struct qt_err err = { 0 };
	enum qt_json json;
	char *instance = NULL;
	uint8_t *raw = NULL;
	json_t *pol = NULL;
	size_t rl, n = 0, i;
	int rc = QT_EXIT_TROUBLE;

	parse_args(argc, argv, &a);
	if (a.instance != NULL && (instance = strdup(a.instance)) == NULL)
		tool_usage(policy_usage, "out of memory");
	check_args(&a, &o, instance);
	json = tool_json_arg(policy_usage, a.style);
	if (argc - optind < 1)
		tool_usage(policy_usage, "policy: expected at least one MANIFEST operand");
	if (argc - optind > POLICY_MANIFESTS_MAX)
		tool_usage(policy_usage, "policy: more than %d manifests", POLICY_MANIFESTS_MAX);
	if (parent_pcrs(&a, instance, &o, &err) < 0)
		goto out;
	for (n = 0; (int)n < argc - optind; n++) {
		names[n] = argv[optind + (int)n];
		if (fileio_read_all(names[n], MANIFEST_MAX, &raw, &rl, &err) < 0 ||
		    manifest_parse(names[n], raw, rl, &ms[n], &err) < 0)
			goto out;
		free(raw);
		raw = NULL;
	}
	if (policy_make(n, names, (const struct manifest *const *)ms, &o, &pol, &err) < 0 ||
	    tool_print_json(pol, json, &err) < 0)
		goto out;
	rc = QT_EXIT_OK;
out:
	if (rc != QT_EXIT_OK)
		tool_report(&err);
	json_decref(pol);
	for (i = 0; i < n && i < POLICY_MANIFESTS_MAX; i++)
		manifest_free(ms[i]);
	free(raw);
	free(instance);
	return rc;
}
