/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_sigsec.c: the EIF signature section (serde_cbor array of
 * {signing_certificate, signature} maps) through eif_sig: parse, re-encode
 * and parse again (same element [0]), PCR8 of the certificate inside it,
 * the certificate description of describe-eif, and the COSE_Sign1 it
 * carries checked against a PCR0 (the check every tool makes).
 */
#include <string.h>

#include <openssl/err.h>

#include "cose.h"
#include "describe.h"
#include "eif_sig.h"
#include "fuzz.h"
#include "x509.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t pcr0[PCR_LEN];
	struct eif_sig sig = { 0 }, again = { 0 };
	struct cose_sign1 s1;
	struct qt_err err = { 0 }, why = { 0 };
	struct wbuf enc = { 0 };
	uint8_t pcr8[PCR_LEN];
	json_t *ci = NULL;
	int r;

	if (eif_sig_parse("fuzz.eif", data, size, &sig, &err) < 0) {
		FUZZ_CHECK_ERR(&err);
		goto out;
	}
	FUZZ_ASSERT(sig.cert_pem != NULL && sig.cose != NULL);
	FUZZ_ASSERT(sig.cert_pem[sig.cert_pem_len] == '\0');
	/* What we write, we read back as the same element. */
	FUZZ_ASSERT(eif_sig_encode(
	                sig.cert_pem, sig.cert_pem_len, sig.cose, sig.cose_len, &enc, &err) == 0);
	if (enc.len <= QT_SIGNATURE_MAX) {
		FUZZ_ASSERT(eif_sig_parse("enc", enc.p, enc.len, &again, &err) == 0);
		FUZZ_ASSERT(again.cert_pem_len == sig.cert_pem_len &&
		            memcmp(again.cert_pem, sig.cert_pem, sig.cert_pem_len) == 0);
		FUZZ_ASSERT(again.cose_len == sig.cose_len &&
		            memcmp(again.cose, sig.cose, sig.cose_len) == 0);
	}
	if (eif_sig_pcr8("fuzz.eif", &sig, pcr8, &err) < 0) {
		FUZZ_CHECK_ERR(&err);
		qt_err_clear(&err);
	}
	if (describe_cert_info("fuzz.eif", sig.cert_pem, sig.cert_pem_len, &ci, &err) < 0)
		qt_err_clear(&err);
	if (cose_sign1_parse("fuzz.eif", sig.cose, sig.cose_len, &s1, &err) == 0) {
		FUZZ_ASSERT(s1.payload >= sig.cose &&
		            s1.payload + s1.payload_len <= sig.cose + sig.cose_len);
		FUZZ_ASSERT(s1.sig >= sig.cose && s1.sig + s1.sig_len <= sig.cose + sig.cose_len);
	}
	qt_err_clear(&err);
	r = eif_sig_check_pcr0("fuzz.eif", &sig, pcr0, &why, &err);
	FUZZ_ASSERT(r >= -1 && r <= 1);
	if (r == 1)
		FUZZ_CHECK_ERR(&why);
	else if (r == -1)
		FUZZ_CHECK_ERR(&err);
out:
	json_decref(ci);
	wbuf_free(&enc);
	eif_sig_free(&again);
	eif_sig_free(&sig);
	ERR_clear_error();
	return 0;
}
