/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verify.c: `qt-measure verify DOC`: check a live attestation document
 * against a pinned root and the relying party's expectations, print the JSON
 * report (every check and its verdict) and exit 0 / 1 / 2. The command is a
 * client of libqtverify's API (qt/verify.h, linked statically through
 * libqttool.a): it reads the files and options, the API verifies and reports.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qt/verify.h"

#include "attest.h"
#include "attest_cmds.h"
#include "fileio.h"
#include "manifest.h"
#include "roots.h"
#include "text.h"
#include "tool.h"
#include "x509.h"

static const char verify_usage[] =
    "usage: qt-measure verify --root qingtian|nitro|ROOT.pem | --root-sha256 HEX\n"
    "           [--manifest FILE] [--expect-pcr N=HEX]... [--nonce HEX] [--user-data HEX]\n"
    "           [--public-key FILE] [--at now|doc|TIME] [--max-age SECONDS]\n"
    "           [--profile qingtian|nitro|auto] [--allow-debug] [--json=pretty|short] DOC\n";

/* The rest of --help, after the synopsis. */
static const char verify_help[] =
    "Verify an attestation document (COSE_Sign1) against a pinned root and\n"
    "expectations; print a report naming every check.\n"
    "\n"
    "Root (one is required):\n"
    "  --root qingtian|nitro|ROOT.pem  a shipped root by name, or a root file\n"
    "  --root-sha256 HEX          the root by the SHA-256 of its DER\n"
    "Expectations (at least one):\n"
    "  --manifest FILE            every PCR of the manifest (qt-manifest(5))\n"
    "  --expect-pcr N=HEX         PCR N is HEX (repeatable)\n"
    "  --nonce HEX                the document's nonce\n"
    "  --user-data HEX            the document's user_data\n"
    "  --public-key FILE          the document's public_key (PEM or raw)\n"
    "Time and platform:\n"
    "  --at now|doc|TIME          the instant certificates must be valid at\n"
    "  --max-age SECONDS          the document is at most SECONDS old\n"
    "  --profile qingtian|nitro|auto  the platform (default: the manifest's, or auto)\n"
    "  --platform qingtian|nitro|auto  deprecated spelling of --profile\n"
    "  --allow-debug              accept a debug-mode enclave (PCRs all zero)\n"
    "Output:\n"
    "  --json=pretty|short        the style of the JSON on standard output\n"
    "  -h, --help                 this text\n"
    "\n"
    "Exit status: 0 done (checks pass); 1 a check ran and failed; 2 usage error,\n"
    "unreadable or malformed input, I/O error (nothing on standard output).\n"
    "See qt-measure(1).\n";

enum {
	OPT_STRING = 256, /* a single-valued option kept as text (given twice: usage error) */
	OPT_EXPECT_PCR,
	OPT_NONCE,
	OPT_USER_DATA,
	OPT_PLATFORM,
	OPT_ALLOW_DEBUG,
};

static const struct option verify_opts[] = {
	{ "root", required_argument, NULL, OPT_STRING },
	{ "root-sha256", required_argument, NULL, OPT_STRING },
	{ "manifest", required_argument, NULL, OPT_STRING },
	{ "expect-pcr", required_argument, NULL, OPT_EXPECT_PCR },
	{ "nonce", required_argument, NULL, OPT_NONCE },
	{ "user-data", required_argument, NULL, OPT_USER_DATA },
	{ "public-key", required_argument, NULL, OPT_STRING },
	{ "at", required_argument, NULL, OPT_STRING },
	{ "max-age", required_argument, NULL, OPT_STRING },
	{ "profile", required_argument, NULL, OPT_STRING },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "allow-debug", no_argument, NULL, OPT_ALLOW_DEBUG },
	{ "json", required_argument, NULL, OPT_STRING },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* What the command line says, as given. */
struct verify_args {
	const char *root, *root_sha, *manifest, *pubkey, *at, *max_age, *profile, *json;
	const char *path;
	bool allow_debug;
	struct attest_expect cli; /* --expect-pcr, --nonce, --user-data */
};

