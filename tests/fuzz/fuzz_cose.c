/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_cose.c: COSE_Sign1 decoding and ES256/384/512 verification with a
 * fixed P-384 certificate (the golden signing certificate), the path
 * qt-sign --verify and describe-eif take; and the DER <-> r||s conversion
 * fed the same bytes.
 */
#include <string.h>

#include <openssl/err.h>

#include "cose.h"
#include "fuzz.h"
#include "fuzz_embed.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cose_sign1 s1;
	struct qt_err err = { 0 };
	const uint8_t *payload = NULL;
	uint8_t rs[96], rs2[96], *der = NULL;
	size_t plen = 0, der_len = 0;
	int r;

	if (cose_sign1_parse("fuzz.cose", data, size, &s1, &err) == 0) {
		FUZZ_ASSERT(s1.prot >= data && s1.prot + s1.prot_len <= data + size);
		FUZZ_ASSERT(s1.payload >= data && s1.payload + s1.payload_len <= data + size);
		FUZZ_ASSERT(s1.sig >= data && s1.sig + s1.sig_len <= data + size);
	} else {
		FUZZ_CHECK_ERR(&err);
	}
	qt_err_clear(&err);
	r = cose_sign1_verify_pem("fuzz.cose", data, size, embed_cert_p384, sizeof(embed_cert_p384),
	    &payload, &plen, &err);
	FUZZ_ASSERT(r >= -1 && r <= 1);
	if (r == 0)
		FUZZ_ASSERT(payload >= data && payload + plen <= data + size);
	else
		FUZZ_CHECK_ERR(&err);
	qt_err_clear(&err);

	/* A DER ECDSA-Sig-Value that converts to r||s must come back to the same r||s. */
	if (cose_der_to_rs(data, size, 48, rs, &err) == 0) {
		FUZZ_ASSERT(cose_rs_to_der(rs, 96, &der, &der_len, &err) == 0);
		FUZZ_ASSERT(cose_der_to_rs(der, der_len, 48, rs2, &err) == 0);
		FUZZ_ASSERT(memcmp(rs, rs2, 96) == 0);
		free(der);
	}
	ERR_clear_error();
	return 0;
}
