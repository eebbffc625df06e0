/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qt-sign: sign an enclave image (EIF) so that PCR8 pins the signing
 * certificate; re-sign, remove, verify, and the detached two-phase flow
 * (--digest / --attach) for keys that never touch the build machine.
 * argv -> struct sign_args -> formats/signer.c (keys, signatures) and
 * formats/eif_build.c (rewriting the image) -> JSON on stdout -> exit code.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "describe.h"
#include "eif.h"
#include "eif_build.h"
#include "eif_sig.h"
#include "fileio.h"
#include "manifest.h"
#include "signer.h"
#include "text.h"
#include "tool.h"

static const char usage_text[] =
    "usage: qt-sign IMAGE --key KEY --cert CERT [-o OUT] [--pass SPEC]\n"
    "               [--pkcs11-module MODULE] [--allow-expired-cert] [--profile qingtian|nitro]\n"
    "               [--json=pretty|short] [--progress | --quiet]\n"
    "       qt-sign --remove IMAGE [-o OUT] [--progress | --quiet]\n"
    "       qt-sign --verify IMAGE [--cert CERT | --ca CA] [--manifest FILE] [--at TIME]\n"
    "               [--allow-expired-cert] [--json=pretty|short] [--progress | --quiet]\n"
    "       qt-sign --digest IMAGE --cert CERT [-o OUT] [--allow-expired-cert]\n"
    "               [--progress | --quiet]\n"
    "       qt-sign --attach SIG --cert CERT IMAGE [-o OUT] [--allow-expired-cert]\n"
    "               [--progress | --quiet]\n"
    "       qt-sign --help | --version\n";

/* The rest of --help, after the synopsis. */
static const char help_text[] =
    "Sign an enclave image (PCR8), remove or check its signature, or sign it\n"
    "offline (--digest, then --attach).\n"
    "\n"
    "Modes (default: sign):\n"
    "  --remove                   remove the signature\n"
    "  --verify                   check the signature (exit 1 if it is not good)\n"
    "  --digest                   write what an offline signer must sign\n"
    "  --attach SIG               attach SIG, made offline, as the signature\n"
    "Keys and certificates:\n"
    "  --key KEY                  the signing key (PEM file or pkcs11: URI)\n"
    "  --cert CERT                the signing certificate (PEM)\n"
    "  --pass SPEC                KEY's passphrase (pass:, env:, file:, fd:)\n"
    "  --pkcs11-module MODULE     the PKCS#11 module for a pkcs11: key\n"
    "  --allow-expired-cert       accept a certificate that is not valid at the time\n"
    "Checking (--verify):\n"
    "  --ca CA                    the certificate must chain to CA\n"
    "  --manifest FILE            the signer (PCR8) must be the manifest's\n"
    "  --at TIME                  validity at TIME (now, @SECONDS, DATE, RFC 3339)\n"
    "Output:\n"
    "  -o, --output OUT           write to OUT (default: IMAGE in place, atomically)\n"
    "  --json=pretty|short        the style of the JSON on standard output\n"
    "  --profile qingtian|nitro   whose conventions to follow (default qingtian)\n"
    "  --format qingtian|nitro    deprecated spelling of --profile\n"
    "Progress (on standard error):\n"
    "  --progress                 a plain line every 2 s (default: a line that updates,\n"
    "                             on a terminal, after a second)\n"
    "  --quiet                    no progress\n"
    "Other:\n"
    "  -h, --help                 this text\n"
    "  --version                  the version\n"
    "\n"
    "Exit status: 0 done (with --verify: the signature is good); 1 --verify or\n"
    "--attach: the check ran and the answer is no; 2 could not be done (usage\n"
    "error, unreadable input, bad key or passphrase, I/O error): nothing written.\n"
    "See qt-sign(1).\n";

enum mode { MODE_SIGN, MODE_REMOVE, MODE_VERIFY, MODE_DIGEST, MODE_ATTACH };

