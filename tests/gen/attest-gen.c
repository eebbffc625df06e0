/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest-gen: make test attestation documents in the QingTian or Nitro shape
 * (spec/attestation.md 1-2), signed with a test leaf key, optionally damaged
 * in exactly one way, for tests/cli/attest-gen.bats. A test tool: it exits 2
 * on any misuse and never checks what it is asked to break.
 *
 * usage: attest-gen --key KEY --cert LEAF.pem --bundle ROOT.pem[,CA.pem...]
 *            [--shape qingtian|nitro] [--tag] [--be|--le] [--timestamp MS]
 *            [--module-id S] [--pcr N=HEX]... [--nonce HEX] [--user-data HEX]
 *            [--public-key HEX] [--digest S] [--alg N] [--mutate WHAT] -o OUT
 * WHAT: flip-payload flip-signature truncate trailing tag=N dup-key unknown-key
 *       oversize=FIELD missing=FIELD bundle-reverse bundle-drop=N
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void
die(const char *msg)
{
	fprintf(stderr, "attest-gen: %s\n", msg);
	ERR_print_errors_fp(stderr);
	exit(2);
}

static void
put(struct buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			die("out of memory");
	}
	if (n > 0)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

/* CBOR head; width 0 = shortest, else 1, 2, 4 or 8 argument bytes (non-minimal). */
static void
head(struct buf *b, unsigned major, uint64_t v, unsigned width)
{
	uint8_t h[9];
	unsigned n, i;

	if (width == 0)
		width = v < 24 ? 0 : v <= 0xff ? 1 : v <= 0xffff ? 2 : v <= 0xffffffffu ? 4 : 8;
	h[0] = (uint8_t)(major << 5);
	if (width == 0) {
		h[0] |= (uint8_t)v;
		put(b, h, 1);
		return;
	}
	h[0] |= width == 1 ? 24 : width == 2 ? 25 : width == 4 ? 26 : 27;
	for (n = 0, i = width; i-- > 0; n++)
		h[1 + n] = (uint8_t)(v >> (8 * i));
	put(b, h, 1 + width);
}

static void
text(struct buf *b, const char *s)
{
	head(b, 3, strlen(s), 0);
	put(b, s, strlen(s));
}

static void
bstr(struct buf *b, const uint8_t *p, size_t n)
{
	head(b, 2, n, 0);
	put(b, p, n);
}

static uint8_t *
unhex(const char *s, size_t *len)
{
	size_t n = strlen(s), i;
	uint8_t *out;
	unsigned v;

	if (n % 2 != 0 || (out = malloc(n / 2 + 1)) == NULL)
		die("bad hex");
	for (i = 0; i < n / 2; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			die("bad hex");
		out[i] = (uint8_t)v;
	}
	*len = n / 2;
	return out;
}

static uint8_t *
cert_der(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	X509 *x = NULL;
	uint8_t *der = NULL;
	int n;

	if (f == NULL || (x = PEM_read_X509(f, NULL, NULL, NULL)) == NULL)
		die(path);
	fclose(f);
	if ((n = i2d_X509(x, &der)) <= 0)
		die("i2d_X509");
	X509_free(x);
	*len = (size_t)n;
	return der;
}

struct opt {
	bool nitro, tag, le, be;
	unsigned long long ts;
	const char *module_id, *digest, *mutate;
	long alg;
	uint32_t pcr_mask;
	uint8_t pcrs[32][48];
	uint8_t *nonce, *user_data, *public_key;
	size_t nonce_len, user_data_len, public_key_len;
	bool has_nonce, has_user_data, has_public_key;
	uint8_t *cert;
	size_t cert_len;
	uint8_t *bundle[16];
	size_t bundle_len[16], nbundle;
};

static bool
mut(const struct opt *o, const char *what)
{
	return o->mutate != NULL && strcmp(o->mutate, what) == 0;
}

static const char *
mut_arg(const struct opt *o, const char *prefix)
{
	size_t n = strlen(prefix);

	return o->mutate != NULL && strncmp(o->mutate, prefix, n) == 0 ? o->mutate + n : NULL;
}

