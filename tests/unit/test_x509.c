/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_x509.c: x509.c through x509.h: certificate loading (DER, PEM, PEM or
 * DER, chains, public-key files) and the chain verifier's rules on paths made
 * from the test CA in tests/fixtures/attest/ca (mk-ca.sh): root -> int1 ->
 * int2 -> leaf, the leaf valid 2026-07-01T00:00:00Z .. 03:00:00Z.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509_vfy.h>

#include "fileio.h"
#include "unit.h"
#include "x509.h"

#define CA   FIXTURES "/attest/ca/"
#define AFIX FIXTURES "/attest/"

static const int64_t AT_MS = INT64_C(1782867600000);       /* 2026-07-01T01:00:00Z */
static const int64_t LEAF_END_MS = INT64_C(1782874800000); /* the leaf's notAfter */

static X509 *
cert(const char *path)
{
	struct qt_err err = { 0 };
	uint8_t *pem = NULL;
	size_t len;
	X509 *x = NULL;

	if (fileio_read_all(path, 65536, &pem, &len, &err) == 0)
		x509_pem_first(path, pem, len, &x, &err);
	if (x == NULL)
		printf("  %s: %s\n", path, err.msg);
	free(pem);
	return x;
}

/* The test CA's certificates by file name (without .pem), loaded once. */
struct certs {
	const char *name;
	X509 *x;
};

static struct certs all[] = {
	{ "root", NULL },
	{ "int1", NULL },
	{ "int2", NULL },
	{ "leaf", NULL },
	{ "int2noca", NULL },
	{ "int2noku", NULL },
	{ "int2kunone", NULL },
	{ "leafca", NULL },
	{ "leafkunone", NULL },
	{ "rogueleaf", NULL },
	{ "int1roll", NULL },
	{ "int2roll", NULL },
	{ "int3", NULL },
	{ "leaf3", NULL },
};

static X509 *
get(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i].name, name) == 0)
			return all[i].x;
	return NULL;
}

/* A path from names, root first, labelled as an attestation document labels it. */
static struct x509_path
path_of(const char *const *names, size_t n)
{
	struct x509_path p = { 0 };
	struct qt_err err = { 0 };
	char label[40];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "cabundle[%zu]", i);
		x509_path_push(&p, get(names[i]), i + 1 == n ? "certificate" : label, &err);
	}
	return p;
}

