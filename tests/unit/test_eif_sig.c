/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_eif_sig.c: the EIF signature section against the golden c5 image
 * (tests/fixtures/golden): parse and re-encode byte for byte, PcrInfo
 * bytes, PCR8 of the signing certificate (cert, section, image), the
 * verdicts and messages of the one PCR0 check, and the rejection of
 * malformed sections with precise messages.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "eif.h"
#include "eif_sig.h"
#include "fileio.h"
#include "qt.h"
#include "text.h"
#include "unit.h"
#include "x509.h"

#define GOLD FIXTURES "/golden"

/* c5: signature section = last section, header at 13848, 1831 data bytes. */
#define C5_SIG_OFF (13848u + 12u)
#define C5_SIG_LEN 1831u

/* PCR8 of the golden signing certificate (nitro-cli pcr --signing-certificate). */
static const char c5_pcr8_hex[] = "cc5824781bb970c37a35a8aaaecb12b16c0f07c2030925060363a0d031a96b5e"
                                  "5dd907e08b3244f207366ce6d4ea80e1";

struct blob {
	uint8_t *p;
	size_t len;
};

static struct blob
load(const char *path)
{
	struct blob b = { 0 };
	struct qt_err err = { 0 };

	if (fileio_read_all(path, 1u << 20, &b.p, &b.len, &err) < 0) {
		printf("FAIL load %s: %s\n", path, err.msg);
		exit(1);
	}
	return b;
}

/* 2*len hex digits of the string at key in the c5 vectors -> bytes. */
static struct blob
vec(json_t *sv, const char *key)
{
	const char *hex =
	    json_string_value(json_object_get(json_object_get(sv, "c5_signed_p384"), key));
	struct blob b = { 0 };

	if (hex == NULL || (b.p = malloc(strlen(hex) / 2 + 1)) == NULL ||
	    qt_unhex(hex, b.p, strlen(hex) / 2) < 0) {
		printf("FAIL bad test vector %s\n", key);
		exit(1);
	}
	b.len = strlen(hex) / 2;
	return b;
}

static void
test_roundtrip(struct unit *u, json_t *sv)
{
	struct qt_err err = { 0 };
	struct eif_sig sig = { 0 };
	struct wbuf out = { 0 };
	struct blob eif = load(GOLD "/outputs/c5_signed_p384.eif");
	struct blob pem = load(GOLD "/inputs/cert-p384.pem");
	struct blob hdr = vec(sv, "signature_section_hex_up_to_cert_values");
	struct blob pfx = vec(sv, "cose_sign1_hex_without_signature_bytes");
	const uint8_t *sec = eif.p + C5_SIG_OFF;

	CHECK(u, eif.len == C5_SIG_OFF + C5_SIG_LEN);
	CHECK_MEM(u, sec, hdr.p, hdr.len);
	CHECK(u, eif_sig_parse("c5.eif", sec, C5_SIG_LEN, &sig, &err) == 0);
	CHECK_STR(u, err.msg, "");
	/* the certificate file bytes verbatim, NUL-terminated; the untagged COSE_Sign1 */
	CHECK(u, sig.cert_pem_len == pem.len && sig.cert_pem_len == 680);
	CHECK(u, sig.cert_pem != NULL && memcmp(sig.cert_pem, pem.p, pem.len) == 0 &&
	             sig.cert_pem[sig.cert_pem_len] == '\0');
	CHECK(u, sig.cose_len == 231);
	CHECK(u, sig.cose != NULL && pfx.len == 231 - 96 && memcmp(sig.cose, pfx.p, pfx.len) == 0);
	/* Re-encoding gives the section back byte for byte. */
	CHECK(u, eif_sig_encode(
	             sig.cert_pem, sig.cert_pem_len, sig.cose, sig.cose_len, &out, &err) == 0);
	CHECK(u, out.len == C5_SIG_LEN && memcmp(out.p, sec, C5_SIG_LEN) == 0);
	wbuf_free(&out);
	eif_sig_free(&sig);
	CHECK(u, sig.cert_pem == NULL && sig.cose == NULL && sig.cose_len == 0);
	eif_sig_free(NULL);
	free(eif.p);
	free(pem.p);
	free(hdr.p);
	free(pfx.p);
}

