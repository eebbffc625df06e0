/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ramdisk/ramdisk.h: reproducible cpio newc ramdisks (spec/eif.md 9) from a
 * directory, a tarball, a `docker save` archive or an OCI image layout.
 * The only user of libarchive. A source is loaded into a tree (paths and
 * metadata in memory, file contents left where they are or spooled to an
 * unlinked temporary file), then written in a fixed order into a qt_sink.
 */
#ifndef QT_RAMDISK_H
#define QT_RAMDISK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "qt.h"

/* Defaults of the limits on a source (documented in qt-build(1)). */
#define RAMDISK_MAX_ENTRIES_DEFAULT 1000000u      /* entries read, all layers together */
#define RAMDISK_MAX_BYTES_DEFAULT   (64ull << 30) /* file content bytes read, all layers */
#define RAMDISK_JSON_MAX            (4u << 20)    /* manifest.json, index, image config */
#define RAMDISK_PATH_MAX            4096u         /* PATH_MAX, "rootfs/" prefix included */
#define RAMDISK_MAX_LAYERS          256u

/* What `docker run` sets when the image's Env has no PATH. */
#define RAMDISK_DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct ramdisk_opts {
	uint32_t mtime_clamp; /* SOURCE_DATE_EPOCH: every mtime is min(mtime, clamp) */
	bool keep_owner;      /* directory: keep uid, gid and mode bits as on disk */
	const char *platform; /* OCI/docker: "os/arch[/variant]"; NULL = "linux/amd64" */
	const char *eif_arch; /* "x86_64"/"aarch64" for messages about platform; may be NULL */
	uint64_t max_entries; /* 0 = RAMDISK_MAX_ENTRIES_DEFAULT */
	uint64_t max_bytes;   /* 0 = RAMDISK_MAX_BYTES_DEFAULT */
	const char *tmpdir;   /* where archive contents are spooled; NULL = $TMPDIR or /tmp */
};

/* A vector of n malloc'd strings; v[n] is NULL (freed with ramdisk_strv_free). */
struct ramdisk_strv {
	char **v;
	size_t n;
};

/* Image configuration of a docker-archive or OCI source ("config" object). */
struct ramdisk_config {
	bool has_entrypoint; /* key present and not null */
	bool has_cmd;
	struct ramdisk_strv entrypoint;
	struct ramdisk_strv cmd;
	struct ramdisk_strv env;
	char *workdir; /* NULL if unset */
	char *user;    /* NULL if unset */
};

/* What loading a source found that the front-end may want to warn about. */
struct ramdisk_stats {
	uint64_t entries;       /* entries read from the source, all layers */
	uint64_t bytes;         /* file content bytes read */
	uint64_t written;       /* entries in the resulting tree */
	uint64_t xattrs;        /* entries that carried extended attributes (dropped) */
	char xattr_first[256];  /* the first of them in byte-wise path order */
	uint64_t devices;       /* device nodes and sockets skipped */
	char device_first[256]; /* likewise */
	uint64_t layers;        /* layers applied (1 for a directory or tarball) */
};

enum ramdisk_kind {
	RAMDISK_SRC_DIR,
	RAMDISK_SRC_TAR,
	RAMDISK_SRC_DOCKER,      /* docker-archive:FILE[:IMAGE] */
	RAMDISK_SRC_OCI,         /* oci:DIR[:REF] */
	RAMDISK_SRC_OCI_ARCHIVE, /* oci-archive:FILE[:REF] */
};

struct ramdisk_tree;

/*
 * Load SOURCE: "docker-archive:FILE[:IMAGE]", "oci:DIR[:REF]", a directory
 * or a tarball (any compression libarchive reads). Untrusted input: paths
 * are normalised, escapes, writes through symbolic links, bad digests and
 * limit overruns are errors naming the archive, layer and entry. Nothing
 * is written anywhere but the spool file (unlinked, freed with the tree).
 */
int ramdisk_tree_load(const char *source, const struct ramdisk_opts *opts,
    struct ramdisk_tree **ret, struct qt_err *err);
void ramdisk_tree_free(struct ramdisk_tree *t);
enum ramdisk_kind ramdisk_tree_kind(const struct ramdisk_tree *t);
/* The image config of a docker/OCI source, NULL for a directory or tarball. */
const struct ramdisk_config *ramdisk_tree_config(const struct ramdisk_tree *t);
const struct ramdisk_stats *ramdisk_tree_stats(const struct ramdisk_tree *t);

/* What the finished tree holds at a path (ramdisk_tree_probe). */
struct ramdisk_probe {
	bool exists;  /* something is there (symbolic links followed) */
	bool loop;    /* too many symbolic links, or a path too long */
	bool regular; /* a regular file */
	bool dir;
	uint32_t mode;    /* permission bits as they will be stored */
	uint8_t head[64]; /* a regular file's first bytes */
	size_t headlen;
	char resolved[RAMDISK_PATH_MAX + 1]; /* the path after following links */
};

/*
 * Look path (absolute or relative to the root) up in the loaded tree as the
 * enclave's kernel will: symbolic links inside the tree followed (at most
 * 40), ".." stopping at the root. Never fails: ret says what is there.
 */
