/* SPDX-License-Identifier: Apache-2.0 */
/*
 * corim.c: `qt-measure corim MANIFEST|IMAGE`: the CoRIM reference values
 * (qt-corim(5)) of an image, unsigned or, with --sign, as a COSE_Sign1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "corim.h"
#include "fileio.h"
#include "manifest.h"
#include "signer.h"
#include "supply.h"
#include "text.h"
#include "tool.h"

static const char corim_usage[] =
    "usage: qt-measure corim [--profile qingtian|nitro] [--corim-profile URI|none]\n"
    "           [--entity NAME] [--parent-pcrs] [--sign --key KEY --cert CERT [--pass SPEC]\n"
    "           [--pkcs11-module MODULE] [--allow-expired-cert]] [-o FILE]\n"
    "           [--progress | --quiet] MANIFEST|IMAGE\n";

/* The rest of --help, after the synopsis. */
static const char corim_help[] =
    "A CoRIM (qt-corim(5)) of the reference values of a manifest or an image.\n"
    "\n"
    "  --profile qingtian|nitro   whose conventions to follow (default qingtian)\n"
    "  --corim-profile URI|none   the CoRIM profile named (none: no profile)\n"
    "  --entity NAME              the entity named as the values' creator\n"
    "  --parent-pcrs              also PCR3 and PCR4 when the manifest has them\n"
    "Signing:\n"
    "  --sign                     sign the CoRIM (COSE_Sign1)\n"
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
	OPT_CORIM_PROFILE,
	OPT_ENTITY,
	OPT_PARENT_PCRS,
	OPT_SIGN,
	OPT_KEY,
	OPT_CERT,
	OPT_PASS,
	OPT_PKCS11_MODULE,
	OPT_ALLOW_EXPIRED,
	OPT_PROGRESS,
	OPT_QUIET,
};

static const struct option corim_opts[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "corim-profile", required_argument, NULL, OPT_CORIM_PROFILE },
	{ "entity", required_argument, NULL, OPT_ENTITY },
	{ "parent-pcrs", no_argument, NULL, OPT_PARENT_PCRS },
	{ "sign", no_argument, NULL, OPT_SIGN },
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

/* 1 if path starts (after blanks) with '{': a manifest; 0 otherwise; -1 error. */
static int
is_manifest(const char *path, struct qt_err *err)
{
	uint8_t buf[64];
	size_t got, i;
	int fd;

	if (strcmp(path, "-") == 0)
		return 0;
	if (fileio_open_input(path, &fd, err) < 0)
		return -1;
	if (fileio_read_full(fd, buf, sizeof(buf), -1, &got) < 0) {
		qt_err_set(err, errno, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	for (i = 0; i < got; i++) {
		if (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\t' || buf[i] == '\r')
			continue;
		return buf[i] == '{';
	}
	return 0;
}

int
cmd_corim(int argc, char *argv[])
{
	const char *profile = NULL, *cprofile = NULL, *out = NULL, *path;
	struct corim_opts co = { 0 };
	struct signer_opts so = { 0 };
	bool sign = false;
	struct manifest *m = NULL;
	struct signer *s = NULL;
	struct qt_err err = { 0 };
	struct wbuf corim = { 0 }, signed_corim = { 0 };
	uint8_t *buf = NULL;
	size_t len;
	enum qt_profile platform;
	enum tool_progress_mode mode = TOOL_PROGRESS_AUTO;
	int ch, v, rc = QT_EXIT_TROUBLE;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "ho:", corim_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_PROFILE:
			tool_set_once(corim_usage, &profile, "profile", optarg);
			break;
		case OPT_CORIM_PROFILE:
			tool_set_once(corim_usage, &cprofile, "corim-profile", optarg);
			break;
		case OPT_ENTITY:
			tool_set_once(corim_usage, &co.entity, "entity", optarg);
			break;
		case OPT_PARENT_PCRS:
			co.parent_pcrs = true;
			break;
		case OPT_SIGN:
			sign = true;
			break;
		case OPT_KEY:
			tool_set_once(corim_usage, &so.key, "key", optarg);
			break;
		case OPT_CERT:
			tool_set_once(corim_usage, &so.cert, "cert", optarg);
			break;
		case OPT_PASS:
			tool_set_once(corim_usage, &so.pass, "pass", optarg);
			break;
		case OPT_PKCS11_MODULE:
			tool_set_once(corim_usage, &so.pkcs11_module, "pkcs11-module", optarg);
			break;
		case OPT_ALLOW_EXPIRED:
			so.allow_expired = true;
			break;
		case 'o':
			tool_set_once(corim_usage, &out, "output", optarg);
			break;
		case OPT_PROGRESS:
		case OPT_QUIET:
			mode = tool_progress_arg(corim_usage, mode, ch == OPT_PROGRESS);
			break;
		case 'h':
			tool_help(corim_usage, corim_help);
		default:
			tool_usage(corim_usage, "corim: unknown option or missing argument: '%s'",
			    argv[optind - 1]);
		}
	}
	path =
	    tool_one_operand(corim_usage, argc - optind, argv[optind], "corim", "MANIFEST|IMAGE");
	platform = tool_profile_arg(corim_usage, profile, false, QT_PROFILE_QINGTIAN);
	if (sign && (so.key == NULL || so.cert == NULL))
		tool_usage(corim_usage, "corim: --sign needs --key and --cert");
	if (!sign && (so.key != NULL || so.cert != NULL || so.pass != NULL ||
	                 so.pkcs11_module != NULL || so.allow_expired))
		tool_usage(corim_usage, "corim: --key, --cert, --pass, --pkcs11-module and "
		                        "--allow-expired-cert need --sign");
	if (co.entity != NULL && (co.entity[0] == '\0' || strlen(co.entity) > 255))
		tool_usage(corim_usage, "--entity: 1 to 255 bytes");
	if (cprofile == NULL)
		co.profile = CORIM_PROFILE_URI;
	else if (strcmp(cprofile, "none") != 0)
		co.profile = cprofile;
	if (co.profile != NULL && (strchr(co.profile, ':') == NULL || strlen(co.profile) > 255))
		tool_usage(corim_usage, "--corim-profile: '%s' is not a URI", cprofile);
	so.now = qt_time_ms_to_s(qt_time_now_ms());
	if (sign && signer_new(&so, &s, &err) < 0)
		goto out;
	if ((v = is_manifest(path, &err)) < 0)
		goto out;
	if (v == 1) {
		if (fileio_read_all(path, MANIFEST_MAX, &buf, &len, &err) < 0 ||
		    manifest_parse(path, buf, len, &m, &err) < 0)
			goto out;
		if (profile != NULL && m->platform != platform) {
			qt_err_set(&err, EINVAL, "%s: manifest is for %s, not %s", path,
			    qt_profile_name(m->platform), qt_profile_name(platform));
			goto out;
		}
	} else if (tool_manifest_from_image(path, platform, mode, &m, &err) < 0) {
		goto out;
	}
	if (corim_encode(m, &co, &corim, &err) < 0)
		goto out;
	if (s != NULL) {
		if (corim_sign(s, corim.p, corim.len, &signed_corim, &err) < 0 ||
		    supply_write(out, signed_corim.p, signed_corim.len, &err) < 0)
			goto out;
	} else if (supply_write(out, corim.p, corim.len, &err) < 0) {
		goto out;
	}
	rc = QT_EXIT_OK;
out:
	if (rc != QT_EXIT_OK)
		tool_report(&err);
	wbuf_free(&corim);
	wbuf_free(&signed_corim);
	free(buf);
	signer_free(s);
	manifest_free(m);
	return rc;
}