static void
test_pcr_info(struct unit *u, json_t *sv)
{
	struct qt_err err = { 0 };
	struct wbuf out = { 0 };
	struct blob pcr0 = vec(sv, "pcr0");
	struct blob want = vec(sv, "pcr_info_payload_hex");
	uint8_t v[PCR_LEN];
	char hex[2 * 256 + 1];
	size_t i;

	CHECK(u, pcr0.len == PCR_LEN);
	CHECK(u, eif_sig_pcr_info(pcr0.p, &out, &err) == 0);
	CHECK(u, out.len == want.len && out.len == 124);
	CHECK(u, out.len == want.len && memcmp(out.p, want.p, want.len) == 0);
	wbuf_free(&out);

	/* The published PcrInfo vector of the reference crate: value 0x00..0x2f. */
	for (i = 0; i < PCR_LEN; i++)
		v[i] = (uint8_t)i;
	CHECK(u, eif_sig_pcr_info(v, &out, &err) == 0);
	qt_hex(out.p, out.len < 256 ? out.len : 256, hex);
	CHECK(u, strncmp(hex,
	             "a26e72656769737465725f696e646578006e72656769737465725f76616c75659830"
	             "000102030405060708090a0b0c0d0e0f1011121314151617181818191a",
	             124) == 0);
	CHECK(u, out.len == 32 + 2 + 24 + 2 * 24 && out.p[out.len - 2] == 0x18 &&
	             out.p[out.len - 1] == 0x2f);
	wbuf_free(&out);
	free(pcr0.p);
	free(want.p);
}

static void
test_pcr8(struct unit *u, json_t *sv)
{
	struct qt_err err = { 0 };
	struct eif_sig sig = { 0 };
	struct eif_info *info = NULL;
	struct blob eif = load(GOLD "/outputs/c5_signed_p384.eif");
	struct blob pem = load(GOLD "/inputs/cert-p384.pem");
	struct blob pcr8 = vec(sv, "pcr8");
	static const uint8_t zero[PCR_LEN];
	uint8_t want[PCR_LEN], got[PCR_LEN];
	struct pcr_set p;

	CHECK(u, qt_unhex(c5_pcr8_hex, want, PCR_LEN) == 0);
	CHECK(u, pcr8.len == PCR_LEN && memcmp(pcr8.p, want, PCR_LEN) == 0);
	/* of the certificate file */
	memset(got, 0, sizeof(got));
	CHECK(u, eif_sig_cert_pcr8("cert.pem", pem.p, pem.len, got, &err) == 0);
	CHECK_MEM(u, got, want, PCR_LEN);
	/* of the parsed section */
	memset(got, 0, sizeof(got));
	CHECK(u, eif_sig_parse("c5.eif", eif.p + C5_SIG_OFF, C5_SIG_LEN, &sig, &err) == 0);
	CHECK(u, eif_sig_pcr8("c5.eif", &sig, got, &err) == 0);
	CHECK_MEM(u, got, want, PCR_LEN);
	CHECK_STR(u, err.msg, "");
	/* of the image: signed c5, unsigned c2 */
	CHECK(u, eif_read_path(GOLD "/outputs/c5_signed_p384.eif", NULL, 0, &info, &err) == 0);
	if (info != NULL) {
		p = info->pcrs;
		CHECK(u, eif_sig_image_pcr8("c5.eif", info, &p, &err) == 0);
		CHECK(u, p.has_pcr8);
		CHECK_MEM(u, p.pcr8, want, PCR_LEN);
	}
	eif_info_free(info);
	info = NULL;
	CHECK(u, eif_read_path(GOLD "/outputs/c2_x86_2rd.eif", NULL, 0, &info, &err) == 0);
	if (info != NULL) {
		p = info->pcrs;
		memset(p.pcr8, 0xaa, PCR_LEN);
		p.has_pcr8 = true;
		CHECK(u, eif_sig_image_pcr8("c2.eif", info, &p, &err) == 0);
		CHECK(u, !p.has_pcr8);
		CHECK_MEM(u, p.pcr8, zero, PCR_LEN);
	}
	eif_info_free(info);
	CHECK_STR(u, err.msg, "");

	/* A PEM file without a certificate: named where it was found. */
	CHECK(u, eif_sig_cert_pcr8("k.pem", (const uint8_t *)"hello", 5, got, &err) == -1);
	CHECK(u, strncmp(err.msg, "k.pem: no PEM certificate found", 31) == 0);
	qt_err_clear(&err);
	free(sig.cert_pem);
	sig.cert_pem = (uint8_t *)strdup("-----BEGIN PRIVATE KEY-----\n");
	sig.cert_pem_len = strlen((const char *)sig.cert_pem);
	CHECK(u, eif_sig_pcr8("c5.eif", &sig, got, &err) == -1);
	CHECK(
	    u, strncmp(err.msg, "c5.eif: signing certificate: no PEM certificate found", 53) == 0);
	qt_err_clear(&err);

	eif_sig_free(&sig);
	free(eif.p);
	free(pem.p);
	free(pcr8.p);
}