struct sign_args {
	enum mode mode;
	bool mode_set;
	const char *image;
	const char *key;
	const char *cert;
	const char *ca;
	const char *manifest; /* --verify --manifest: PCR8 pinned by a manifest */
	const char *pass;
	const char *pkcs11_module;
	const char *output;
	const char *sig; /* --attach SIG */
	const char *at;
	const char *profile_text; /* --profile (or the old --format) */
	const char *json_text;
	bool allow_expired;
	enum qt_profile shape;
	enum qt_json json;
	int64_t at_s;                     /* --at, else now */
	enum tool_progress_mode progress; /* --progress, --quiet */
};

enum {
	OPT_KEY = 256,
	OPT_CERT,
	OPT_CA,
	OPT_MANIFEST,
	OPT_PASS,
	OPT_PKCS11_MODULE,
	OPT_ALLOW_EXPIRED,
	OPT_REMOVE,
	OPT_VERIFY,
	OPT_DIGEST,
	OPT_ATTACH,
	OPT_AT,
	OPT_PROFILE,
	OPT_FORMAT,
	OPT_JSON,
	OPT_VERSION,
	OPT_PROGRESS,
	OPT_QUIET,
};

static const struct option longopts[] = {
	{ "key", required_argument, NULL, OPT_KEY },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "ca", required_argument, NULL, OPT_CA },
	{ "manifest", required_argument, NULL, OPT_MANIFEST },
	{ "pass", required_argument, NULL, OPT_PASS },
	{ "pkcs11-module", required_argument, NULL, OPT_PKCS11_MODULE },
	{ "allow-expired-cert", no_argument, NULL, OPT_ALLOW_EXPIRED },
	{ "remove", no_argument, NULL, OPT_REMOVE },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "digest", no_argument, NULL, OPT_DIGEST },
	{ "attach", required_argument, NULL, OPT_ATTACH },
	{ "at", required_argument, NULL, OPT_AT },
	{ "output", required_argument, NULL, 'o' },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ NULL, 0, NULL, 0 },
};

static void
set_mode(struct sign_args *a, enum mode m, const char *name)
{
	if (a->mode_set)
		tool_usage(usage_text, "--%s cannot be combined with another mode", name);
	a->mode = m;
	a->mode_set = true;
}

static int
print_measurements(const struct sign_args *a, const struct pcr_set *p, struct qt_err *err)
{
	json_t *doc = NULL;
	int r = -1;

	if (describe_measurements(p, a->shape, &doc, err) == 0 &&
	    tool_print_json(doc, a->json, err) == 0)
		r = 0;
	json_decref(doc);
	return r;
}

/* verify, digest: the image read once, progress shown as --progress/--quiet say. */
static int
read_image(const struct sign_args *a, struct eif_info **ret, struct qt_err *err)
{
	struct eif_read_cb cb = { 0 };
	struct tool_progress prog;
	int r;

	tool_progress_start(&prog, a->progress, "read", 0);
	cb.progress = tool_progress_hook(&prog);
	r = eif_read_path(a->image, &cb, 0, ret, err);
	tool_progress_end(&prog);
	return r;
}

/* sign, remove, attach: copy the image into a temporary file beside OUT, then rename. */
static int
rewrite(
    const struct sign_args *a, eif_section_fn make, void *ctx, struct signer *s, struct qt_err *err)
{
	const char *out_path = a->output != NULL ? a->output : a->image;
	struct fileio_out out = { .fd = -1 };
	struct pcr_set pcrs;
	struct tool_progress prog;
	struct qt_progress_cb hook;
	bool was_signed = false;
	int v, rc = QT_EXIT_TROUBLE;

	if (fileio_out_open(out_path, &out, err) < 0)
		goto out;
	tool_progress_start(&prog, a->progress, "written", 0);
	hook = tool_progress_hook(&prog);
	v = eif_rewrite(a->image, out.fd, out_path, make, ctx, &hook, &pcrs, &was_signed, err);
	tool_progress_end(&prog);
	if (v != 0) {
		rc = v == 1 ? QT_EXIT_MISMATCH : QT_EXIT_TROUBLE;
		goto out;
	}
	if (a->mode == MODE_REMOVE && !was_signed && a->output == NULL) {
		tool_warn("%s: not signed, nothing to remove; left unchanged", a->image);
		pcrs.has_pcr8 = false;
		fileio_out_abort(&out);
		rc = print_measurements(a, &pcrs, err) == 0 ? QT_EXIT_OK : QT_EXIT_TROUBLE;
		goto out;
	}
	pcrs.has_pcr8 = false;
	if (s != NULL) {
		if (signer_pcr8(s, pcrs.pcr8, err) < 0)
			goto out;
		pcrs.has_pcr8 = true;
	}
	if (fileio_out_commit(&out, err) < 0)
		goto out;
	rc = print_measurements(a, &pcrs, err) == 0 ? QT_EXIT_OK : QT_EXIT_TROUBLE;
out:
	fileio_out_abort(&out);
	return rc;
}

