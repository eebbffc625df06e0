/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest_cmp.h: two manifests compared value by value (`qt-measure check`):
 * every PCR an image determines, the kernel, cmdline and ramdisk digests.
 * The file's name, size and hashes are not compared: a renamed copy, or the
 * same build signed again by the same key, is the same build.
 */
#ifndef QT_MANIFEST_CMP_H
#define QT_MANIFEST_CMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

/* at most: PCRs, kernel, cmdline, ramdisks */
#define MANIFEST_CMP_MAX (PCR_COUNT + 2 + MANIFEST_RAMDISKS_MAX)

struct manifest_item {
	char what[16];        /* "PCR0", "kernel", "cmdline", "ramdisk 1" */
	bool differs;         /* absent on one side, or other bytes */
	const uint8_t *a, *b; /* into the manifests (48 bytes each); NULL = absent */
};

/*
 * Compare a (the approved manifest) with b (the image's), in the order
 * above: each PCR of a except 3 and 4 (the parent's identity, not the
 * image's) and each PCR of b not in a, then kernel, cmdline, ramdisks by
 * index. Fills items[0..*ret_n) (room for MANIFEST_CMP_MAX) and returns the
 * number that differ. The pointers borrow from a and b.
 */
size_t manifest_compare(const struct manifest *a, const struct manifest *b,
    struct manifest_item items[MANIFEST_CMP_MAX], size_t *ret_n);

#endif
