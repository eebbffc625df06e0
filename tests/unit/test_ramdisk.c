/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ramdisk.c: cpio newc output of formats/ramdisk against the golden
 * ramdisks, listings of what each source kind produces (layers, whiteouts,
 * normalisations), reproducibility and the exact errors for hostile input.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "bytes.h"
#include "fileio.h"
#include "ramdisk/ramdisk.h"
#include "ramdisk/ramdisk_private.h" /* rd_ref_match: the reference rules */
#include "unit.h"

#define RD        FIXTURES "/ramdisk"
#define GOLD      FIXTURES "/golden/inputs"
#define IM        FIXTURES "/images"
#define HEX64     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
/* tests/fixtures/images: the hello image's manifest and config digests */
#define HELLO_MAN "b241be2d1778c28a02761d4ad52eb1a37cc331166fec80cda2335a186a3093b2"
#define HELLO_CFG "54990dc2639b07e0c68297d9a6e719f1b02b6b31508a3b73e998ce73868bd75f"

static int
mem_write(void *ctx, const uint8_t *buf, size_t len, struct qt_err *err)
{
	return wbuf_put(ctx, buf, len, err);
}

static struct qt_sink
mem_sink(struct wbuf *b)
{
	struct qt_sink s = { .write = mem_write, .ctx = b };

	return s;
}

static unsigned long
hexfield(const uint8_t *p)
{
	char tmp[9];

	memcpy(tmp, p, 8);
	tmp[8] = '\0';
	return strtoul(tmp, NULL, 16);
}

/*
 * One line per entry: "name type+mode uid:gid nlink ino size [data]" (data
 * shown for files of at most 40 bytes, newlines as '|'); "BAD" on a
 * malformed stream; the trailer and padding are checked.
 */
static void
list_cpio(const uint8_t *p, size_t len, char *out, size_t outsz)
{
	size_t off = 0, o = 0, ns, fs, i;
	unsigned long f[13];
	char data[64];

	out[0] = '\0';
	for (;;) {
		if (off + 110 > len || memcmp(p + off, "070701", 6) != 0) {
			snprintf(out + o, outsz - o, "BAD at %zu\n", off);
			return;
		}
		for (i = 0; i < 13; i++)
			f[i] = hexfield(p + off + 6 + 8 * i);
		ns = f[11];
		fs = f[6];
		if (off + 110 + ns > len) {
			snprintf(out + o, outsz - o, "BAD name\n");
			return;
		}
		const char *name = (const char *)p + off + 110;
		off = (off + 110 + ns + 3) & ~(size_t)3;
		if (strcmp(name, "TRAILER!!!") == 0)
			break;
		data[0] = '\0';
		if (fs <= 40 && off + fs <= len) {
			for (i = 0; i < fs; i++)
				data[i] = p[off + i] == '\n' ? '|' : (char)p[off + i];
			data[fs] = '\0';
		}
		o += (size_t)snprintf(out + o, outsz - o, "%s %lo %lu:%lu %lu %lu %zu %s\n", name,
		    f[1], f[2], f[3], f[4], f[0], fs, data);
		if (f[5] != 0)
			o += (size_t)snprintf(out + o, outsz - o, "  mtime %lu\n", f[5]);
		off = (off + fs + 3) & ~(size_t)3;
		if (o >= outsz)
			return;
	}
	if (len % 512 != 0)
		snprintf(out + o, outsz - o, "BAD padding\n");
	for (i = off; i < len; i++)
		if (p[i] != 0) {
			snprintf(out + o, outsz - o, "BAD pad byte\n");
			return;
		}
}

static int
load(const char *src, const struct ramdisk_opts *o, struct ramdisk_tree **t, struct qt_err *err)
{
	qt_err_clear(err);
	return ramdisk_tree_load(src, o, t, err);
}

/* Entries of a cpio newc stream, the trailer not counted (list_cpio's lines). */
static uint64_t
count_cpio(const struct wbuf *b)
{
	char *out = malloc(1u << 22), *p;
	uint64_t n = 0;

	if (out == NULL)
		return 0;
	list_cpio(b->p, b->len, out, 1u << 22);
	for (p = out; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (*p != ' ' && *p != '\0') /* "  mtime" lines belong to the entry above */
			n++;
	}
	free(out);
	return n;
}

/*
 * Load src and write its application ramdisk into b. Every build checks
 * what the progress of a build relies on: ramdisk_app_size predicted the
 * exact size and entry count, and the writer's counter says the same.
 */
static int
build_app(const char *src, const struct ramdisk_opts *o, const struct ramdisk_overrides *ov,
    struct wbuf *b, struct qt_err *err)
{
	struct ramdisk_tree *t = NULL;
	struct ramdisk_strv cmd = { 0 }, env = { 0 };
	atomic_uint_least64_t written = 0;
	uint64_t entries = 0, bytes = 0;
	int r = -1;