/* Any even number of hex digits ("" = expect null/empty), at most max bytes. */
static void
hex_arg(const char *opt, const char *text, size_t max, struct attest_bytes *ret)
{
	size_t n = strlen(text);

	if (ret->present)
		tool_usage(verify_usage, "%s given twice", opt);
	if (n % 2 != 0 || n / 2 > max)
		tool_usage(
		    verify_usage, "%s: '%.32s' is not hex of at most %zu bytes", opt, text, max);
	if ((ret->p = malloc(n / 2 + 1)) == NULL)
		tool_usage(verify_usage, "out of memory");
	if (qt_unhex(text, ret->p, n / 2) < 0)
		tool_usage(verify_usage, "%s: '%.32s' is not hex", opt, text);
	ret->len = n / 2;
	ret->present = true;
}

/* Parse N=HEX into e; -1 with why on a malformed or contradicting value. */
static int
expect_pcr_arg(const char *text, struct attest_expect *e, char *why, size_t len)
{
	uint8_t v[PCR_LEN];
	const char *eq = strchr(text, '=');
	char *end;
	unsigned long i;

	errno = 0;
	i = strtoul(text, &end, 10);
	if (eq == NULL || end != eq || end == text || text[0] < '0' || text[0] > '9' ||
	    errno != 0 || i >= PCR_COUNT) {
		snprintf(why, len, "--expect-pcr: '%.40s' is not N=HEX with N in 0..31", text);
		return -1;
	}
	if (qt_unhex(eq + 1, v, sizeof(v)) < 0) {
		snprintf(why, len, "--expect-pcr: PCR%lu: not 96 hex digits", i);
		return -1;
	}
	if ((e->pcr_mask & (1u << i)) && memcmp(e->pcrs[i], v, sizeof(v)) != 0) {
		snprintf(why, len, "--expect-pcr: PCR%lu given twice with different values", i);
		return -1;
	}
	memcpy(e->pcrs[i], v, sizeof(v));
	e->pcr_mask |= 1u << i;
	return 0;
}

static const char **
string_slot(struct verify_args *a, const char *name)
{
	static const char *const names[] = { "root", "root-sha256", "manifest", "public-key", "at",
		"max-age", "profile", "json" };
	const char **slots[] = { &a->root, &a->root_sha, &a->manifest, &a->pubkey, &a->at,
		&a->max_age, &a->profile, &a->json };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], name) == 0)
			return slots[i];
	tool_usage(verify_usage, "--%s: internal: no slot", name);
}

static void
parse_args(int argc, char *argv[], struct verify_args *a)
{
	char why[128];
	int ch, idx;

	optind = 0;
	opterr = 0; /* reported below as "qt-measure: verify: ..." */
	while ((ch = getopt_long(argc, argv, "h", verify_opts, &idx)) != -1) {
		switch (ch) {
		case OPT_STRING:
			tool_set_once(verify_usage, string_slot(a, verify_opts[idx].name),
			    verify_opts[idx].name, optarg);
			break;
		case OPT_EXPECT_PCR:
			if (expect_pcr_arg(optarg, &a->cli, why, sizeof(why)) < 0)
				tool_usage(verify_usage, "%s", why);
			break;
		case OPT_NONCE:
			hex_arg("--nonce", optarg, ATTEST_NONCE_MAX, &a->cli.nonce);
			break;
		case OPT_USER_DATA:
			hex_arg("--user-data", optarg, ATTEST_USERDATA_MAX, &a->cli.user_data);
			break;
		case OPT_PLATFORM:
			tool_profile_alias(verify_usage, &a->profile, "--platform",
			    "--platform qingtian|nitro|auto", "--profile qingtian|nitro|auto",
			    optarg, true);
			break;
		case OPT_ALLOW_DEBUG:
			a->allow_debug = true;
			break;
		case 'h':
			tool_help(verify_usage, verify_help);
		default:
			tool_usage(verify_usage, "verify: unknown option or missing argument: '%s'",
			    argv[optind - 1]);
		}
	}
	a->path = tool_one_operand(verify_usage, argc - optind, argv[optind], "verify", "DOC");
}

