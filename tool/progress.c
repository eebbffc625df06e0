/* SPDX-License-Identifier: Apache-2.0 */
/*
 * progress.c: the progress line of long reads and writes on stderr (tool.h
 * tool_progress_*), fed by the library's struct qt_progress reports.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "manifest.h"
#include "tool.h"

#define PROGRESS_AFTER_MS  1000 /* work shorter than this shows nothing on a terminal */
#define PROGRESS_REDRAW_MS 200  /* the terminal line at most 5 times a second */
#define PROGRESS_PLAIN_MS  2000 /* --progress: a line every 2 seconds */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* bytes as "812 KiB", "1.5 MiB", "12 GiB": 3 significant digits at most. */
static void
human(uint64_t n, char *buf, size_t size)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	unsigned u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0 || v >= 100)
		snprintf(buf, size, "%.0f %s", v, unit[u]);
	else if (v >= 10)
		snprintf(buf, size, "%.1f %s", v, unit[u]);
	else
		snprintf(buf, size, "%.2f %s", v, unit[u]);
}

void
tool_progress_start(
    struct tool_progress *p, enum tool_progress_mode mode, const char *verb, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode == TOOL_PROGRESS_AUTO && !isatty(STDERR_FILENO) ? TOOL_PROGRESS_OFF : mode;
	p->verb = verb;
	p->total = total;
	p->start_ms = p->last_ms = now_ms();
}

/* Append to line (of size, n used) what fmt says; n stays at most size - 1. */
static size_t add(char *line, size_t size, size_t n, const char *fmt, ...) QT_PRINTF(4, 5);

static size_t
add(char *line, size_t size, size_t n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (n >= size - 1)
		return n;
	va_start(ap, fmt);
	k = vsnprintf(line + n, size - n, fmt, ap);
	va_end(ap);
	if (k < 0)
		return n;
	return (size_t)k >= size - n ? size - 1 : n + (size_t)k;
}

/*
 * "<prog>: 1.2 GiB of 2.0 GiB written (60%), 31012 of 50012 entries,
 * section 4 of 6, 420 MiB/s, 2 s left"; the summary (final) says
 * "..., 50012 entries, 6 sections, 420 MiB/s, done in 4.1 s".
 */
static void
progress_show(struct tool_progress *p, int64_t t)
{
	char done[32], rate[32], line[200];
	int64_t el = t - p->start_ms;
	uint64_t bps = el > 0 ? p->done * 1000 / (uint64_t)el : 0;
	size_t n = 0, z = sizeof(line);

	human(p->done, done, sizeof(done));
	human(bps, rate, sizeof(rate));
	if (p->total > 0) {
		char tot[32];

		human(p->total, tot, sizeof(tot));
		n = add(line, z, n, "%s: %s of %s %s (%u%%)", tool_progname(), done, tot, p->verb,
		    (unsigned)(p->done >= p->total ? 100 : p->done * 100 / p->total));
	} else {
		n = add(line, z, n, "%s: %s %s", tool_progname(), done, p->verb);
	}
	if (p->nentries > 0 && !p->final)
		n = add(line, z, n, ", %llu of %llu entries", (unsigned long long)p->entries,
		    (unsigned long long)p->nentries);
	else if (p->entries > 0 || p->nentries > 0)
		n = add(line, z, n, ", %llu entries", (unsigned long long)p->entries);
	if (p->nsections > 0 && p->final)
		n = add(line, z, n, ", %u sections", p->nsections);
	else if (p->nsections > 0)
		n = add(line, z, n, ", section %u of %u", p->section, p->nsections);
	n = add(line, z, n, ", %s/s", rate);
	if (p->final)
		add(line, z, n, ", done in %lld.%01lld s", (long long)(el / 1000),
		    (long long)(el % 1000 / 100));
	else if (p->total > p->done && bps > 0)
		add(line, z, n, ", %llu s left",
		    (unsigned long long)((p->total - p->done + bps - 1) / bps));
	if (p->mode == TOOL_PROGRESS_PLAIN) {
		fprintf(stderr, "%s\n", line);
	} else {
		/* one line, redrawn in place; \033[K clears what a longer line left */
		fprintf(stderr, "\r%s\033[K", line);
		p->shown = true;
	}
	fflush(stderr);
	p->last_ms = t;
}

enum tool_progress_mode
tool_progress_arg(const char *usage_text, enum tool_progress_mode cur, bool plain)
{
	enum tool_progress_mode m = plain ? TOOL_PROGRESS_PLAIN : TOOL_PROGRESS_OFF;

	if (cur == m)
		tool_usage(usage_text, "--%s given twice", plain ? "progress" : "quiet");
	if (cur != TOOL_PROGRESS_AUTO)
		tool_usage(usage_text, "--progress and --quiet exclude each other");
	return m;
}

void
tool_progress_update(struct tool_progress *p, uint64_t done, unsigned section, unsigned nsections)
{
	int64_t t;

	if (p->mode == TOOL_PROGRESS_OFF)
		return;
	p->done = done;
	p->section = section;
	p->nsections = nsections;
	t = now_ms();
	if (p->mode == TOOL_PROGRESS_PLAIN) {
		if (t - p->last_ms >= PROGRESS_PLAIN_MS)
			progress_show(p, t);
	} else if (t - p->start_ms >= PROGRESS_AFTER_MS && t - p->last_ms >= PROGRESS_REDRAW_MS) {
		progress_show(p, t);
	}
}

void
tool_progress_cb(void *ctx, const struct qt_progress *q)
{
	struct tool_progress *p = ctx;

	if (q->total > 0)
		p->total = q->total;
	p->entries = q->entries;
	p->nentries = q->nentries;
	tool_progress_update(p, q->bytes, q->section, q->nsections);
}

struct qt_progress_cb
tool_progress_hook(struct tool_progress *p)
{
	struct qt_progress_cb cb = { NULL, NULL };

	if (p->mode != TOOL_PROGRESS_OFF) {
		cb.fn = tool_progress_cb;
		cb.ctx = p;
	}
	return cb;
}

void
tool_progress_clear(struct tool_progress *p)
{
	if (p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p->shown = false;
	}
}

void
tool_progress_end(struct tool_progress *p)
{
	tool_progress_clear(p);
	if (p->mode == TOOL_PROGRESS_PLAIN && p->done > 0) {
		p->final = true;
		progress_show(p, now_ms());
	}
}

int
tool_manifest_from_image(const char *path, enum qt_profile platform, enum tool_progress_mode mode,
    struct manifest **ret, struct qt_err *err)
{
	struct tool_progress p;
	struct qt_progress_cb hook;
	int r;

	tool_progress_start(&p, mode, "read", 0);
	hook = tool_progress_hook(&p);
	r = manifest_from_image(path, NULL, platform, &hook, ret, err);
	tool_progress_end(&p);
	return r;
}