	b->len = 0;
	if (load(src, o, &t, err) == 0 &&
	    ramdisk_command(ramdisk_tree_config(t), ov, &cmd, &env, err) == 0 &&
	    ramdisk_app_size(t, &cmd, &env, &entries, &bytes, err) == 0 &&
	    ramdisk_write_app(t, &cmd, &env, false, &written, mem_sink(b), err) == 0) {
		if (bytes != b->len || entries != atomic_load(&written) || entries != count_cpio(b))
			qt_err_set(err, EINVAL,
			    "predicted %llu bytes, %llu entries; wrote %zu bytes, %llu entries "
			    "(%llu in the stream)",
			    (unsigned long long)bytes, (unsigned long long)entries, b->len,
			    (unsigned long long)atomic_load(&written),
			    (unsigned long long)count_cpio(b));
		else
			r = 0;
	}
	ramdisk_strv_free(&cmd);
	ramdisk_strv_free(&env);
	ramdisk_tree_free(t);
	return r;
}

static void
put_file(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);

	if (fd >= 0) {
		if (write(fd, data, strlen(data)) < 0)
			perror(path);
		close(fd);
		chmod(path, mode);
	}
}

static char *
slurp(const char *path, size_t *len)
{
	uint8_t *b = NULL;
	struct qt_err err = { 0 };

	if (fileio_read_all(path, 1 << 24, &b, len, &err) < 0)
		return NULL;
	return (char *)b;
}

/* Bootstrap ramdisk of the golden case: byte-identical to inputs/ramdisk0.cpio. */
static void
test_golden_bootstrap(struct unit *u, const char *tmp)
{
	struct qt_err err = { 0 };
	struct wbuf b = { 0 };
	char drv[512], *gold, *nsm;
	const char *drivers[1] = { drv };
	size_t glen, nlen;

	snprintf(drv, sizeof(drv), "%s/nsm.ko", tmp);
	nsm = slurp(GOLD "/nsm.ko.bin", &nlen);
	CHECK(u, nsm != NULL);
	if (nsm == NULL)
		return;
	put_file(drv, "", 0644);
	{
		int fd = open(drv, O_WRONLY | O_TRUNC);

		CHECK(u, fd >= 0 && write(fd, nsm, nlen) == (ssize_t)nlen);
		close(fd);
	}
	free(nsm);
	CHECK(u,
	    ramdisk_write_bootstrap(GOLD "/init.bin", drivers, 1, false, mem_sink(&b), &err) == 0);
	gold = slurp(GOLD "/ramdisk0.cpio", &glen);
	CHECK(u, gold != NULL && b.len == glen && memcmp(b.p, gold, glen) == 0);
	free(gold);
	/* its size and entries (dev, init, nsm.ko) known from the files' sizes */
	{
		uint64_t n = 0, size = 0;
		atomic_uint_least64_t seen = 0;
		struct wbuf c = { 0 };

		CHECK(
		    u, ramdisk_bootstrap_size(GOLD "/init.bin", drivers, 1, &n, &size, &err) == 0);
		CHECK(u, n == 3 && size == glen && glen == 2048);
		CHECK(u, ramdisk_write_bootstrap_seen(GOLD "/init.bin", drivers, 1, false, &seen,
		             mem_sink(&c), NULL, NULL, &err) == 0);
		CHECK(u, atomic_load(&seen) == 3 && c.len == glen);
		wbuf_free(&c);
		CHECK(u, ramdisk_bootstrap_size(GOLD "/absent", drivers, 1, &n, &size, &err) == -1);
		CHECK_STR(u, err.msg, GOLD "/absent: cannot stat: No such file or directory");
	}
	/* a driver named like a fixed entry is refused */
	drivers[0] = GOLD "/init.bin";
	snprintf(drv, sizeof(drv), "%s/init", tmp);
	put_file(drv, "x", 0644);
	drivers[0] = drv;
	b.len = 0;
	qt_err_clear(&err);
	CHECK(u,
	    ramdisk_write_bootstrap(GOLD "/init.bin", drivers, 1, false, mem_sink(&b), &err) == -1);
	CHECK_STR(u, err.msg, "bootstrap ramdisk: two entries named 'init'");
	wbuf_free(&b);
}

/* Application ramdisk from a directory: byte-identical to inputs/ramdisk1.cpio. */
static void
test_golden_app(struct unit *u, const char *tmp)
{
	struct qt_err err = { 0 };
	struct wbuf b = { 0 };
	char root[512], p[600], *gold, *app;
	size_t glen, alen;
	const char *cmd[] = { "/bin/app" };
	const char *env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HELLO=golden" };
	struct ramdisk_overrides ov = {
		.has_cmd = true, .cmd = cmd, .n_cmd = 1, .env = env, .n_env = 2
	};
	int fd;

	snprintf(root, sizeof(root), "%s/golden-root", tmp);
	mkdir(root, 0700);
	snprintf(p, sizeof(p), "%s/bin", root);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/bin/app", root);
	app = slurp(GOLD "/app.bin", &alen);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0700);
	CHECK(u, app != NULL && fd >= 0 && write(fd, app, alen) == (ssize_t)alen);
	close(fd);
	free(app);
	CHECK(u, build_app(root, NULL, &ov, &b, &err) == 0);
	gold = slurp(GOLD "/ramdisk1.cpio", &glen);
	CHECK(u, gold != NULL && b.len == glen && memcmp(b.p, gold, glen) == 0);
	/* build_app checked the prediction against this very output: the golden size, 11 entries */
	CHECK(u, count_cpio(&b) == 11);
	if (gold != NULL && (b.len != glen || memcmp(b.p, gold, glen) != 0)) {
		FILE *f = fopen("/tmp/test_ramdisk.app.cpio", "wb");

		if (f != NULL) {
			fwrite(b.p, 1, b.len, f);
			fclose(f);
		}
		printf("  (output left in /tmp/test_ramdisk.app.cpio) %s\n", err.msg);
	}
	free(gold);
	wbuf_free(&b);
}