/* --max-age: a decimal number of seconds, or -1 when not given. */
static int64_t
max_age_arg(const char *text)
{
	int64_t v;
	char *end;

	if (text == NULL)
		return -1;
	errno = 0;
	v = (int64_t)strtoll(text, &end, 10);
	if (errno != 0 || *end != '\0' || end == text || text[0] == '-' || text[0] == '+' || v < 0)
		tool_usage(verify_usage, "--max-age: '%.32s' is not a number of seconds", text);
	return v;
}

/* The options' values into o; every usage error is found here, before any file is read. */
static void
check_args(const struct verify_args *a, struct attest_opts *o)
{
	if ((a->root == NULL) == (a->root_sha == NULL))
		tool_usage(verify_usage, "verify: give exactly one of --root and --root-sha256");
	if (a->root_sha != NULL) {
		if (qt_unhex(a->root_sha, o->root_sha256, sizeof(o->root_sha256)) < 0)
			tool_usage(verify_usage, "--root-sha256: '%.80s' is not 64 hex digits",
			    a->root_sha);
		o->have_root_sha256 = true;
	}
	o->max_age = max_age_arg(a->max_age);
	o->allow_debug = a->allow_debug;
	if (a->at == NULL || strcmp(a->at, "now") == 0) {
		o->at_mode = ATTEST_AT_NOW;
	} else {
		struct qt_time t = tool_time_arg(verify_usage, "--at", a->at, QT_TIME_ALLOW_DOC);

		o->at_mode = t.kind == QT_TIME_DOC ? ATTEST_AT_DOC : ATTEST_AT_TIME;
		o->at_ms = t.ms;
	}
	if (o->at_mode == ATTEST_AT_DOC && o->max_age >= 0)
		tool_usage(verify_usage, "--max-age with --at doc measures nothing (the age is 0); "
		                         "use --at now or a time");
	o->platform = tool_profile_arg(verify_usage, a->profile, true, QT_PROFILE_AUTO);
	if (a->manifest == NULL && a->cli.pcr_mask == 0 && !a->cli.nonce.present &&
	    !a->cli.user_data.present && a->pubkey == NULL)
		tool_usage(verify_usage, "verify: no expectations: give --manifest, --expect-pcr, "
		                         "--nonce, --user-data or --public-key");
}

/* The manifest's PCRs, then --expect-pcr on top (a contradiction is an error). */
static int
merge_pcrs(const struct verify_args *a, const struct manifest *m, struct attest_expect *e,
    struct qt_err *err)
{
	size_t i;

	for (i = 0; i < PCR_COUNT; i++) {
		if (m != NULL && (m->pcr_mask & (1u << i))) {
			memcpy(e->pcrs[i], m->pcrs[i], PCR_LEN);
			e->pcr_mask |= 1u << i;
		}
	}
	for (i = 0; i < PCR_COUNT; i++) {
		if (!(a->cli.pcr_mask & (1u << i)))
			continue;
		if ((e->pcr_mask & (1u << i)) && memcmp(e->pcrs[i], a->cli.pcrs[i], PCR_LEN) != 0)
			return qt_err_set(err, EINVAL,
			    "--expect-pcr %zu contradicts the manifest %s", i, a->manifest);
		memcpy(e->pcrs[i], a->cli.pcrs[i], PCR_LEN);
		e->pcr_mask |= 1u << i;
	}
	return 0;
}

/*
 * The directory of the shipped roots: $QT_ROOTS_DIR, else where `make
 * install` puts them.
 */
static const char *
roots_dir(void)
{
	const char *d = getenv("QT_ROOTS_DIR");

	return d != NULL && d[0] != '\0' ? d : QT_ROOTS_DIR;
}

