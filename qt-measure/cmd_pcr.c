/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_pcr.c: qt-measure pcr, as nitro-cli pcr: --input FILE gives
 * {"PCR": extend(0, SHA384(file))}, --signing-certificate PEM gives
 * {"PCR8": extend(0, SHA384(DER of its first certificate))}.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include "cmds.h"
#include "eif_sig.h"
#include "fileio.h"
#include "pcr.h"
#include "text.h"
#include "tool.h"
#include "x509.h"

#define PEM_MAX (1u << 20)

static const char pcr_usage[] =
    "usage: qt-measure pcr (--input FILE | --signing-certificate PEM) [--json=pretty|short]\n";

/* The rest of --help, after the synopsis. */
static const char pcr_help[] =
    "The PCR one input gives: {\"PCR\": ...} or {\"PCR8\": ...}.\n"
    "\n"
    "  --input FILE               extend a zero register with SHA-384(FILE)\n"
    "  --signing-certificate PEM  the PCR8 of images signed with PEM's certificate\n"
    "  --json=pretty|short        the style of the JSON on standard output\n"
    "  -h, --help                 this text\n"
    "\n"
    "Exit status: 0 done (checks pass); 1 a check ran and failed; 2 usage error,\n"
    "unreadable or malformed input, I/O error (nothing on standard output).\n"
    "See qt-measure(1).\n";

enum { OPT_INPUT = 256, OPT_CERT, OPT_JSON };

static const struct option longopts[] = {
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "signing-certificate", required_argument, NULL, OPT_CERT },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_pcr(int argc, char *argv[])
{
	enum qt_json json;
	struct qt_err err = { 0 };
	const char *input = NULL, *cert = NULL, *style = NULL;
	uint8_t reg[PCR_LEN], *pem = NULL;
	size_t pem_len;
	char hex[2 * PCR_LEN + 1];
	json_t *doc = NULL;
	int ch, rc = QT_EXIT_TROUBLE;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_INPUT:
			tool_set_once(pcr_usage, &input, "input", optarg);
			break;
		case OPT_CERT:
			tool_set_once(pcr_usage, &cert, "signing-certificate", optarg);
			break;
		case OPT_JSON:
			tool_set_once(pcr_usage, &style, "json", optarg);
			break;
		case 'h':
			tool_help(pcr_usage, pcr_help);
		default:
			tool_usage(pcr_usage, NULL);
		}
	}
	if (optind != argc)
		tool_usage(pcr_usage, "pcr: unexpected argument '%s'", argv[optind]);
	if ((input == NULL) == (cert == NULL))
		tool_usage(pcr_usage, "pcr: give exactly one of --input and --signing-certificate");
	json = tool_json_arg(pcr_usage, style);
	if (input != NULL) {
		if (pcr_of_file(input, reg, &err) < 0)
			goto out;
	} else {
		if (fileio_read_all(cert, PEM_MAX, &pem, &pem_len, &err) < 0 ||
		    eif_sig_cert_pcr8(cert, pem, pem_len, reg, &err) < 0)
			goto out;
	}
	qt_hex(reg, PCR_LEN, hex);
	if ((doc = json_pack("{s:s}", input != NULL ? "PCR" : "PCR8", hex)) == NULL) {
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
	free(pem);
	return tool_finish(rc);
}