/* Same content, different umask, creation order, mtimes: identical bytes. */
static void
test_reproducible_dir(struct unit *u, const char *tmp)
{
	struct qt_err err = { 0 };
	struct wbuf a = { 0 }, b = { 0 };
	char r1[512], r2[512], p[700];
	const char *cmd[] = { "/bin/sh" };
	struct ramdisk_overrides ov = { .has_cmd = true, .cmd = cmd, .n_cmd = 1 };
	struct timeval tv[2] = { { 123456789, 0 }, { 123456789, 0 } };
	const char *names[] = { "zeta", "alpha", "mid", "Beta", "a-b", "a" };
	size_t i;
	mode_t old;

	snprintf(r1, sizeof(r1), "%s/repro1", tmp);
	snprintf(r2, sizeof(r2), "%s/repro2", tmp);
	old = umask(022);
	mkdir(r1, 0777);
	for (i = 0; i < 6; i++) {
		snprintf(p, sizeof(p), "%s/%s", r1, names[i]);
		if (i == 5) {
			mkdir(p, 0777);
			snprintf(p, sizeof(p), "%s/a/x", r1);
		}
		put_file(p, names[i], i == 0 ? 0755 : 0644);
	}
	umask(077);
	mkdir(r2, 0777);
	for (i = 6; i-- > 0;) { /* reverse creation order */
		snprintf(p, sizeof(p), "%s/%s", r2, names[i]);
		if (i == 5) {
			mkdir(p, 0777);
			snprintf(p, sizeof(p), "%s/a/x", r2);
		}
		put_file(p, names[i], i == 0 ? 0700 : 0600);
		utimes(p, tv);
	}
	umask(old);
	CHECK(u, build_app(r1, NULL, &ov, &a, &err) == 0);
	CHECK(u, build_app(r2, NULL, &ov, &b, &err) == 0);
	CHECK(u, a.len == b.len && a.len > 0 && memcmp(a.p, b.p, a.len) == 0);
	wbuf_free(&a);
	wbuf_free(&b);
}

/* Extended attributes of the tree r: how many entries have some, and the first. */
static int
walk_xattrs(const char *r, char *first, size_t len)
{
	struct qt_err err = { 0 };
	struct ramdisk_tree *t = NULL;
	int n;

	if (ramdisk_tree_load(r, NULL, &t, &err) < 0)
		return -1;
	n = (int)ramdisk_tree_stats(t)->xattrs;
	snprintf(first, len, "%s", ramdisk_tree_stats(t)->xattr_first);
	ramdisk_tree_free(t);
	return n;
}

#if defined(__x86_64__) || defined(__aarch64__)
/* In a child, listxattrat(2) made to fail ENOSYS as before Linux 6.13: the walk's fallback. */
static int
walk_xattrs_old_kernel(const char *r)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 465, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { (unsigned short)(sizeof(f) / sizeof(f[0])), f };
	char first[256];
	pid_t pid;
	int st;

	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
			_exit(100);
		if (syscall(465, AT_FDCWD, r, 0, NULL, 0) != -1 || errno != ENOSYS)
			_exit(101);
		_exit(walk_xattrs(r, first, sizeof(first)) == 2 && strcmp(first, "d") == 0 ? 0 : 1);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}
#endif

/* Extended attributes of a directory and a file below it: counted, with and without listxattrat. */
static void
test_dir_xattrs(struct unit *u, const char *tmp)
{
	char r[512], p[700], first[256];

	snprintf(r, sizeof(r), "%s/xattrs", tmp);
	mkdir(r, 0755);
	snprintf(p, sizeof(p), "%s/d", r);
	mkdir(p, 0755);
	if (setxattr(p, "user.x", "1", 1, 0) < 0) {
		printf("  (no user xattrs in %s: test_dir_xattrs skipped)\n", tmp);
		return;
	}
	snprintf(p, sizeof(p), "%s/d/f", r);
	put_file(p, "f", 0644);
	CHECK(u, setxattr(p, "user.y", "2", 1, 0) == 0);
	snprintf(p, sizeof(p), "%s/d/plain", r);
	put_file(p, "p", 0644);
	snprintf(p, sizeof(p), "%s/link", r);
	CHECK(u, symlink("d/f", p) == 0);
	CHECK(u, walk_xattrs(r, first, sizeof(first)) == 2);
	CHECK_STR(u, first, "d");
#if defined(__x86_64__) || defined(__aarch64__)
	CHECK(u, walk_xattrs_old_kernel(r) == 0);
#endif
}

