/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tool.h: front-end glue shared by qt-build, qt-measure and qt-sign
 * (libqttool.a; never linked into libqt.a or the unit tests): program name,
 * usage and help, error reports, JSON printing and the exit-code rules.
 */
#ifndef QT_TOOL_H
#define QT_TOOL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "qt.h"
#include "text.h"

enum qt_json {
	QT_JSON_PRETTY, /* 2-space indent, one key per line (serde_json to_string_pretty) */
	QT_JSON_SHORT,  /* one line, no spaces */
};

/* Remember the program name (basename of argv0). Call first. */
void tool_init(const char *argv0);
const char *tool_progname(void);

/*
 * A usage error: "<prog>: <message>" (fmt may be NULL when getopt has said it
 * already), then "try '<command> --help'" on stderr, exit 2; the synopsis is
 * not repeated. usage_text is the command's synopsis, "usage: <command> ...":
 * <command> is its words up to the first option or operand
 * ("qt-measure verify").
 */
QT_NORETURN void tool_usage(const char *usage_text, const char *fmt, ...) QT_PRINTF(2, 3);
/*
 * --help: the synopsis, a blank line and help_text (the options grouped by
 * task, exit status, man page; NULL: none) on stdout, exit 0 (or 2 if stdout
 * cannot be written).
 */
QT_NORETURN void tool_help(const char *usage_text, const char *help_text);
/* "<prog> <version>" on stdout, exit 0. */
QT_NORETURN void tool_version(void);

/*
 * Store value in *slot for a single-valued option; a second use is a usage
 * error ("--<name> given twice"), not "last wins".
 */
void tool_set_once(const char *usage_text, const char **slot, const char *name, const char *value);

/*
 * An option holding a time (text.h grammar; flags as qt_time_parse): a
 * malformed or impossible time is a usage error naming the option. "now" is
 * resolved here, from the clock, so the result is an instant or DOC.
 */
struct qt_time tool_time_arg(
    const char *usage_text, const char *opt, const char *text, unsigned flags);

/* "<prog>: <err->msg>" on stderr. */
void tool_report(const struct qt_err *err);
/* "<prog>: <message>" on stderr (non-fatal diagnostics). */
void tool_warn(const char *fmt, ...) QT_PRINTF(1, 2);
/* tool_warn as a library warning callback (eif_build_warn_fn): ctx unused. */
void tool_warn_cb(void *ctx, const char *msg);

/* Parse the argument of --json=; returns 0 or -1 for an unknown style. */
int tool_parse_json_style(const char *text, enum qt_json *ret_style);
/* --json's text (NULL = pretty); an unknown style is a usage error. */
enum qt_json tool_json_arg(const char *usage_text, const char *text);

/*
 * --profile qingtian|nitro (|auto with allow_auto): the platform whose
 * conventions are meant. text NULL gives dflt; anything else is a usage
 * error "--profile: 'x' is not qingtian or nitro".
 */
enum qt_profile tool_profile_arg(
    const char *usage_text, const char *text, bool allow_auto, enum qt_profile dflt);
/*
 * An old spelling of --profile, still accepted: value (already mapped to
 * qingtian|nitro|auto by the caller) is checked, then "<prog>: <old> is
 * deprecated; use <new>" goes to stderr once and value is stored as
 * tool_set_once(slot, "profile") would. A bad value is a usage error naming
 * opt ("--format: 'x' is not qingtian or nitro").
 */
void tool_profile_alias(const char *usage_text, const char **slot, const char *opt,
    const char *old_spelling, const char *new_spelling, const char *value, bool allow_auto);

/*
 * The operand of a command taking exactly one: first (argv[optind]) if nleft
 * (argc - optind) is 1, else a usage error "[<cmd>: ]expected exactly one
 * <what> operand" (cmd may be NULL).
 */
const char *tool_one_operand(
    const char *usage_text, int nleft, const char *first, const char *cmd, const char *what);
/*
 * Progress on stderr for long reads and writes (tool/progress.c; qt-build,
 * qt-measure). AUTO: one updating line ('\r', cleared at the end) when
 * stderr is a terminal and the work has taken a second, redrawn at most 5
 * times a second; nothing otherwise. PLAIN (--progress): a plain line every
 * 2 seconds and a summary line at the end, for logs. OFF (--quiet): nothing.
 */
enum tool_progress_mode { TOOL_PROGRESS_AUTO, TOOL_PROGRESS_PLAIN, TOOL_PROGRESS_OFF };

struct tool_progress {
	enum tool_progress_mode mode; /* after tool_progress_start: AUTO means a terminal */
	const char *verb;             /* "written", "read" */
	uint64_t total;               /* bytes; 0 = unknown (no percentage, no time left) */
	uint64_t done;
	uint64_t entries, nentries;  /* cpio entries done, of how many (0 = unknown) */
	unsigned section, nsections; /* the section at work, of how many (0 = not shown) */
	int64_t start_ms, last_ms;
	bool shown; /* the updating line is on the terminal */
	bool final; /* the summary line of --progress */
};

/*
 * mode from --progress/--quiet (AUTO without stderr a terminal becomes
 * OFF); verb says what the bytes are; total in bytes or 0 (a library report
 * with a total sets it).
 */
void tool_progress_start(
    struct tool_progress *p, enum tool_progress_mode mode, const char *verb, uint64_t total);
/*
 * --progress (plain true) or --quiet (false) on top of cur: the new mode;
 * the same option twice or both are usage errors.
 */
enum tool_progress_mode tool_progress_arg(
    const char *usage_text, enum tool_progress_mode cur, bool plain);
/* done bytes, at section of nsections: shown if it is time to. */
void tool_progress_update(
    struct tool_progress *p, uint64_t done, unsigned section, unsigned nsections);
/*
 * A library's report (qt_progress_fn; ctx: the struct tool_progress). It may
 * come from a library thread while the caller's waits in the library: the
 * struct is only touched by one thread at a time.
 */
void tool_progress_cb(void *ctx, const struct qt_progress *q);
/* The hook a library reader takes (eif_read_cb.progress, manifest_from_image, ...): off, none. */
struct qt_progress_cb tool_progress_hook(struct tool_progress *p);
/*
 * Take the updating line off the terminal (if it is there) so that a message
 * can be printed on a line of its own; the next update draws it again.
 */
void tool_progress_clear(struct tool_progress *p);
/* The end: the updating line is cleared; --progress prints a summary line. */
void tool_progress_end(struct tool_progress *p);
/* manifest_from_image (file from path), the read shown as mode says. */
struct manifest;
int tool_manifest_from_image(const char *path, enum qt_profile platform,
    enum tool_progress_mode mode, struct manifest **ret, struct qt_err *err);

/* Print obj on stdout in the chosen style with a final newline. */
int tool_print_json(const json_t *obj, enum qt_json style, struct qt_err *err);

/*
 * Flush stdout; a failed flush turns success into QT_EXIT_TROUBLE (a full
 * disk must not pass as a complete manifest). Returns the exit code.
 */
int tool_finish(int rc);

#endif
