/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_signer.c: key/certificate loading and checks, signing PCR0 into a
 * signature section (structure equal to the golden c5 one), detached
 * signing and the checks of qt-sign --verify, with the fixtures of
 * tests/fixtures/sign (mk-fixtures.sh) and the golden P-384 key.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "cose.h"
#include "eif_sig.h"
#include "fileio.h"
#include "signer.h"
#include "text.h"
#include "unit.h"

#define GIN FIXTURES "/golden/inputs"
#define SFX FIXTURES "/sign"
#define NOW INT64_C(1893456000) /* 2030-01-01 */

static const char pcr0_hex[] = "8b7a024caa4148ffaa64114656e339921cfce6a070828aaa3992492104b45263"
                               "bfb99e76fbba081392837db934fa1131";
static const char pcr8_hex[] = "cc5824781bb970c37a35a8aaaecb12b16c0f07c2030925060363a0d031a96b5e"
                               "5dd907e08b3244f207366ce6d4ea80e1";
/* The deterministic part of c5's COSE_Sign1 (signature-vectors.json). */
static const char cose_prefix_hex[] =
    "8444a1013822a0587ca26e72656769737465725f696e646578006e72656769737465725f76616c75659830188b"
    "187a02184c18aa1841184818ff18aa1864111846185618e318391892181c18fc18e618a018701882188a18aa18"
    "391892184918210418b41852186318bf18b9189e187618fb18ba081318921883187d18b9183418fa1118315860";

static int
mk(const char *key, const char *cert, const char *pass, bool allow_expired, struct signer **ret,
    struct qt_err *err)
{
	struct signer_opts o = { key, cert, pass, NULL, allow_expired, NOW };

	qt_err_clear(err);
	return signer_new(&o, ret, err);
}