static void
test_tarball(struct unit *u)
{
	struct qt_err err = { 0 };
	struct wbuf b = { 0 };
	struct ramdisk_tree *t = NULL;
	struct ramdisk_opts o = { .mtime_clamp = 100 };
	const char *cmd[] = { "/bin/app" };
	struct ramdisk_overrides ov = { .has_cmd = true, .cmd = cmd, .n_cmd = 1 };
	static char got[8192], got2[8192];
	const struct ramdisk_stats *st;

	CHECK(u, build_app(RD "/simple.tar.gz", &o, &ov, &b, &err) == 0);
	list_cpio(b.p, b.len, got, sizeof(got));
	/*
	 * sorted; "./", "/abs" and "x/.." normalised; dup: last wins (0600);
	 * hard link shares ino 3 with the data on the last link; dev/null
	 * dropped; parent dirs synthesised 0755; mtimes clamped to 100 except
	 * "old" (5); uid 1000 kept; dirs' nlink = 2 + subdirectories.
	 */
	CHECK_STR(u, got,
	    "rootfs 40755 0:0 11 0 0 \n  mtime 100\n"
	    "rootfs/abs 40755 0:0 2 1 0 \n  mtime 100\n"
	    "rootfs/abs/file 100644 0:0 1 2 9 absolute|\n  mtime 100\n"
	    "rootfs/bin 40755 0:0 2 3 0 \n  mtime 100\n"
	    "rootfs/bin/app 100755 0:0 2 4 0 \n  mtime 100\n"
	    "rootfs/bin/app2 100755 0:0 2 4 19 #!/bin/sh|echo app|\n  mtime 100\n"
	    "rootfs/dev 40755 0:0 2 5 0 \n  mtime 100\n"
	    "rootfs/dup 100600 0:0 1 6 7 second|\n  mtime 100\n"
	    "rootfs/lib 120777 0:0 1 7 7 usr/lib\n  mtime 100\n"
	    "rootfs/old 100644 0:0 1 8 23 mtime before the clamp|\n  mtime 5\n"
	    "rootfs/proc 40755 0:0 2 9 0 \n  mtime 100\n"
	    "rootfs/rel 100644 0:0 1 10 9 relative|\n  mtime 100\n"
	    "rootfs/run 40755 0:0 2 11 0 \n  mtime 100\n"
	    "rootfs/run/fifo 10600 0:0 1 12 0 \n  mtime 100\n"
	    "rootfs/sys 40755 0:0 2 13 0 \n  mtime 100\n"
	    "rootfs/tmp 40755 0:0 2 14 0 \n  mtime 100\n"
	    "rootfs/usr 40755 0:0 3 15 0 \n  mtime 100\n"
	    "rootfs/usr/lib 40755 0:0 2 16 0 \n  mtime 100\n"
	    "rootfs/usr/lib/libc.so 100644 1000:1000 1 17 5 libc|\n  mtime 100\n"
	    "rootfs/var 40755 0:0 2 18 0 \n  mtime 100\n"
	    "cmd 100644 0:0 1 19 9 /bin/app|\n  mtime 100\n"
	    "env 100644 0:0 1 20 0 \n  mtime 100\n");
	/* the uncompressed tarball gives the same bytes */
	{
		struct wbuf b2 = { 0 };

		CHECK(u, build_app(RD "/simple.tar", &o, &ov, &b2, &err) == 0);
		list_cpio(b2.p, b2.len, got2, sizeof(got2));
		CHECK(u, b.len == b2.len && memcmp(b.p, b2.p, b.len) == 0);
		wbuf_free(&b2);
	}
	/* read in place (plain pax and GNU tars, long-name headers) = spooled (gzip) */
	{
		struct wbuf p1 = { 0 }, p2 = { 0 }, p3 = { 0 };

		CHECK(u, build_app(RD "/longnames.tar", &o, &ov, &p1, &err) == 0);
		CHECK(u, build_app(RD "/longnames.tar.gz", &o, &ov, &p2, &err) == 0);
		CHECK(u, build_app(RD "/longnames-gnu.tar", &o, &ov, &p3, &err) == 0);
		CHECK(u, p1.len == p2.len && memcmp(p1.p, p2.p, p1.len) == 0);
		CHECK(u, p1.len == p3.len && memcmp(p1.p, p3.p, p1.len) == 0);
		list_cpio(p1.p, p1.len, got2, sizeof(got2));
		CHECK(u, strstr(got2, "m 100644 0:0 1 4 14 pax long name|\n") != NULL);
		CHECK(u, strstr(got2, "rootfs/uid 100644 3000000:0 1 10 8 big uid|\n") != NULL);
		wbuf_free(&p1);
		wbuf_free(&p2);
		wbuf_free(&p3);
	}
	CHECK(u, load(RD "/simple.tar", &o, &t, &err) == 0);
	st = ramdisk_tree_stats(t);
	CHECK(u, st->entries == 13);
	CHECK(u, st->devices == 1);
	CHECK_STR(u, st->device_first, "dev/null");
	CHECK(u, ramdisk_tree_config(t) == NULL);
	ramdisk_tree_free(t);
	wbuf_free(&b);
}

