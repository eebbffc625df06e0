/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eif_diff.h: why two builds measure differently. Each side is an image or
 * a manifest (qt-manifest(5)); the PCRs are compared, then the sections
 * that feed them (kernel, cmdline, each ramdisk, signing certificate,
 * metadata), then, for two images, the entries of each ramdisk that
 * differs (added, removed, type, content, mode, owner, link target, mtime)
 * and the lines of "cmd" and "env". Every changed PCR gets the list of the
 * causes that feed it. Images are read as eif_ls.h reads them: memory holds
 * entry headers and hashes, never file data.
 */
#ifndef QT_EIF_DIFF_H
#define QT_EIF_DIFF_H

#include <stdbool.h>

#include <jansson.h>

#include "qt.h"

struct diff_input;

/*
 * Load one side: a manifest (a file whose first non-blank byte is '{') or
 * an image (scanned and walked, telling progress as eif_scan_path and
 * eif_walk do; NULL: none). name is used in messages and the result.
 */
int diff_load(const char *path, const struct qt_progress_cb *progress, struct diff_input **ret,
    struct qt_err *err);
void diff_input_free(struct diff_input *d);

/*
 * Compare a and b. *ret is the result (man/qt-measure.1, diff): a, b,
 * same_pcrs, pcrs, sections, entries, cmd, env, causes; a new reference.
 * *ret_differ is true when a PCR both sides have differs. -1 with err when
 * nothing can be compared (no PCR in common) or on allocation failure.
 */
int diff_run(const struct diff_input *a, const struct diff_input *b, json_t **ret, bool *ret_differ,
    struct qt_err *err);

#endif