static void
test_check(struct unit *u, json_t *sv)
{
	struct qt_err err = { 0 }, why = { 0 };
	struct eif_sig sig = { 0 };
	struct eif_info *info = NULL;
	struct blob eif = load(GOLD "/outputs/c5_signed_p384.eif");
	struct blob pcr0 = vec(sv, "pcr0");
	uint8_t other[PCR_LEN];

	CHECK(u, eif_sig_parse("c5.eif", eif.p + C5_SIG_OFF, C5_SIG_LEN, &sig, &err) == 0);
	/* pass: c5's section signs c5's (= c2's) PCR0 */
	CHECK(u, eif_sig_check_pcr0("c5.eif", &sig, pcr0.p, &why, &err) == 0);
	CHECK_STR(u, why.msg, "");
	CHECK_STR(u, err.msg, "");
	/* fail: a valid signature over another PCR0 -- the one message for it */
	memcpy(other, pcr0.p, PCR_LEN);
	other[PCR_LEN - 1] ^= 1;
	CHECK(u, eif_sig_check_pcr0("c5.eif", &sig, other, &why, &err) == 1);
	CHECK_STR(u, why.msg,
	    "c5.eif: signature section: the signature is valid but does not sign this image's "
	    "PCR0");
	CHECK_STR(u, err.msg, "");
	qt_err_clear(&why);
	/* fail: a tampered signature value (why), nothing in err */
	sig.cose[sig.cose_len - 1] ^= 1;
	CHECK(u, eif_sig_check_pcr0("c5.eif", &sig, pcr0.p, &why, &err) == 1);
	CHECK_STR(u, why.msg, "c5.eif: COSE_Sign1: signature does not verify");
	CHECK_STR(u, err.msg, "");
	qt_err_clear(&why);
	sig.cose[sig.cose_len - 1] ^= 1;
	/* cannot check: not a COSE_Sign1 (84 -> 83), the reason in err, nothing in why */
	sig.cose[0] ^= 0x07;
	CHECK(u, eif_sig_check_pcr0("c5.eif", &sig, pcr0.p, &why, &err) == -1);
	CHECK_STR(u, err.msg,
	    "c5.eif: COSE_Sign1: not a COSE_Sign1 (expected an array of 4 at offset 0)");
	CHECK_STR(u, why.msg, "");
	qt_err_clear(&err);
	sig.cose[0] ^= 0x07;
	/* why and err may be one object (qt-sign --verify) */
	CHECK(u, eif_sig_check_pcr0("c5.eif", &sig, other, &err, &err) == 1);
	CHECK(u, strstr(err.msg, "does not sign this image's PCR0") != NULL);
	qt_err_clear(&err);

	/* on an image: its own PCR0 passes; an unsigned image cannot be checked */
	CHECK(u, eif_read_path(GOLD "/outputs/c5_signed_p384.eif", NULL, 0, &info, &err) == 0);
	if (info != NULL) {
		CHECK_MEM(u, info->pcrs.pcr0, pcr0.p, PCR_LEN);
		CHECK(u, eif_sig_image_check("c5.eif", info, info->pcrs.pcr0, &why, &err) == 0);
		CHECK(u, eif_sig_image_check("c5.eif", info, other, &why, &err) == 1);
		CHECK(u, strstr(why.msg, "does not sign this image's PCR0") != NULL);
		qt_err_clear(&why);
	}
	eif_info_free(info);
	info = NULL;
	CHECK(u, eif_read_path(GOLD "/outputs/c2_x86_2rd.eif", NULL, 0, &info, &err) == 0);
	if (info != NULL) {
		CHECK(u, eif_sig_image_check("c2.eif", info, info->pcrs.pcr0, &why, &err) == -1);
		CHECK_STR(u, err.msg, "c2.eif: the image is not signed");
		CHECK_STR(u, why.msg, "");
	}
	eif_info_free(info);

	eif_sig_free(&sig);
	free(eif.p);
	free(pcr0.p);
}

