/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qt-measure: measurements of enclave images, PCR arithmetic, attestation
 * checks. Dispatches on the first argument: a subcommand name from the table
 * below, otherwise the measurement of an IMAGE.
 */
#include <string.h>

#include "attest_cmds.h"
#include "cmds.h"
#include "supply.h"
#include "tool.h"

const char measure_usage[] =
    "usage: qt-measure [--profile qingtian|nitro] [--json=pretty|short] IMAGE\n"
    "       qt-measure describe [--json=pretty|short] IMAGE\n"
    "       qt-measure pcr (--input FILE | --signing-certificate PEM) [--json=pretty|short]\n"
    "       qt-measure extend [--from HEX] (--digest HEX | --string TEXT | --file FILE |\n"
    "                         --iam-agency URN | --iam-role ARN | --instance-id ID)...\n"
    "                         [--profile qingtian|nitro] [--json=pretty|short]\n"
    "       qt-measure verify --root qingtian|nitro|ROOT.pem | --root-sha256 HEX [options] DOC\n"
    "       qt-measure policy --profile qingtian|nitro [--pcr LIST] [--statement] [options]\n"
    "                         MANIFEST...\n"
    "       qt-measure manifest [--profile qingtian|nitro] [--iam-agency URN | --iam-role ARN]\n"
    "                           [--instance-id ID] [-o FILE] IMAGE\n"
    "       qt-measure provenance [--predicate slsa|measurement] [--manifest FILE]\n"
    "                             [--corim FILE] [--key KEY --cert CERT] [-o FILE] IMAGE\n"
    "       qt-measure verify-provenance --cert CERT [--ca CA] [--at TIME] ENVELOPE [IMAGE]\n"
    "       qt-measure corim [--profile qingtian|nitro] [--sign --key KEY --cert CERT]\n"
    "                        [-o FILE] MANIFEST|IMAGE\n"
    "       qt-measure check --manifest FILE IMAGE\n"
    "       qt-measure ls [--long | --json=pretty|short] IMAGE\n"
    "       qt-measure extract IMAGE DIR\n"
    "       qt-measure diff [--json=pretty|short] A B\n"
    "       qt-measure --help | --version\n";

/* The rest of --help, after the synopsis. */
const char measure_help[] =
    "Measure enclave images, compute PCRs, check attestation documents.\n"
    "\n"
    "Subcommands ('qt-measure SUBCOMMAND --help' for each one's options):\n"
    "  (none)             an image's measurements, as qt-build prints them\n"
    "  describe           an image's description, as nitro-cli describe-eif's\n"
    "  pcr                the PCR of a file or a signing certificate\n"
    "  extend             PCR arithmetic: extend a register step by step\n"
    "  verify             verify an attestation document\n"
    "  policy             a key policy (KMS) pinning images' PCRs\n"
    "  manifest           an image's manifest (qt-manifest(5))\n"
    "  provenance         an in-toto provenance statement for an image\n"
    "  verify-provenance  check a signed provenance statement\n"
    "  corim              a CoRIM of reference values\n"
    "  check              compare an image with its manifest\n"
    "  ls                 list the files of an image's ramdisks\n"
    "  extract            unpack an image's ramdisks into a directory\n"
    "  diff               the PCRs two images or manifests differ in\n"
    "Options without a subcommand:\n"
    "  --profile qingtian|nitro   whose conventions to follow (default qingtian)\n"
    "  --format qingtian|nitro    deprecated spelling of --profile\n"
    "  --json=pretty|short        the style of the JSON on standard output\n"
    "  -h, --help                 this text\n"
    "  --version                  the version\n"
    "\n"
    "Exit status: 0 done (checks pass); 1 a check ran and failed; 2 usage error,\n"
    "unreadable or malformed input, I/O error (nothing on standard output).\n"
    "See qt-measure(1).\n";

/* Each returns its exit code; argv[0] is the subcommand name. */
static const struct {
	const char *name;
	int (*run)(int argc, char *argv[]);
} subcmds[] = {
	{ "describe", cmd_describe },
	{ "pcr", cmd_pcr },
	{ "extend", cmd_extend },
	{ "verify", cmd_verify },
	{ "policy", cmd_policy },
	{ "manifest", cmd_manifest },
	{ "provenance", cmd_provenance },
	{ "verify-provenance", cmd_verify_provenance },
	{ "corim", cmd_corim },
	{ "check", cmd_check },
	{ "ls", cmd_ls },
	{ "extract", cmd_extract },
	{ "diff", cmd_diff },
};

int
main(int argc, char *argv[])
{
	size_t i;

	tool_init(argv[0]);
	if (argc >= 2) {
		for (i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
			if (strcmp(argv[1], subcmds[i].name) == 0)
				return tool_finish(subcmds[i].run(argc - 1, argv + 1));
	}
	return cmd_image(argc, argv);
}