struct attach_ctx {
	struct signer *s;
	const char *sig_name;
	const uint8_t *sig;
	size_t sig_len;
};

static int
attach_section(void *ctx, const uint8_t pcr0[48], struct wbuf *ret, struct qt_err *err)
{
	struct attach_ctx *c = ctx;

	return signer_attach(c->s, c->sig_name, c->sig, c->sig_len, pcr0, ret, err);
}

/* --manifest: the PCR8 it pins; a manifest of an unsigned image pins nothing. */
static int
manifest_pcr8(const char *path, uint8_t ret[48], struct qt_err *err)
{
	static const uint8_t zero[48];
	struct manifest *m = NULL;
	uint8_t *raw = NULL;
	size_t rl;
	int rc = -1;

	if (fileio_read_all(path, MANIFEST_MAX, &raw, &rl, err) < 0 ||
	    manifest_parse(path, raw, rl, &m, err) < 0)
		goto out;
	if (!m->is_signed || !(m->pcr_mask & (1u << 8)) || memcmp(m->pcrs[8], zero, 48) == 0) {
		qt_err_set(err, EINVAL,
		    "%s: the manifest is of an unsigned image: it pins no signer", path);
		goto out;
	}
	memcpy(ret, m->pcrs[8], 48);
	rc = 0;
out:
	manifest_free(m);
	free(raw);
	return rc;
}

