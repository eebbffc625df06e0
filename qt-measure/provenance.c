/* SPDX-License-Identifier: Apache-2.0 */
/*
 * provenance.c: `qt-measure provenance IMAGE` (an in-toto statement about
 * an image, signed into a DSSE envelope when a key is given) and
 * `qt-measure verify-provenance ENVELOPE [IMAGE]` (qt-provenance(5)).
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corim.h"
#include "dsse.h"
#include "fileio.h"
#include "provenance.h"
#include "signer.h"
#include "supply.h"
#include "text.h"
#include "tool.h"
#include "x509.h"

#define PEM_FILE_MAX (1u << 20)

int
supply_write(const char *path, const uint8_t *buf, size_t len, struct qt_err *err)
{
	struct fileio_out out = { -1, NULL, NULL };

	if (path == NULL || strcmp(path, "-") == 0) {
		if (fwrite(buf, 1, len, stdout) != len)
			return qt_err_set(err, EIO, "standard output: write failed");
		return 0;
	}
	if (fileio_out_open(path, &out, err) < 0)
		return -1;
	if (fileio_write_all(out.fd, path, buf, len, err) < 0 || fileio_out_commit(&out, err) < 0) {
		fileio_out_abort(&out);
		return -1;
	}
	return 0;
}

/* The base name of path (a copy in out). */
static void
base_name(const char *path, char *out, size_t size)
{
	const char *b = strrchr(path, '/');

	snprintf(out, size, "%s", b != NULL && b[1] != '\0' ? b + 1 : path);
}

static const char provenance_usage[] =
    "usage: qt-measure provenance [--profile qingtian|nitro] [--predicate slsa|measurement]\n"
    "           [--manifest FILE] [--corim FILE] [--key KEY --cert CERT [--pass SPEC]\n"
    "           [--pkcs11-module MODULE] [--allow-expired-cert]] [-o FILE]\n"
    "           [--progress | --quiet] IMAGE\n";

/* The rest of --help, after the synopsis. */
static const char provenance_help[] =
    "An in-toto statement about an image (qt-provenance(5)), signed as a DSSE\n"
    "envelope with --key and --cert.\n"
    "\n"
    "  --profile qingtian|nitro   whose conventions to follow (default qingtian)\n"
    "  --predicate slsa|measurement  the predicate (default slsa)\n"
    "  --manifest FILE            include the image's manifest\n"
    "  --corim FILE               include a CoRIM of the image\n"
    "Signing:\n"
    "  --key KEY                  the signing key (PEM file or pkcs11: URI)\n"
    "  --cert CERT                the signing certificate (PEM)\n"
    "  --pass SPEC                KEY's passphrase (pass:, env:, file:, fd:)\n"
    "  --pkcs11-module MODULE     the PKCS#11 module for a pkcs11: key\n"
    "  --allow-expired-cert       sign with a certificate that is not valid now\n"
    "Output:\n"
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
	OPT_PREDICATE,
	OPT_MANIFEST,
	OPT_CORIM,
	OPT_KEY,
	OPT_CERT,
	OPT_PASS,
	OPT_PKCS11_MODULE,
	OPT_ALLOW_EXPIRED,
	OPT_CA,
	OPT_AT,
	OPT_PROGRESS,
	OPT_QUIET,
};

static const struct option provenance_opts[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "predicate", required_argument, NULL, OPT_PREDICATE },
	{ "manifest", required_argument, NULL, OPT_MANIFEST },
	{ "corim", required_argument, NULL, OPT_CORIM },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "pass", required_argument, NULL, OPT_PASS },
	{ "pkcs11-module", required_argument, NULL, OPT_PKCS11_MODULE },
	{ "allow-expired-cert", no_argument, NULL, OPT_ALLOW_EXPIRED },
	{ "output", required_argument, NULL, 'o' },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* A byproduct: its digest, and that it describes the image m. 0, 1 disagrees, -1 error. */
