/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_extract.c: `qt-measure extract IMAGE DIR`: the ramdisks unpacked into
 * a new or empty DIR, safely and whole or not at all (formats/eif_extract.c).
 */
#include <getopt.h>
#include <stdio.h>

#include "cmds.h"
#include "eif_extract.h"
#include "tool.h"

static const char extract_usage[] = "usage: qt-measure extract [--progress | --quiet] IMAGE DIR\n";

/* The rest of --help, after the synopsis. */
static const char extract_help[] =
    "Unpack an image's ramdisks into DIR (new or empty).\n"
    "\n"
    "  --progress                 progress on stderr: a plain line every 2 s (default:\n"
    "                             a line that updates, on a terminal, after a second)\n"
    "  --quiet                    no progress\n"
    "  -h, --help                 this text\n"
    "\n"
    "Exit status: 0 done (checks pass); 1 a check ran and failed; 2 usage error,\n"
    "unreadable or malformed input, I/O error (nothing on standard output).\n"
    "See qt-measure(1).\n";

enum { OPT_PROGRESS = 256, OPT_QUIET };

static const struct option extract_opts[] = {
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* A note of the extraction (ctx: the progress), on a line of its own. */
static void
note(void *ctx, const char *msg)
{
	tool_progress_clear(ctx);
	tool_warn("%s", msg);
}

int
cmd_extract(int argc, char *argv[])
{
	struct eif_extract_stats st = { 0 };
	struct qt_err err = { 0 };
	enum tool_progress_mode mode = TOOL_PROGRESS_AUTO;
	struct tool_progress prog;
	struct qt_progress_cb hook;
	int ch, r;

	optind = 0;
	opterr = 0; /* reported below as "qt-measure: extract: ..." */
	while ((ch = getopt_long(argc, argv, "h", extract_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_PROGRESS:
		case OPT_QUIET:
			mode = tool_progress_arg(extract_usage, mode, ch == OPT_PROGRESS);
			break;
		case 'h':
			tool_help(extract_usage, extract_help);
		default:
			tool_usage(extract_usage,
			    "extract: unknown option or missing argument: '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		tool_usage(extract_usage, "extract: expected IMAGE and DIR");
	tool_progress_start(&prog, mode, "read", 0);
	hook = tool_progress_hook(&prog);
	r = eif_extract(argv[optind], argv[optind + 1], note, &prog, &hook, &st, &err);
	tool_progress_end(&prog);
	if (r < 0) {
		tool_report(&err);
		return QT_EXIT_TROUBLE;
	}
	printf("%s: %zu files, %zu directories, %zu symlinks, %zu hard links; %zu skipped\n",
	    argv[optind + 1], st.files, st.dirs, st.symlinks, st.hardlinks, st.skipped);
	return QT_EXIT_OK;
}
