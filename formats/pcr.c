/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pcr.c: ExtendPCR and the streaming PCR0/1/2 + CRC-32 engine. Which section
 * feeds which register is decided by the caller (eif.c) through pcr_role.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "fileio.h"
#include "pcr.h"
#include "text.h"

/* Below this a chunk is hashed on the calling thread: a hand-off costs more. */
#define PCR_THREAD_MIN (64u * 1024u)

int
pcr_extend(uint8_t reg[PCR_LEN], const uint8_t *data, size_t len, struct qt_err *err)
{
	EVP_MD_CTX *md = NULL;
	unsigned int n = 0;
	int r = -1;

	if ((md = EVP_MD_CTX_new()) == NULL) {
		qt_err_ssl(err, "SHA-384: out of memory");
		goto out;
	}
	/* ExtendPCR: SHA384(old register || data) (spec/eif.md 4.1, spec/qingtian.md) */
	if (EVP_DigestInit_ex(md, EVP_sha384(), NULL) != 1 ||
	    EVP_DigestUpdate(md, reg, PCR_LEN) != 1 || EVP_DigestUpdate(md, data, len) != 1 ||
	    EVP_DigestFinal_ex(md, reg, &n) != 1 || n != PCR_LEN) {
		qt_err_ssl(err, "SHA-384 failed");
		goto out;
	}
	r = 0;
out:
	EVP_MD_CTX_free(md);
	return r;
}

int
pcr_sha384(const uint8_t *buf, size_t len, uint8_t ret[PCR_LEN], struct qt_err *err)
{
	unsigned int n = 0;

	if (EVP_Digest(buf, len, ret, &n, EVP_sha384(), NULL) != 1 || n != PCR_LEN)
		return qt_err_ssl(err, "SHA-384 failed");
	return 0;
}

bool
pcr_uuid_canon(char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		int v = qt_hex_digit(s[i]);

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (v < 0) {
			return false;
		} else {
			s[i] = "0123456789abcdef"[v];
		}
	}
	return true;
}

/* No C0 control byte and no DEL: the text is extended raw and echoed in messages. */
static bool
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int
pcr_iam_agency_check(const char *urn, struct qt_err *err)
{
	const char *dom = urn + 5, *sep;

	if (strlen(urn) > PCR_PARENT_ID_MAX || strncmp(urn, "iam::", 5) != 0 || !printable(urn))
		goto bad;
	sep = strchr(dom, ':');
	if (sep == NULL || sep == dom || strncmp(sep, ":agency:", 8) != 0 || sep[8] == '\0' ||
	    strchr(sep + 8, ':') != NULL)
		goto bad;
	return 0;
bad:
	return qt_err_set(err, EINVAL,
	    "--iam-agency: '%.64s' is not an agency URN 'iam::<domain id>:agency:<name>'", urn);
}

/* [A-Za-z0-9+=,.@_/-]: the characters of an IAM role's path and name. */
static bool
role_chars(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		        (*s >= '0' && *s <= '9') || strchr("+=,.@_/-", *s) != NULL))
			return false;
	return true;
}

int
pcr_iam_role_check(const char *arn, struct qt_err *err)
{
	const char *p = arn + 4, *q;
	size_t i;

	if (strlen(arn) > PCR_PARENT_ID_MAX || strncmp(arn, "arn:", 4) != 0)
		goto bad;
	/* partition: aws, aws-cn, aws-us-gov, ... */
	for (q = p; (*q >= 'a' && *q <= 'z') || *q == '-'; q++)
		;
	if (q == p || strncmp(q, ":iam::", 6) != 0)
		goto bad;
	q += 6;
	for (i = 0; i < 12; i++)
		if (q[i] < '0' || q[i] > '9')
			goto bad;
	q += 12;
	if (strncmp(q, ":role/", 6) != 0 || q[6] == '\0' || q[strlen(q) - 1] == '/' ||
	    !role_chars(q + 6))
		goto bad;
	return 0;
bad:
	return qt_err_set(err, EINVAL,
	    "--iam-role: '%.64s' is not an IAM role ARN "
	    "'arn:<partition>:iam::<12-digit account>:role/<name>'",
	    arn);
}

