/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ramdisk_private.h: what the files of formats/ramdisk/ share, and only
 * they (rd_ names: internal to the module, though linked into libqt.a).
 * A source is read into an entry table (paths and metadata; contents stay
 * on disk, in the tar file, or go to the spool); layers.c merges the
 * layers, tree.c keeps the survivors in path order, write.c lays out the
 * ramdisk and cpio.c writes it in one pass.
 *
 *   tree.c     the tree object and its lifecycle, the entry table, its path index
 *   dir.c      directory sources
 *   tar.c      tarball sources and the layer tars of images
 *   spool.c    archive contents, kept in an unlinked temporary file
 *   image.c    digests, image config, platform: what docker.c and oci.c share
 *   ref.c      image references as docker names them (hello:1.0 = docker.io/library/hello:1.0)
 *   docker.c   docker-archive:FILE[:IMAGE]
 *   oci.c      oci:DIR[:REF]
 *   layers.c   the merge: whiteouts, opaque directories, last entry wins
 *   probe.c    what the finished tree holds at a path (the command's pre-flight check)
 *   command.c  the command and environment (ramdisk_command), the cmd/env files
 *   cpio.c     the newc writer and its threaded sink
 *   write.c    the application and bootstrap ramdisks
 */
#ifndef QT_RAMDISK_PRIVATE_H
#define QT_RAMDISK_PRIVATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <archive.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "bytes.h"
#include "ramdisk/ramdisk.h"

enum ent_kind {
	K_REG,
	K_DIR,
	K_LNK,
	K_FIFO,
	K_WHITEOUT, /* .wh.NAME: removes NAME of lower layers */
	K_OPAQUE,   /* .wh..wh..opq: hides the lower layers' contents of its directory */
};

enum ent_src {
	S_NONE,
	S_DISK,  /* openat(rootfd, path) at write time */
	S_SPOOL, /* pread(spool.fd, off) */
	S_FILE,  /* pread(src.fd, off): data stored as is in an uncompressed tar file */
	S_MEM,   /* mem */
};

struct ent {
	char *path; /* normalised: relative, no "." / ".." / empty components */
	char *link; /* symbolic link target, verbatim */
	const uint8_t *mem;
	uint64_t size;
	uint64_t off;
	uint64_t dev, ino; /* S_DISK: identity seen by the scan */
	uint32_t mode;     /* permission bits (07777) */
	uint32_t uid, gid, mtime;
	uint32_t layer, seq;
	uint32_t group; /* hard-link group, 0 = none */
	uint32_t nlink;
	uint8_t kind, src;
};

/* Every entry read from the source, in reading order (sources and layers.c add to it). */
struct ent_table {
	struct ent *v;
	size_t n, cap;
	uint32_t seq;     /* sequence number of the next entry */
	uint32_t ngroups; /* hard-link groups numbered 1..ngroups */
	/* while reading: path -> index+1 of the newest entry with that path (hard-link targets) */
	uint32_t *ht;
	size_t htcap, htused;
};

/* The contents of archive entries: an unlinked temporary file, read back at write time. */
struct spool {
	int fd;
	uint8_t *buf; /* write buffer, while reading */
	size_t len;
	uint64_t size; /* bytes written, buffered ones included: the next entry's offset */
};

/*
 * The tarball or docker-archive file, opened once: every pass of libarchive
 * and every read in place use this descriptor, so they all see the same file.
 */
struct src_file {
	int fd;
	struct stat st;
};

struct digest {
	const EVP_MD *md;
	char alg[8];
	char hex[129];
};

/* docker-archive and OCI sources: the layers and the image configuration. */
struct image {
	char *want_ref;            /* FILE:REF of the source, NULL if none */
	struct digest want_digest; /* FILE@DIGEST of the source, md NULL if none */
	char manifest_digest[140]; /* OCI: the image manifest's digest; "" for docker-archive */
	char config_digest[140];   /* "alg:hex" of the image config */
	char platform[128];        /* os/arch[/variant] of the image config */
	json_t *config_doc;        /* the whole image configuration */
	json_t *repo_tags;         /* docker-archive: the image's RepoTags; NULL for OCI */
	char *recorded_ref;        /* OCI: the chosen manifest's ref name; NULL if none */
	char **layer_names;
	size_t nlayers;
	bool has_cfg;
	struct ramdisk_config cfg;
};

/* The entries that stand after the merge, in byte-wise path order. */
struct ent_list {
	size_t *v; /* indexes into the entry table */
	size_t n;
	uint32_t root_subdirs; /* directories directly below the root (its nlink) */
};

struct ramdisk_tree {
	enum ramdisk_kind kind;
	char *name; /* the source as named by the user (file or directory) */
	struct ramdisk_opts opts;
	struct ramdisk_stats st;
	int rootfd; /* directory and OCI layout sources */
	struct src_file src;
	struct spool spool;
	struct ent_table tab;
	struct image img;
	struct ent_list out;
};

/* Room for the list of what an archive holds in a "not found" message. */
#define RD_LIST_MAX 512

/* Room for "<archive>: layer N (<name>)" in messages. */
#define RD_CTX_MAX 600

/* tree.c */
char *rd_strdup(const char *s, struct qt_err *err);
int rd_norm_path(const char *in, char *out, size_t outsz);
const char *rd_where(const struct ramdisk_tree *t, uint32_t layer, char *buf, size_t len);
int rd_ent_add(struct ent_table *tab, const char *path, uint8_t kind, uint32_t layer, size_t *ret,
    struct qt_err *err);
int rd_ht_put(struct ent_table *tab, size_t idx, struct qt_err *err);
struct ent *rd_ht_get(const struct ent_table *tab, const char *path);
uint32_t rd_clamp_mtime(const struct ramdisk_tree *t, int64_t mtime);
int rd_count_entry(struct ramdisk_tree *t, const char *ctx, struct qt_err *err);
int rd_too_many_bytes(
    const struct ramdisk_tree *t, const char *ctx, const char *path, struct qt_err *err);
void rd_note_xattrs(struct ramdisk_tree *t, const char *path);
void rd_note_device(struct ramdisk_tree *t, const char *path);
int rd_open_root(struct ramdisk_tree *t, struct qt_err *err);
bool rd_tree_has(const struct ramdisk_tree *t, const char *path);

/* spool.c */
int rd_spool_open(struct spool *s, const char *tmpdir, struct qt_err *err);
int rd_spool_flush(struct spool *s, struct qt_err *err);
int rd_spool_entry(
    struct ramdisk_tree *t, struct archive *a, struct ent *e, const char *ctx, struct qt_err *err);

/* dir.c */
int rd_load_dir(struct ramdisk_tree *t, struct qt_err *err);

/* tar.c */
struct archive *rd_tar_reader(void);
int rd_src_open(struct ramdisk_tree *t, struct qt_err *err);
int rd_src_reader(struct ramdisk_tree *t, struct archive **ret, struct qt_err *err);
int rd_read_layer(struct ramdisk_tree *t, struct archive *a, uint32_t layer, bool whiteouts,
    int64_t dbase, struct qt_err *err);
int rd_load_tar(struct ramdisk_tree *t, struct qt_err *err);

/* image.c */
int rd_digest_parse(const char *s, struct digest *ret);
int rd_digest_check(EVP_MD_CTX *md, const struct digest *want, char *got, size_t gotlen);
int rd_buf_digest_check(const uint8_t *buf, size_t len, const struct digest *want, const char *ctx,
    const char *what, struct qt_err *err);
int rd_parse_config(
    struct image *img, const uint8_t *buf, size_t len, const char *ctx, struct qt_err *err);
/* want and have are "os/arch[/variant]"; arm64 and arm64/v8 are one platform. */
bool rd_platform_match(const char *want, const char *have);
int rd_check_platform(
    struct ramdisk_tree *t, const json_t *cfg, const char *want, struct qt_err *err);
int rd_layers_alloc(struct ramdisk_tree *t, size_t n, struct qt_err *err);

/* ref.c */
struct rd_ref {
	char domain[256];
	char path[512]; /* "library/" added to one-component docker.io names */
	char tag[129];  /* "latest" if none was given */
	bool explicit_domain;
	bool has_tag;
};

enum { RD_REF_NO, RD_REF_SAME, RD_REF_SHORT };

int rd_ref_parse(const char *s, struct rd_ref *r);
/* RD_REF_SAME: one image by docker's rules; RD_REF_SHORT: a short name matching another registry.
 */
int rd_ref_match(const char *query, const char *recorded);
/* NAME:TAG, REGISTRY/NAME or NAME@DIGEST: a reference rather than a file name. */
bool rd_looks_like_ref(const char *s);
/* Append ", item" to a list in buf (ending in "..." once full). */
void rd_list_add(char *buf, size_t size, const char *item);

/* docker.c, oci.c (oci: and oci-archive: by t->kind); the outer archive of docker-archive and
 * oci-archive sources */
int rd_outer_find(
    struct ramdisk_tree *t, const char *member, struct archive **ret, struct qt_err *err);
int rd_outer_slurp(
    struct ramdisk_tree *t, const char *member, uint8_t **ret, size_t *ret_len, struct qt_err *err);
/* If name ends in a 64-hex sha256 (docker IDs, blobs/sha256/<hex>), the digest it promises. */
bool rd_name_digest(const char *name, struct digest *ret);
/* Read layer tar member of the outer archive into the tree, checking its digest. */
int rd_archive_layer(struct ramdisk_tree *t, const char *member, uint32_t layer,
    const struct digest *want, bool by_diff, uint64_t *ret_raw, struct qt_err *err);
int rd_load_docker(struct ramdisk_tree *t, struct qt_err *err);
int rd_load_oci(struct ramdisk_tree *t, struct qt_err *err);

/* layers.c */
int rd_resolve(struct ramdisk_tree *t, struct qt_err *err);

/* command.c */
int rd_strv_push(struct ramdisk_strv *v, const char *s, struct qt_err *err);
int rd_join_lines(const struct ramdisk_strv *v, struct wbuf *out, struct qt_err *err);

/*
 * cpio.c: the newc writer; t holds the data of S_DISK, S_SPOOL and S_FILE
 * entries (else NULL). entries (may be NULL) is bumped after each entry is
 * handed on, for progress read on the sink's thread. A sink without write
 * only counts: nothing is read or written, rd_cpio_size says how many
 * uncompressed bytes the stream has (after rd_cpio_end: the exact size).
 */
struct cpio;

int rd_cpio_begin(const struct ramdisk_tree *t, bool gz, struct qt_sink sink,
    atomic_uint_least64_t *entries, struct cpio **ret, struct qt_err *err);
uint64_t rd_cpio_size(const struct cpio *c);
int rd_cpio_entry(struct cpio *c, const char *prefix, const struct ent *e, struct qt_err *err);
int rd_cpio_end(struct cpio *c, struct qt_err *err);
void rd_cpio_free(struct cpio *c);

#endif
