/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qt-measure: measurements of enclave images, PCR arithmetic, attestation
 * checks. Dispatches on the first argument: a subcommand name from the table
 * below, otherwise the measurement of an IMAGE.
 */
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "attest_cmds.h"
#include "cmds.h"
#include "supply.h"
#include "tool.h"

const char measure_usage[] =
    "usage: qt-measure [--profile qingtian|nitro] [--json=pretty|short] [--progress | --quiet]\n"
    "                  IMAGE\n"
    "       qt-measure describe [--json=pretty|short] [--progress | --quiet] IMAGE\n"
    "       qt-measure pcr (--input FILE | --signing-certificate PEM) [--json=pretty|short]\n"
    "       qt-measure extend [--from HEX] (--digest HEX | --string TEXT | --file FILE |\n"
    "                         --iam-agency URN | --iam-role ARN | --instance-id ID)...\n"
    "                         [--profile qingtian|nitro] [--json=pretty|short]\n"
    "       qt-measure verify --root qingtian|nitro|ROOT.pem | --root-sha256 HEX [options] DOC\n"
    "       qt-measure policy --profile qingtian|nitro [--pcr LIST] [--statement] [options]\n"
    "                         MANIFEST...\n"
    "       qt-measure manifest [--profile qingtian|nitro] [--iam-agency URN | --iam-role ARN]\n"
    "                           [--instance-id ID] [-o FILE] [--progress | --quiet] IMAGE\n"
    "       qt-measure provenance [--predicate slsa|measurement] [--manifest FILE]\n"
    "                             [--corim FILE] [--key KEY --cert CERT] [-o FILE]\n"
    "                             [--progress | --quiet] IMAGE\n"
    "       qt-measure verify-provenance --cert CERT [--ca CA] [--at TIME] ENVELOPE [IMAGE]\n"
    "       qt-measure corim [--profile qingtian|nitro] [--sign --key KEY --cert CERT]\n"
    "                        [-o FILE] [--progress | --quiet] MANIFEST|IMAGE\n"
    "       qt-measure check --manifest FILE [--progress | --quiet] IMAGE\n"
    "       qt-measure ls [--long | --json=pretty|short] [--progress | --quiet] IMAGE\n"
    "       qt-measure extract [--progress | --quiet] IMAGE DIR\n"
    "       qt-measure diff [--json=pretty|short] [--progress | --quiet] A B\n"
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
    "  --progress                 progress on stderr: a plain line every 2 s (default:\n"
    "                             a line that updates, on a terminal, after a second)\n"
    "  --quiet                    no progress\n"
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

#define WORD_MAX 32

/* Levenshtein distance of two words of at most WORD_MAX bytes. */
static size_t
distance(const char *a, const char *b)
{
	size_t row[WORD_MAX + 1], la = strlen(a), lb = strlen(b), i, j;

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/*
 * A first operand that is no file, reads as a word (lowercase letters and
 * '-', no '.' or '/') and is at most 2 edits from a subcommand (and fewer
 * than half its letters) is a mistyped subcommand, not a missing IMAGE: a
 * usage error naming it and the subcommand meant. Anything else is left to
 * cmd_image (an IMAGE that cannot be opened, a wrong operand count).
 */
static void
check_not_subcommand(const char *word)
{
	const char *best = NULL;
	size_t i, n = strlen(word), best_d = 3;

	if (n == 0 || n > WORD_MAX || strspn(word, "abcdefghijklmnopqrstuvwxyz-") != n ||
	    word[0] == '-' || access(word, F_OK) == 0)
		return;
	for (i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++) {
		size_t d = distance(word, subcmds[i].name);

		if (d < best_d && 2 * d <= n) {
			best_d = d;
			best = subcmds[i].name;
		}
	}
	if (best != NULL)
		tool_usage(
		    measure_usage, "'%s' is not a subcommand (did you mean '%s'?)", word, best);
}

int
main(int argc, char *argv[])
{
	size_t i;

	tool_init(argv[0]);
	if (argc >= 2) {
		for (i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
			if (strcmp(argv[1], subcmds[i].name) == 0)
				return tool_finish(subcmds[i].run(argc - 1, argv + 1));
		check_not_subcommand(argv[1]);
	}
	return cmd_image(argc, argv);
}
