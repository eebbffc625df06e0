/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_corim.c: the CoRIM encoder against bytes made by an independent
 * encoder (python3-cbor2, canonical=True, from the structure of
 * qt-corim(5)), PCR selection (PCR8 only when signed, never PCR3/4 unless
 * asked), the signed form, and the reader's refusals with exact messages.
 */
#include <stdlib.h>
#include <string.h>

#include "corim.h"
#include "cose.h"
#include "text.h"
#include "unit.h"

#define NOW INT64_C(1893456000) /* 2030-01-01 */

/* 501({0: id, 1: [506(<<CoMID>>)], 3: 32(profile), 5: [entity]}), Nitro, PCR0/1/2/8. */
static const char nitro_hex[] =
    "d901f5a400784a71743a7368613235363a336633663366336633663366336633663366336633663366336633663366"
    "33"
    "6633663366336633663366336633663366336633663366336633663366336633660181d901fa590165a301a200784e"
    "71"
    "743a7368613235363a3366336633663366336633663366336633663366336633663366336633663366336633663366"
    "33"
    "663366336633663366336633663366336633663366336633662370637201000281a2006c4578616d706c6520436f72"
    "70"
    "0282000104a1008182a100a20163415753026d4e6974726f20456e636c61766581a101a10ea4008182075830a0a0a0"
    "a0"
    "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0018182"
    "07"
    "5830a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
    "a1"
    "a1a1028182075830a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2"
    "a2"
    "a2a2a2a2a2a2a2a2088182075830a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8"
    "a8"
    "a8a8a8a8a8a8a8a8a8a8a8a8a8a803d820783068747470733a2f2f71742e696e76616c69642f70726f66696c65732f"
    "63"
    "6f72696d2d656e636c6176652d7063722f76310581a2006c4578616d706c6520436f7270028101";

/* QingTian, unsigned image, no profile, no entity: PCR0 only. */
static const char qingtian_hex[] =
    "d901f5a200784a71743a7368613235363a336633663366336633663366336633663366336633663366336633663366"
    "33"
    "6633663366336633663366336633663366336633663366336633663366336633660181d901fa58baa201a200784e71"
    "74"
    "3a7368613235363a336633663366336633663366336633663366336633663366336633663366336633663366336633"
    "66"
    "33663366336633663366336633663366336633663366336623706372010004a1008182a100a2016c48756177656920"
    "43"
    "6c6f7564027051696e675469616e20456e636c61766581a101a10ea1008182075830a0a0a0a0a0a0a0a0a0a0a0a0a0"
    "a0"
    "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0";

static void
fake(struct manifest *m, enum qt_profile p, bool is_signed)
{
	memset(m, 0, sizeof(*m));
	m->platform = p;
	m->file = (char *)"app.eif";
	memset(m->sha256, 0x3f, sizeof(m->sha256));
	m->is_signed = is_signed;
	m->pcr_mask = 1u | 1u << 3 | 1u << 8;
	if (p == QT_PROFILE_NITRO)
		m->pcr_mask |= 1u << 1 | 1u << 2;
	memset(m->pcrs[0], 0xa0, PCR_LEN);
	memset(m->pcrs[1], 0xa1, PCR_LEN);
	memset(m->pcrs[2], 0xa2, PCR_LEN);
	memset(m->pcrs[3], 0xa3, PCR_LEN);
	memset(m->pcrs[8], 0xa8, PCR_LEN);
}

static void
check_hex(struct unit *u, const struct wbuf *b, const char *want)
{
	char *hex = malloc(2 * b->len + 1);

	if (hex == NULL)
		return;
	qt_hex(b->p, b->len, hex);
	CHECK_STR(u, hex, want);
	free(hex);
}