static void
test_golden(struct unit *u)
{
	struct qt_err err = { 0 };
	struct signer *s = NULL;
	struct wbuf sec = { 0 }, again = { 0 };
	struct eif_sig sig = { 0 };
	struct signer_verify_opts vo = { NULL, NULL, NOW, false, NULL, NULL };
	uint8_t pcr0[48], pcr8[48], want8[48], prefix[200], other[48];
	uint8_t *pem = NULL;
	size_t pem_len = 0;
	bool have8 = false;

	qt_unhex(pcr0_hex, pcr0, 48);
	qt_unhex(pcr8_hex, want8, 48);
	qt_unhex(cose_prefix_hex, prefix, sizeof(cose_prefix_hex) / 2);
	CHECK(u, mk(GIN "/key-p384.pem", GIN "/cert-p384.pem", NULL, false, &s, &err) == 0);
	CHECK_STR(u, err.msg, "");
	if (s == NULL)
		return;
	CHECK(u, signer_alg(s) == COSE_ALG_ES384);
	CHECK(u, signer_pcr8(s, pcr8, &err) == 0);
	CHECK_MEM(u, pcr8, want8, 48);

	CHECK(u, signer_section(s, pcr0, &sec, &err) == 0);
	CHECK_STR(u, err.msg, "");
	/* 1831 in the golden run; each r/s byte costs 1 or 2 CBOR bytes. */
	CHECK(u, sec.len >= 1831 - 96 / 2 && sec.len <= 1831 + 96 / 2);
	CHECK(u, eif_sig_parse("new", sec.p, sec.len, &sig, &err) == 0);
	CHECK(u, fileio_read_all(GIN "/cert-p384.pem", 4096, &pem, &pem_len, &err) == 0);
	CHECK(u, sig.cert_pem_len == pem_len && memcmp(sig.cert_pem, pem, pem_len) == 0);
	CHECK(u, sig.cose_len == 231);
	CHECK(u, sig.cose != NULL && memcmp(sig.cose, prefix, sizeof(cose_prefix_hex) / 2) == 0);
	/* Same structure as the reference: re-encoding the parsed parts gives the same bytes. */
	CHECK(u, eif_sig_encode(
	             sig.cert_pem, sig.cert_pem_len, sig.cose, sig.cose_len, &again, &err) == 0);
	CHECK(u, again.len == sec.len && memcmp(again.p, sec.p, sec.len) == 0);

	/* --verify logic. */
	memset(pcr8, 0, 48);
	CHECK(u, signer_verify("a.eif", sec.p, sec.len, pcr0, &vo, pcr8, &have8, &err) == 0);
	CHECK_STR(u, err.msg, "");
	CHECK(u, have8);
	CHECK_MEM(u, pcr8, want8, 48);
	memcpy(other, pcr0, 48);
	other[0] ^= 1;
	CHECK(u, signer_verify("a.eif", sec.p, sec.len, other, &vo, pcr8, &have8, &err) == 1);
	/* the one message for this failure, as qt-measure describe says it */
	CHECK_STR(u, err.msg,
	    "a.eif: signature section: the signature is valid but does not sign this image's "
	    "PCR0");
	qt_err_clear(&err);
	vo.cert_path = SFX "/cert-p384b.pem";
	CHECK(u, signer_verify("a.eif", sec.p, sec.len, pcr0, &vo, pcr8, &have8, &err) == 1);
	CHECK_STR(u, err.msg,
	    "a.eif: signed with another certificate than tests/fixtures/sign/cert-p384b.pem");
	qt_err_clear(&err);
	vo.cert_path = GIN "/cert-p384.pem";
	CHECK(u, signer_verify("a.eif", sec.p, sec.len, pcr0, &vo, pcr8, &have8, &err) == 0);
	vo.cert_path = NULL;
	/* PCR8 pinned by a manifest: the right one passes, another fails naming it */
	vo.pcr8_pin = want8;
	vo.pin_name = "approved.json";
	CHECK(u, signer_verify("a.eif", sec.p, sec.len, pcr0, &vo, pcr8, &have8, &err) == 0);
	vo.pcr8_pin = other;
	CHECK(u, signer_verify("a.eif", sec.p, sec.len, pcr0, &vo, pcr8, &have8, &err) == 1);
	CHECK_STR(u, err.msg,
	    "a.eif: signed with another certificate than approved.json pins (PCR8 differs)");
	CHECK(u, have8);
	qt_err_clear(&err);
	vo.pcr8_pin = NULL;
	vo.ca_path = SFX "/ca.pem";
	CHECK(u, signer_verify("a.eif", sec.p, sec.len, pcr0, &vo, pcr8, &have8, &err) == 1);
	CHECK(u, strncmp(err.msg,
	             "a.eif: signing certificate does not chain to tests/fixtures/sign/ca.pem: ",
	             72) == 0);
	qt_err_clear(&err);
	vo.ca_path = NULL;
	vo.at = INT64_C(4733510400); /* 2120-01-01 */
	CHECK(u, signer_verify("a.eif", sec.p, sec.len, pcr0, &vo, pcr8, &have8, &err) == 1);
	CHECK_STR(u, err.msg,
	    "a.eif: signing certificate: certificate expired on Jan  1 00:00:00 2120 GMT");
	qt_err_clear(&err);
	/* Truncated section: cannot tell. */
	CHECK(u, signer_verify("a.eif", sec.p, sec.len - 1, pcr0, &vo, pcr8, &have8, &err) == -1);

	wbuf_free(&sec);
	wbuf_free(&again);
	eif_sig_free(&sig);
	free(pem);
	signer_free(s);
}