static int
byproduct(const struct manifest *m, const char *path, bool is_corim, struct prov_ref *ref,
    char *name, size_t name_size, struct qt_err *err)
{
	struct manifest *other = NULL;
	uint8_t *buf = NULL, sha384[48];
	size_t len;
	int rv = -1;

	if (fileio_read_all(path, is_corim ? CORIM_MAX : MANIFEST_MAX, &buf, &len, err) < 0 ||
	    prov_file_digests(path, ref->sha256, sha384, err) < 0)
		goto out;
	base_name(path, name, name_size);
	ref->name = name;
	if (is_corim) {
		ref->media_type =
		    len > 0 && buf[0] == 0xd2 ? "application/rim+cose" : "application/rim+cbor";
		rv = corim_agrees(path, buf, len, m, err);
	} else {
		ref->media_type = "application/json";
		if (manifest_parse(path, buf, len, &other, err) < 0)
			goto out;
		rv = prov_manifest_agrees(m, other, path, err);
	}
out:
	manifest_free(other);
	free(buf);
	return rv;
}

int
cmd_provenance(int argc, char *argv[])
{
	const char *profile = NULL, *predicate = NULL, *man = NULL, *corim = NULL, *out = NULL;
	const char *path;
	struct signer_opts so = { 0 };
	struct prov_opts po = { 0 };
	struct prov_ref refs[2];
	char names[2][256];
	struct manifest *m = NULL;
	struct signer *s = NULL;
	struct qt_err err = { 0 };
	char *text = NULL, *env = NULL;
	size_t len, env_len;
	enum qt_profile platform;
	enum tool_progress_mode mode = TOOL_PROGRESS_AUTO;
	int ch, v, rc = QT_EXIT_TROUBLE;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "ho:", provenance_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_PROFILE:
			tool_set_once(provenance_usage, &profile, "profile", optarg);
			break;
		case OPT_PREDICATE:
			tool_set_once(provenance_usage, &predicate, "predicate", optarg);
			break;
		case OPT_MANIFEST:
			tool_set_once(provenance_usage, &man, "manifest", optarg);
			break;
		case OPT_CORIM:
			tool_set_once(provenance_usage, &corim, "corim", optarg);
			break;
		case OPT_KEY:
			tool_set_once(provenance_usage, &so.key, "key", optarg);
			break;
		case OPT_CERT:
			tool_set_once(provenance_usage, &so.cert, "cert", optarg);
			break;
		case OPT_PASS:
			tool_set_once(provenance_usage, &so.pass, "pass", optarg);
			break;
		case OPT_PKCS11_MODULE:
			tool_set_once(provenance_usage, &so.pkcs11_module, "pkcs11-module", optarg);
			break;
		case OPT_ALLOW_EXPIRED:
			so.allow_expired = true;
			break;
		case 'o':
			tool_set_once(provenance_usage, &out, "output", optarg);
			break;
		case OPT_PROGRESS:
		case OPT_QUIET:
			mode = tool_progress_arg(provenance_usage, mode, ch == OPT_PROGRESS);
			break;
		case 'h':
			tool_help(provenance_usage, provenance_help);
		default:
			tool_usage(provenance_usage,
			    "provenance: unknown option or missing argument: '%s'",
			    argv[optind - 1]);
		}
	}
	path =
	    tool_one_operand(provenance_usage, argc - optind, argv[optind], "provenance", "IMAGE");
	platform = tool_profile_arg(provenance_usage, profile, false, QT_PROFILE_QINGTIAN);
	if (predicate != NULL && prov_predicate_parse(predicate, &po.predicate) < 0)
		tool_usage(
		    provenance_usage, "--predicate: '%s' is not slsa or measurement", predicate);
	if ((so.key == NULL) != (so.cert == NULL))
		tool_usage(provenance_usage, "provenance: --key and --cert go together");
	if (so.key == NULL && (so.pass != NULL || so.pkcs11_module != NULL || so.allow_expired))
		tool_usage(provenance_usage,
		    "provenance: --pass, --pkcs11-module and --allow-expired-cert need --key");
	po.builder = "qt-measure";
	po.refs = refs;
	so.now = qt_time_ms_to_s(qt_time_now_ms());
	/* Every input is checked before anything is written. */
	if (so.key != NULL && signer_new(&so, &s, &err) < 0)
		goto out;
	if (tool_manifest_from_image(path, platform, mode, &m, &err) < 0)
		goto out;
	if (man != NULL) {
		v = byproduct(
		    m, man, false, &refs[po.nrefs], names[po.nrefs], sizeof(names[0]), &err);
		if (v != 0) {
			rc = v == 1 ? QT_EXIT_MISMATCH : QT_EXIT_TROUBLE;
			goto out;
		}
		po.nrefs++;
	}
	if (corim != NULL) {
		v = byproduct(
		    m, corim, true, &refs[po.nrefs], names[po.nrefs], sizeof(names[0]), &err);
		if (v != 0) {
			rc = v == 1 ? QT_EXIT_MISMATCH : QT_EXIT_TROUBLE;
			goto out;
		}
		po.nrefs++;
	}
	if (prov_statement(m, &po, &text, &len, &err) < 0)
		goto out;
	if (s != NULL) {
		if (dsse_sign(s, DSSE_INTOTO_TYPE, (const uint8_t *)text, len, &env, &env_len,
		        &err) < 0 ||
		    supply_write(out, (const uint8_t *)env, env_len, &err) < 0)
			goto out;
	} else if (supply_write(out, (const uint8_t *)text, len, &err) < 0) {
		goto out;
	}
	rc = QT_EXIT_OK;
