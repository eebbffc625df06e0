/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_ls.c: `qt-measure ls [--long] IMAGE`: every entry of every ramdisk in
 * archive order, and the "cmd" and "env" files decoded (formats/eif_ls.c).
 * JSON by default; --long prints an `ls -l`-like text.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "eif_ls.h"
#include "text.h"
#include "tool.h"

static const char ls_usage[] =
    "usage: qt-measure ls [--long | --json=pretty|short] [--progress | --quiet] IMAGE\n";

/* The rest of --help, after the synopsis. */
static const char ls_help[] =
    "List the files of an image's ramdisks.\n"
    "\n"
    "  --long                     mode, owner, size, time and link target (ls -l)\n"
    "  --json=pretty|short        the style of the JSON on standard output\n"
    "  --progress                 progress on stderr: a plain line every 2 s (default:\n"
    "                             a line that updates, on a terminal, after a second)\n"
    "  --quiet                    no progress\n"
    "  -h, --help                 this text\n"
    "\n"
    "Exit status: 0 done (checks pass); 1 a check ran and failed; 2 usage error,\n"
    "unreadable or malformed input, I/O error (nothing on standard output).\n"
    "See qt-measure(1).\n";

enum { OPT_LONG = 256, OPT_JSON, OPT_PROGRESS, OPT_QUIET };