/* --root: a shipped root's word (its fingerprint checked) or a file. */
static int
load_root(const char *arg, uint8_t **ret, size_t *ret_len, struct qt_err *err)
{
	const struct qt_root *r = roots_find(arg);
	uint8_t *raw = NULL;
	size_t rl;
	int rc;

	if (r != NULL)
		return roots_load(r, roots_dir(), ret, ret_len, err);
	rc = fileio_read_all(arg, 65536, &raw, &rl, err) < 0 ||
	             x509_load_der(arg, raw, rl, ret, ret_len, err) < 0
	         ? -1
	         : 0;
	free(raw);
	return rc;
}

/* Inputs other than the document: could not check (2) if unreadable. */
static int
load_inputs(const struct verify_args *a, struct attest_opts *o, struct attest_expect *e,
    uint8_t **ret_root, struct qt_err *err)
{
	struct manifest *m = NULL;
	uint8_t *raw = NULL, *key = NULL;
	size_t rl, kl;
	int r = -1;

	if (a->root != NULL && load_root(a->root, ret_root, &o->root_der_len, err) < 0)
		goto out;
	o->root_der = *ret_root;
	if (a->manifest != NULL) {
		if (fileio_read_all(a->manifest, MANIFEST_MAX, &raw, &rl, err) < 0 ||
		    manifest_parse(a->manifest, raw, rl, &m, err) < 0)
			goto out;
		/* the manifest's profile applies unless --profile says otherwise */
		if (a->profile == NULL)
			o->platform = m->platform == QT_PROFILE_NITRO ? QT_PROFILE_NITRO
			                                              : QT_PROFILE_QINGTIAN;
		free(raw);
		raw = NULL;
	}
	if (merge_pcrs(a, m, e, err) < 0)
		goto out;
	e->nonce = a->cli.nonce;
	e->user_data = a->cli.user_data;
	/* the file as given (qtv_expect_set_public_key reads it), checked here to name it */
	if (a->pubkey != NULL) {
		if (fileio_read_all(a->pubkey, 65536, &raw, &rl, err) < 0 ||
		    x509_load_key_bytes(a->pubkey, raw, rl, ATTEST_PUBKEY_MAX, &key, &kl, err) < 0)
			goto out;
		e->public_key.p = raw;
		e->public_key.len = rl;
		e->public_key.present = true;
		raw = NULL;
	}
	r = 0;
out:
	manifest_free(m);
	free(key);
	free(raw);
	return r;
}

/* A message of the API as the error to report. */
static int
api_err(struct qt_err *err, int status, const char *msg)
{
	return qt_err_set(err, status == QTV_ERR_NOMEM ? ENOMEM : EINVAL, "%s", msg);
}

/* The expectations and options as the API's expectation object. */
static int
make_expect(const struct attest_opts *o, const struct attest_expect *e, qtv_expect **ret,
    struct qt_err *err)
{
	char msg[QTV_ERRMSG_MAX] = "out of memory";
	qtv_expect *x = qtv_expect_new();
	unsigned i;
	int s = QTV_ERR_NOMEM;

	if (x == NULL)
		goto out;
	for (i = 0; i < PCR_COUNT; i++)
		if ((e->pcr_mask & (1u << i)) &&
		    (s = qtv_expect_set_pcr(x, i, e->pcrs[i], PCR_LEN, msg, sizeof(msg))) != QTV_OK)
			goto out;
	if ((e->nonce.present &&
	        (s = qtv_expect_set_nonce(x, e->nonce.p, e->nonce.len, msg, sizeof(msg))) != 0) ||
	    (e->user_data.present && (s = qtv_expect_set_user_data(x, e->user_data.p,
	                                  e->user_data.len, msg, sizeof(msg))) != 0) ||
	    (e->public_key.present && (s = qtv_expect_set_public_key(x, e->public_key.p,
	                                   e->public_key.len, msg, sizeof(msg))) != 0) ||
	    (s = qtv_expect_set_max_age(x, o->max_age, msg, sizeof(msg))) != 0 ||
	    (s = qtv_expect_set_profile(x, qt_profile_name(o->platform), msg, sizeof(msg))) != 0 ||
	    (s = qtv_expect_set_allow_debug(x, o->allow_debug, msg, sizeof(msg))) != 0 ||
	    (o->have_root_sha256 && (s = qtv_expect_set_root_sha256(x, o->root_sha256,
	                                 sizeof(o->root_sha256), msg, sizeof(msg))) != 0))
		goto out;
	*ret = x;
	return 0;
out:
	qtv_expect_free(x);
	return api_err(err, s, msg);
}

