/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pcr.c: ExtendPCR and the streaming PCR0/1/2 + CRC-32 engine. Which section
 * feeds which register is decided by the caller (eif.c) through pcr_role.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>
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
pcr_of_text(const char *text, uint8_t ret[PCR_LEN], struct qt_err *err)
{
	memset(ret, 0, PCR_LEN);
	return pcr_extend(ret, (const uint8_t *)text, strlen(text), err);
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

/*
 * The streaming engine: a ring of PCR_RING buffers between the producer (the
 * thread that reads or writes the image) and two chains of hashing. Chain 0
 * runs PCR0's context over the slots in order, chain 1 PCR2's (or PCR1's,
 * when boot data comes after the fork). A chain runs on one thread at a
 * time, not always the same one: a worker takes whichever free chain is
 * further behind, and the producer, rather than sleep on a full ring, runs
 * a chain itself. On two processors one worker and the producer so share
 * the reading and both hashes evenly; with a third thread (two dedicated
 * hashers) the hasher that shared a core with the producer fell behind and
 * the other idled at the ring's end (wall time 9 % over the two threads'
 * work). With three processors or more there are two workers. A slot is
 * free again once both chains are past it. The CRC of a slot is split
 * between the chains (each from 0) and folded into the running CRC, in slot
 * order, when the producer takes the slot back (crc32_combine).
 */
#define PCR_RING 8

struct slot {
	uint8_t *buf; /* QT_IO_CHUNK bytes, allocated on first use */
	size_t len;
	EVP_MD_CTX *ctx[2]; /* what worker k hashes (NULL: nothing) */
	size_t crc_off[2];  /* worker k's share of the CRC: buf[crc_off, crc_off + crc_len) */
	size_t crc_len[2];
	uint32_t crc[2];
	bool ok[2];
};

struct pcr_stream {
	EVP_MD_CTX *c0, *c1, *c2; /* c1 == NULL while PCR1 shares c0 */
	uint32_t crc;  /* of the bytes since the last take, slots not yet taken back excluded */
	bool skip_crc; /* measure only: nobody reads the CRC */
	bool failed;   /* a worker's SHA-384 update failed: the registers are lost */
	struct slot ring[PCR_RING];
	/* counters of slots: posted >= done[k] >= reclaimed; posted - reclaimed <= PCR_RING */
	unsigned long posted, done[2], reclaimed;
	bool busy[2];       /* chain k runs on some thread now */
	unsigned long want; /* the producer sleeps until both chains are done with this many */
	bool waiting;
	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_free;
	pthread_t th[2];
	unsigned nworkers; /* threads started (0 until the first hand-off) */
	bool threads, th_failed, quit;
};

static void
slot_run(struct slot *sl, unsigned k)
{
	sl->ok[k] = true;
	if (sl->ctx[k] != NULL && EVP_DigestUpdate(sl->ctx[k], sl->buf, sl->len) != 1)
		sl->ok[k] = false;
	sl->crc[k] =
	    sl->crc_len[k] != 0 ? libdeflate_crc32(0, sl->buf + sl->crc_off[k], sl->crc_len[k]) : 0;
}

static unsigned long
done_min(const struct pcr_stream *s)
{
	return s->done[0] < s->done[1] ? s->done[0] : s->done[1];
}

/* A chain with a posted slot to do that no thread runs (the one further behind); -1: none. */
static int
chain_free(const struct pcr_stream *s)
{
	int best = -1;
	unsigned k;

	for (k = 0; k < 2; k++)
		if (!s->busy[k] && s->done[k] < s->posted &&
		    (best < 0 || s->done[k] < s->done[best]))
			best = (int)k;
	return best;
}

/* Run chain k over its next slot (mutex held on entry and on return, not while hashing). */
static void
chain_run(struct pcr_stream *s, unsigned k)
{
	struct slot *sl = &s->ring[s->done[k] % PCR_RING];

	s->busy[k] = true;
	pthread_mutex_unlock(&s->mu);
	slot_run(sl, k);
	pthread_mutex_lock(&s->mu);
	s->done[k]++;
	s->busy[k] = false;
}

static void *
worker(void *p)
{
	struct pcr_stream *s = p;

	pthread_mutex_lock(&s->mu);
	while (!s->quit) {
		int k = chain_free(s);

		if (k < 0) {
			pthread_cond_wait(&s->cv_work, &s->mu);
			continue;
		}
		chain_run(s, (unsigned)k);
		/*
		 * Wake the producer when what it waits for is there, or, with one
		 * worker, when it could run the other chain (with two, a worker will).
		 */
		if (s->waiting &&
		    (done_min(s) >= s->want || (s->nworkers == 1 && chain_free(s) >= 0)))
			pthread_cond_signal(&s->cv_free);
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
	pthread_cond_init(&s->cv_work, NULL);
	pthread_cond_init(&s->cv_free, NULL);
	s->crc = 0;
	if ((s->c0 = sha384_new(err)) == NULL || (s->c2 = sha384_new(err)) == NULL) {
		pcr_stream_free(s);
		return -1;
	}
	*ret = s;
	return 0;
}

/* Processors this process may run on: two workers from three on, one on two, none on one. */
static unsigned
workers_wanted(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
	else
		n = sysconf(_SC_NPROCESSORS_ONLN);
	return n >= 3 ? 2 : n == 2 ? 1 : 0;
}

/*
 * Start the workers, or none (then everything runs on the producer; slower,
 * same result): one processor, or pthread_create failed.
 */
static bool
threads_ready(struct pcr_stream *s)
{
	unsigned k, want;

	if (s->threads)
		return true;
	if (s->th_failed)
		return false;
	want = workers_wanted();
	for (k = 0; k < want; k++)
		if (pthread_create(&s->th[k], NULL, worker, s) != 0)
			break;
	s->nworkers = k;
	if (k == 0) {
		s->th_failed = true;
		return false;
	}
	s->threads = true;
	return true;
}

/* Fold the CRC shares of the slots the workers are done with, up to upto, in order. */
static int
reclaim(struct pcr_stream *s, unsigned long upto, struct qt_err *err)
{
	for (; s->reclaimed < upto; s->reclaimed++) {
		struct slot *sl = &s->ring[s->reclaimed % PCR_RING];
		unsigned k;

		if (!sl->ok[0] || !sl->ok[1])
			s->failed = true;
		for (k = 0; k < 2; k++)
			if (sl->crc_len[k] != 0)
				s->crc = (uint32_t)crc32_combine(
				    s->crc, sl->crc[k], (z_off_t)sl->crc_len[k]);
	}
	if (s->failed)
		return qt_err_ssl(err, "SHA-384 failed");
	return 0;
}

/*
 * Wait until both chains are at most keep slots behind, running a free chain
 * here meanwhile, and take back what they finished.
 */
static int
wait_behind(struct pcr_stream *s, unsigned long keep, struct qt_err *err)
{
	unsigned long upto;

	if (!s->threads)
		return s->failed ? qt_err_ssl(err, "SHA-384 failed") : 0;
	pthread_mutex_lock(&s->mu);
	s->want = s->posted - keep;
	while (done_min(s) < s->want) {
		int k = chain_free(s);

		if (k >= 0) {
			chain_run(s, (unsigned)k);
			/* a worker may wait for the chain this thread held */
			pthread_cond_signal(&s->cv_work);
			continue;
		}
		s->waiting = true;
		pthread_cond_wait(&s->cv_free, &s->mu);
		s->waiting = false;
	}
	upto = done_min(s);
	pthread_mutex_unlock(&s->mu);
	return reclaim(s, upto, err);
}

int
pcr_stream_sync(struct pcr_stream *s, struct qt_err *err)
{
	return wait_behind(s, 0, err);
}

uint8_t *
pcr_stream_buf(struct pcr_stream *s, size_t *ret_cap, struct qt_err *err)
{
	struct slot *sl;

	/* ring full: hash here until half of it is free (one wake-up per PCR_RING / 2 slots) */
	if (s->posted - s->reclaimed == PCR_RING && wait_behind(s, PCR_RING / 2, err) < 0)
		return NULL;
	if (s->failed) {
		qt_err_ssl(err, "SHA-384 failed");
		return NULL;
	}
	sl = &s->ring[s->posted % PCR_RING];
	if (sl->buf == NULL && (sl->buf = malloc(QT_IO_CHUNK)) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	*ret_cap = QT_IO_CHUNK;
	return sl->buf;
}

/* Hash buf into the registers of role and the CRC, here and now (nothing may be in flight). */
static int
run_here(struct pcr_stream *s, EVP_MD_CTX *a, EVP_MD_CTX *b, const uint8_t *buf, size_t len,
    struct qt_err *err)
{
	if ((a != NULL && EVP_DigestUpdate(a, buf, len) != 1) ||
	    (b != NULL && EVP_DigestUpdate(b, buf, len) != 1))
		return qt_err_ssl(err, "SHA-384 failed");
	if (!s->skip_crc)
		s->crc = libdeflate_crc32(s->crc, buf, len);
	return 0;
}

/* The two contexts role feeds (either may be NULL); forks PCR1 off at the first app byte. */
static int
role_ctx(
    struct pcr_stream *s, enum pcr_role role, EVP_MD_CTX **a, EVP_MD_CTX **b, struct qt_err *err)
{
	switch (role) {
	case PCR_ROLE_NONE:
		*a = *b = NULL;
		return 0;
	case PCR_ROLE_BOOT:
		*a = s->c0;
		*b = s->c1;
		return 0;
	case PCR_ROLE_APP:
		/* First application byte: PCR1 stops following PCR0 (spec/eif.md 4.2). */
		if (s->c1 == NULL) {
			if (pcr_stream_sync(s, err) < 0) /* c0 is worker 0's until then */
				return -1;
			if ((s->c1 = EVP_MD_CTX_new()) == NULL ||
			    EVP_MD_CTX_copy_ex(s->c1, s->c0) != 1)
				return qt_err_ssl(err, "SHA-384: cannot copy state");
		}
		*a = s->c0;
		*b = s->c2;
		return 0;
	}
	return qt_err_set(err, EINVAL, "internal error: unknown PCR role");
}

/* Is the ring empty (every slot hashed and taken back)? Then the producer may hash in line. */
static int
idle(struct pcr_stream *s, bool *ret, struct qt_err *err)
{
	unsigned long upto;

	*ret = true;
	if (!s->threads)
		return 0;
	pthread_mutex_lock(&s->mu);
	upto = done_min(s);
	pthread_mutex_unlock(&s->mu);
	if (reclaim(s, upto, err) < 0)
		return -1;
	*ret = s->reclaimed == s->posted;
	return 0;
}

int
pcr_stream_submit(struct pcr_stream *s, enum pcr_role role, size_t len, struct qt_err *err)
{
	struct slot *sl = &s->ring[s->posted % PCR_RING];
	EVP_MD_CTX *a, *b;
	bool here;
	size_t half;

	if (s->failed)
		return qt_err_ssl(err, "SHA-384 failed");
	if (len == 0)
		return 0;
	if (role_ctx(s, role, &a, &b, err) < 0 || idle(s, &here, err) < 0)
		return -1;
	/* a small piece with nothing in flight: a hand-off costs more than the hashing */
	if ((here && len < PCR_THREAD_MIN) || !threads_ready(s))
		return run_here(s, a, b, sl->buf, len, err);
	sl->len = len;
	sl->ctx[0] = a;
	sl->ctx[1] = b;
	/* The CRC goes to worker 1 when only worker 0 has a SHA-384 to do, else half each. */
	half = len / 2;
	sl->crc_off[0] = sl->crc_len[0] = sl->crc_off[1] = sl->crc_len[1] = 0;
	if (!s->skip_crc && a != NULL && b == NULL) {
		sl->crc_len[1] = len;
	} else if (!s->skip_crc) {
		sl->crc_len[0] = half;
		sl->crc_off[1] = half;
		sl->crc_len[1] = len - half;
	}
	pthread_mutex_lock(&s->mu);
	s->posted++;
	pthread_cond_broadcast(&s->cv_work);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

int
pcr_stream_update(
    struct pcr_stream *s, enum pcr_role role, const uint8_t *buf, size_t len, struct qt_err *err)
{
	while (len > 0) {
		EVP_MD_CTX *a, *b;
		uint8_t *dst;
		size_t cap, n;
		bool here;

		/* small and nothing in flight: hash the caller's bytes where they are */
		if (len < PCR_THREAD_MIN) {
			if (s->failed)
				return qt_err_ssl(err, "SHA-384 failed");
			if (idle(s, &here, err) < 0)
				return -1;
			if (here)
				return role_ctx(s, role, &a, &b, err) < 0
				           ? -1
				           : run_here(s, a, b, buf, len, err);
		}
		if ((dst = pcr_stream_buf(s, &cap, err)) == NULL)
			return -1;
		n = len < cap ? len : cap;
		memcpy(dst, buf, n);
		if (pcr_stream_submit(s, role, n, err) < 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
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
	s->crc = 0;
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
	unsigned k;

	if (s == NULL)
		return;
	if (s->threads) {
		pthread_mutex_lock(&s->mu);
		s->quit = true; /* the workers finish the slot at hand, then leave */
		pthread_cond_broadcast(&s->cv_work);
		pthread_mutex_unlock(&s->mu);
		for (k = 0; k < s->nworkers; k++)
			pthread_join(s->th[k], NULL);
	}
	pthread_cond_destroy(&s->cv_work);
	pthread_cond_destroy(&s->cv_free);
	pthread_mutex_destroy(&s->mu);
	for (k = 0; k < PCR_RING; k++)
		free(s->ring[k].buf);
	EVP_MD_CTX_free(s->c0);
	EVP_MD_CTX_free(s->c1);
	EVP_MD_CTX_free(s->c2);
	free(s);
}