static void
test_keys(struct unit *u)
{
	struct qt_err err = { 0 };
	struct signer *s = NULL;
	struct wbuf sec = { 0 };
	struct eif_sig sig = { 0 };
	uint8_t pcr0[48];
	const uint8_t *pl;
	size_t pl_len;
	static const struct {
		const char *key, *cert;
		long long alg;
		size_t cose_len; /* 84 | bstr(prot) | a0 | 58 7c payload | 58 2n r||s */
	} ok[] = {
		{ SFX "/key-p256.pem", SFX "/cert-p256.pem", COSE_ALG_ES256, 198 },
		{ SFX "/key-p521.pem", SFX "/cert-p521.pem", COSE_ALG_ES512, 267 },
		{ SFX "/key-p384-sec1.pem", GIN "/cert-p384.pem", COSE_ALG_ES384, 231 },
	};
	size_t i;

	qt_unhex(pcr0_hex, pcr0, 48);
	for (i = 0; i < 3; i++) {
		CHECK(u, mk(ok[i].key, ok[i].cert, NULL, false, &s, &err) == 0);
		CHECK_STR(u, err.msg, "");
		if (s == NULL)
			continue;
		CHECK(u, signer_alg(s) == ok[i].alg);
		CHECK(u, signer_section(s, pcr0, &sec, &err) == 0);
		CHECK(u, eif_sig_parse("x", sec.p, sec.len, &sig, &err) == 0);
		CHECK(u, sig.cose_len == ok[i].cose_len);
		CHECK(u, cose_sign1_verify_pem("x", sig.cose, sig.cose_len, sig.cert_pem,
		             sig.cert_pem_len, &pl, &pl_len, &err) == 0);
		eif_sig_free(&sig);
		wbuf_free(&sec);
		signer_free(s);
		s = NULL;
	}

	/* Encrypted key: every --pass form; missing and wrong passphrases. */
	CHECK(u, mk(SFX "/key-p384-enc.pem", GIN "/cert-p384.pem", "pass:hunter2", false, &s,
	             &err) == 0);
	signer_free(s);
	s = NULL;
	setenv("QT_TEST_PASS", "hunter2", 1);
	CHECK(u, mk(SFX "/key-p384-enc.pem", GIN "/cert-p384.pem", "env:QT_TEST_PASS", false, &s,
	             &err) == 0);
	signer_free(s);
	s = NULL;
	CHECK(u, mk(SFX "/key-p384-enc.pem", GIN "/cert-p384.pem", NULL, false, &s, &err) == -1);
	CHECK_STR(u, err.msg,
	    "tests/fixtures/sign/key-p384-enc.pem: the key is encrypted: give its passphrase with "
	    "--pass");
	CHECK(u,
	    mk(SFX "/key-p384-enc.pem", GIN "/cert-p384.pem", "pass:wrong", false, &s, &err) == -1);
	CHECK(u, strncmp(err.msg,
	             "tests/fixtures/sign/key-p384-enc.pem: cannot decrypt the key (wrong "
	             "passphrase?)",
	             79) == 0);
	CHECK(u, mk(SFX "/key-p384-enc.pem", GIN "/cert-p384.pem", "env:QT_NO_SUCH_VAR", false, &s,
	             &err) == -1);
	CHECK_STR(u, err.msg, "--pass: environment variable 'QT_NO_SUCH_VAR' is not set");
	CHECK(
	    u, mk(SFX "/key-p384-enc.pem", GIN "/cert-p384.pem", "hunter2", false, &s, &err) == -1);
	CHECK_STR(u, err.msg,
	    "--pass: unknown form 'hunter2' (use pass:TEXT, env:VAR, file:PATH or fd:N)");

	/* Wrong key, wrong curves, validity. */
	CHECK(u, mk(SFX "/key-p384b.pem", GIN "/cert-p384.pem", NULL, false, &s, &err) == -1);
	CHECK_STR(u, err.msg,
	    "tests/fixtures/sign/key-p384b.pem: key does not match certificate "
	    "tests/fixtures/golden/inputs/cert-p384.pem");
	CHECK(u, mk(SFX "/key-p256.pem", GIN "/cert-p384.pem", NULL, false, &s, &err) == -1);
	CHECK_STR(u, err.msg,
	    "tests/fixtures/sign/key-p256.pem: key does not match certificate "
	    "tests/fixtures/golden/inputs/cert-p384.pem");
	CHECK(u, mk(SFX "/key-rsa.pem", SFX "/cert-rsa.pem", NULL, false, &s, &err) == -1);
	CHECK_STR(u, err.msg,
	    "tests/fixtures/sign/cert-rsa.pem: unsupported key type RSA (only EC P-256, P-384 and "
	    "P-521 keys)");
	CHECK(u, mk(SFX "/key-rsa.pem", GIN "/cert-p384.pem", NULL, false, &s, &err) == -1);
	CHECK_STR(u, err.msg,
	    "tests/fixtures/sign/key-rsa.pem: unsupported key type RSA (only EC P-256, P-384 and "
	    "P-521 keys)");
	CHECK(u, mk(SFX "/key-p192.pem", SFX "/cert-p192.pem", NULL, false, &s, &err) == -1);
	CHECK_STR(u, err.msg,
	    "tests/fixtures/sign/cert-p192.pem: unsupported curve prime192v1 (only P-256, P-384 "
	    "and "
	    "P-521)");
	CHECK(
	    u, mk(GIN "/key-p384.pem", SFX "/cert-p384-expired.pem", NULL, false, &s, &err) == -1);
	CHECK_STR(u, err.msg,
	    "tests/fixtures/sign/cert-p384-expired.pem: certificate expired on Jan  1 00:00:00 "
	    "2021 "
	    "GMT (--allow-expired-cert signs anyway)");
	CHECK(u, mk(GIN "/key-p384.pem", SFX "/cert-p384-future.pem", NULL, false, &s, &err) == -1);
	CHECK_STR(u, err.msg,
	    "tests/fixtures/sign/cert-p384-future.pem: certificate is not valid before Jan  1 "
	    "00:00:00 2100 GMT (--allow-expired-cert signs anyway)");
	CHECK(u, mk(GIN "/key-p384.pem", SFX "/cert-p384-expired.pem", NULL, true, &s, &err) == 0);
	signer_free(s);
	s = NULL;
	/* A certificate given as the key, a missing file. */
	CHECK(u, mk(GIN "/cert-p384.pem", GIN "/cert-p384.pem", NULL, false, &s, &err) == -1);
	CHECK(u, strncmp(err.msg, "tests/fixtures/golden/inputs/cert-p384.pem: no PEM private key",
	             62) == 0);
	CHECK(u, mk(GIN "/key-p384.pem", "nonexistent.pem", NULL, false, &s, &err) == -1);
	CHECK_STR(u, err.msg, "nonexistent.pem: cannot open: No such file or directory");
}