/* The text and a newline on standard output. */
static int
print_text(const char *s, struct qt_err *err)
{
	if (fputs(s, stdout) == EOF || fputc('\n', stdout) == EOF)
		return qt_err_set(err, errno, "standard output: %s", strerror(errno));
	return 0;
}

/* Read, check and report the document: the exit code. */
static int
check_document(const char *path, const struct attest_opts *o, const qtv_expect *x,
    enum qt_json style, struct qt_err *err)
{
	const char *name = strcmp(path, "-") == 0 ? "standard input" : path;
	int64_t at = o->at_mode == ATTEST_AT_NOW   ? QTV_AT_NOW
	             : o->at_mode == ATTEST_AT_DOC ? QTV_AT_DOCUMENT
	                                           : o->at_ms;
	qtv_result *res = NULL;
	uint8_t *raw = NULL;
	size_t rl;
	char msg[QTV_ERRMSG_MAX], line[1024], *rep = NULL;
	int v, rc = QT_EXIT_TROUBLE;

	if (fileio_read_all(path, ATTEST_TEXT_MAX, &raw, &rl, err) < 0)
		goto out;
	v = qtv_verify_named(
	    name, raw, rl, o->root_der, o->root_der_len, at, x, &res, msg, sizeof(msg));
	if (res == NULL) {
		api_err(err, v, msg);
		goto out;
	}
	if ((v = qtv_result_report_json(res, style == QT_JSON_PRETTY ? QTV_JSON_PRETTY : 0, &rep,
	         msg, sizeof(msg))) != QTV_OK) {
		api_err(err, v, msg);
		goto out;
	}
	v = qtv_result_verdict(res);
	if (v > QTV_MISMATCH) {
		/* the report names the error too; the message is what counts */
		struct qt_err ignored = { 0 };

		(void)print_text(rep, &ignored);
		qtv_result_summary(res, msg, sizeof(msg));
		api_err(err, v, msg);
		goto out;
	}
	if (print_text(rep, err) < 0)
		goto out;
	if (v != QTV_OK) {
		qtv_result_summary(res, line, sizeof(line));
		tool_warn("%s: %s", name, line);
	}
	rc = v == QTV_OK ? QT_EXIT_OK : QT_EXIT_MISMATCH;
out:
	free(rep);
	qtv_result_free(res);
	free(raw);
	return rc;
}

int
cmd_verify(int argc, char *argv[])
{
	struct verify_args a = { .root = NULL };
	struct attest_opts o = { 0 };
	struct attest_expect e = { 0 };
	struct qt_err err = { 0 };
	enum qt_json style;
	qtv_expect *x = NULL;
	uint8_t *rootder = NULL;
	int rc = QT_EXIT_TROUBLE;

	parse_args(argc, argv, &a);
	check_args(&a, &o);
	style = tool_json_arg(verify_usage, a.json);
	if (load_inputs(&a, &o, &e, &rootder, &err) == 0 && make_expect(&o, &e, &x, &err) == 0)
		rc = check_document(a.path, &o, x, style, &err);
	if (rc == QT_EXIT_TROUBLE)
		tool_report(&err);
	qtv_expect_free(x);
	free(rootder);
	free(a.cli.nonce.p);
	free(a.cli.user_data.p);
	free(e.public_key.p);
	return rc;
}
