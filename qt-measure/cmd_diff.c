/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_diff.c: `qt-measure diff A B`: which PCRs differ between two images
 * or manifests, and why (formats/eif_diff.c). The result is JSON with
 * --json; the default text is that result laid out for a terminal or a CI
 * log. Exit 0 same PCRs, 1 different, 2 cannot compare.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "eif_diff.h"
#include "tool.h"

static const char diff_usage[] =
    "usage: qt-measure diff [--json=pretty|short] [--progress | --quiet] A B\n";

/* The rest of --help, after the synopsis. */
static const char diff_help[] =
    "The PCRs, files and metadata two images (or manifests) differ in.\n"
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

enum { OPT_JSON = 256, OPT_PROGRESS, OPT_QUIET };

static const struct option diff_opts[] = {
	{ "json", required_argument, NULL, OPT_JSON },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *
str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* The first 16 hex digits of a value, or a placeholder. */
static void
short_hex(const json_t *v, char *out, size_t len)
{
	if (json_is_string(v))
		snprintf(out, len, "%.16s...", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, len, "%lld", (long long)json_integer_value(v));
	else
		snprintf(out, len, "(none)");
}

static void
print_pcrs(const json_t *pcrs)
{
	char a[32], b[32];
	size_t i;

	for (i = 0; i < json_array_size(pcrs); i++) {
		const json_t *row = json_array_get(pcrs, i);
		const json_t *va = json_object_get(row, "a"), *vb = json_object_get(row, "b");
		char label[16];

		snprintf(label, sizeof(label), "PCR%lld",
		    (long long)json_integer_value(json_object_get(row, "pcr")));
		short_hex(va, a, sizeof(a));
		short_hex(vb, b, sizeof(b));
		if (json_is_null(va) || json_is_null(vb))
			printf("%-6s only in %s (not compared)\n", label,
			    json_is_null(va) ? "b" : "a");
		else if (json_is_true(json_object_get(row, "differs")))
			printf("%-6s differs  a %s  b %s\n", label, a, b);
		else
			printf("%-6s same     %s\n", label, a);
	}
}

static void
print_sections(const json_t *secs)
{
	size_t i, j;

	printf("\nsections:\n");
	for (i = 0; i < json_array_size(secs); i++) {
		const json_t *row = json_array_get(secs, i), *p = json_object_get(row, "pcrs");
		bool d = json_is_true(json_object_get(row, "differs"));

		printf("  %-10s %s", str(row, "section"),
		    !d                                        ? "same"
		    : json_is_null(json_object_get(row, "a")) ? "only in b"
		    : json_is_null(json_object_get(row, "b")) ? "only in a"
		                                              : "differs");
		if (d) {
			printf("  (");
			for (j = 0; j < json_array_size(p); j++)
				printf("%sPCR%lld", j ? ", " : "",
				    (long long)json_integer_value(json_array_get(p, j)));
			printf("%s)", j == 0 ? "no PCR" : "");
		}
		putchar('\n');
	}
}

static void
print_entries(const json_t *entries)
{
	long long cur = -1;
	size_t i, w = 4;

	for (i = 0; i < json_array_size(entries); i++) {
		size_t n = strlen(str(json_array_get(entries, i), "path"));

		w = n > w ? n : w;
	}
	w = w > 48 ? 48 : w;
	for (i = 0; i < json_array_size(entries); i++) {
		const json_t *it = json_array_get(entries, i);
		long long nr = (long long)json_integer_value(json_object_get(it, "ramdisk"));
		const char *change = str(it, "change"), *path = str(it, "path");
		char a[40], b[40];

		if (nr != cur)
			printf("\nramdisk %lld entries:\n", nr);
		cur = nr;
		if (json_is_null(json_object_get(it, "path"))) {
			printf("  %-8s %s\n", change,
			    strcmp(change, "order") == 0
			        ? "the same entries in another order"
			        : "the same entries; the archive bytes differ (inode numbers, link "
			          "counts or padding)");
			continue;
		}
		if (strcmp(change, "added") == 0 || strcmp(change, "removed") == 0) {
			printf("  %-8s %s\n", change, path);
			continue;
		}
		if (strcmp(change, "content") == 0 &&
		    (strcmp(path, "cmd") == 0 || strcmp(path, "env") == 0)) {
			printf("  %-8s %-*s  (lines below)\n", change, (int)w, path);
			continue;
		}
		if (json_is_string(json_object_get(it, "a")) && strcmp(change, "content") == 0) {
			short_hex(json_object_get(it, "a"), a, sizeof(a));
			short_hex(json_object_get(it, "b"), b, sizeof(b));
		} else {
			snprintf(a, sizeof(a), "%s",
			    json_is_string(json_object_get(it, "a")) ? str(it, "a") : "(none)");
			snprintf(b, sizeof(b), "%s",
			    json_is_string(json_object_get(it, "b")) ? str(it, "b") : "(none)");
			if (json_is_integer(json_object_get(it, "a")))
				short_hex(json_object_get(it, "a"), a, sizeof(a));
			if (json_is_integer(json_object_get(it, "b")))
				short_hex(json_object_get(it, "b"), b, sizeof(b));
		}
		printf("  %-8s %-*s  %s -> %s\n", change, (int)w, path, a, b);
	}
}

static void
print_lines(const char *name, const json_t *d)
{
	const json_t *rem = json_object_get(d, "removed"), *add = json_object_get(d, "added");
	size_t i;

	if (!json_is_object(d))
		return;
	printf("\n%s:\n", name);
	for (i = 0; i < json_array_size(rem); i++)
		printf("  - %s\n", json_string_value(json_array_get(rem, i)));
	for (i = 0; i < json_array_size(add); i++)
		printf("  + %s\n", json_string_value(json_array_get(add, i)));
	if (json_is_true(json_object_get(d, "reordered")))
		printf("  (the same lines in another order)\n");
}

static void
print_text(json_t *r)
{
	const json_t *a = json_object_get(r, "a"), *b = json_object_get(r, "b");
	json_t *causes = json_object_get(r, "causes");
	void *it;
	size_t i, k = 0;

	printf("a: %s (%s)\nb: %s (%s)\n\n", str(a, "name"), str(a, "kind"), str(b, "name"),
	    str(b, "kind"));
	print_pcrs(json_object_get(r, "pcrs"));
	print_sections(json_object_get(r, "sections"));
	print_entries(json_object_get(r, "entries"));
	print_lines("cmd", json_object_get(r, "cmd"));
	print_lines("env", json_object_get(r, "env"));
	if (json_object_size(causes) > 0)
		printf("\ncauses:\n");
	for (it = json_object_iter(causes); it != NULL; it = json_object_iter_next(causes, it)) {
		const json_t *list = json_object_iter_value(it);

		for (i = 0; i < json_array_size(list); i++)
			printf("  %-6s %s\n", i == 0 ? json_object_iter_key(it) : "",
			    json_string_value(json_array_get(list, i)));
	}
	if (json_is_true(json_object_get(r, "same_pcrs"))) {
		printf("\nsame PCRs\n");
		return;
	}
	printf("\nPCRs differ: ");
	for (it = json_object_iter(causes); it != NULL; it = json_object_iter_next(causes, it))
		printf("%s%s", k++ ? ", " : "", json_object_iter_key(it));
	putchar('\n');
}

/* One side, an image's read shown as mode says (one progress line, summary, per image). */
static int
load(const char *path, enum tool_progress_mode mode, struct diff_input **ret, struct qt_err *err)
{
	struct tool_progress prog;
	struct qt_progress_cb hook;
	int r;

	tool_progress_start(&prog, mode, "read", 0);
	hook = tool_progress_hook(&prog);
	r = diff_load(path, &hook, ret, err);
	tool_progress_end(&prog);
	return r;
}

int
cmd_diff(int argc, char *argv[])
{
	struct diff_input *a = NULL, *b = NULL;
	struct qt_err err = { 0 };
	const char *style = NULL;
	enum qt_json json;
	json_t *res = NULL;
	bool differ = false;
	enum tool_progress_mode mode = TOOL_PROGRESS_AUTO;
	int ch, rc = QT_EXIT_TROUBLE;

	optind = 0;
	opterr = 0; /* reported below as "qt-measure: diff: ..." */
	while ((ch = getopt_long(argc, argv, "h", diff_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_JSON:
			tool_set_once(diff_usage, &style, "json", optarg);
			break;
		case OPT_PROGRESS:
		case OPT_QUIET:
			mode = tool_progress_arg(diff_usage, mode, ch == OPT_PROGRESS);
			break;
		case 'h':
			tool_help(diff_usage, diff_help);
		default:
			tool_usage(diff_usage, "diff: unknown option or missing argument: '%s'",
			    argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		tool_usage(diff_usage, "diff: expected two operands, A and B");
	json = tool_json_arg(diff_usage, style);
	if (load(argv[optind], mode, &a, &err) < 0 || load(argv[optind + 1], mode, &b, &err) < 0 ||
	    diff_run(a, b, &res, &differ, &err) < 0)
		goto out;
	if (style != NULL) {
		if (tool_print_json(res, json, &err) < 0)
			goto out;
	} else {
		print_text(res);
	}
	rc = differ ? QT_EXIT_MISMATCH : QT_EXIT_OK;
out:
	if (rc == QT_EXIT_TROUBLE)
		tool_report(&err);
	json_decref(res);
	diff_input_free(a);
	diff_input_free(b);
	return rc;
}