/* Sign tbs with the golden key outside signer (the "other machine"), as DER. */
static size_t
external_sign(const struct wbuf *tbs, uint8_t *der, size_t size)
{
	FILE *f = fopen(GIN "/key-p384.pem", "r");
	EVP_PKEY *k = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t len = size;

	if (k == NULL || ctx == NULL || EVP_DigestSignInit(ctx, NULL, EVP_sha384(), NULL, k) != 1 ||
	    EVP_DigestSign(ctx, der, &len, tbs->p, tbs->len) != 1)
		len = 0;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	if (f != NULL)
		fclose(f);
	return len;
}

static void
test_detached(struct unit *u)
{
	struct qt_err err = { 0 };
	struct signer *s = NULL;
	struct wbuf tbs = { 0 }, sec = { 0 };
	struct signer_verify_opts vo = { NULL, NULL, NOW, false, NULL, NULL };
	uint8_t pcr0[48], pcr8[48], der[256], rs[96];
	size_t der_len;
	bool have8;

	qt_unhex(pcr0_hex, pcr0, 48);
	/* Certificate only: the key is elsewhere. */
	CHECK(u, mk(NULL, GIN "/cert-p384.pem", NULL, false, &s, &err) == 0);
	if (s == NULL)
		return;
	CHECK(u, signer_tbs(s, pcr0, &tbs, &err) == 0);
	CHECK(u, tbs.len == 1 + 11 + 5 + 1 + 2 + 124); /* golden sig_structure: 144 bytes */
	CHECK(u, signer_section(s, pcr0, &sec, &err) == -1);
	qt_err_clear(&err);
	der_len = external_sign(&tbs, der, sizeof(der));
	CHECK(u, der_len > 0);
	CHECK(u, signer_attach(s, "sig.der", der, der_len, pcr0, &sec, &err) == 0);
	CHECK_STR(u, err.msg, "");
	CHECK(u, signer_verify("a.eif", sec.p, sec.len, pcr0, &vo, pcr8, &have8, &err) == 0);
	wbuf_free(&sec);
	/* The same signature as raw r||s. */
	CHECK(u, cose_der_to_rs(der, der_len, 48, rs, &err) == 0);
	CHECK(u, signer_attach(s, "sig.bin", rs, 96, pcr0, &sec, &err) == 0);
	CHECK(u, signer_verify("a.eif", sec.p, sec.len, pcr0, &vo, pcr8, &have8, &err) == 0);
	wbuf_free(&sec);
	/* Over another image's PCR0: does not verify. */
	pcr0[47] ^= 1;
	CHECK(u, signer_attach(s, "sig.bin", rs, 96, pcr0, &sec, &err) == 1);
	CHECK_STR(u, err.msg,
	    "sig.bin: the signature does not verify with certificate "
	    "tests/fixtures/golden/inputs/cert-p384.pem");
	qt_err_clear(&err);
	CHECK(u, signer_attach(s, "sig.bin", rs, 95, pcr0, &sec, &err) == -1);
	CHECK_STR(u, err.msg,
	    "sig.bin: 95 bytes is neither a raw r||s signature (96 bytes for this certificate's "
	    "curve) nor DER");
	qt_err_clear(&err);
	der[der_len] = 0;
	CHECK(u, signer_attach(s, "sig.der", der, der_len + 1, pcr0, &sec, &err) == -1);
	CHECK_STR(u, err.msg, "sig.der: DER signature has 1 trailing bytes");
	wbuf_free(&tbs);
	wbuf_free(&sec);
	signer_free(s);
}

