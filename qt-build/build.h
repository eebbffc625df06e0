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
	BUILD_RAMDISK_FILE, /* --ramdisk FILE: bytes copied as they are */
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
	const char *sign_key;      /* PEM file or pkcs11: URI */
	const char *sign_cert;
	const char *sign_pass;     /* --sign-pass: pass:, env:, file:, fd: */
	const char *pkcs11_module; /* --pkcs11-module */
	bool allow_expired_cert;
	bool measure_only;
	enum describe_shape shape;
	enum qt_json json;
};

/* Build the image (or only measure it); PCR0/1/2 (+PCR8 when signed) into ret. */
int build_run(const struct build_opts *o, struct pcr_set *ret, struct qt_err *err);

/* Helpers shared with tests and other options. */
/* Trim white space at both ends as Rust's str::trim does (ASCII and Unicode White_Space). */
void build_trim(const char *s, size_t len, size_t *ret_start, size_t *ret_len);
/* Check text is an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)). */
bool build_rfc3339_ok(const char *text);

#endif
