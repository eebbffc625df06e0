/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_check.c: `qt-measure check --manifest M IMAGE`: is this image the
 * approved build? Every PCR and section digest of the manifest against the
 * image's own (formats/manifest_cmp.c); the file's name does not matter.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmds.h"
#include "fileio.h"
#include "manifest.h"
#include "manifest_cmp.h"
#include "text.h"
#include "tool.h"

static const char check_usage[] =
    "usage: qt-measure check --manifest FILE [--progress | --quiet] IMAGE\n";

/* The rest of --help, after the synopsis. */
static const char check_help[] =
    "Compare an image with its manifest, value by value.\n"
    "\n"
    "  --manifest FILE            the manifest (qt-manifest(5)); required\n"
    "  --progress                 progress on stderr: a plain line every 2 s (default:\n"
    "                             a line that updates, on a terminal, after a second)\n"
    "  --quiet                    no progress\n"
    "  -h, --help                 this text\n"
    "\n"
    "Exit status: 0 done (checks pass); 1 a check ran and failed; 2 usage error,\n"
    "unreadable or malformed input, I/O error (nothing on standard output).\n"
    "See qt-measure(1).\n";

enum { OPT_PROGRESS = 256, OPT_QUIET };

static const struct option check_opts[] = {
	{ "manifest", required_argument, NULL, 'm' },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
print_value(const char *side, const uint8_t *v)
{
	char hex[2 * PCR_LEN + 1];

	if (v == NULL) {
		printf("    %-8s (absent)\n", side);
		return;
	}
	qt_hex(v, PCR_LEN, hex);
	printf("    %-8s %s\n", side, hex);
}

/* One line per value, the two sides of each difference, a verdict line. */
static void
report(const char *image, const char *mpath, const struct manifest_item *it, size_t n, size_t nd)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		printf("%-10s %s\n", it[i].what, it[i].differs ? "DIFFERS" : "ok");
		if (!it[i].differs)
			continue;
		print_value("approved", it[i].a);
		print_value("image", it[i].b);
	}
	if (nd == 0) {
		printf("%s: the approved build of %s\n", image, mpath);
		return;
	}
	printf("%s: not the approved build of %s: %zu of %zu values differ (", image, mpath, nd, n);
	for (i = 0; i < n; i++)
		if (it[i].differs)
			printf("%s%s", k++ ? ", " : "", it[i].what);
	printf(")\n");
}

int
cmd_check(int argc, char *argv[])
{
	struct manifest_item items[MANIFEST_CMP_MAX];
	struct manifest *want = NULL, *got = NULL;
	struct qt_err err = { 0 };
	const char *mpath = NULL, *image;
	uint8_t *raw = NULL;
	size_t rl, n, nd;
	enum tool_progress_mode mode = TOOL_PROGRESS_AUTO;
	int ch, rc = QT_EXIT_TROUBLE;

	optind = 0;
	opterr = 0; /* reported below as "qt-measure: check: ..." */
	while ((ch = getopt_long(argc, argv, "hm:", check_opts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			tool_set_once(check_usage, &mpath, "manifest", optarg);
			break;
		case OPT_PROGRESS:
		case OPT_QUIET:
			mode = tool_progress_arg(check_usage, mode, ch == OPT_PROGRESS);
			break;
		case 'h':
			tool_help(check_usage, check_help);
		default:
			tool_usage(check_usage, "check: unknown option or missing argument: '%s'",
			    argv[optind - 1]);
		}
	}
	if (mpath == NULL)
		tool_usage(check_usage, "check: --manifest is required");
	image = tool_one_operand(check_usage, argc - optind, argv[optind], "check", "IMAGE");
	if (fileio_read_all(mpath, MANIFEST_MAX, &raw, &rl, &err) < 0 ||
	    manifest_parse(mpath, raw, rl, &want, &err) < 0 ||
	    tool_manifest_from_image(image, want->platform, mode, &got, &err) < 0)
		goto out;
	nd = manifest_compare(want, got, items, &n);
	report(image, mpath, items, n, nd);
	rc = nd == 0 ? QT_EXIT_OK : QT_EXIT_MISMATCH;
out:
	if (rc == QT_EXIT_TROUBLE)
		tool_report(&err);
	manifest_free(want);
	manifest_free(got);
	free(raw);
	return rc;
}
