/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_oci.c: an OCI image layout as qt-build --rootfs oci:DIR takes it:
 * index.json, nested indexes, manifest, image config, layer descriptors.
 * Blobs are content-addressed, so the input is a small template the harness
 * turns into a layout: parts separated by NUL bytes, part 0 is index.json,
 * parts 1..4 are blobs stored under their SHA-256. In a part, "@N" becomes
 * the hex SHA-256 of part N and "#N" its size (N > the part's own number),
 * "@L"/"#L" those of a fixed one-file gzip layer.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/sha.h>

#include "bytes.h"
#include "fuzz.h"
#include "fuzz_embed.h"
#include "ramdisk/ramdisk.h"
#include "text.h"

#define NPARTS 5

struct part {
	struct wbuf b;
	char hex[65];
};

static void
digest_hex(const uint8_t *p, size_t len, char out[65])
{
	uint8_t md[SHA256_DIGEST_LENGTH];

	SHA256(p, len, md);
	qt_hex(md, sizeof(md), out);
}

/* Expand @N/#N in src into dst using parts[] already expanded. */
static void
expand(const uint8_t *src, size_t len, int self, struct part *parts, const char *lhex,
    struct wbuf *dst, struct qt_err *err)
{
	char num[24];
	size_t i;
	int n;

	for (i = 0; i < len; i++) {
		if ((src[i] == '@' || src[i] == '#') && i + 1 < len &&
		    (src[i + 1] == 'L' || (src[i + 1] > '0' + self && src[i + 1] < '0' + NPARTS))) {
			if (src[i + 1] == 'L') {
				if (src[i] == '@')
					FUZZ_ASSERT(wbuf_put(dst, lhex, 64, err) == 0);
				else {
					n = snprintf(
					    num, sizeof(num), "%zu", sizeof(embed_oci_layer));
					FUZZ_ASSERT(wbuf_put(dst, num, (size_t)n, err) == 0);
				}
			} else {
				struct part *p = &parts[src[i + 1] - '0'];

				if (src[i] == '@')
					FUZZ_ASSERT(wbuf_put(dst, p->hex, 64, err) == 0);
				else {
					n = snprintf(num, sizeof(num), "%zu", p->b.len);
					FUZZ_ASSERT(wbuf_put(dst, num, (size_t)n, err) == 0);
				}
			}
			i++;
			continue;
		}
		FUZZ_ASSERT(wbuf_put_u8(dst, src[i], err) == 0);
	}
}

static void
put_file(int dirfd, const char *rel, const uint8_t *p, size_t len)
{
	int fd = openat(dirfd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(len == 0 || write(fd, p, len) == (ssize_t)len);
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const init[] = { "/init", NULL };
	struct part parts[NPARTS];
	const uint8_t *start[NPARTS], *z;
	size_t plen[NPARTS], left = size;
	struct ramdisk_opts o = { 0 };
	struct ramdisk_strv dflt = { (char **)init, 1 }, none = { 0 };
	struct ramdisk_tree *t = NULL;
	struct qt_sink sink = { .write = fuzz_discard, .ctx = NULL };
	struct qt_err err = { 0 };
	char dir[64], src[96], rel[128], lhex[65];
	int np = 0, i, dfd = -1;

	/* Split at NUL bytes into at most NPARTS parts. */
	memset(parts, 0, sizeof(parts));
	z = data;
	while (np < NPARTS) {
		const uint8_t *nul = np < NPARTS - 1 ? memchr(z, 0, left) : NULL;

		start[np] = z;
		plen[np] = nul != NULL ? (size_t)(nul - z) : left;
		np++;
		if (nul == NULL)
			break;
		left -= plen[np - 1] + 1;
		z = nul + 1;
	}
	digest_hex(embed_oci_layer, sizeof(embed_oci_layer), lhex);
	for (i = np - 1; i >= 0; i--) {
		expand(start[i], plen[i], i, parts, lhex, &parts[i].b, &err);
		digest_hex(parts[i].b.p != NULL ? parts[i].b.p : (const uint8_t *)"",
		    parts[i].b.len, parts[i].hex);
	}

	snprintf(dir, sizeof(dir), "%s/qt-fuzz-oci-XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	FUZZ_ASSERT(mkdtemp(dir) != NULL);
	FUZZ_ASSERT((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0);
	FUZZ_ASSERT(mkdirat(dfd, "blobs", 0755) == 0 && mkdirat(dfd, "blobs/sha256", 0755) == 0);
	put_file(dfd, "oci-layout", (const uint8_t *)"{\"imageLayoutVersion\": \"1.0.0\"}", 31);
	put_file(dfd, "index.json", parts[0].b.p, parts[0].b.len);
	snprintf(rel, sizeof(rel), "blobs/sha256/%s", lhex);
	put_file(dfd, rel, embed_oci_layer, sizeof(embed_oci_layer));
	for (i = 1; i < np; i++) {
		snprintf(rel, sizeof(rel), "blobs/sha256/%s", parts[i].hex);
		put_file(dfd, rel, parts[i].b.p, parts[i].b.len);
	}

	o.max_entries = 4096;
	o.max_bytes = 8u << 20;
	o.tmpdir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NULL;
	snprintf(src, sizeof(src), "oci:%s", dir);
	if (ramdisk_tree_load(src, &o, &t, &err) < 0) {
		FUZZ_CHECK_ERR(&err);
	} else {
		if (ramdisk_write_app(t, &dflt, &none, false, NULL, sink, &err) < 0)
			FUZZ_CHECK_ERR(&err);
		ramdisk_tree_free(t);
	}

	/* Remove the layout (blob names may repeat: unlink errors are fine). */
	snprintf(rel, sizeof(rel), "blobs/sha256/%s", lhex);
	(void)unlinkat(dfd, rel, 0);
	for (i = 1; i < np; i++) {
		snprintf(rel, sizeof(rel), "blobs/sha256/%s", parts[i].hex);
		(void)unlinkat(dfd, rel, 0);
	}
	(void)unlinkat(dfd, "blobs/sha256", AT_REMOVEDIR);
	(void)unlinkat(dfd, "blobs", AT_REMOVEDIR);
	(void)unlinkat(dfd, "oci-layout", 0);
	(void)unlinkat(dfd, "index.json", 0);
	close(dfd);
	FUZZ_ASSERT(rmdir(dir) == 0);
	for (i = 0; i < NPARTS; i++)
		wbuf_free(&parts[i].b);
	ERR_clear_error();
	return 0;
}