static void
test_docker(struct unit *u)
{
	struct qt_err err = { 0 };
	struct wbuf b = { 0 };
	struct ramdisk_tree *t = NULL;
	static char got[8192];
	const struct ramdisk_config *cfg;

	CHECK(u, build_app("docker-archive:" RD "/docker.tar", NULL, NULL, &b, &err) == 0);
	CHECK_STR(u, err.msg, "");
	list_cpio(b.p, b.len, got, sizeof(got));
	/* layer 2: etc/conf replaced, old/ whited out, data/ opaque (a, b gone, c new) */
	CHECK_STR(u, got,
	    "rootfs 40755 0:0 11 0 0 \n"
	    "rootfs/bin 40755 0:0 2 1 0 \n"
	    "rootfs/bin/app 100755 0:0 1 2 22 #!/bin/sh|echo layer1|\n"
	    "rootfs/data 40700 1000:1000 2 3 0 \n"
	    "rootfs/data/c 100644 1000:1000 1 4 2 c|\n"
	    "rootfs/dev 40755 0:0 2 5 0 \n"
	    "rootfs/etc 40755 0:0 2 6 0 \n"
	    "rootfs/etc/conf 100644 0:0 1 7 3 v2|\n"
	    "rootfs/proc 40755 0:0 2 8 0 \n"
	    "rootfs/run 40755 0:0 2 9 0 \n"
	    "rootfs/sys 40755 0:0 2 10 0 \n"
	    "rootfs/tmp 40755 0:0 2 11 0 \n"
	    "rootfs/var 40755 0:0 2 12 0 \n"
	    "cmd 100644 0:0 1 13 22 /bin/app|--serve|8080|\n"
	    "env 100644 0:0 1 14 70 \n");
	CHECK(u, load("docker-archive:" RD "/docker.tar:app", NULL, &t, &err) == 0);
	cfg = t != NULL ? ramdisk_tree_config(t) : NULL;
	CHECK(u, cfg != NULL && cfg->workdir != NULL && strcmp(cfg->workdir, "/srv") == 0);
	CHECK(u, cfg != NULL && cfg->env.n == 2 && strcmp(cfg->env.v[1], "A=1") == 0);
	CHECK(u, t != NULL && ramdisk_tree_stats(t)->layers == 2);
	ramdisk_tree_free(t);
	t = NULL;
	CHECK(u, load("docker-archive:" RD "/docker.tar:other", NULL, &t, &err) == -1);
	CHECK_STR(u, err.msg, RD "/docker.tar: no image tagged 'other' (it holds: app:latest)");
	CHECK(u, load("docker-archive:" RD "/docker-bad-digest.tar", NULL, &t, &err) == -1);
	CHECK_STR(u, err.msg,
	    RD "/docker-bad-digest.tar: layer 2 (l2/layer.tar): digest mismatch: expected "
	       "sha256:733bf0ce298afcd7d042b0a3be648e0a458a8fb9d156041c27674b18fc223b0b, layer is "
	       "sha256:3c8d71f98a8ee9d4d1ffef31ab5795237431901b261ebdb2e87a82ad8ae0fcee");
	CHECK(u, load("docker-archive:" RD "/docker-whiteout-escape.tar", NULL, &t, &err) == -1);
	CHECK_STR(u, err.msg,
	    RD "/docker-whiteout-escape.tar: layer 2 (l2/layer.tar): whiteout 'a/.wh..' does not "
	       "name an entry of its directory");
	/* an opaque marker at the root of layer 2 hides all of layer 1 */
	CHECK(u,
	    build_app("docker-archive:" RD "/docker-root-opaque.tar", NULL, NULL, &b, &err) == 0);
	list_cpio(b.p, b.len, got, sizeof(got));
	CHECK(u, strstr(got, "rootfs/bin") == NULL && strstr(got, "rootfs/etc") == NULL);
	CHECK(u, strstr(got, "rootfs/only 100644 0:0 1 2 4 top|\n") != NULL);
	CHECK(u, build_app("docker-archive:" RD "/docker.tar", NULL, NULL, &b, &err) == 0);
	/* Docker 25+ OCI-style archive of the same image: the same bytes; blob names checked */
	{
		struct wbuf b2 = { 0 };

		CHECK(u, build_app("docker-archive:" RD "/docker-oci.tar:app:oci", NULL, NULL, &b2,
		             &err) == 0);
		CHECK(u, b2.len == b.len && memcmp(b2.p, b.p, b.len) == 0);
		wbuf_free(&b2);
	}
	CHECK(u, load("docker-archive:" RD "/docker-oci-swapped.tar", NULL, &t, &err) == -1);
	CHECK_STR(u, err.msg,
	    RD "/docker-oci-swapped.tar: layer 1 "
	       "(blobs/sha256/733bf0ce298afcd7d042b0a3be648e0a458a8fb9d156041c27674b18fc223b0b): "
	       "digest mismatch: expected "
	       "sha256:733bf0ce298afcd7d042b0a3be648e0a458a8fb9d156041c27674b18fc223b0b, layer is "
	       "sha256:3c8d71f98a8ee9d4d1ffef31ab5795237431901b261ebdb2e87a82ad8ae0fcee");
	struct ramdisk_opts arm = { .platform = "linux/arm64" };
	CHECK(u, load("docker-archive:" RD "/docker.tar", &arm, &t, &err) == -1);
	CHECK_STR(u, err.msg, RD "/docker.tar: image is for linux/amd64, not linux/arm64");
	wbuf_free(&b);
}

