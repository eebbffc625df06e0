/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eif_build_private.h: what eif_build.c (the writing) and eif_inputs.c (the
 * checks and generated ramdisks before it) share, and only they ("eb_"
 * names: internal to the build, though linked into libqt.a).
 */
#ifndef QT_EIF_BUILD_PRIVATE_H
#define QT_EIF_BUILD_PRIVATE_H

#include <stdint.h>

#include "eif_build.h"
#include "qt.h"
#include "ramdisk/ramdisk.h"

/* A --rootfs source loaded and checked, with its command and environment. */
struct rootfs_state {
	struct ramdisk_tree *tree;
	struct ramdisk_strv cmd;
	struct ramdisk_strv env;
	uint32_t clamp;
};

/* Record the SHA-256 and SHA-384 of bytes already read under role (r NULL: nothing to do). */
int eb_rec_add(struct eif_build_record *r, const char *role, const char *path, const uint8_t *buf,
    size_t len, struct qt_err *err);
/* The kernel's format against --arch: another arch's known format is an error, an unknown one a
 * warning. */
int eb_kernel_check(const struct eif_build_opts *o, struct qt_err *err);
/* Each --ramdisk must look like cpio newc or gzip (a warning otherwise). */
int eb_ramdisk_files_check(const struct eif_build_opts *o, struct qt_err *err);
/* --init must be an ELF for --arch or a #! script (a warning otherwise). */
int eb_init_check(const struct eif_build_opts *o, struct qt_err *err);
/* Load and check --rootfs (before any output exists); *ret NULL when there is none. */
int eb_rootfs_prepare(
    const struct eif_build_opts *o, struct rootfs_state **ret, struct qt_err *err);
void eb_rootfs_free(struct rootfs_state *s);
/* Write the generated ramdisk of kind into sink, counting its cpio entries in *entries. */
int eb_rootfs_write(const struct eif_build_opts *o, const struct rootfs_state *s,
    enum eif_build_ramdisk_kind kind, atomic_uint_least64_t *entries, struct qt_sink sink,
    struct qt_err *err);
/* Its entries and, unless gzip (0: unknown), its size in bytes, before it is written. */
int eb_rootfs_size(const struct eif_build_opts *o, const struct rootfs_state *s,
    enum eif_build_ramdisk_kind kind, uint64_t *ret_entries, uint64_t *ret_bytes,
    struct qt_err *err);

#endif
