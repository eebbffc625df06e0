/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build.h: what qt-build's options parse into, and the build itself
 * (build.c). Other helpers add inputs here: a ramdisk kind, signing options.
 */
#ifndef QT_BUILD_H
#define QT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "describe.h"
#include "pcr.h"
#include "qt.h"
#include "tool.h"

enum build_ramdisk_kind {
	BUILD_RAMDISK_FILE,      /* --ramdisk FILE: bytes copied as they are */
	BUILD_RAMDISK_ROOTFS,    /* --rootfs SOURCE: the application ramdisk (rootfs.c) */
	BUILD_RAMDISK_BOOTSTRAP, /* --init/--driver or --bootstrap DIR (rootfs.c) */
};

/* Options of the generated ramdisks (rootfs.c, formats/ramdisk). */
struct build_rootfs {
	const char *source;   /* --rootfs */
	const char *init;     /* --init */
	const char **drivers; /* --driver, in order */
	size_t ndrivers;
	const char *bootstrap_dir;    /* --bootstrap */
	const char *bootstrap_driver; /* DIR/nsm.ko when --bootstrap supplies the driver */
	const char **cmd;             /* raw --cmd values ('[...]' = JSON array) */
	size_t ncmd;
	const char **entrypoint; /* raw --entrypoint values */
	size_t nentrypoint;
	const char **env; /* --env KEY=VALUE */
	size_t nenv;
	const char *platform; /* --platform os/arch[/variant] */
	bool gzip;            /* --compress gzip */
	bool keep_owner;      /* --keep-owner */
	uint64_t max_entries; /* --max-entries, 0 = default */
	uint64_t max_bytes;   /* --max-bytes, 0 = default */
};

struct build_ramdisk {
	enum build_ramdisk_kind kind;
	const char *path;
};

struct build_opts {
	const char *kernel;
	const char *cmdline;      /* --cmdline */
	const char *cmdline_file; /* --cmdline-file (trimmed like nitro-cli) */
	struct build_ramdisk ramdisks[QT_MAX_SECTIONS];
	size_t nramdisks;
	uint16_t arch_flags; /* 0 x86_64, EIF_FLAG_ARM64 aarch64 */
	const char *image_name;
	const char *image_version;
	const char *metadata_file; /* --metadata: CustomMetadata JSON */
	const char *build_time;    /* --build-time; NULL: SOURCE_DATE_EPOCH or the epoch */
	const char *build_tool;
	const char *build_tool_version;
	const char *img_os;
	const char *img_kernel;
	const char *kernel_config; /* --kernel-config: OS and kernel version as nitro-cli */
	const char *output;        /* -o; NULL only with measure_only */
	/* --sign-key/--sign-cert: sign as qt-sign does (formats/signer.h, man/qt-sign.1) */
	const char *sign_key; /* PEM file or pkcs11: URI */
	const char *sign_cert;
	const char *sign_pass;     /* --sign-pass: pass:, env:, file:, fd: */
	const char *pkcs11_module; /* --pkcs11-module */
	bool allow_expired_cert;
	bool measure_only;
	enum qt_profile shape;
	enum qt_json json;
	struct build_rootfs rootfs;
};

/* rootfs.c: load --rootfs and compute cmd/env before anything is written (warns on stderr). */
struct rootfs_state;
int rootfs_prepare(const struct build_opts *o, struct rootfs_state **ret, struct qt_err *err);
/* Write a generated ramdisk (kind ROOTFS or BOOTSTRAP) into sink. */
int rootfs_write(const struct build_opts *o, const struct rootfs_state *s,
    enum build_ramdisk_kind kind, struct qt_sink sink, struct qt_err *err);
void rootfs_free(struct rootfs_state *s);
/*
 * --bootstrap DIR: fill kernel (bzImage, or Image for aarch64), cmdline-file
 * (cmdline), init, driver (nsm.ko) and kernel config (bzImage.config / Image.config)
 * from DIR where not given; new paths go to owned[] (at least 5 slots, freed by the caller).
 */
int rootfs_bootstrap_dir(struct build_opts *o, char **owned, size_t nowned, struct qt_err *err);

/* Build the image (or only measure it); PCR0/1/2 (+PCR8 when signed) into ret. */
int build_run(const struct build_opts *o, struct pcr_set *ret, struct qt_err *err);

/* Helpers shared with tests and other options. */
/* Trim white space at both ends as Rust's str::trim does (ASCII and Unicode White_Space). */
void build_trim(const char *s, size_t len, size_t *ret_start, size_t *ret_len);

#endif