static void
test_oci(struct unit *u)
{
	struct qt_err err = { 0 };
	struct wbuf b = { 0 };
	struct ramdisk_tree *t = NULL;
	static char got[8192];
	struct ramdisk_opts arm = { .platform = "linux/arm64" };

	CHECK(u, build_app("oci:" RD "/oci", NULL, NULL, &b, &err) == 0);
	CHECK_STR(u, err.msg, "");
	list_cpio(b.p, b.len, got, sizeof(got));
	CHECK_STR(u, got,
	    "rootfs 40755 0:0 10 0 0 \n"
	    "rootfs/bin 40755 0:0 2 1 0 \n"
	    "rootfs/bin/app 100755 0:0 1 2 10 #!/bin/sh|\n"
	    "rootfs/dev 40755 0:0 2 3 0 \n"
	    "rootfs/etc 40755 0:0 2 4 0 \n"
	    "rootfs/etc/arch 100644 0:0 1 5 6 amd64|\n"
	    "rootfs/proc 40755 0:0 2 6 0 \n"
	    "rootfs/run 40755 0:0 2 7 0 \n"
	    "rootfs/sys 40755 0:0 2 8 0 \n"
	    "rootfs/tmp 40755 0:0 2 9 0 \n"
	    "rootfs/var 40755 0:0 2 10 0 \n"
	    "cmd 100644 0:0 1 11 15 /bin/app|amd64|\n"
	    "env 100644 0:0 1 12 66 \n");
	CHECK(u, build_app("oci:" RD "/oci:v1", &arm, NULL, &b, &err) == 0);
	list_cpio(b.p, b.len, got, sizeof(got));
	CHECK(u, strstr(got, "rootfs/etc/arch 100644 0:0 1 5 6 arm64|\n") != NULL);
	CHECK(u, load("oci:" RD "/oci:v2", NULL, &t, &err) == -1);
	CHECK_STR(u, err.msg, RD "/oci: index.json: no manifest named 'v2' (it holds: v1)");
	struct ramdisk_opts s390 = { .platform = "linux/s390x" };
	CHECK(u, load("oci:" RD "/oci", &s390, &t, &err) == -1);
	CHECK_STR(u, err.msg,
	    RD "/oci: manifest: no manifest for platform linux/s390x (it holds: linux/amd64, "
	       "linux/arm64)");
	CHECK(u, load("oci:" RD, NULL, &t, &err) == -1);
	CHECK_STR(u, err.msg, RD ": not an OCI image layout (no oci-layout file)");
	wbuf_free(&b);
}

static void
test_hostile(struct unit *u)
{
	struct qt_err err = { 0 };
	struct ramdisk_tree *t = NULL;
	struct ramdisk_opts lim = { .max_entries = 50 }, limb = { .max_bytes = 30 };

	CHECK(u, load(RD "/escape.tar", NULL, &t, &err) == -1);
	CHECK_STR(u, err.msg, RD "/escape.tar: entry 'a/../../evil': path leaves the root");
	CHECK(u, load(RD "/symlink-escape.tar", NULL, &t, &err) == -1);
	CHECK_STR(u, err.msg,
	    RD "/symlink-escape.tar: entry 'etc/passwd': parent 'etc' is a symbolic link: the "
	       "entry would be written through it");
	CHECK(u, load(RD "/hardlink-escape.tar", NULL, &t, &err) == -1);
	CHECK_STR(u, err.msg,
	    RD "/hardlink-escape.tar: entry 'x': hard link target '../../etc/shadow' leaves the "
	       "root");
	CHECK(u, load(RD "/longpath.tar", NULL, &t, &err) == -1);
	CHECK(u, strncmp(err.msg, RD "/longpath.tar: entry 'd/aaaa", 29) == 0);
	CHECK(u, strstr(err.msg, "...': path longer than PATH_MAX (4096)") != NULL);
	CHECK(u, load(RD "/many.tar", &lim, &t, &err) == -1);
	CHECK_STR(u, err.msg, RD "/many.tar: more than 50 entries (limit; see --max-entries)");
	CHECK(u, load(RD "/simple.tar", &limb, &t, &err) == -1);
	CHECK_STR(u, err.msg,
	    RD "/simple.tar: entry 'rel': more than 30 bytes of contents (limit; see --max-bytes)");
	CHECK(u, load(RD "/nonexistent.tar", NULL, &t, &err) == -1);
	CHECK_STR(u, err.msg, RD "/nonexistent.tar: No such file or directory");
	CHECK(u, load("docker-archive:", NULL, &t, &err) == -1);
	CHECK_STR(u, err.msg, "'docker-archive:': expected docker-archive:FILE[:IMAGE|@DIGEST]");
	CHECK(u, t == NULL);
}