static void
test_encode(struct unit *u)
{
	struct corim_opts o = { CORIM_PROFILE_URI, "Example Corp", false };
	struct corim_opts plain = { NULL, NULL, false };
	struct corim_opts parent = { NULL, NULL, true };
	struct manifest m;
	struct wbuf b = { 0 };
	struct qt_err err = { 0 };
	struct corim_info ci;

	fake(&m, QT_PROFILE_NITRO, true);
	CHECK(u, corim_encode(&m, &o, &b, &err) == 0);
	CHECK(u, b.len == 519);
	check_hex(u, &b, nitro_hex);
	CHECK(u, corim_read("n", b.p, b.len, &ci, &err) == 0);
	CHECK(u, !ci.is_signed && ci.pcr_mask == (1u | 1u << 1 | 1u << 2 | 1u << 8));
	CHECK_STR(u, ci.vendor, "AWS");
	CHECK_STR(u, ci.model, "Nitro Enclave");
	CHECK(u, strncmp(ci.id, "qt:sha256:3f3f", 14) == 0 && strlen(ci.id) == 74);
	CHECK(u, ci.pcrs[2][0] == 0xa2 && ci.pcrs[8][47] == 0xa8);
	CHECK(u, corim_agrees("n", b.p, b.len, &m, &err) == 0);
	m.pcrs[2][5] ^= 1;
	CHECK(u, corim_agrees("n", b.p, b.len, &m, &err) == 1);
	CHECK_STR(u, err.msg, "n: CoRIM PCR2 does not match the image");
	qt_err_clear(&err);
	m.sha256[0] = 0;
	CHECK(u, corim_agrees("n", b.p, b.len, &m, &err) == 1);
	CHECK(u, strstr(err.msg, "n: CoRIM id 'qt:sha256:3f3f") == err.msg);
	qt_err_clear(&err);
	wbuf_free(&b);

	/* Unsigned image: no PCR8; PCR3 only when asked. */
	fake(&m, QT_PROFILE_QINGTIAN, false);
	CHECK(u, corim_encode(&m, &plain, &b, &err) == 0);
	check_hex(u, &b, qingtian_hex);
	m.is_signed = true;
	CHECK(u, corim_agrees("q", b.p, b.len, &m, &err) == 1);
	CHECK_STR(u, err.msg, "q: CoRIM PCR8 does not match the image");
	qt_err_clear(&err);
	m.platform = QT_PROFILE_NITRO;
	m.is_signed = false;
	CHECK(u, corim_agrees("q", b.p, b.len, &m, &err) == 1);
	CHECK_STR(u, err.msg,
	    "q: CoRIM environment is Huawei Cloud / QingTian Enclave, not AWS / Nitro Enclave");
	qt_err_clear(&err);
	wbuf_free(&b);
	fake(&m, QT_PROFILE_QINGTIAN, false);
	CHECK(u, corim_encode(&m, &parent, &b, &err) == 0);
	CHECK(u, corim_read("p", b.p, b.len, &ci, &err) == 0);
	CHECK(u, ci.pcr_mask == (1u | 1u << 3));
	wbuf_free(&b);
}

