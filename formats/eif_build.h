/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eif_build.h: the two image pipelines. Build: kernel, command line,
 * metadata and ramdisks (files, a container rootfs, a bootstrap ramdisk)
 * streamed through the EIF writer into a temporary file beside the output,
 * optionally signed, then renamed into place. Rewrite: an image copied with
 * its signature section dropped, and a new one appended if asked. Never
 * prints, never exits: errors in struct qt_err, warnings through a callback.
 */
#ifndef QT_EIF_BUILD_H
#define QT_EIF_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "pcr.h"
#include "qt.h"

enum eif_build_ramdisk_kind {
	EIF_BUILD_RAMDISK_FILE,      /* --ramdisk FILE: bytes copied as they are */
	EIF_BUILD_RAMDISK_ROOTFS,    /* --rootfs SOURCE: the application ramdisk */
	EIF_BUILD_RAMDISK_BOOTSTRAP, /* --init/--driver or --bootstrap DIR */
};

/* Options of the generated ramdisks (formats/ramdisk.h does the formats). */
struct eif_build_rootfs {
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
	const char *platform; /* --platform os/arch[/variant] of a multi-platform image */
	bool gzip;            /* --compress gzip */
	bool keep_owner;      /* --keep-owner */
	uint64_t max_entries; /* --max-entries, 0 = default */
	uint64_t max_bytes;   /* --max-bytes, 0 = default */
};

struct eif_build_ramdisk {
	enum eif_build_ramdisk_kind kind;
	const char *path;
};

/* At most this many ramdisks: kernel, cmdline, metadata and signature take the other slots. */
#define EIF_BUILD_RAMDISKS_MAX (QT_MAX_SECTIONS - 4)

/*
 * One input file as the build read it (qt-provenance(5) resolvedDependencies):
 * role "kernel", "cmdline-file", "kernel-config", "metadata", "init",
 * "driver" or "ramdisk" (a --ramdisk FILE), the path as given, and the
 * SHA-256 and SHA-384 of its bytes, hashed during the build's one read.
 */
struct eif_build_input {
	const char *role; /* static text */
	const char *path; /* the option's text (owned by the caller of eif_build_run) */
	uint8_t sha256[32], sha384[48];
};

/*
 * What a build read, for provenance: inputs in the order kernel,
 * cmdline-file, kernel-config, metadata, then the ramdisks' files in image
 * order (init, drivers; --ramdisk FILE), and the kernel command line as in
 * the image (NUL-terminated: it holds no NUL). Freed with
 * eif_build_record_free.
 */
struct eif_build_record {
	struct eif_build_input *inputs;
	size_t ninputs;
	char *cmdline;
};

void eif_build_record_free(struct eif_build_record *r);

/* A warning the caller may show ("<source>: dropping ..."); msg is gone after the call. */
typedef void (*eif_build_warn_fn)(void *ctx, const char *msg);

/*
 * Progress of the write (qt.h struct qt_progress: bytes given to the writer,
 * kernel and ramdisks; their total, 0 when a ramdisk is gzip; the cpio
 * entries of the generated ramdisks), told at most every
 * EIF_BUILD_PROGRESS_STEP bytes and once more when the last ramdisk is
 * written; the library prints nothing. The call may come from the thread
 * that feeds the writer a generated ramdisk (cpio.c), not the caller's.
 */
typedef qt_progress_fn eif_build_progress_fn;
#define EIF_BUILD_PROGRESS_STEP QT_PROGRESS_STEP

