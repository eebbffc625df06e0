/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verify.c: `qt-measure verify DOC`: check a live attestation document
 * against a pinned root and the relying party's expectations, print the JSON
 * report (every check and its verdict) and exit 0 / 1 / 2.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest.h"
#include "attest_cmds.h"
#include "attest_report.h"
#include "fileio.h"
#include "manifest.h"
#include "text.h"
#include "tool.h"
#include "x509.h"

static const char verify_usage[] =
    "usage: qt-measure verify --root ROOT.pem | --root-sha256 HEX [--manifest FILE]\n"
    "           [--expect-pcr N=HEX]... [--nonce HEX] [--user-data HEX] [--public-key FILE]\n"
    "           [--at now|doc|TIME] [--max-age SECONDS] [--platform qingtian|nitro|auto]\n"
    "           [--json=pretty|short] DOC\n";

enum {
	OPT_ROOT = 256,
	OPT_ROOT_SHA256,
	OPT_MANIFEST,
	OPT_EXPECT_PCR,
	OPT_NONCE,
	OPT_USER_DATA,
	OPT_PUBLIC_KEY,
	OPT_AT,
	OPT_MAX_AGE,
	OPT_PLATFORM,
	OPT_JSON,
};

static const struct option verify_opts[] = {
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "root-sha256", required_argument, NULL, OPT_ROOT_SHA256 },
	{ "manifest", required_argument, NULL, OPT_MANIFEST },
	{ "expect-pcr", required_argument, NULL, OPT_EXPECT_PCR },
	{ "nonce", required_argument, NULL, OPT_NONCE },
	{ "user-data", required_argument, NULL, OPT_USER_DATA },
	{ "public-key", required_argument, NULL, OPT_PUBLIC_KEY },
	{ "at", required_argument, NULL, OPT_AT },
	{ "max-age", required_argument, NULL, OPT_MAX_AGE },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Any even number of hex digits ("" = expect null/empty), at most max bytes. */