static void
opt_field(struct buf *b, const struct opt *o, const char *key, const uint8_t *p, size_t n, bool has,
    size_t oversize)
{
	const char *miss = mut_arg(o, "missing=");
	const char *over = mut_arg(o, "oversize=");

	if (miss != NULL && strcmp(miss, key) == 0)
		return;
	text(b, key);
	if (over != NULL && strcmp(over, key) == 0) {
		uint8_t *big;

		if ((big = calloc(1, oversize)) == NULL)
			die("out of memory");
		bstr(b, big, oversize);
		free(big);
	} else if (has) {
		bstr(b, p, n);
	} else if (o->nitro) {
		head(b, 7, 22, 0); /* null */
	} else {
		bstr(b, NULL, 0); /* QingTian: empty byte string when absent */
	}
}

static size_t
payload(struct buf *b, const struct opt *o)
{
	const char *miss = mut_arg(o, "missing=");
	const char *over = mut_arg(o, "oversize=");
	unsigned npcr = 0, i, nfields = 9, nb;
	size_t flip_at = 0;
	char mid[200];

	if (miss != NULL)
		nfields--;
	if (mut(o, "dup-key") || mut(o, "unknown-key"))
		nfields++;
	head(b, 5, nfields, 0);
	/* module_id first in both shapes */
	if (miss == NULL || strcmp(miss, "module_id") != 0) {
		text(b, "module_id");
		if (over != NULL && strcmp(over, "module_id") == 0) {
			memset(mid, 'a', 128);
			mid[128] = '\0';
			text(b, mid);
		} else {
			text(b, o->module_id);
			flip_at = b->len - 1; /* last character: flipping keeps CBOR valid */
		}
	}
	for (i = 0; i < 2; i++) {
		/* QingTian: timestamp then digest; Nitro: digest then timestamp */
		bool ts = (i == 0) != o->nitro;

		if (ts && (miss == NULL || strcmp(miss, "timestamp") != 0)) {
			text(b, "timestamp");
			head(b, 0, o->ts, o->nitro ? 0 : 8);
		} else if (!ts && (miss == NULL || strcmp(miss, "digest") != 0)) {
			text(b, "digest");
			text(b, o->digest);
		}
	}
	if (miss == NULL || strcmp(miss, "pcrs") != 0) {
		bool big = over != NULL && strcmp(over, "pcrs") == 0;

		text(b, "pcrs");
		for (i = 0; i < 32; i++)
			if (o->pcr_mask & (1u << i))
				npcr++;
		head(b, 5, big ? 33 : npcr, 0);
		for (i = 0; i < 32; i++) {
			if (!(o->pcr_mask & (1u << i)))
				continue;
			head(b, 0, i, o->nitro ? 0 : 2); /* QingTian: 19 00 NN */
			bstr(b, o->pcrs[i], 48);
		}
		for (i = npcr; big && i < 33; i++) {
			head(b, 0, 32 + i, 0);
			bstr(b, o->pcrs[0], 48);
		}
	}
	if (miss == NULL || strcmp(miss, "certificate") != 0) {
		text(b, "certificate");
		bstr(b, o->cert, o->cert_len);
	}
	if (miss == NULL || strcmp(miss, "cabundle") != 0) {
		bool big = over != NULL && strcmp(over, "cabundle") == 0;

		text(b, "cabundle");
		nb =
		    (unsigned)o->nbundle + (big ? (o->nitro ? 9u : 5u) - (unsigned)o->nbundle : 0u);
		head(b, 4, nb, 0);
		for (i = 0; i < nb; i++)
			bstr(b, o->bundle[i % o->nbundle], o->bundle_len[i % o->nbundle]);
	}
	if (o->nitro) {
		opt_field(
		    b, o, "public_key", o->public_key, o->public_key_len, o->has_public_key, 1025);
		opt_field(b, o, "user_data", o->user_data, o->user_data_len, o->has_user_data, 513);
		opt_field(b, o, "nonce", o->nonce, o->nonce_len, o->has_nonce, 513);
	} else {
		opt_field(b, o, "user_data", o->user_data, o->user_data_len, o->has_user_data, 513);
		opt_field(b, o, "nonce", o->nonce, o->nonce_len, o->has_nonce, 513);
		opt_field(
		    b, o, "public_key", o->public_key, o->public_key_len, o->has_public_key, 1025);
	}
	if (mut(o, "dup-key")) {
		text(b, "nonce");
		bstr(b, (const uint8_t *)"x", 1);
	}
	if (mut(o, "unknown-key")) {
		text(b, "extra\x01");
		head(b, 0, 0, 0);
	}
	return flip_at;
}