int ramdisk_tree_probe(const struct ramdisk_tree *t, const char *path, struct ramdisk_probe *ret);

/*
 * DockerInfo of the metadata section for a docker-archive, OCI or
 * oci-archive source, in the shape of `docker inspect`: Id (the config
 * digest), RepoTags, RepoDigests (name@manifest-digest), Architecture, Os,
 * Variant (if any), Config {Cmd, Entrypoint, Env, User, WorkingDir},
 * RootFS {Type, Layers (rootfs.diff_ids)}, plus Source {Form, Reference,
 * ManifestDigest}: what docker inspect cannot say. *ret is NULL for a
 * directory or tarball.
 */
int ramdisk_tree_docker_info(const struct ramdisk_tree *t, json_t **ret, struct qt_err *err);
/*
 * ImageName and ImageVersion as nitro-cli derives them from an image
 * reference: name and tag ("latest" if none), or the digest when selected by
 * one; an OCI ref name that is a tag alone gives the layout's file name and
 * that tag. Both NULL when the source has no image configuration or no
 * reference; -1 out of memory. The caller frees both.
 */
int ramdisk_tree_identity(const struct ramdisk_tree *t, char **name, char **version);

/* Command-line overrides of the image config (qt-build --entrypoint/--cmd/--env). */
struct ramdisk_overrides {
	bool has_entrypoint;
	bool has_cmd;
	const char *const *entrypoint;
	size_t n_entrypoint;
	const char *const *cmd;
	size_t n_cmd;
	const char *const *env; /* KEY=VALUE; replaces KEY of the image, else appended */
	size_t n_env;
};

/*
 * The command and environment the enclave runs, as `docker run` computes
 * them: Entrypoint followed by Cmd; --entrypoint replaces Entrypoint and
 * drops the image's Cmd; --cmd replaces Cmd; an image config without PATH
 * in Env (and no --env PATH) gets RAMDISK_DEFAULT_PATH first. cfg may be
 * NULL (directory or tarball: env is the overrides only). Fails if the
 * result is empty or an element holds a newline or NUL. ret_* are freed
 * with ramdisk_strv_free.
 */
int ramdisk_command(const struct ramdisk_config *cfg, const struct ramdisk_overrides *ov,
    struct ramdisk_strv *ret_cmd, struct ramdisk_strv *ret_env, struct qt_err *err);
void ramdisk_strv_free(struct ramdisk_strv *v);

/*
 * Write the application ramdisk (spec/eif.md 9): "rootfs", every entry of
 * the tree under "rootfs/" in byte-wise path order with the directories
 * rootfs/{dev,proc,run,sys,tmp,var} merged in, then the files "cmd" and
 * "env" (one element per line). gzip: a gzip stream (level 6, no name, no
 * timestamp) instead of plain cpio. entries (may be NULL) counts the cpio
 * entries handed to the sink (the trailer not counted): it is bumped on this
 * thread, and the sink may be called from another (C11 atomic, for progress).
 */
int ramdisk_write_app(const struct ramdisk_tree *t, const struct ramdisk_strv *cmd,
    const struct ramdisk_strv *env, bool gzip, atomic_uint_least64_t *entries, struct qt_sink sink,
    struct qt_err *err);
/*
 * What ramdisk_write_app writes, known before a byte is: the number of cpio
 * entries (trailer not counted) and the exact size of the uncompressed cpio
 * (110-byte headers, names and data padded to 4, trailer, padding to 512).
 * Nothing is read: a file changed since the load fails the write, not this.
 */
int ramdisk_app_size(const struct ramdisk_tree *t, const struct ramdisk_strv *cmd,
    const struct ramdisk_strv *env, uint64_t *ret_entries, uint64_t *ret_bytes, struct qt_err *err);

/*
 * Write the bootstrap ramdisk: "dev/" (0755), "init" (0755, from init_path)
 * and each driver under its base name (0755), all owned by 0:0 with mtime 0:
 * fixed metadata, so PCR1 depends on the kernel, command line, init and
 * drivers only (not on SOURCE_DATE_EPOCH), the same for every application.
 */
int ramdisk_write_bootstrap(const char *init_path, const char *const *drivers, size_t n_drivers,
    bool gzip, struct qt_sink sink, struct qt_err *err);

/*
 * The same, and seen(ctx, i, bytes, len) for each file as it is read (i 0:
 * init, 1..n_drivers: the drivers in order), so a caller can hash the inputs
 * without reading them again; entries as ramdisk_write_app's. seen and
 * entries may be NULL.
 */
typedef void (*ramdisk_seen_fn)(void *ctx, size_t i, const uint8_t *buf, size_t len);
int ramdisk_write_bootstrap_seen(const char *init_path, const char *const *drivers,
    size_t n_drivers, bool gzip, atomic_uint_least64_t *entries, struct qt_sink sink,
    ramdisk_seen_fn seen, void *ctx, struct qt_err *err);
/* Entries and uncompressed size of that ramdisk, from the files' sizes (stat). */
int ramdisk_bootstrap_size(const char *init_path, const char *const *drivers, size_t n_drivers,
    uint64_t *ret_entries, uint64_t *ret_bytes, struct qt_err *err);

#endif