out:
	if (rc != QT_EXIT_OK)
		tool_report(&err);
	free(text);
	free(env);
	signer_free(s);
	manifest_free(m);
	return rc;
}

/* --- verify-provenance ---------------------------------------------------------------- */

static const char verify_provenance_usage[] =
    "usage: qt-measure verify-provenance --cert CERT [--ca CA] [--at TIME]\n"
    "           [--allow-expired-cert] ENVELOPE [IMAGE]\n";

/* The rest of --help, after the synopsis. */
static const char verify_provenance_help[] =
    "Check a signed provenance envelope, and that IMAGE is its subject.\n"
    "\n"
    "  --cert CERT                the certificate a signature must verify with\n"
    "  --ca CA                    CERT must chain to CA\n"
    "  --at TIME                  validity at TIME (now, @SECONDS, DATE, RFC 3339)\n"
    "  --allow-expired-cert       accept a certificate not valid at the time\n"
    "  -h, --help                 this text\n"
    "\n"
    "Exit status: 0 done (checks pass); 1 a check ran and failed; 2 usage error,\n"
    "unreadable or malformed input, I/O error (nothing on standard output).\n"
    "See qt-measure(1).\n";

static const struct option verify_provenance_opts[] = {
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "ca", required_argument, NULL, OPT_CA },
	{ "at", required_argument, NULL, OPT_AT },
	{ "allow-expired-cert", no_argument, NULL, OPT_ALLOW_EXPIRED },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The certificate chain of cert_pem anchored in ca_path at t_ms: 0, 1 (err says why), -1. */
static int
check_chain(const char *cert_path, X509 *cert, const uint8_t *pem, size_t pem_len,
    const char *ca_path, int64_t t_ms, bool allow_expired, struct qt_err *err)
{
	X509_STORE *store = NULL;
	STACK_OF(X509) *extra = NULL;
	char why[400];
	int rv = -1;

	if (x509_load_anchors(ca_path, &store, err) < 0 ||
	    x509_pem_rest(cert_path, pem, pem_len, QT_CHAIN_MAX, &extra, err) < 0)
		goto out;
	rv = x509_verify_chain(cert, extra, store, t_ms, allow_expired ? X509_VERIFY_NO_TIME : 0,
	    why, sizeof(why), err);
	if (rv == 1)
		qt_err_set(err, EINVAL, "%s: does not chain to %s: %s", cert_path, ca_path, why);
out:
	sk_X509_pop_free(extra, X509_free);
	X509_STORE_free(store);
	return rv;
}