static const struct option ls_opts[] = {
	{ "long", no_argument, NULL, OPT_LONG },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct ls_ctx {
	bool text;        /* --long */
	json_t *ramdisks; /* JSON: one object per ramdisk */
	json_t *entries;  /* of the current ramdisk */
	const struct eif_scan *scan;
	const char *path;         /* the image, for messages */
	struct eif_cmdenv cmdenv; /* "cmd", "env" contents */
};

/* A new ramdisk starts: its header line or JSON object. */
static int
ls_ramdisk(void *ctx, unsigned nr, unsigned section, struct qt_err *err)
{
	struct ls_ctx *c = ctx;
	char hex[97];
	json_t *rd;

	qt_hex(c->scan->digest[section], 48, hex);
	if (c->text) {
		printf("%sramdisk %u (section %u, sha384 %.16s...):\n", nr ? "\n" : "", nr, section,
		    hex);
		return 0;
	}
	if ((rd = json_object()) == NULL || (c->entries = json_array()) == NULL ||
	    json_object_set_new(rd, "index", json_integer(nr)) != 0 ||
	    json_object_set_new(rd, "section", json_integer(section)) != 0 ||
	    json_object_set_new(rd, "sha384", json_string(hex)) != 0 ||
	    json_object_set_new(rd, "entries", c->entries) != 0 ||
	    json_array_append_new(c->ramdisks, rd) != 0)
		return qt_err_set(err, ENOMEM, "out of memory");
	return 0;
}

static int
ls_begin(void *ctx, const struct eif_entry *e, struct qt_err *err)
{
	struct ls_ctx *c = ctx;

	return eif_cmdenv_begin(&c->cmdenv, c->path, e, err);
}

static int
ls_data(void *ctx, const struct eif_entry *e, const uint8_t *buf, size_t len, struct qt_err *err)
{
	struct ls_ctx *c = ctx;

	(void)err;
	eif_cmdenv_data(&c->cmdenv, e, buf, len);
	return 0;
}

/* Text: mode, owner, size, time, path and link target, like ls -l. */
static void
print_long(const struct eif_entry *e)
{
	char mode[11], when[40];
	const char *arrow = e->type == EIF_ENTRY_SYMLINK ? " -> " : " link to ";

	eif_entry_mode_text(e, mode);
	qt_time_format(e->mtime, false, when, sizeof(when));
	if (e->type == EIF_ENTRY_CHAR || e->type == EIF_ENTRY_BLOCK)
		printf("%s %5" PRId64 "/%-5" PRId64 " %8" PRIu32 ",%-3" PRIu32 " %s %s", mode,
		    e->uid, e->gid, e->rdev_major, e->rdev_minor, when, e->path);
	else
		printf("%s %5" PRId64 "/%-5" PRId64 " %12" PRIu64 " %s %s", mode, e->uid, e->gid,
		    e->size, when, e->path);
	if (e->link != NULL)
		printf("%s%s", arrow, e->link);
	putchar('\n');
}

static int
ls_end(void *ctx, const struct eif_entry *e, struct qt_err *err)
{
	struct ls_ctx *c = ctx;

	if (c->text) {
		print_long(e);
		return 0;
	}
	if (json_array_append_new(c->entries, eif_entry_json(e)) != 0)
		return qt_err_set(err, ENOMEM, "out of memory");
	return 0;
}

/* cmd/env as a list of lines, or null when the image has none. */
static json_t *
lines_json(const uint8_t *buf, size_t len, struct qt_err *err)
{
	json_t *a;
	char **v = NULL;
	size_t n = 0, i;

	if (buf == NULL)
		return json_null();
	if (eif_lines(buf, len, &v, &n, err) < 0 || (a = json_array()) == NULL) {
		free(v);
		return NULL;
	}
	for (i = 0; i < n; i++)
		json_array_append_new(a, eif_text_json(v[i], strlen(v[i])));
	free(v);
	return a;
}

static int
print_cmd_text(const struct ls_ctx *c, struct qt_err *err)
{
	static const char *const names[] = { "cmd", "env" };
	char **v = NULL;
	size_t n = 0, i;
	int k;

	for (k = 0; k < 2; k++) {
		if (c->cmdenv.buf[k] == NULL)
			continue;
		if (eif_lines(c->cmdenv.buf[k], c->cmdenv.len[k], &v, &n, err) < 0)
			return -1;
		printf("\n%s:\n", names[k]);
		for (i = 0; i < n; i++)
			printf("  %s\n", v[i]);
		free(v);
		v = NULL;
	}
	return 0;
}

int
cmd_ls(int argc, char *argv[])
{
	struct ls_ctx c = { .cmdenv.capture = -1 };
	struct eif_walk_cb cb = { ls_ramdisk, ls_begin, ls_data, ls_end, &c, { NULL, NULL } };
	enum tool_progress_mode mode = TOOL_PROGRESS_AUTO;
	struct tool_progress prog;
	struct eif_scan *scan = NULL;
	struct qt_err err = { 0 };
	const char *style = NULL, *path;
	enum qt_json json;
	json_t *doc = NULL;
	int ch, rc = QT_EXIT_TROUBLE;

	optind = 0;
	opterr = 0; /* reported below as "qt-measure: ls: ..." */
	while ((ch = getopt_long(argc, argv, "h", ls_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_LONG:
			c.text = true;
			break;
		case OPT_JSON:
			tool_set_once(ls_usage, &style, "json", optarg);
			break;
		case OPT_PROGRESS:
		case OPT_QUIET:
			mode = tool_progress_arg(ls_usage, mode, ch == OPT_PROGRESS);
			break;
		case 'h':
			tool_help(ls_usage, ls_help);
		default:
			tool_usage(ls_usage, "ls: unknown option or missing argument: '%s'",
			    argv[optind - 1]);
		}
	}
	if (c.text && style != NULL)
		tool_usage(ls_usage, "ls: --long and --json exclude each other");
	json = tool_json_arg(ls_usage, style);
	path = tool_one_operand(ls_usage, argc - optind, argv[optind], "ls", "IMAGE");
	c.path = path;
	if ((c.ramdisks = json_array()) == NULL) {
		qt_err_set(&err, ENOMEM, "out of memory");
		goto out;
	}
	tool_progress_start(&prog, mode, "read", 0);
	cb.progress = tool_progress_hook(&prog);
	if (eif_scan_path(path, &cb.progress, &scan, &err) < 0)
		goto out_progress;
	c.scan = scan;
	if (eif_walk(path, scan, &cb, &err) < 0)
		goto out_progress;
	tool_progress_end(&prog);
	if (c.text) {
		if (print_cmd_text(&c, &err) < 0)
			goto out;
	} else if ((doc = json_object()) == NULL ||
	           json_object_set(doc, "ramdisks", c.ramdisks) != 0 ||
	           json_object_set_new(
	               doc, "cmd", lines_json(c.cmdenv.buf[0], c.cmdenv.len[0], &err)) != 0 ||
	           json_object_set_new(
	               doc, "env", lines_json(c.cmdenv.buf[1], c.cmdenv.len[1], &err)) != 0 ||
	           tool_print_json(doc, json, &err) < 0) {
		if (err.code == 0)
			qt_err_set(&err, ENOMEM, "out of memory");
		goto out;
	}
	rc = QT_EXIT_OK;
	goto out;
out_progress:
	tool_progress_end(&prog); /* the line cleared before the error */
out:
	if (rc != QT_EXIT_OK)
		tool_report(&err);
	json_decref(doc);
	json_decref(c.ramdisks);
	eif_cmdenv_free(&c.cmdenv);
	eif_scan_free(scan);
	return rc;
}