static void
test_malformed(struct unit *u)
{
	struct qt_err err = { 0 };
	struct eif_sig sig = { 0 };
	struct blob eif = load(GOLD "/outputs/c5_signed_p384.eif");
	const uint8_t *sec = eif.p + C5_SIG_OFF;
	uint8_t *buf = malloc(QT_SIGNATURE_MAX + 2);

	if (buf == NULL)
		exit(1);
	/* Truncated sections. */
	CHECK(u, eif_sig_parse("c5.eif", sec, C5_SIG_LEN - 1, &sig, &err) == -1);
	CHECK_STR(u, err.msg, "c5.eif: signature section: truncated item at offset 1829");
	qt_err_clear(&err);
	CHECK(u, eif_sig_parse("c5.eif", sec, 500, &sig, &err) == -1);
	CHECK_STR(u, err.msg,
	    "c5.eif: signature section: signing_certificate at offset 22 announces 680 bytes, "
	    "only 475 bytes left");
	qt_err_clear(&err);
	CHECK(u, eif_sig_parse("c5.eif", sec, 24, &sig, &err) == -1);
	CHECK_STR(u, err.msg, "c5.eif: signature section: truncated item at offset 22");
	qt_err_clear(&err);
	CHECK(u, eif_sig_parse("c5.eif", sec, 0, &sig, &err) == -1);
	CHECK_STR(u, err.msg, "c5.eif: signature section: empty");
	qt_err_clear(&err);

	/* Trailing byte, oversized, wrong shapes. */
	memcpy(buf, sec, C5_SIG_LEN);
	buf[C5_SIG_LEN] = 0x00;
	CHECK(u, eif_sig_parse("c5.eif", buf, C5_SIG_LEN + 1, &sig, &err) == -1);
	CHECK_STR(u, err.msg, "c5.eif: signature section: 1 trailing bytes at offset 1831");
	qt_err_clear(&err);
	memset(buf, 0, QT_SIGNATURE_MAX + 1);
	CHECK(u, eif_sig_parse("c5.eif", buf, QT_SIGNATURE_MAX + 1, &sig, &err) == -1);
	CHECK_STR(u, err.msg, "c5.eif: signature section: 32769 bytes exceeds the limit of 32768");
	qt_err_clear(&err);
	/* The first certificate byte as a two-byte integer (19 00 2d): not serde_cbor's shape. */
	memcpy(buf, sec, 25);
	buf[25] = 0x19;
	buf[26] = 0x00;
	memcpy(buf + 27, sec + 26, C5_SIG_LEN - 26);
	CHECK(u, eif_sig_parse("c5.eif", buf, C5_SIG_LEN + 1, &sig, &err) == -1);
	CHECK_STR(u, err.msg,
	    "c5.eif: signature section: signing_certificate byte 0 at offset 25 is not a "
	    "one-byte unsigned integer");
	qt_err_clear(&err);
	/* A byte string where serde_cbor writes an array of integers. */
	CHECK(u, eif_sig_parse("x", (const uint8_t *)"\x81\xa2\x73signing_certificate\x41\x00", 24,
	             &sig, &err) == -1);
	CHECK_STR(u, err.msg,
	    "x: signature section: signing_certificate at offset 22 is a byte string, expected "
	    "an array");
	qt_err_clear(&err);
	/* Unknown key, indefinite array, empty list, a huge announced length. */
	CHECK(u, eif_sig_parse("x",
	             (const uint8_t *)"\x81\xa2\x63"
	                              "abc\x81\x00",
	             7, &sig, &err) == -1);
	CHECK_STR(u, err.msg,
	    "x: signature section: unexpected or repeated key at offset 2 (expected "
	    "signing_certificate and signature)");
	qt_err_clear(&err);
	CHECK(u, eif_sig_parse("x", (const uint8_t *)"\x9f\xff", 2, &sig, &err) == -1);
	CHECK_STR(u, err.msg,
	    "x: signature section: indefinite-length item at offset 0 (only definite lengths "
	    "are allowed)");
	qt_err_clear(&err);
	CHECK(u, eif_sig_parse("x", (const uint8_t *)"\x80", 1, &sig, &err) == -1);
	CHECK_STR(u, err.msg, "x: signature section: no signatures in the list");
	qt_err_clear(&err);
	CHECK(u, eif_sig_parse("x", (const uint8_t *)"\x9b\xff\xff\xff\xff\xff\xff\xff\xff\x00", 10,
	             &sig, &err) == -1);
	CHECK_STR(u, err.msg,
	    "x: signature section: 18446744073709551615 signatures announced, only 1 bytes left");
	qt_err_clear(&err);
	/* Not CBOR at all: a reserved head (additional information 28). */
	CHECK(u, eif_sig_parse("x", (const uint8_t *)"\x1c", 1, &sig, &err) == -1);
	CHECK_STR(u, err.msg, "x: signature section: malformed CBOR at offset 0");
	qt_err_clear(&err);
	/* A map with one key, and element [1] malformed although readers use [0]. */
	CHECK(u, eif_sig_parse("x", (const uint8_t *)"\x81\xa1\x00", 3, &sig, &err) == -1);
	CHECK_STR(u, err.msg, "x: signature section: map at offset 1 has 1 entries, expected 2");
	qt_err_clear(&err);
	memcpy(buf, sec, C5_SIG_LEN);
	buf[0] = 0x82; /* two elements announced, the second is one byte: a bare 0 */
	buf[C5_SIG_LEN] = 0x00;
	CHECK(u, eif_sig_parse("c5.eif", buf, C5_SIG_LEN + 1, &sig, &err) == -1);
	CHECK_STR(u, err.msg,
	    "c5.eif: signature section: element at offset 1831 is an unsigned integer, expected "
	    "a map");
	qt_err_clear(&err);
	CHECK(u, sig.cert_pem == NULL && sig.cose == NULL);

	free(buf);
	free(eif.p);
}

static void
test_time_text(struct unit *u)
{
	ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)4733510400); /* 2120-01-01 */
	char buf[64], small[8];

	CHECK(u, t != NULL && x509_time_text(t, buf, sizeof(buf)) == 0);
	CHECK_STR(u, buf, "Jan  1 00:00:00 2120 GMT");
	/* cut to the buffer, always terminated */
	CHECK(u, t != NULL && x509_time_text(t, small, sizeof(small)) == 0);
	CHECK_STR(u, small, "Jan  1 ");
	ASN1_TIME_free(t);
}

int
main(void)
{
	struct unit u = { 0 };
	json_error_t jerr;
	json_t *sv = json_load_file(GOLD "/outputs/signature-vectors.json", 0, &jerr);

	if (sv == NULL) {
		printf("FAIL cannot load signature-vectors.json: %s\n", jerr.text);
		return 1;
	}
	test_roundtrip(&u, sv);
	test_pcr_info(&u, sv);
	test_pcr8(&u, sv);
	test_check(&u, sv);
	test_malformed(&u);
	test_time_text(&u);
	json_decref(sv);
	return unit_end(&u);
}