int
cmd_verify_provenance(int argc, char *argv[])
{
	const char *cert_path = NULL, *ca = NULL, *at = NULL, *env_path, *image = NULL;
	bool allow_expired = false;
	struct dsse_env *e = NULL;
	struct qt_err err = { 0 };
	struct qt_time t;
	uint8_t *buf = NULL, *pem = NULL, sha256[32], sha384[48];
	size_t len, pem_len, idx;
	char subj[256], pred[256], when[32], keyid[65], subject_dn[256];
	X509 *cert = NULL;
	int ch, v, rc = QT_EXIT_TROUBLE;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", verify_provenance_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_CERT:
			tool_set_once(verify_provenance_usage, &cert_path, "cert", optarg);
			break;
		case OPT_CA:
			tool_set_once(verify_provenance_usage, &ca, "ca", optarg);
			break;
		case OPT_AT:
			tool_set_once(verify_provenance_usage, &at, "at", optarg);
			break;
		case OPT_ALLOW_EXPIRED:
			allow_expired = true;
			break;
		case 'h':
			tool_help(verify_provenance_usage, verify_provenance_help);
		default:
			tool_usage(verify_provenance_usage,
			    "verify-provenance: unknown option or missing argument: '%s'",
			    argv[optind - 1]);
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		tool_usage(verify_provenance_usage,
		    "verify-provenance: expected ENVELOPE and an optional IMAGE");
	env_path = argv[optind];
	if (argc - optind == 2)
		image = argv[optind + 1];
	if (cert_path == NULL)
		tool_usage(verify_provenance_usage, "verify-provenance: --cert is required");
	t = tool_time_arg(verify_provenance_usage, "--at", at != NULL ? at : "now", 0);

	/* Everything that can fail to be read is read first (exit 2). */
	if (fileio_read_all(env_path, DSSE_MAX, &buf, &len, &err) < 0 ||
	    dsse_parse(env_path, buf, len, &e, &err) < 0 ||
	    fileio_read_all(cert_path, PEM_FILE_MAX, &pem, &pem_len, &err) < 0 ||
	    x509_pem_first(cert_path, pem, pem_len, &cert, &err) < 0 ||
	    (image != NULL && prov_file_digests(image, sha256, sha384, &err) < 0))
		goto out;
	rc = QT_EXIT_MISMATCH;
	v = dsse_verify(env_path, e, X509_get0_pubkey(cert), cert_path, &idx, &err);
	if (v != 0)
		goto fail;
	if (strcmp(e->type, DSSE_INTOTO_TYPE) != 0) {
		qt_err_set(&err, EINVAL, "%s: payloadType is not %s", env_path, DSSE_INTOTO_TYPE);
		goto out;
	}
	if (dsse_keyid(cert, keyid, &err) < 0)
		goto trouble;
	x509_name_rfc2253(X509_get_subject_name(cert), subject_dn, sizeof(subject_dn));
	printf("signature: ok (signatures[%zu], %s, keyid %.16s...)\n", idx, subject_dn, keyid);
	qt_time_format(qt_time_ms_to_s(t.ms), false, when, sizeof(when));
	if (!allow_expired) {
		v = signer_cert_valid_at(cert_path, cert, qt_time_ms_to_s(t.ms), &err);
		if (v != 0)
			goto fail;
		printf("certificate: valid at %s\n", when);
	}
	if (ca != NULL) {
		v = check_chain(cert_path, cert, pem, pem_len, ca, t.ms, allow_expired, &err);
		if (v != 0)
			goto fail;
		printf("chain: ok (%s)\n", ca);
	}
	v = prov_check_subject(env_path, e->payload, e->payload_len, image ? sha256 : NULL,
	    image ? sha384 : NULL, subj, pred, sizeof(subj), &err);
	if (v != 0)
		goto fail;
	printf("statement: %s\n", pred);
	if (image != NULL)
		printf("subject: %s (sha256 and sha384 of %s)\n", subj, image);
	rc = QT_EXIT_OK;
	goto out;
fail:
	rc = v == 1 ? QT_EXIT_MISMATCH : QT_EXIT_TROUBLE;
	goto out;
trouble:
	rc = QT_EXIT_TROUBLE;
out:
	if (rc != QT_EXIT_OK)
		tool_report(&err);
	X509_free(cert);
	free(pem);
	free(buf);
	dsse_free(e);
	return rc;
}