static void
test_command(struct unit *u)
{
	struct qt_err err = { 0 };
	struct ramdisk_config cfg = { 0 };
	struct ramdisk_strv cmd = { 0 }, env = { 0 };
	char *ep[] = { "/entry", NULL }, *cm[] = { "a", "b", NULL }, *ev[] = { "A=1", "B=2", NULL };
	const char *oc[] = { "x" }, *oe[] = { "/other" }, *oenv[] = { "B=3", "C=4" },
	           *bad[] = { "line\nbreak" };
	struct ramdisk_overrides ov = { 0 };

	cfg.has_entrypoint = cfg.has_cmd = true;
	cfg.entrypoint.v = ep;
	cfg.entrypoint.n = 1;
	cfg.cmd.v = cm;
	cfg.cmd.n = 2;
	cfg.env.v = ev;
	cfg.env.n = 2;
	/* docker run: Entrypoint then Cmd (nitro-cli would run Cmd alone) */
	CHECK(u, ramdisk_command(&cfg, NULL, &cmd, &env, &err) == 0);
	CHECK(u, cmd.n == 3 && strcmp(cmd.v[0], "/entry") == 0 && strcmp(cmd.v[2], "b") == 0);
	ramdisk_strv_free(&cmd);
	ramdisk_strv_free(&env);
	/* --cmd replaces Cmd only */
	ov.has_cmd = true;
	ov.cmd = oc;
	ov.n_cmd = 1;
	ov.env = oenv;
	ov.n_env = 2;
	CHECK(u, ramdisk_command(&cfg, &ov, &cmd, &env, &err) == 0);
	CHECK(u, cmd.n == 2 && strcmp(cmd.v[1], "x") == 0);
	/* no PATH in the image: docker's default first */
	CHECK(u, env.n == 4 && strcmp(env.v[0], RAMDISK_DEFAULT_PATH) == 0 &&
	             strcmp(env.v[2], "B=3") == 0 && strcmp(env.v[3], "C=4") == 0);
	ramdisk_strv_free(&cmd);
	ramdisk_strv_free(&env);
	/* a PATH of the image or of --env: no default */
	ev[0] = "PATH=/x";
	CHECK(u, ramdisk_command(&cfg, &ov, &cmd, &env, &err) == 0);
	CHECK(u, env.n == 3 && strcmp(env.v[0], "PATH=/x") == 0);
	ramdisk_strv_free(&cmd);
	ramdisk_strv_free(&env);
	ev[0] = "A=1";
	oenv[0] = "PATH=/y";
	CHECK(u, ramdisk_command(&cfg, &ov, &cmd, &env, &err) == 0);
	CHECK(u, env.n == 4 && strcmp(env.v[2], "PATH=/y") == 0);
	ramdisk_strv_free(&cmd);
	ramdisk_strv_free(&env);
	oenv[0] = "B=3";
	/* a directory or tarball (no image config): env is the overrides alone */
	CHECK(u, ramdisk_command(NULL, &ov, &cmd, &env, &err) == 0);
	CHECK(u, env.n == 2 && strcmp(env.v[0], "B=3") == 0);
	ramdisk_strv_free(&cmd);
	ramdisk_strv_free(&env);
	/* --entrypoint drops the image's Cmd */
	memset(&ov, 0, sizeof(ov));
	ov.has_entrypoint = true;
	ov.entrypoint = oe;
	ov.n_entrypoint = 1;
	CHECK(u, ramdisk_command(&cfg, &ov, &cmd, &env, &err) == 0);
	CHECK(u, cmd.n == 1 && strcmp(cmd.v[0], "/other") == 0);
	ramdisk_strv_free(&cmd);
	ramdisk_strv_free(&env);
	CHECK(u, ramdisk_command(NULL, NULL, &cmd, &env, &err) == -1);
	CHECK_STR(u, err.msg, "no command to run: the image has no Entrypoint or Cmd; give --cmd");
	qt_err_clear(&err);
	memset(&ov, 0, sizeof(ov));
	ov.has_cmd = true;
	ov.cmd = bad;
	ov.n_cmd = 1;
	CHECK(u, ramdisk_command(NULL, &ov, &cmd, &env, &err) == -1);
	CHECK_STR(u, err.msg,
	    "command element 'line?break' holds a newline, which the cmd/env files cannot carry");
}