static void
sign(EVP_PKEY *pk, const uint8_t *msg, size_t len, bool le, uint8_t out[96])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t der[256], r[48], s[48];
	const uint8_t *p = der;
	size_t dl = sizeof(der);
	const BIGNUM *br, *bs;
	ECDSA_SIG *es;
	int i;

	if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, pk) != 1 ||
	    EVP_DigestSign(md, der, &dl, msg, len) != 1)
		die("sign");
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)dl)) == NULL)
		die("d2i_ECDSA_SIG");
	ECDSA_SIG_get0(es, &br, &bs);
	if (BN_bn2binpad(br, r, 48) != 48 || BN_bn2binpad(bs, s, 48) != 48)
		die("bn2bin");
	for (i = 0; i < 48; i++) {
		out[i] = le ? r[47 - i] : r[i];
		out[48 + i] = le ? s[47 - i] : s[i];
	}
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(md);
}

int
main(int argc, char *argv[])
{
	static const struct option lo[] = {
		{ "key", 1, NULL, 'k' },
		{ "cert", 1, NULL, 'c' },
		{ "bundle", 1, NULL, 'b' },
		{ "shape", 1, NULL, 's' },
		{ "tag", 0, NULL, 't' },
		{ "be", 0, NULL, 'B' },
		{ "le", 0, NULL, 'L' },
		{ "timestamp", 1, NULL, 'T' },
		{ "module-id", 1, NULL, 'm' },
		{ "pcr", 1, NULL, 'p' },
		{ "nonce", 1, NULL, 'n' },
		{ "user-data", 1, NULL, 'u' },
		{ "public-key", 1, NULL, 'P' },
		{ "digest", 1, NULL, 'd' },
		{ "alg", 1, NULL, 'a' },
		{ "mutate", 1, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	struct opt o = { 0 };
	struct buf prot = { 0 }, pl = { 0 }, ss = { 0 }, doc = { 0 };
	const char *keyf = NULL, *out = NULL, *t;
	char *bundles = NULL, *tok, *save = NULL, *eq;
	uint8_t sig[96], *v;
	size_t n, flip_at;
	unsigned long idx;
	EVP_PKEY *pk = NULL;
	FILE *f;
	int ch;

	o.ts = 1782867600000ull; /* 2026-07-01T01:00:00Z */
	o.module_id = "4662b7a3-7898-46c9-a6c5-20e9025e50bc.enc-0123456789abcdef";
	o.digest = "SHA384";
	o.alg = -35;
	while ((ch = getopt_long(argc, argv, "o:", lo, NULL)) != -1) {
		switch (ch) {
		case 'k':
			keyf = optarg;
			break;
		case 'c':
			o.cert = cert_der(optarg, &o.cert_len);
			break;
		case 'b':
			bundles = optarg;
			break;
		case 's':
			o.nitro = strcmp(optarg, "nitro") == 0;
			break;
		case 't':
			o.tag = true;
			break;
		case 'B':
			o.be = true;
			break;
		case 'L':
			o.le = true;
			break;
		case 'T':
			o.ts = strtoull(optarg, NULL, 10);
			break;
		case 'm':
			o.module_id = optarg;
			break;
		case 'p':
			idx = strtoul(optarg, &eq, 10);
			if (*eq != '=' || idx > 31)
				die("--pcr N=HEX");
			v = unhex(eq + 1, &n);
			if (n != 48)
				die("--pcr: 48 bytes");
			memcpy(o.pcrs[idx], v, 48);
			free(v);
			o.pcr_mask |= 1u << idx;
			break;
		case 'n':
			o.nonce = unhex(optarg, &o.nonce_len);
			o.has_nonce = true;
			break;
		case 'u':
			o.user_data = unhex(optarg, &o.user_data_len);
			o.has_user_data = true;
			break;
		case 'P':
			o.public_key = unhex(optarg, &o.public_key_len);
			o.has_public_key = true;
			break;
		case 'd':
			o.digest = optarg;
			break;
		case 'a':
			o.alg = strtol(optarg, NULL, 10);
			break;
		case 'M':
			o.mutate = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			die("bad usage");
		}
	}
	if (keyf == NULL || o.cert == NULL || bundles == NULL || out == NULL)
		die("--key, --cert, --bundle and -o are required");
	for (tok = strtok_r(bundles, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (o.nbundle == 16)
			die("too many bundle entries");
		o.bundle[o.nbundle] = cert_der(tok, &o.bundle_len[o.nbundle]);
		o.nbundle++;
	}
	if (mut(&o, "bundle-reverse"))
		for (n = 0; n < o.nbundle / 2; n++) {
			v = o.bundle[n];
			o.bundle[n] = o.bundle[o.nbundle - 1 - n];
			o.bundle[o.nbundle - 1 - n] = v;
			size_t l = o.bundle_len[n];
			o.bundle_len[n] = o.bundle_len[o.nbundle - 1 - n];
			o.bundle_len[o.nbundle - 1 - n] = l;
		}
	if ((t = mut_arg(&o, "bundle-drop=")) != NULL) {
		idx = strtoul(t, NULL, 10);
		if (idx >= o.nbundle)
			die("bundle-drop: no such entry");
		OPENSSL_free(o.bundle[idx]);
		for (n = idx; n + 1 < o.nbundle; n++) {
			o.bundle[n] = o.bundle[n + 1];
			o.bundle_len[n] = o.bundle_len[n + 1];
		}
		o.nbundle--;
	}
	if (o.pcr_mask == 0) /* PCR0..15, PCR0 = 0x01.. (not debug) */
		for (n = 0; n < 16; n++) {
			memset(o.pcrs[n], n == 0 ? 0x01 : 0, 48);
			o.pcr_mask |= 1u << n;
		}
	if ((f = fopen(keyf, "r")) == NULL ||
	    (pk = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL)
		die(keyf);
	fclose(f);

	/* protected header {1: alg}: QingTian non-minimal a1 1a 00000001 3a 00000022 */
	head(&prot, 5, 1, 0);
	head(&prot, 0, 1, o.nitro ? 0 : 4);
	if (o.alg < 0)
		head(&prot, 1, (uint64_t)(-1 - o.alg), o.nitro ? 0 : 4);
	else
		head(&prot, 0, (uint64_t)o.alg, o.nitro ? 0 : 4);
	flip_at = payload(&pl, &o);

	/* Sig_structure = ["Signature1", protected, h'', payload] */
	head(&ss, 4, 4, 0);
	text(&ss, "Signature1");
	bstr(&ss, prot.p, prot.len);
	bstr(&ss, NULL, 0);
	bstr(&ss, pl.p, pl.len);
	sign(pk, ss.p, ss.len, o.le || (!o.nitro && !o.be), sig);
	if (mut(&o, "flip-payload"))
		pl.p[flip_at] ^= 0x01;
	if (mut(&o, "flip-signature"))
		sig[40] ^= 0x01;

	if ((t = mut_arg(&o, "tag=")) != NULL)
		head(&doc, 6, strtoull(t, NULL, 10), 0);
	else if (o.tag)
		head(&doc, 6, 18, 0);
	head(&doc, 4, 4, 0);
	bstr(&doc, prot.p, prot.len);
	head(&doc, 5, 0, 0);
	bstr(&doc, pl.p, pl.len);
	bstr(&doc, sig, 96);
	if (mut(&o, "trailing"))
		put(&doc, "", 1);
	if (mut(&o, "truncate"))
		doc.len -= 10;

	if ((f = fopen(out, "wb")) == NULL || fwrite(doc.p, 1, doc.len, f) != doc.len ||
	    fclose(f) != 0)
		die(out);
	EVP_PKEY_free(pk);
	/* freed so that the SAN=1 build's leak checker stays quiet */
	free(prot.p);
	free(pl.p);
	free(ss.p);
	free(doc.p);
	OPENSSL_free(o.cert);
	for (n = 0; n < o.nbundle; n++)
		OPENSSL_free(o.bundle[n]);
	free(o.nonce);
	free(o.user_data);
	free(o.public_key);
	return 0;
}