static void
hex_arg(const char *opt, const char *text, size_t max, struct attest_bytes *ret)
{
	size_t n = strlen(text);

	if (n % 2 != 0 || n / 2 > max)
		tool_usage(
		    verify_usage, "%s: '%.32s' is not hex of at most %zu bytes", opt, text, max);
	free(ret->p);
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

static int
load_file(const char *path, size_t max, uint8_t **buf, size_t *len, struct qt_err *err)
{
	return fileio_read_all(path, max, buf, len, err);
}

int
cmd_verify(int argc, char *argv[])
{
	struct attest_opts o = { 0 };
	struct attest_expect e = { 0 }, cli = { 0 };
	struct attest_result *res = NULL;
	struct attest_doc *doc = NULL;
	struct manifest *m = NULL;
	struct qt_err err = { 0 };
	enum qt_json json = QT_JSON_PRETTY;
	const char *root = NULL, *root_sha = NULL, *manifest = NULL, *pubkey = NULL, *at = "now";
	const char *platform = NULL, *path;
	uint8_t *raw = NULL, *bin = NULL, *rootder = NULL;
	size_t rl, bl, i;
	json_t *rep = NULL;
	char *end, why[128];
	int ch, v, rc = QT_EXIT_TROUBLE;

	o.max_age = -1;
	optind = 0;
	opterr = 0; /* reported below as "qt-measure: verify: ..." */
	while ((ch = getopt_long(argc, argv, "h", verify_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_ROOT:
			root = optarg;
			break;
		case OPT_ROOT_SHA256:
			root_sha = optarg;
			break;
		case OPT_MANIFEST:
			manifest = optarg;
			break;
		case OPT_EXPECT_PCR:
			if (expect_pcr_arg(optarg, &cli, why, sizeof(why)) < 0)
				tool_usage(verify_usage, "%s", why);
			break;
		case OPT_NONCE:
			hex_arg("--nonce", optarg, ATTEST_NONCE_MAX, &cli.nonce);
			break;
		case OPT_USER_DATA:
			hex_arg("--user-data", optarg, ATTEST_USERDATA_MAX, &cli.user_data);
			break;
		case OPT_PUBLIC_KEY:
			pubkey = optarg;
			break;
		case OPT_AT:
			at = optarg;
			break;
		case OPT_MAX_AGE:
			errno = 0;
			o.max_age = (int64_t)strtoll(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || optarg[0] == '-' ||
			    optarg[0] == '+' || o.max_age < 0)
				tool_usage(verify_usage,
				    "--max-age: '%.32s' is not a number of seconds", optarg);
			break;
		case OPT_PLATFORM:
			platform = optarg;
			break;
		case OPT_JSON:
			if (tool_parse_json_style(optarg, &json) < 0)
				tool_usage(verify_usage, "--json: unknown style '%.32s'", optarg);
			break;
		case 'h':
			tool_help(verify_usage);
		default:
			tool_usage(verify_usage, "verify: unknown option or missing argument: '%s'",
			    argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		tool_usage(verify_usage, "verify: expected exactly one document operand");
	path = argv[optind];
	if ((root == NULL) == (root_sha == NULL))
		tool_usage(verify_usage, "verify: give exactly one of --root and --root-sha256");
	if (root_sha != NULL) {
		if (qt_unhex(root_sha, o.root_sha256, sizeof(o.root_sha256)) < 0)
			tool_usage(
			    verify_usage, "--root-sha256: '%.80s' is not 64 hex digits", root_sha);
		o.have_root_sha256 = true;
	}
	if (strcmp(at, "now") == 0) {
		o.at_mode = ATTEST_AT_NOW;
	} else {
		struct qt_time t = tool_time_arg(verify_usage, "--at", at, QT_TIME_ALLOW_DOC);

		o.at_mode = t.kind == QT_TIME_DOC ? ATTEST_AT_DOC : ATTEST_AT_TIME;
		o.at_ms = t.ms;
	}
	if (o.at_mode == ATTEST_AT_DOC && o.max_age >= 0)
		tool_usage(verify_usage, "--max-age with --at doc measures nothing (the age is 0); "
		                         "use --at now or a time");
	if (platform == NULL || strcmp(platform, "auto") == 0)
		o.platform = QT_PROFILE_AUTO;
	else if (strcmp(platform, "qingtian") == 0)
		o.platform = QT_PROFILE_QINGTIAN;
	else if (strcmp(platform, "nitro") == 0)
		o.platform = QT_PROFILE_NITRO;
	else
		tool_usage(
		    verify_usage, "--platform: '%.32s' is not qingtian, nitro or auto", platform);
	if (manifest == NULL && cli.pcr_mask == 0 && !cli.nonce.present && !cli.user_data.present &&
	    pubkey == NULL)
		tool_usage(verify_usage, "verify: no expectations: give --manifest, --expect-pcr, "
		                         "--nonce, --user-data or --public-key");

	/* Inputs other than the document: could not check (2) if unreadable. */
	if (root != NULL) {
		if (load_file(root, 65536, &raw, &rl, &err) < 0 ||
		    x509_load_der(root, raw, rl, &rootder, &o.root_der_len, &err) < 0)
			goto out;
		o.root_der = rootder;
		free(raw);
		raw = NULL;
	}
	if (manifest != NULL) {
		if (load_file(manifest, MANIFEST_MAX, &raw, &rl, &err) < 0 ||
		    manifest_parse(manifest, raw, rl, &m, &err) < 0)
			goto out;
		free(raw);
		raw = NULL;
		for (i = 0; i < PCR_COUNT; i++)
			if (m->pcr_mask & (1u << i)) {
				memcpy(e.pcrs[i], m->pcrs[i], PCR_LEN);
				e.pcr_mask |= 1u << i;
			}
		/* the manifest's profile applies unless --platform says otherwise */
		if (platform == NULL)
			o.platform = m->platform == QT_PROFILE_NITRO ? QT_PROFILE_NITRO
			                                             : QT_PROFILE_QINGTIAN;
	}
	for (i = 0; i < PCR_COUNT; i++) {
		if (!(cli.pcr_mask & (1u << i)))
			continue;
		if ((e.pcr_mask & (1u << i)) && memcmp(e.pcrs[i], cli.pcrs[i], PCR_LEN) != 0) {
			qt_err_set(&err, EINVAL, "--expect-pcr %zu contradicts the manifest %s", i,
			    manifest);
			goto out;
		}
		memcpy(e.pcrs[i], cli.pcrs[i], PCR_LEN);
		e.pcr_mask |= 1u << i;
	}
	e.nonce = cli.nonce;
	e.user_data = cli.user_data;
	if (pubkey != NULL) {
		if (load_file(pubkey, 65536, &raw, &rl, &err) < 0 ||
		    x509_load_key_bytes(pubkey, raw, rl, ATTEST_PUBKEY_MAX, &e.public_key.p,
		        &e.public_key.len, &err) < 0)
			goto out;
		e.public_key.present = true;
		free(raw);
		raw = NULL;
	}

	/* The document. */
	if (load_file(path, ATTEST_TEXT_MAX, &raw, &rl, &err) < 0 ||
	    attest_decode_text(
	        strcmp(path, "-") == 0 ? "standard input" : path, raw, rl, &bin, &bl, &err) < 0 ||
	    attest_parse(strcmp(path, "-") == 0 ? "standard input" : path, bin, bl, o.platform,
	        &doc, &err) < 0) {
		if ((rep = attest_report_json(NULL, NULL, err.msg)) != NULL)
			tool_print_json(rep, json, NULL);
		goto out;
	}
	if ((res = calloc(1, sizeof(*res))) == NULL) {
		qt_err_set(&err, ENOMEM, "out of memory");
		goto out;
	}
	if ((v = attest_verify(doc, &o, &e, res, &err)) < 0) {
		if ((rep = attest_report_json(doc, NULL, err.msg)) != NULL)
			tool_print_json(rep, json, NULL);
		goto out;
	}
	if ((rep = attest_report_json(doc, res, NULL)) == NULL) {
		qt_err_set(&err, ENOMEM, "out of memory");
		goto out;
	}
	if (tool_print_json(rep, json, &err) < 0)
		goto out;
	rc = v == 0 ? QT_EXIT_OK : QT_EXIT_MISMATCH;
out:
	if (rc == QT_EXIT_TROUBLE)
		tool_report(&err);
	json_decref(rep);
	free(res);
	attest_free(doc);
	manifest_free(m);
	free(raw);
	free(bin);
	free(rootder);
	free(cli.nonce.p);
	free(cli.user_data.p);
	free(e.public_key.p);
	return rc;
}