static void
test_read_errors(struct unit *u)
{
	struct corim_opts o = { CORIM_PROFILE_URI, "Example Corp", false };
	struct manifest m;
	struct wbuf b = { 0 };
	struct qt_err err = { 0 };
	struct corim_info ci;
	uint8_t *p;
	char want[128];
	size_t off;

	fake(&m, QT_PROFILE_NITRO, true);
	CHECK(u, corim_encode(&m, &o, &b, &err) == 0);
	/* Truncated by one byte. */
	CHECK(u, corim_read("c", b.p, b.len - 1, &ci, &err) == -1);
	CHECK_STR(u, err.msg, "c: CoRIM: 1 elements announced at offset 517, only 0 bytes left");
	qt_err_clear(&err);
	/* One byte more. */
	CHECK(u, wbuf_put_u8(&b, 0, &err) == 0);
	CHECK(u, corim_read("c", b.p, b.len, &ci, &err) == -1);
	CHECK_STR(u, err.msg, "c: CoRIM: 1 bytes after the CoRIM");
	qt_err_clear(&err);
	b.len--;
	/* sha-512 (8) instead of sha-384 (7) in PCR0's digest. */
	p = memmem(b.p, b.len, "\x82\x07\x58\x30", 4);
	CHECK(u, p != NULL);
	if (p != NULL) {
		p[1] = 8;
		off = (size_t)(p + 1 - b.p);
		CHECK(u, corim_read("c", b.p, b.len, &ci, &err) == -1);
		/* Offsets inside the CoMID count from the start of its byte string. */
		off -= (size_t)((uint8_t *)memmem(b.p, b.len, "\xd9\x01\xfa\x59\x01\x65", 6) + 6 -
		                b.p);
		snprintf(want, sizeof(want),
		    "c: CoRIM: digest algorithm is 8, expected 7 at offset %zu", off);
		CHECK_STR(u, err.msg, want);
		qt_err_clear(&err);
		p[1] = 7;
		/* A 47-byte value. */
		p[3] = 0x2f;
		CHECK(u, corim_read("c", b.p, b.len, &ci, &err) == -1);
		CHECK(u, strstr(err.msg, "digest value is not 48 bytes") != NULL);
		qt_err_clear(&err);
		p[3] = 0x30;
	}
	/* Wrong outer tag (500, the dropped wrapper). */
	b.p[2] = 0xf4;
	CHECK(u, corim_read("c", b.p, b.len, &ci, &err) == -1);
	CHECK_STR(u, err.msg, "c: CoRIM: tag is 500, expected 501 at offset 0");
	qt_err_clear(&err);
	wbuf_free(&b);
}

static void
test_sign(struct unit *u)
{
	struct signer_opts so = { FIXTURES "/golden/inputs/key-p384.pem",
		FIXTURES "/golden/inputs/cert-p384.pem", NULL, NULL, false, NOW };
	static const char prot_start[] = "\xd2\x84\x58\x50\xa3\x01\x38\x22\x03\x74"
	                                 "application/rim+cbor\x08\x58\x33\xa1\x00\xa1\x00\x78\x2d"
	                                 "CN=qt-golden-p384,O=QingTian Golden Test,C=CN";
	struct corim_opts o = { CORIM_PROFILE_URI, NULL, false };
	struct signer *s = NULL;
	struct manifest m;
	struct wbuf b = { 0 }, sig = { 0 };
	struct qt_err err = { 0 };
	struct corim_info ci;
	const uint8_t *pl;
	size_t pl_len;

	fake(&m, QT_PROFILE_QINGTIAN, true);
	CHECK(u, signer_new(&so, &s, &err) == 0);
	CHECK(u, corim_encode(&m, &o, &b, &err) == 0);
	if (s == NULL)
		goto out;
	CHECK(u, corim_sign(s, b.p, b.len, &sig, &err) == 0);
	CHECK(u,
	    sig.len > sizeof(prot_start) && memcmp(sig.p, prot_start, sizeof(prot_start) - 1) == 0);
	/* {} then bstr(payload) then bstr(96 bytes of r||s) at the end. */
	CHECK(u, sig.len == 2 + 2 + 80 + 1 + 3 + b.len + 2 + 96);
	CHECK(u, cose_sign1_verify_pkey("c", sig.p, sig.len, X509_get0_pubkey(signer_cert(s)), NULL,
	             0, &pl, &pl_len, &err) == 0);
	CHECK(u, pl_len == b.len && memcmp(pl, b.p, b.len) == 0);
	CHECK(u, corim_read("c", sig.p, sig.len, &ci, &err) == 0);
	CHECK(u, ci.is_signed && ci.pcr_mask == (1u | 1u << 8));
	CHECK(u, corim_agrees("c", sig.p, sig.len, &m, &err) == 0);
out:
	wbuf_free(&b);
	wbuf_free(&sig);
	signer_free(s);
}

int
main(void)
{
	struct unit u = { 0 };

	test_encode(&u);
	test_read_errors(&u);
	test_sign(&u);
	return unit_end(&u);
}