static void
test_ca(struct unit *u)
{
	struct qt_err err = { 0 };
	struct signer *s = NULL;
	struct wbuf sec = { 0 };
	struct signer_verify_opts vo = { NULL, SFX "/ca.pem", NOW, false, NULL, NULL };
	uint8_t pcr0[48], pcr8[48];
	bool have8;

	qt_unhex(pcr0_hex, pcr0, 48);
	CHECK(u, mk(SFX "/leaf-key.pem", SFX "/leaf.pem", NULL, false, &s, &err) == 0);
	if (s == NULL)
		return;
	CHECK(u, signer_section(s, pcr0, &sec, &err) == 0);
	CHECK(u, signer_verify("a.eif", sec.p, sec.len, pcr0, &vo, pcr8, &have8, &err) == 0);
	CHECK_STR(u, err.msg, "");
	vo.ca_path = SFX "/ca-other.pem";
	CHECK(u, signer_verify("a.eif", sec.p, sec.len, pcr0, &vo, pcr8, &have8, &err) == 1);
	CHECK_STR(u, err.msg,
	    "a.eif: signing certificate does not chain to tests/fixtures/sign/ca-other.pem: "
	    "unable to get local issuer certificate");
	wbuf_free(&sec);
	signer_free(s);
}

int
main(void)
{
	struct unit u = { 0 };

	test_golden(&u);
	test_keys(&u);
	test_detached(&u);
	test_ca(&u);
	return unit_end(&u);
}
