/* SPDX-License-Identifier: Apache-2.0 */
/* tool.c: progname, usage, reports and exit-code mapping for the three tools. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "tool.h"

/* The only file-scope state allowed in tool.c (STYLE.md 3.4). */
static const char *progname = "qt";

void
tool_init(const char *argv0)
{
	const char *slash;

	/*
	 * Past the file-size limit (ulimit -f) a write must fail with EFBIG and be
	 * reported (exit 2, temporary file removed), not kill us with SIGXFSZ.
	 */
	signal(SIGXFSZ, SIG_IGN);
	if (argv0 == NULL || argv0[0] == '\0')
		return;
	slash = strrchr(argv0, '/');
	progname = slash != NULL ? slash + 1 : argv0;
}

struct qt_time
tool_time_arg(const char *usage_text, const char *opt, const char *text, unsigned flags)
{
	struct qt_err err = { 0 };
	struct qt_time t;

	if (qt_time_parse(opt, text, flags, &t, &err) < 0)
		tool_usage(usage_text, "%s", err.msg);
	if (t.kind == QT_TIME_NOW) {
		t.kind = QT_TIME_AT;
		t.ms = qt_time_now_ms();
	}
	return t;
}

const char *
tool_progname(void)
{
	return progname;
}

/* "<prog>: <message>" on stderr: the one shape of every line the tools write there. */
static void QT_PRINTF(1, 0) vwarn(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/*
 * The command a synopsis is for: the words after "usage: " up to the
 * first option or operand ("qt-measure verify" of "usage: qt-measure verify
 * --root ..."). Returns its length (0 if the text has no such line).
 */
static size_t
help_command(const char *usage_text, const char **ret_start)
{
	static const char prefix[] = "usage: ";
	const char *s, *p;

	if (strncmp(usage_text, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	s = p = usage_text + sizeof(prefix) - 1;
	for (;;) {
		const char *w = p;

		while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (*p == '-' && p > w))
			p++;
		if (p == w || (*p != ' ' && *p != '\n')) {
			p = w;
			break;
		}
		if (*p == '\n') {
			p++;
			break;
		}
		p++;
	}
	while (p > s && (p[-1] == ' ' || p[-1] == '\n'))
		p--;
	*ret_start = s;
	return (size_t)(p - s);
}

void
tool_usage(const char *usage_text, const char *fmt, ...)
{
	const char *cmd = progname;
	size_t n;

	if (fmt != NULL) {
		va_list ap;

		va_start(ap, fmt);
		vwarn(fmt, ap);
		va_end(ap);
	}
	n = help_command(usage_text, &cmd);
	if (n == 0)
		n = strlen(progname);
	fprintf(stderr, "try '%.*s --help'\n", (int)n, cmd);
	exit(QT_EXIT_TROUBLE);
}

void
tool_help(const char *usage_text, const char *help_text)
{
	fputs(usage_text, stdout);
	if (help_text != NULL) {
		fputc('\n', stdout);
		fputs(help_text, stdout);
	}
	exit(tool_finish(QT_EXIT_OK));
}

void
tool_version(void)
{
	printf("%s %s\n", progname, QT_VERSION);
	exit(tool_finish(QT_EXIT_OK));
}

void
tool_set_once(const char *usage_text, const char **slot, const char *name, const char *value)
{
	if (*slot != NULL)
		tool_usage(usage_text, "--%s given twice", name);
	*slot = value;
}

void
tool_report(const struct qt_err *err)
{
	if (err->code == 0)
		fprintf(stderr, "%s: failed for an unknown reason\n", progname);
	else
		fprintf(stderr, "%s: %s\n", progname, err->msg);
}

void
tool_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

int
tool_parse_json_style(const char *text, enum qt_json *ret_style)
{
	if (strcmp(text, "pretty") == 0)
		*ret_style = QT_JSON_PRETTY;
	else if (strcmp(text, "short") == 0)
		*ret_style = QT_JSON_SHORT;
	else
		return -1;
	return 0;
}

enum qt_json
tool_json_arg(const char *usage_text, const char *text)
{
	enum qt_json style = QT_JSON_PRETTY;

	if (text != NULL && tool_parse_json_style(text, &style) < 0)
		tool_usage(usage_text, "--json: unknown style '%.32s'", text);
	return style;
}

static const char *
profile_choices(bool allow_auto)
{
	return allow_auto ? "qingtian, nitro or auto" : "qingtian or nitro";
}

enum qt_profile
tool_profile_arg(const char *usage_text, const char *text, bool allow_auto, enum qt_profile dflt)
{
	enum qt_profile p = dflt;

	if (text != NULL && qt_profile_parse(text, allow_auto, &p) < 0)
		tool_usage(
		    usage_text, "--profile: '%.32s' is not %s", text, profile_choices(allow_auto));
	return p;
}

void
tool_profile_alias(const char *usage_text, const char **slot, const char *opt,
    const char *old_spelling, const char *new_spelling, const char *value, bool allow_auto)
{
	enum qt_profile p;

	if (qt_profile_parse(value, allow_auto, &p) < 0)
		tool_usage(
		    usage_text, "%s: '%.32s' is not %s", opt, value, profile_choices(allow_auto));
	tool_set_once(usage_text, slot, "profile", value);
	tool_warn("%s is deprecated; use %s", old_spelling, new_spelling);
}

const char *
tool_one_operand(
    const char *usage_text, int nleft, const char *first, const char *cmd, const char *what)
{
	if (nleft != 1)
		tool_usage(usage_text, "%s%sexpected exactly one %s operand",
		    cmd != NULL ? cmd : "", cmd != NULL ? ": " : "", what);
	return first;
}

void
tool_warn_cb(void *ctx, const char *msg)
{
	(void)ctx;
	tool_warn("%s", msg);
}

int
tool_print_json(const json_t *obj, enum qt_json style, struct qt_err *err)
{
	char *s = NULL;
	int r = 0;

	/* serde_json's bytes (json.h): what nitro-cli users' scripts and goldens expect */
	if (qtjson_dump(obj, style == QT_JSON_PRETTY, &s, err) < 0)
		return -1;
	if (fputs(s, stdout) == EOF || fputc('\n', stdout) == EOF)
		r = qt_err_set(err, errno, "standard output: %s", strerror(errno));
	free(s);
	return r;
}

int
tool_finish(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(
		    stderr, "%s: standard output: write failed: %s\n", progname, strerror(errno));
		return QT_EXIT_TROUBLE;
	}
	return rc;
}