/* Docker's reference rules, and what the skopeo/umoci images give through each form. */
static void
test_refs(struct unit *u)
{
	struct qt_err err = { 0 };
	struct ramdisk_tree *t = NULL;
	const struct ramdisk_config *cfg;

	CHECK(u, rd_ref_match("hello:1.0", "docker.io/library/hello:1.0") == RD_REF_SAME);
	CHECK(u, rd_ref_match("library/hello:1.0", "hello:1.0") == RD_REF_SAME);
	CHECK(u, rd_ref_match("hello", "hello:latest") == RD_REF_SAME);
	CHECK(u, rd_ref_match("hello", "hello:1.0") == RD_REF_NO);
	CHECK(u, rd_ref_match("hello:1.0", "localhost/hello:1.0") == RD_REF_SHORT);
	CHECK(u, rd_ref_match("library/hello:1.0", "localhost/hello:1.0") == RD_REF_SHORT);
	CHECK(u, rd_ref_match("docker.io/library/hello:1.0", "localhost/hello:1.0") == RD_REF_NO);
	CHECK(u, rd_ref_match("team/app:2", "quay.io/team/app:2") == RD_REF_SHORT);
	CHECK(u, rd_ref_match("localhost:5000/app", "localhost:5000/app:latest") == RD_REF_SAME);
	CHECK(u, rd_ref_match("Hello:1.0", "hello:1.0") == RD_REF_NO);
	CHECK(u, rd_ref_match("v1", "v1") == RD_REF_SAME); /* OCI ref names: exact */
	CHECK(u, rd_looks_like_ref("hello:1.0") && rd_looks_like_ref("quay.io/a/b"));
	CHECK(u, rd_looks_like_ref("hello@sha256:" HEX64));
	CHECK(u, !rd_looks_like_ref("rootfs") && !rd_looks_like_ref("./dir/x") &&
	             !rd_looks_like_ref("a/b"));

	/* oci-archive by reference and by manifest digest; docker-archive by config digest */
	CHECK(u, load("oci-archive:" IM "/hello-oci.tar:hello:1.0", NULL, &t, &err) == 0);
	cfg = t != NULL ? ramdisk_tree_config(t) : NULL;
	CHECK(u, cfg != NULL && cfg->user != NULL && strcmp(cfg->user, "app") == 0);
	CHECK(u, t != NULL && ramdisk_tree_kind(t) == RAMDISK_SRC_OCI_ARCHIVE);
	CHECK(u, t != NULL && ramdisk_tree_stats(t)->layers == 2);
	ramdisk_tree_free(t);
	t = NULL;
	CHECK(u, load("oci-archive:" IM "/hello-oci.tar@sha256:" HELLO_MAN, NULL, &t, &err) == 0);
	if (t != NULL) {
		char *name = NULL, *version = NULL;
		struct ramdisk_probe pr;

		/* by digest: the recorded name, the digest as version */
		CHECK(u, ramdisk_tree_identity(t, &name, &version) == 0);
		CHECK(u, name != NULL && strcmp(name, "hello") == 0);
		CHECK(u, version != NULL && strcmp(version, "sha256:" HELLO_MAN) == 0);
		free(name);
		free(version);
		/* what the enclave finds: /bin/hello a 0755 script; etc/old whited out */
		ramdisk_tree_probe(t, "/bin/hello", &pr);
		CHECK(u, pr.exists && pr.regular && pr.mode == 0755 && pr.headlen == 27 &&
		             memcmp(pr.head, "#!/bin/sh\n", 10) == 0);
		ramdisk_tree_probe(t, "etc/./../etc/old", &pr);
		CHECK(u, !pr.exists && !pr.loop);
		ramdisk_tree_probe(t, "/etc", &pr);
		CHECK(u, pr.exists && pr.dir && !pr.regular);
	}
	ramdisk_tree_free(t);
	t = NULL;
	CHECK(u, load("docker-archive:" IM "/hello-localhost.tar", NULL, &t, &err) == 0);
	if (t != NULL) {
		char *name = NULL, *version = NULL;

		CHECK(u, ramdisk_tree_identity(t, &name, &version) == 0);
		CHECK(u, name != NULL && strcmp(name, "localhost/hello") == 0);
		CHECK(u, version != NULL && strcmp(version, "1.0") == 0);
		free(name);
		free(version);
	}
	ramdisk_tree_free(t);
	t = NULL;
	CHECK(u,
	    load("docker-archive:" IM "/hello-docker.tar@sha256:" HELLO_CFG, NULL, &t, &err) == 0);
	ramdisk_tree_free(t);
	t = NULL;
	CHECK(u, load("oci-archive:" IM "/hello-docker.tar", NULL, &t, &err) == -1);
	CHECK_STR(u, err.msg,
	    IM "/hello-docker.tar: not an OCI image layout archive (no oci-layout file)");
	qt_err_clear(&err);
	CHECK(u, load(IM "/hello-oci.tar", NULL, &t, &err) == -1);
	CHECK_STR(u, err.msg,
	    IM "/hello-oci.tar: an OCI image layout archive, not a root file system: use "
	       "oci-archive:" IM "/hello-oci.tar");
	qt_err_clear(&err);
	CHECK(u, load("docker-daemon:hello:1.0", NULL, &t, &err) == -1);
	CHECK(u, strncmp(err.msg, "docker-daemon:hello:1.0: qt reads no registry", 45) == 0);
	CHECK(u, t == NULL);
}

static void
test_gzip(struct unit *u)
{
	struct qt_err err = { 0 };
	struct wbuf a = { 0 }, b = { 0 };
	const char *d[1];

	d[0] = GOLD "/nsm.ko.bin";
	CHECK(u, ramdisk_write_bootstrap(GOLD "/init.bin", d, 1, true, mem_sink(&a), &err) == 0);
	CHECK(u, ramdisk_write_bootstrap(GOLD "/init.bin", d, 1, true, mem_sink(&b), &err) == 0);
	/* gzip magic, deflate, no flags, MTIME 0, XFL 0, OS 3 (Unix); deterministic */
	CHECK(u, a.len > 18 && memcmp(a.p, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) == 0);
	CHECK(u, a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
	wbuf_free(&a);
	wbuf_free(&b);
}

int
main(void)
{
	struct unit u = { 0 };
	char tmp[] = "/tmp/test_ramdisk.XXXXXX";
	char cmd[64];

	if (mkdtemp(tmp) == NULL)
		return 1;
	test_golden_bootstrap(&u, tmp);
	test_golden_app(&u, tmp);
	test_reproducible_dir(&u, tmp);
	test_dir_xattrs(&u, tmp);
	test_tarball(&u);
	test_docker(&u);
	test_oci(&u);
	test_hostile(&u);
	test_command(&u);
	test_refs(&u);
	test_gzip(&u);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd) != 0)
		return 1;
	return unit_end(&u);
}
