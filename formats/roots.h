/* SPDX-License-Identifier: Apache-2.0 */
/*
 * roots.h: the trust anchors qt ships (roots/ in the source tree, installed
 * under $(PREFIX)/share/qt/roots): the QingTian root G1 and the AWS Nitro
 * root G1, each named by a word and pinned by the SHA-256 of its DER.
 */
#ifndef QT_ROOTS_H
#define QT_ROOTS_H

#include <stddef.h>
#include <stdint.h>

#include "qt.h"

struct qt_root {
	const char *word;    /* "qingtian", "nitro" */
	const char *file;    /* file name under the roots directory */
	const char *subject; /* for messages and the man page */
	uint8_t sha256[32];  /* of the DER */
};

/* The shipped root named word, or NULL when word names none. */
const struct qt_root *roots_find(const char *word);

/*
 * Load the shipped root r from dir/r->file (PEM or DER) and check that its
 * DER has r's SHA-256: a replaced or damaged file is an error, never a
 * different anchor. *ret_der is malloc'd. -1 with err naming the file.
 */
int roots_load(const struct qt_root *r, const char *dir, uint8_t **ret_der, size_t *ret_len,
    struct qt_err *err);

#endif
