/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_measure.c: qt-measure IMAGE (measurements, as qt-build prints them) and
 * qt-measure describe IMAGE (nitro-cli describe-eif's document). Both read
 * the image once, forward only, and check its CRC and signature.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmds.h"
#include "describe.h"
#include "eif.h"
#include "eif_sig.h"
#include "tool.h"

static const char describe_usage[] =
    "usage: qt-measure describe [--json=pretty|short] [--progress | --quiet] IMAGE\n";

/* The rest of --help, after the synopsis. */
static const char describe_help[] =
    "The description of an image, as nitro-cli describe-eif prints it: measurements,\n"
    "metadata, signing certificate. Checks the image's CRC and signature.\n"
    "\n"
    "  --json=pretty|short        the style of the JSON on standard output\n"
    "  --progress                 progress on stderr: a plain line every 2 s (default:\n"
    "                             a line that updates, on a terminal, after a second)\n"
    "  --quiet                    no progress\n"
    "  -h, --help                 this text\n"
    "\n"
    "Exit status: 0 done (checks pass); 1 a check ran and failed; 2 usage error,\n"
    "unreadable or malformed input, I/O error (nothing on standard output).\n"
    "See qt-measure(1).\n";

enum { OPT_PROFILE = 256, OPT_FORMAT, OPT_JSON, OPT_VERSION, OPT_PROGRESS, OPT_QUIET };

static const struct option longopts[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ NULL, 0, NULL, 0 },
};

static const char *
parse(int argc, char *argv[], bool describe, enum qt_profile *shape, enum qt_json *json,
    enum tool_progress_mode *progress)
{
	const char *profile = NULL, *style = NULL;
	const char *usage = describe ? describe_usage : measure_usage;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_PROFILE:
		case OPT_FORMAT:
			/* describe prints nitro-cli's document: no profile applies */
			if (describe)
				tool_usage(usage, "describe: --%s is not an option here",
				    ch == OPT_PROFILE ? "profile" : "format");
			if (ch == OPT_PROFILE)
				tool_set_once(usage, &profile, "profile", optarg);
			else
				tool_profile_alias(usage, &profile, "--format",
				    "--format qingtian|nitro", "--profile qingtian|nitro", optarg,
				    false);
			break;
		case OPT_JSON:
			tool_set_once(usage, &style, "json", optarg);
			break;
		case OPT_PROGRESS:
		case OPT_QUIET:
			*progress = tool_progress_arg(usage, *progress, ch == OPT_PROGRESS);
			break;
		case 'h':
			tool_help(usage, describe ? describe_help : measure_help);
		case OPT_VERSION:
			tool_version();
		default:
			tool_usage(usage, NULL);
		}
	}
	*shape = tool_profile_arg(usage, profile, false, QT_PROFILE_QINGTIAN);
	*json = tool_json_arg(usage, style);
	return tool_one_operand(
	    usage, argc - optind, argv[optind], describe ? "describe" : NULL, "IMAGE");
}

/* eif_read_path, with progress on stderr as mode says. */
static int
read_image(
    const char *path, enum tool_progress_mode mode, struct eif_info **ret, struct qt_err *err)
{
	struct tool_progress p;
	struct eif_read_cb cb = { 0 };
	int r;

	tool_progress_start(&p, mode, "read", 0);
	cb.progress = tool_progress_hook(&p);
	r = eif_read_path(path, &cb, 0, ret, err);
	tool_progress_end(&p);
	return r;
}

static int
run(int argc, char *argv[], bool describe)
{
	enum qt_profile shape = QT_PROFILE_QINGTIAN;
	enum qt_json json = QT_JSON_PRETTY;
	enum tool_progress_mode mode = TOOL_PROGRESS_AUTO;
	struct qt_err err = { 0 }, why = { 0 };
	struct eif_info *info = NULL;
	json_t *doc = NULL;
	struct pcr_set p;
	const char *path, *name;
	bool pass = true;
	int sc, rc = QT_EXIT_TROUBLE;

	path = parse(argc, argv, describe, &shape, &json, &mode);
	if (read_image(path, mode, &info, &err) < 0)
		goto out;
	name = path[0] == '-' && path[1] == '\0' ? "standard input" : path;
	p = info->pcrs;
	if (eif_sig_image_pcr8(name, info, &p, &err) < 0)
		goto out;
	if (describe) {
		if (describe_document(name, info, &p, &doc, &pass, &why, &err) < 0)
			goto out;
	} else {
		if (describe_measurements(&p, shape, &doc, &err) < 0)
			goto out;
		if (eif_crc_check(name, info, &why) < 0)
			pass = false;
		if (info->signature != NULL) {
			if ((sc = eif_sig_image_check(name, info, p.pcr0, &why, &err)) < 0)
				goto out;
			if (sc == 1)
				pass = false;
		}
	}
	if (tool_print_json(doc, json, &err) < 0)
		goto out;
	rc = pass ? QT_EXIT_OK : QT_EXIT_MISMATCH;
	if (!pass)
		tool_report(&why);
out:
	if (rc == QT_EXIT_TROUBLE)
		tool_report(&err);
	json_decref(doc);
	eif_info_free(info);
	return tool_finish(rc);
}

int
cmd_image(int argc, char *argv[])
{
	return run(argc, argv, false);
}

int
cmd_describe(int argc, char *argv[])
{
	return run(argc, argv, true);
}
