/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_sigsec.c: the EIF signature section (serde_cbor array of
 * {signing_certificate, signature} maps), the PEM certificate inside it
 * (PCR8 input), the certificate description of describe-eif, and the
 * COSE_Sign1 it carries, verified with that certificate.
 */
#include <string.h>

#include <openssl/err.h>

#include "cose.h"
#include "describe.h"
#include "fuzz.h"
#include "x509.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eif_sig sig = { 0 };
	struct cose_sign1 s1;
	struct qt_err err = { 0 };
	const uint8_t *payload = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0, plen = 0;
	json_t *ci = NULL;
	int r;

	if (cose_sigsec_parse("fuzz.eif", data, size, &sig, &err) < 0) {
		FUZZ_CHECK_ERR(&err);
		goto out;
	}
	FUZZ_ASSERT(sig.cert_pem != NULL && sig.cose != NULL);
	FUZZ_ASSERT(sig.cert_pem[sig.cert_pem_len] == '\0');
	if (x509_pem_first_der("fuzz.eif", sig.cert_pem, sig.cert_pem_len, &der, &der_len, &err) <
	    0) {
		FUZZ_CHECK_ERR(&err);
		qt_err_clear(&err);
	} else {
		FUZZ_ASSERT(der != NULL && der_len > 0);
	}
	if (describe_cert_info("fuzz.eif", sig.cert_pem, sig.cert_pem_len, &ci, &err) < 0)
		qt_err_clear(&err);
	if (cose_sign1_parse("fuzz.eif", sig.cose, sig.cose_len, &s1, &err) == 0) {
		FUZZ_ASSERT(s1.payload >= sig.cose &&
		            s1.payload + s1.payload_len <= sig.cose + sig.cose_len);
		FUZZ_ASSERT(s1.sig >= sig.cose && s1.sig + s1.sig_len <= sig.cose + sig.cose_len);
	}
	qt_err_clear(&err);
	r = cose_sign1_verify_pem("fuzz.eif", sig.cose, sig.cose_len, sig.cert_pem,
	    sig.cert_pem_len, &payload, &plen, &err);
	FUZZ_ASSERT(r >= -1 && r <= 1);
	if (r == 0)
		FUZZ_ASSERT(payload >= sig.cose && payload + plen <= sig.cose + sig.cose_len);
	else
		FUZZ_CHECK_ERR(&err);
out:
	json_decref(ci);
	free(der);
	cose_sigsec_free(&sig);
	ERR_clear_error();
	return 0;
}