static int
do_verify(const struct sign_args *a, struct qt_err *err)
{
	struct signer_verify_opts vo = { a->cert, a->ca, a->at_s, a->allow_expired, NULL, NULL };
	struct eif_info *info = NULL;
	struct qt_err ignored = { 0 };
	struct pcr_set p8;
	uint8_t pcr8[48], pin[48];
	char hex[97];
	bool have8 = false, pinned = a->cert != NULL || a->ca != NULL || a->manifest != NULL;
	json_t *doc = NULL;
	int v, rc = QT_EXIT_TROUBLE;

	if (a->manifest != NULL) {
		if (manifest_pcr8(a->manifest, pin, err) < 0)
			goto out;
		vo.pcr8_pin = pin;
		vo.pin_name = a->manifest;
	}
	if (read_image(a, &info, err) < 0)
		goto out;
	if (info->signature == NULL) {
		qt_err_set(err, EINVAL, "%s: the image is not signed", a->image);
		v = 1;
	} else if (eif_crc_check(a->image, info, err) < 0) {
		/* still say who signed it: a bad CRC is not "unsigned" */
		if (eif_sig_image_pcr8(a->image, info, &p8, &ignored) == 0 && p8.has_pcr8) {
			memcpy(pcr8, p8.pcr8, sizeof(pcr8));
			have8 = true;
		}
		v = 1;
	} else {
		v = signer_verify(a->image, info->signature, info->signature_len, info->pcrs.pcr0,
		    &vo, pcr8, &have8, err);
		if (v < 0)
			goto out;
	}
	/* Data on stdout whenever the check ran; the reason for "no" on stderr. */
	if ((doc = json_object()) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	qt_hex(info->pcrs.pcr0, 48, hex);
	json_object_set_new(doc, "PCR0", json_string(hex));
	if (have8) {
		qt_hex(pcr8, 48, hex);
		json_object_set_new(doc, "PCR8", json_string(hex));
	} else {
		json_object_set_new(doc, "PCR8", json_null());
	}
	json_object_set_new(doc, "Verified", json_boolean(v == 0));
	json_object_set_new(doc, "SignerPinned", json_boolean(pinned));
	if (tool_print_json(doc, a->json, err) < 0)
		goto out;
	if (v == 1)
		tool_report(err);
	else if (!pinned)
		tool_warn("%s: the signer was not pinned (no --cert, --ca or --manifest): the "
		          "signature is consistent, but anyone's key could have made it",
		    a->image);
	rc = v == 0 ? QT_EXIT_OK : QT_EXIT_MISMATCH;
out:
	json_decref(doc);
	eif_info_free(info);
	return rc;
}

static int
do_digest(const struct sign_args *a, struct signer *s, struct qt_err *err)
{
	struct eif_info *info = NULL;
	struct wbuf tbs = { 0 };
	struct fileio_out out = { .fd = -1 };
	int rc = QT_EXIT_TROUBLE;

	if (read_image(a, &info, err) < 0 || signer_tbs(s, info->pcrs.pcr0, &tbs, err) < 0)
		goto out;
	if (a->output == NULL || strcmp(a->output, "-") == 0) {
		if (fileio_write_all(STDOUT_FILENO, "standard output", tbs.p, tbs.len, err) < 0)
			goto out;
	} else if (fileio_out_open(a->output, &out, err) < 0 ||
	           fileio_write_all(out.fd, a->output, tbs.p, tbs.len, err) < 0 ||
	           fileio_out_commit(&out, err) < 0) {
		goto out;
	}
	rc = QT_EXIT_OK;
out:
	fileio_out_abort(&out);
	wbuf_free(&tbs);
	eif_info_free(info);
	return rc;
}

static void
set_option(struct sign_args *a, int ch, const char *arg)
{
	switch (ch) {
	case OPT_KEY:
		tool_set_once(usage_text, &a->key, "key", arg);
		break;
	case OPT_CERT:
		tool_set_once(usage_text, &a->cert, "cert", arg);
		break;
	case OPT_CA:
		tool_set_once(usage_text, &a->ca, "ca", arg);
		break;
	case OPT_MANIFEST:
		tool_set_once(usage_text, &a->manifest, "manifest", arg);
		break;
	case OPT_PASS:
		tool_set_once(usage_text, &a->pass, "pass", arg);
		break;
	case OPT_PKCS11_MODULE:
		tool_set_once(usage_text, &a->pkcs11_module, "pkcs11-module", arg);
		break;
	case OPT_ALLOW_EXPIRED:
		a->allow_expired = true;
		break;
	case OPT_REMOVE:
		set_mode(a, MODE_REMOVE, "remove");
		break;
	case OPT_VERIFY:
		set_mode(a, MODE_VERIFY, "verify");
		break;
	case OPT_DIGEST:
		set_mode(a, MODE_DIGEST, "digest");
		break;
	case OPT_ATTACH:
		set_mode(a, MODE_ATTACH, "attach");
		a->sig = arg;
		break;
	case OPT_AT:
		tool_set_once(usage_text, &a->at, "at", arg);
		a->at_s = qt_time_ms_to_s(tool_time_arg(usage_text, "--at", arg, 0).ms);
		break;
	case 'o':
		tool_set_once(usage_text, &a->output, "output", arg);
		break;
	case OPT_PROFILE:
		tool_set_once(usage_text, &a->profile_text, "profile", arg);
		break;
	case OPT_FORMAT:
		tool_profile_alias(usage_text, &a->profile_text, "--format",
		    "--format qingtian|nitro", "--profile qingtian|nitro", arg, false);
		break;
	case OPT_JSON:
		tool_set_once(usage_text, &a->json_text, "json", arg);
		break;
	case OPT_PROGRESS:
	case OPT_QUIET:
		a->progress = tool_progress_arg(usage_text, a->progress, ch == OPT_PROGRESS);
		break;
	}
}

static void
parse_args(int argc, char *argv[], struct sign_args *a)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			tool_help(usage_text, help_text);
		case OPT_VERSION:
			tool_version();
		case '?':
			tool_usage(usage_text, NULL);
		default:
			set_option(a, ch, optarg);
		}
	}
	a->image = tool_one_operand(usage_text, argc - optind, argv[optind], NULL, "IMAGE");
	a->shape = tool_profile_arg(usage_text, a->profile_text, false, QT_PROFILE_QINGTIAN);
	a->json = tool_json_arg(usage_text, a->json_text);
}