#define PATH(...)                                                                                  \
	path_of((const char *const[]){ __VA_ARGS__ },                                              \
	    sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

static void
test_load(struct unit *u)
{
	struct qt_err err = { 0 };
	uint8_t *pem = NULL, *der = NULL, *d2 = NULL, *k = NULL, *grown, junk[3] = { 1, 2, 3 };
	size_t pl, dl, d2l, kl;
	STACK_OF(X509) *rest = NULL;
	X509 *x = NULL;

	/* PEM or DER file -> the same DER */
	CHECK(u, fileio_read_all(AFIX "aws-nitro-root-G1.pem", 65536, &pem, &pl, &err) == 0);
	CHECK(u, fileio_read_all(AFIX "aws-nitro-root-G1.der", 65536, &der, &dl, &err) == 0);
	CHECK(u, x509_load_der("r.pem", pem, pl, &d2, &d2l, &err) == 0);
	CHECK(u, d2 != NULL && d2l == dl && memcmp(d2, der, dl) == 0);
	free(d2);
	d2 = NULL;
	CHECK(u, x509_load_der("r.der", der, dl, &d2, &d2l, &err) == 0);
	CHECK(u, d2 != NULL && d2l == dl && memcmp(d2, der, dl) == 0);
	free(d2);
	d2 = NULL;
	CHECK(u, x509_load_der("j", junk, sizeof(junk), &d2, &d2l, &err) == -1);
	CHECK_STR(u, err.msg, "j: neither a PEM nor a DER certificate");
	qt_err_clear(&err);

	/* exact DER: one trailing byte is refused */
	CHECK(u, x509_from_der("r.der", der, dl, &x, &err) == 0 && x != NULL);
	X509_free(x);
	x = NULL;
	/* fileio_read_all leaves a NUL after the data: the trailing byte is already there */
	CHECK(u, der[dl] == 0);
	CHECK(u, x509_from_der("r.der", der, dl + 1, &x, &err) == -1 && x == NULL);
	CHECK_STR(u, err.msg, "r.der: not a DER X.509 certificate: 1 trailing bytes");
	qt_err_clear(&err);
	CHECK(u, x509_from_der("j", junk, sizeof(junk), &x, &err) == -1);
	CHECK(u, strncmp(err.msg, "j: not a DER X.509 certificate", 30) == 0);
	qt_err_clear(&err);
	free(pem);
	free(der);
	pem = der = NULL;

	/* a PEM chain: the first certificate, then the rest, bounded */
	CHECK(u, fileio_read_all(CA "leaf.pem", 65536, &pem, &pl, &err) == 0);
	CHECK(u, fileio_read_all(CA "int2.pem", 65536, &d2, &d2l, &err) == 0);
	grown = realloc(pem, pl + 2 * d2l);
	if (grown == NULL) {
		CHECK(u, grown != NULL);
		goto out;
	}
	pem = grown;
	memcpy(pem + pl, d2, d2l);
	memcpy(pem + pl + d2l, d2, d2l);
	pl += 2 * d2l;
	CHECK(u, x509_pem_first("c.pem", pem, pl, &x, &err) == 0);
	CHECK(u, x != NULL && X509_cmp(x, get("leaf")) == 0);
	X509_free(x);
	CHECK(u, x509_pem_first_der("c.pem", pem, pl, &der, &dl, &err) == 0);
	CHECK(u, der != NULL && dl == (size_t)i2d_X509(get("leaf"), NULL));
	CHECK(u, x509_pem_rest("c.pem", pem, pl, 3, &rest, &err) == 0);
	CHECK(u, rest != NULL && sk_X509_num(rest) == 2 &&
	             X509_cmp(sk_X509_value(rest, 1), get("int2")) == 0);
	sk_X509_pop_free(rest, X509_free);
	rest = NULL;
	CHECK(u, x509_pem_rest("c.pem", pem, pl, 2, &rest, &err) == -1 && rest == NULL);
	CHECK_STR(u, err.msg, "c.pem: signing certificate chain: more than 2 certificates");
	qt_err_clear(&err);
	CHECK(u, x509_pem_first("j", junk, sizeof(junk), &x, &err) == -1);
	CHECK(u, strncmp(err.msg, "j: no PEM certificate found", 27) == 0);
	qt_err_clear(&err);

	/* a public-key file: PEM as its DER body, anything else as is, bounded */
	CHECK(u, x509_load_key_bytes("k.pem", pem, pl, 4096, &k, &kl, &err) == 0);
	CHECK(u, k != NULL && kl == dl && memcmp(k, der, dl) == 0);
	free(k);
	k = NULL;
	CHECK(u, x509_load_key_bytes("k.bin", junk, sizeof(junk), 3, &k, &kl, &err) == 0);
	CHECK(u, k != NULL && kl == 3 && memcmp(k, junk, 3) == 0);
	free(k);
	k = NULL;
	CHECK(u, x509_load_key_bytes("k.bin", junk, sizeof(junk), 2, &k, &kl, &err) == -1);
	CHECK_STR(u, err.msg, "k.bin: 3 bytes exceeds the public_key limit of 2");
out:
	free(pem);
	free(der);
	free(d2);
}

#define expect(u, got, want, why, want_why) expect_at(u, __LINE__, got, want, why, want_why)

static void
expect_at(struct unit *u, int line, int got, int want, const char *why, const char *want_why)
{
	CHECK(u, got == want);
	if (got != want)
		printf("  line %d: got %d (%s), want %d\n", line, got, why, want);
	if (want_why != NULL)
		CHECK_STR(u, why, want_why);
}

static void
test_constraints(struct unit *u)
{
	struct x509_path p;
	char why[512];

	p = PATH("root", "int1", "int2", "leaf");
	expect(u, x509_path_constraints(&p, why, sizeof(why)), 0, NULL, NULL);
	expect(u, x509_path_links(&p, why, sizeof(why)), 0, NULL, NULL);
	/* a CA without keyUsage at all, and one whose keyUsage lacks keyCertSign */
	p = PATH("root", "int1", "int2kunone", "leaf");
	expect(u, x509_path_constraints(&p, why, sizeof(why)), 1, why,
	    "cabundle[2] (CN=qt test instance CA): no KeyUsage (keyCertSign required)");
	expect(u, x509_path_links(&p, why, sizeof(why)), 0, NULL, NULL);
	p = PATH("root", "int1", "int2noku", "leaf");
	expect(u, x509_path_constraints(&p, why, sizeof(why)), 1, why,
	    "cabundle[2] (CN=qt test instance CA): KeyUsage lacks keyCertSign");
	p = PATH("root", "int1", "int2noca", "leaf");
	expect(u, x509_path_constraints(&p, why, sizeof(why)), 1, why,
	    "cabundle[2] (CN=qt test instance CA): not a CA (BasicConstraints CA:TRUE missing)");
	/* the leaf: no keyUsage, or a CA */
	p = PATH("root", "int1", "int2", "leafkunone");
	expect(u, x509_path_constraints(&p, why, sizeof(why)), 1, why,
	    "certificate (CN=qt test enclave): no KeyUsage (digitalSignature required)");
	p = PATH("root", "int1", "int2", "leafca");
	expect(u, x509_path_constraints(&p, why, sizeof(why)), 1, why,
	    "certificate (CN=qt test enclave): the leaf is a CA (CA:TRUE)");
	/* pathLen: the self-issued int1roll is not counted; int3 is */
	p = PATH("root", "int1", "int1roll", "int2roll", "leaf");
	expect(u, x509_path_constraints(&p, why, sizeof(why)), 0, NULL, NULL);
	expect(u, x509_path_links(&p, why, sizeof(why)), 0, NULL, NULL);
	p = PATH("root", "int1", "int2", "int3", "leaf3");
	expect(u, x509_path_constraints(&p, why, sizeof(why)), 1, why,
	    "cabundle[0] (CN=qt test root): pathLen 2, but 3 CA(s) below it");
	p = PATH("int1", "int2", "int3", "leaf3");
	expect(u, x509_path_constraints(&p, why, sizeof(why)), 1, why,
	    "cabundle[0] (CN=qt test region CA): pathLen 1, but 2 CA(s) below it");
	p = PATH("int2", "int3", "leaf3");
	expect(u, x509_path_constraints(&p, why, sizeof(why)), 1, why,
	    "cabundle[0] (CN=qt test instance CA): pathLen 0, but 1 CA(s) below it");
}

static void
test_links_times(struct unit *u)
{
	struct x509_path p;
	struct qt_err err = { 0 };
	char why[512];
	size_t i;

	p = PATH("root", "int1", "int2", "rogueleaf");
	expect(u, x509_path_links(&p, why, sizeof(why)), 1, why,
	    "certificate (CN=qt test enclave): not signed by cabundle[2] (CN=qt test instance CA)");
	p = PATH("root", "int2", "leaf");
	expect(u, x509_path_links(&p, why, sizeof(why)), 1, why,
	    "cabundle[1] (CN=qt test instance CA): issuer (CN=qt test region CA) is not the "
	    "subject of the next cabundle entry, cabundle[0] (CN=qt test root)");

	/* notBefore <= t < notAfter, in milliseconds */
	p = PATH("root", "int1", "int2", "leaf");
	expect(u, x509_path_times(&p, AT_MS, why, sizeof(why)), 0, NULL, NULL);
	expect(u, x509_path_times(&p, LEAF_END_MS - 1, why, sizeof(why)), 0, NULL, NULL);
	expect(u, x509_path_times(&p, LEAF_END_MS, why, sizeof(why)), 1, why,
	    "certificate (CN=qt test enclave): expired (notAfter 2026-07-01T03:00:00Z, instant "
	    "2026-07-01T03:00:00Z)");
	expect(u, x509_path_times(&p, LEAF_END_MS - 3 * 3600000 - 1, why, sizeof(why)), 1, why,
	    "certificate (CN=qt test enclave): not yet valid (notBefore 2026-07-01T00:00:00Z, "
	    "instant 2026-06-30T23:59:59Z)");

	/* OpenSSL's second opinion: agrees on the good and the rollover path, refuses int3 */
	expect(u, x509_path_openssl(&p, get("root"), AT_MS, why, sizeof(why)), 0, why,
	    "OpenSSL path validation at the instant: ok");
	p = PATH("root", "int1", "int1roll", "int2roll", "leaf");
	expect(u, x509_path_openssl(&p, get("root"), AT_MS, why, sizeof(why)), 0, NULL, NULL);
	p = PATH("root", "int1", "int2", "int3", "leaf3");
	expect(u, x509_path_openssl(&p, get("root"), AT_MS, why, sizeof(why)), 1, why,
	    "OpenSSL: path length constraint exceeded (error 25 at depth 2)");
	/* and it accepts what only our rules refuse */
	p = PATH("root", "int1", "int2kunone", "leaf");
	expect(u, x509_path_openssl(&p, get("root"), AT_MS, why, sizeof(why)), 0, NULL, NULL);

	/* a path holds at most X509_PATH_MAX certificates */
	memset(&p, 0, sizeof(p));
	for (i = 0; i < X509_PATH_MAX; i++)
		CHECK(u, x509_path_push(&p, get("int1"), "x", &err) == 0);
	CHECK(u, x509_path_push(&p, get("int1"), "x", &err) == -1);
	CHECK_STR(u, err.msg, "certificate path: more than 9 certificates");
}

static int
verify(const char *leaf, const char *const *mid, size_t n, int64_t t_ms, unsigned flags, char *why,
    size_t len)
{
	struct qt_err err = { 0 };
	X509_STORE *st = X509_STORE_new();
	STACK_OF(X509) *unt = sk_X509_new_null();
	size_t i;
	int r = -1;

	if (st == NULL || unt == NULL || X509_STORE_add_cert(st, get("root")) != 1)
		goto out;
	for (i = 0; i < n; i++)
		sk_X509_push(unt, get(mid[i]));
	why[0] = '\0';
	r = x509_verify_chain(get(leaf), unt, st, t_ms, flags, why, len, &err);
	if (r < 0)
		printf("  x509_verify_chain: %s\n", err.msg);
out:
	sk_X509_free(unt);
	X509_STORE_free(st);
	return r;
}

static void
test_verify_chain(struct unit *u)
{
	static const char *const good[] = { "int2", "int1" };
	static const char *const kunone[] = { "int2kunone", "int1" };
	static const char *const roll[] = { "int2roll", "int1roll", "int1" };
	static const char *const deep[] = { "int3", "int2", "int1" };
	static const char *const missing[] = { "int2" };
	char why[512];

	expect(u, verify("leaf", good, 2, AT_MS, 0, why, sizeof(why)), 0, NULL, NULL);
	/* the rules OpenSSL leaves out apply to the path it built */
	expect(u, verify("leaf", kunone, 2, AT_MS, 0, why, sizeof(why)), 1, why,
	    "CA (CN=qt test instance CA): no KeyUsage (keyCertSign required)");
	expect(u, verify("leafkunone", good, 2, AT_MS, 0, why, sizeof(why)), 1, why,
	    "certificate (CN=qt test enclave): no KeyUsage (digitalSignature required)");
	expect(u, verify("leaf", roll, 3, AT_MS, 0, why, sizeof(why)), 0, NULL, NULL);
	/* OpenSSL's own verdicts, with its words */
	expect(u, verify("leaf3", deep, 3, AT_MS, 0, why, sizeof(why)), 1, why,
	    "path length constraint exceeded");
	expect(u, verify("leaf", missing, 1, AT_MS, 0, why, sizeof(why)), 1, why,
	    "unable to get local issuer certificate");
	expect(u, verify("leaf", good, 2, LEAF_END_MS, 0, why, sizeof(why)), 1, why,
	    "certificate has expired");
	expect(u, verify("leaf", good, 2, LEAF_END_MS, X509_VERIFY_NO_TIME, why, sizeof(why)), 0,
	    NULL, NULL);
	/* a trusted certificate verifying itself is pinned by identity: no CA rules */
	expect(u, verify("root", NULL, 0, AT_MS, 0, why, sizeof(why)), 0, NULL, NULL);
}

int
main(void)
{
	struct unit u = { 0, 0 };
	char path[128];
	size_t i;
	bool ok = true;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		snprintf(path, sizeof(path), CA "%s.pem", all[i].name);
		ok &= (all[i].x = cert(path)) != NULL;
	}
	CHECK(&u, ok);
	if (ok) {
		test_load(&u);
		test_constraints(&u);
		test_links_times(&u);
		test_verify_chain(&u);
	}
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		X509_free(all[i].x);
	return unit_end(&u);
}