/* "i-" and 1-30 lower-case hex digits: an EC2 instance id. */
static bool
nitro_instance(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 3 || n > 32 || s[0] != 'i' || s[1] != '-')
		return false;
	for (i = 2; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int
pcr_instance_id_canon(enum qt_profile profile, char *id, struct qt_err *err)
{
	const char *want;

	if (profile != QT_PROFILE_NITRO && strlen(id) == 36) {
		char uuid[37];

		memcpy(uuid, id, sizeof(uuid));
		if (pcr_uuid_canon(uuid)) {
			memcpy(id, uuid, sizeof(uuid));
			return 0;
		}
	}
	if (profile != QT_PROFILE_QINGTIAN && nitro_instance(id))
		return 0;
	want = profile == QT_PROFILE_QINGTIAN ? "a hyphenated instance UUID (qingtian)"
	       : profile == QT_PROFILE_NITRO  ? "an instance id 'i-<hex>' (nitro)"
	                                      : "a hyphenated instance UUID (qingtian) or an "
	                                        "instance id 'i-<hex>' (nitro)";
	return qt_err_set(err, EINVAL, "--instance-id: '%.64s' is not %s", id, want);
}

int
pcr_of_bytes(const uint8_t *buf, size_t len, uint8_t ret[PCR_LEN], struct qt_err *err)
{
	uint8_t d[PCR_LEN];

	if (pcr_sha384(buf, len, d, err) < 0)
		return -1;
	memset(ret, 0, PCR_LEN);
	return pcr_extend(ret, d, sizeof(d), err);
}

int
pcr_sha384_file(const char *path, uint8_t ret[PCR_LEN], struct qt_err *err)
{
	const char *name = strcmp(path, "-") == 0 ? "standard input" : path;
	EVP_MD_CTX *md = NULL;
	uint8_t *buf = NULL;
	unsigned int n = 0;
	size_t got;
	int fd = -1, r = -1;

	if (fileio_open_input(path, &fd, err) < 0)
		return -1;
	if ((buf = malloc(QT_IO_CHUNK)) == NULL) {
		qt_err_set(err, ENOMEM, "%s: out of memory", name);
		goto out;
	}
	if ((md = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(md, EVP_sha384(), NULL) != 1) {
		qt_err_ssl(err, "%s: SHA-384: cannot initialise", name);
		goto out;
	}
	do {
		if (fileio_read_full(fd, buf, QT_IO_CHUNK, -1, &got) < 0) {
			qt_err_set(err, errno, "%s: read error: %s", name, strerror(errno));
			goto out;
		}
		if (EVP_DigestUpdate(md, buf, got) != 1) {
			qt_err_ssl(err, "%s: SHA-384 failed", name);
			goto out;
		}
	} while (got == QT_IO_CHUNK);
	if (EVP_DigestFinal_ex(md, ret, &n) != 1 || n != PCR_LEN) {
		qt_err_ssl(err, "%s: SHA-384 failed", name);
		goto out;
	}
	r = 0;
out:
	EVP_MD_CTX_free(md);
	free(buf);
	if (fd >= 0)
		close(fd);
	return r;
}

int
pcr_of_file(const char *path, uint8_t ret[PCR_LEN], struct qt_err *err)
{
	uint8_t d[PCR_LEN];

	if (pcr_sha384_file(path, d, err) < 0)
		return -1;
	memset(ret, 0, PCR_LEN);
	return pcr_extend(ret, d, sizeof(d), err);
}

/* What the helper thread does for one chunk: an optional SHA update and a CRC. */
struct job {
	EVP_MD_CTX *ctx;
	const uint8_t *sha_buf;
	size_t sha_len;
	const uint8_t *crc_buf;
	size_t crc_len;
	uint32_t crc;
	int ok;
};

struct pcr_stream {
	EVP_MD_CTX *c0, *c1, *c2; /* c1 == NULL while PCR1 shares c0 */
	uint32_t crc;             /* of the bytes since the last take, helper's share excluded */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	bool th_started, th_failed, quit, pending;
	bool skip_crc; /* measure only: nobody reads the CRC */
	unsigned long posted, done;
	struct job job;
};

static void
job_run(struct job *j)
{
	j->ok = 1;
	if (j->ctx != NULL && EVP_DigestUpdate(j->ctx, j->sha_buf, j->sha_len) != 1)
		j->ok = 0;
	j->crc = j->crc_len != 0 ? (uint32_t)crc32_z(0, j->crc_buf, j->crc_len) : 0;
}

static void *
worker(void *arg)
{
	struct pcr_stream *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->quit && s->done == s->posted)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->done == s->posted) /* quit, nothing left to do */
			break;
		pthread_mutex_unlock(&s->mu);
		job_run(&s->job);
		pthread_mutex_lock(&s->mu);
		s->done++;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static EVP_MD_CTX *
sha384_new(struct qt_err *err)
{
	EVP_MD_CTX *md;

	if ((md = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(md, EVP_sha384(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		qt_err_ssl(err, "SHA-384: cannot initialise");
		return NULL;
	}
	return md;
}

int
pcr_stream_new(struct pcr_stream **ret, struct qt_err *err)
{
	struct pcr_stream *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return qt_err_set(err, ENOMEM, "out of memory");
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->crc = (uint32_t)crc32_z(0, NULL, 0);
	if ((s->c0 = sha384_new(err)) == NULL || (s->c2 = sha384_new(err)) == NULL) {
		pcr_stream_free(s);
		return -1;
	}
	*ret = s;
	return 0;
}

static bool
thread_ready(struct pcr_stream *s)
{
	if (s->th_started)
		return true;
	if (s->th_failed)
		return false;
	if (pthread_create(&s->th, NULL, worker, s) != 0) {
		s->th_failed = true; /* fall back to one thread; slower, same result */
		return false;
	}
	s->th_started = true;
	return true;
}

int
pcr_stream_sync(struct pcr_stream *s, struct qt_err *err)
{
	if (!s->pending)
		return 0;
	pthread_mutex_lock(&s->mu);
	while (s->done != s->posted)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	s->pending = false;
	if (!s->job.ok)
		return qt_err_ssl(err, "SHA-384 failed");
	/* the helper's CRC share is the tail of that chunk: append it */
	if (!s->skip_crc)
		s->crc = (uint32_t)crc32_combine(s->crc, s->job.crc, (z_off_t)s->job.crc_len);
	return 0;
}

/* Append buf to the CRC on this thread, unless the stream skips the CRC. */
static void
crc_add(struct pcr_stream *s, const uint8_t *buf, size_t len)
{
	if (!s->skip_crc)
		s->crc = (uint32_t)crc32_z(s->crc, buf, len);
}

/*
 * Update a (always) and b (may be NULL) with buf and the CRC. With b: the
 * helper hashes b and the last 3/4 of the chunk's CRC, this thread hashes a,
 * the first 1/4 of the CRC, and then reads the next chunk while the helper
 * finishes: about the same load on both. Without b: the helper does the CRC.
 */
static int
update2(struct pcr_stream *s, EVP_MD_CTX *a, EVP_MD_CTX *b, const uint8_t *buf, size_t len,
    struct qt_err *err)
{
	size_t head = b != NULL ? len / 4 : 0;

	if (len < PCR_THREAD_MIN || !thread_ready(s)) {
		if (EVP_DigestUpdate(a, buf, len) != 1 ||
		    (b != NULL && EVP_DigestUpdate(b, buf, len) != 1))
			return qt_err_ssl(err, "SHA-384 failed");
		crc_add(s, buf, len);
		return 0;
	}
	if (s->skip_crc)
		head = len; /* the helper's share of the CRC is empty */
	pthread_mutex_lock(&s->mu);
	s->job = (struct job){ .ctx = b,
		.sha_buf = buf,
		.sha_len = len,
		.crc_buf = buf + head,
		.crc_len = len - head };
	s->posted++;
	s->pending = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);

	crc_add(s, buf, head);
	if (EVP_DigestUpdate(a, buf, len) != 1) {
		(void)pcr_stream_sync(s, err);
		return qt_err_ssl(err, "SHA-384 failed");
	}
	return 0;
}

int
pcr_stream_update(
    struct pcr_stream *s, enum pcr_role role, const uint8_t *buf, size_t len, struct qt_err *err)
{
	/* the previous chunk's helper share first: keeps the CRC in byte order */
	if (pcr_stream_sync(s, err) < 0)
		return -1;
	if (len == 0)
		return 0;
	switch (role) {
	case PCR_ROLE_NONE:
		crc_add(s, buf, len);
		return 0;
	case PCR_ROLE_BOOT:
		return update2(s, s->c0, s->c1, buf, len, err);
	case PCR_ROLE_APP:
		/* First application byte: PCR1 stops following PCR0 (spec/eif.md 4.2). */
		if (s->c1 == NULL) {
			if ((s->c1 = EVP_MD_CTX_new()) == NULL ||
			    EVP_MD_CTX_copy_ex(s->c1, s->c0) != 1)
				return qt_err_ssl(err, "SHA-384: cannot copy state");
		}
		return update2(s, s->c0, s->c2, buf, len, err);
	}
	return qt_err_set(err, EINVAL, "internal error: unknown PCR role");
}

void
pcr_stream_skip_crc(struct pcr_stream *s)
{
	s->skip_crc = true;
	s->crc = 0;
}

int
pcr_stream_crc_take(struct pcr_stream *s, uint32_t *ret, struct qt_err *err)
{
	if (pcr_stream_sync(s, err) < 0)
		return -1;
	*ret = s->crc;
	s->crc = (uint32_t)crc32_z(0, NULL, 0);
	return 0;
}

/* extend(0^48, digest of a copy of ctx) */
static int
final_copy(const EVP_MD_CTX *ctx, uint8_t ret[PCR_LEN], struct qt_err *err)
{
	EVP_MD_CTX *tmp = NULL;
	uint8_t d[PCR_LEN];
	unsigned int n = 0;
	int r = -1;

	if ((tmp = EVP_MD_CTX_new()) == NULL || EVP_MD_CTX_copy_ex(tmp, ctx) != 1 ||
	    EVP_DigestFinal_ex(tmp, d, &n) != 1 || n != PCR_LEN) {
		qt_err_ssl(err, "SHA-384 failed");
		goto out;
	}
	memset(ret, 0, PCR_LEN);
	r = pcr_extend(ret, d, sizeof(d), err);
out:
	EVP_MD_CTX_free(tmp);
	return r;
}

int
pcr_stream_final(struct pcr_stream *s, struct pcr_set *ret, struct qt_err *err)
{
	struct pcr_set p;

	memset(&p, 0, sizeof(p));
	if (pcr_stream_sync(s, err) < 0)
		return -1;
	if (final_copy(s->c0, p.pcr0, err) < 0 ||
	    final_copy(s->c1 != NULL ? s->c1 : s->c0, p.pcr1, err) < 0 ||
	    final_copy(s->c2, p.pcr2, err) < 0)
		return -1;
	*ret = p;
	return 0;
}

void
pcr_stream_free(struct pcr_stream *s)
{
	if (s == NULL)
		return;
	if (s->th_started) {
		(void)pcr_stream_sync(s, NULL);
		pthread_mutex_lock(&s->mu);
		s->quit = true;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->th, NULL);
	}
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	EVP_MD_CTX_free(s->c0);
	EVP_MD_CTX_free(s->c1);
	EVP_MD_CTX_free(s->c2);
	free(s);
}