/* Which options each mode takes. */
static void
check_mode_options(const struct sign_args *a)
{
	bool writes_image = a->mode != MODE_VERIFY && a->mode != MODE_DIGEST;

	if (a->mode != MODE_SIGN && (a->key != NULL || a->pass != NULL || a->pkcs11_module != NULL))
		tool_usage(usage_text, "--key, --pass and --pkcs11-module are for signing only");
	if (a->mode != MODE_VERIFY && (a->ca != NULL || a->at != NULL || a->manifest != NULL))
		tool_usage(usage_text, "--ca, --manifest and --at are for --verify only");
	if (a->mode == MODE_VERIFY && a->ca != NULL && a->cert != NULL)
		tool_usage(usage_text, "give --cert or --ca, not both");
	if ((a->mode == MODE_SIGN || a->mode == MODE_DIGEST || a->mode == MODE_ATTACH) &&
	    a->cert == NULL)
		tool_usage(usage_text, "--cert CERT is required");
	if (a->mode == MODE_SIGN && a->key == NULL)
		tool_usage(usage_text, "--key KEY is required to sign");
	if (a->mode == MODE_REMOVE && a->cert != NULL)
		tool_usage(usage_text, "--remove takes no --cert");
	if (a->mode == MODE_VERIFY && a->output != NULL)
		tool_usage(usage_text, "--verify writes no image: no -o");
	if (writes_image && a->output == NULL && strcmp(a->image, "-") == 0)
		tool_usage(usage_text, "IMAGE '-' (standard input) needs -o OUT");
	if (writes_image && a->output != NULL && strcmp(a->output, "-") == 0)
		tool_usage(usage_text, "-o: the image cannot go to standard output; give a file");
	if (a->mode == MODE_DIGEST && (a->output == NULL || strcmp(a->output, "-") == 0) &&
	    isatty(STDOUT_FILENO))
		tool_usage(usage_text,
		    "--digest: refusing to write binary data to a terminal (redirect or use -o)");
}

/* Every check on key and certificate happens before anything is written. */
static int
load_signer(const struct sign_args *a, struct signer **ret, struct qt_err *err)
{
	struct signer_opts so = { 0 };

	*ret = NULL;
	if (a->cert == NULL || a->mode == MODE_VERIFY)
		return 0;
	so.key = a->mode == MODE_SIGN ? a->key : NULL;
	so.cert = a->cert;
	so.pass = a->pass;
	so.pkcs11_module = a->pkcs11_module;
	so.allow_expired = a->allow_expired;
	so.now = (int64_t)time(NULL);
	return signer_new(&so, ret, err);
}

static int
do_attach(const struct sign_args *a, struct signer *s, struct qt_err *err)
{
	struct attach_ctx ac = { s, a->sig, NULL, 0 };
	uint8_t *sig = NULL;
	size_t sig_len = 0;
	int rc;

	if (fileio_read_all(a->sig, 1024, &sig, &sig_len, err) < 0)
		return QT_EXIT_TROUBLE;
	ac.sig = sig;
	ac.sig_len = sig_len;
	rc = rewrite(a, attach_section, &ac, s, err);
	free(sig);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct sign_args a = { .at_s = (int64_t)time(NULL) };
	struct qt_err err = { 0 };
	struct signer *s = NULL;
	int rc = QT_EXIT_TROUBLE;

	tool_init(argv[0]);
	parse_args(argc, argv, &a);
	check_mode_options(&a);
	if (load_signer(&a, &s, &err) < 0)
		goto out;
	switch (a.mode) {
	case MODE_SIGN:
		rc = rewrite(&a, eif_build_sign_section, s, s, &err);
		break;
	case MODE_REMOVE:
		rc = rewrite(&a, NULL, NULL, NULL, &err);
		break;
	case MODE_VERIFY:
		rc = do_verify(&a, &err);
		break;
	case MODE_DIGEST:
		rc = do_digest(&a, s, &err);
		break;
	case MODE_ATTACH:
		rc = do_attach(&a, s, &err);
		break;
	}
out:
	if (rc != QT_EXIT_OK && !(a.mode == MODE_VERIFY && rc == QT_EXIT_MISMATCH))
		tool_report(&err);
	signer_free(s);
	return tool_finish(rc);
}