struct eif_build_opts {
	const char *kernel;
	const char *cmdline;      /* --cmdline */
	const char *cmdline_file; /* --cmdline-file (trimmed like nitro-cli) */
	struct eif_build_ramdisk ramdisks[EIF_BUILD_RAMDISKS_MAX];
	size_t nramdisks;
	uint16_t arch_flags; /* 0 x86_64, EIF_FLAG_ARM64 aarch64 */
	const char *image_name;
	const char *image_version;
	const char *metadata_file; /* --metadata: CustomMetadata JSON */
	const char *build_time;    /* --build-time (text.h grammar); NULL: source_date_epoch */
	const char *build_tool;
	const char *build_tool_version;
	const char *img_os;
	const char *img_kernel;
	const char *kernel_config; /* --kernel-config: OS and kernel version as nitro-cli */
	const char *output;        /* the image file; NULL = measure only, nothing written */
	/*
	 * SOURCE_DATE_EPOCH's text or NULL (the caller reads the environment):
	 * BuildTime without --build-time, and the clamp of generated mtimes.
	 */
	const char *source_date_epoch;
	/* sign as qt-sign does (formats/signer.h, man/qt-sign.1); sign_key NULL = unsigned */
	const char *sign_key; /* PEM file or pkcs11: URI */
	const char *sign_cert;
	const char *sign_pass;     /* pass:, env:, file:, fd: */
	const char *pkcs11_module; /* PKCS#11 module for a pkcs11: key */
	bool allow_expired_cert;
	int64_t sign_now; /* the time the certificate must be valid at (seconds) */
	struct eif_build_rootfs rootfs;
	eif_build_warn_fn warn; /* may be NULL: warnings dropped */
	void *warn_ctx;
	bool strict; /* --strict: any warning stops the build (1) before the output exists */
	struct eif_build_record *record; /* NULL, or filled by a successful eif_build_run */
	eif_build_progress_fn progress;  /* may be NULL: no progress reports */
	void *progress_ctx;
};

/*
 * --bootstrap DIR: fill kernel (bzImage, or Image for aarch64), cmdline-file
 * (cmdline), init, driver (nsm.ko) and kernel config (bzImage.config /
 * Image.config) from DIR where not given; then, if there is an init, put the
 * bootstrap ramdisk first (PCR1 covers kernel, cmdline and it). New paths go
 * to owned[] (at least 5 slots, freed by the caller). -1 with err if DIR
 * lacks a file or the ramdisk table is full.
 */
int eif_build_bootstrap(struct eif_build_opts *o, char **owned, size_t nowned, struct qt_err *err);

/*
 * Build the image into o->output (atomically: temporary file, rename), or
 * only measure it (output NULL). Every source, key and certificate is read
 * and checked before the output exists, and so are the pre-flight checks
 * whose findings are warnings (the command in the rootfs, init, kernel and
 * ramdisk formats). ret gets PCR0/1/2, and PCR8 when signed. Returns 0,
 * 1 when o->strict and there were warnings (err says how many; nothing
 * written), or -1.
 */
int eif_build_run(const struct eif_build_opts *o, struct pcr_set *ret, struct qt_err *err);

/* Trim white space at both ends as Rust's str::trim does (ASCII and Unicode White_Space). */
void eif_build_trim(const char *s, size_t len, size_t *ret_start, size_t *ret_len);

/* ---- rewriting an image ---------------------------------------------------- */

/* Builds a signature section for pcr0: 0, 1 (refused; err says why) or -1. */
typedef int (*eif_section_fn)(
    void *ctx, const uint8_t pcr0[PCR_LEN], struct wbuf *ret_section, struct qt_err *err);

/* signer_section() as an eif_section_fn: ctx is a const struct signer. */
int eif_build_sign_section(
    void *ctx, const uint8_t pcr0[PCR_LEN], struct wbuf *ret_section, struct qt_err *err);

/*
 * Copy the EIF in_path into out_fd (a fresh file) through an EIF writer in
 * one pass, dropping its signature section if it has one, keeping every
 * other section and the header fields; then, if make is not NULL, append
 * the section make(ctx, PCR0) builds as the last section. An input with a
 * bad CRC is refused. Returns 0, make's 1, or -1; ret_pcrs gets PCR0/1/2.
 * progress (NULL: none) is told the input's bytes read (and so copied) as
 * eif_read tells them.
 */
int eif_rewrite(const char *in_path, int out_fd, const char *out_name, eif_section_fn make,
    void *ctx, const struct qt_progress_cb *progress, struct pcr_set *ret_pcrs,
    bool *ret_was_signed, struct qt_err *err);

#endif
