/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eif_extract.h: an image's ramdisks unpacked into a directory, safely: the
 * entries are untrusted. No absolute path, no "..", no writing through a
 * symlink, nothing outside the directory (every component is opened
 * relative to the directory with O_NOFOLLOW); device nodes, fifos and
 * sockets skipped with a note; set-user-ID and set-group-ID bits dropped;
 * owners not applied. The ramdisks are unpacked in order into one tree, as
 * the kernel unpacks them. Everything goes into a temporary directory beside
 * the target, renamed into place at the end: the target appears whole or
 * not at all.
 */
#ifndef QT_EIF_EXTRACT_H
#define QT_EIF_EXTRACT_H

#include <stddef.h>

#include "qt.h"

/* What was written (and skipped). */
struct eif_extract_stats {
	size_t files, dirs, symlinks, hardlinks, skipped;
};

/* A note for the user (a skipped device node, dropped mode bits); not an error. */
typedef void (*eif_note_fn)(void *ctx, const char *msg);

/*
 * Unpack the ramdisks of the image at path into dir, which must not exist
 * or be an empty directory (not a symlink). The temporary directory is
 * "<parent of dir>/.<name of dir>.qt-XXXXXX" and is removed on failure. An
 * unsafe entry fails the whole extraction, naming the ramdisk and the path.
 * note may be NULL; progress (NULL: none) as eif_scan_path's and
 * eif_walk's. -1 with err.
 */
int eif_extract(const char *path, const char *dir, eif_note_fn note, void *note_ctx,
    const struct qt_progress_cb *progress, struct eif_extract_stats *ret, struct qt_err *err);

#endif
