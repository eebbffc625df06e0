/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_cose.c: libFuzzer target for the signature-section parser and the
 * COSE_Sign1 parser/verifier (formats/cose.c). The input is tried as a
 * signature section, and as a COSE_Sign1 verified with the golden P-384
 * certificate and with the section's own certificate. `make fuzz`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cose.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* tests/fixtures/golden/inputs/cert-p384.pem */
static const char cert_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIByjCCAVGgAwIBAgIBATAKBggqhkjOPQQDAzBFMQswCQYDVQQGEwJDTjEdMBsG\n"
    "A1UECgwUUWluZ1RpYW4gR29sZGVuIFRlc3QxFzAVBgNVBAMMDnF0LWdvbGRlbi1w\n"
    "Mzg0MCAXDTIwMDEwMTAwMDAwMFoYDzIxMjAwMTAxMDAwMDAwWjBFMQswCQYDVQQG\n"
    "EwJDTjEdMBsGA1UECgwUUWluZ1RpYW4gR29sZGVuIFRlc3QxFzAVBgNVBAMMDnF0\n"
    "LWdvbGRlbi1wMzg0MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEQFeqIbj7Rb4EEl8m\n"
    "Lk4U3qYPgO3RYehH41Mk1JyH/nh+b3tSJt0S0+RLy/ygqoluKXIet2/9VbK3Py0j\n"
    "SRoXm3LHpvE9XDxvuZ2fHfhEbJGRtfsL37iw+CmSuXD942DqoxMwETAPBgNVHRMB\n"
    "Af8EBTADAQH/MAoGCCqGSM49BAMDA2cAMGQCMG+p9lAL00DgI3Ts5rG8NTntXTBY\n"
    "h9/cYAeo5wRVN3AygUNDSucDE6xq538J+/takQIwA1RgSh9qPtF32eF/0dedRvhu\n"
    "ZUvd1e7OAyV7NSeXsxgSkBbNj2AFP8qjaaihtKGO\n"
    "-----END CERTIFICATE-----\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qt_err err = { 0 };
	struct eif_sig sig = { 0 };
	struct cose_sign1 m;
	const uint8_t *pl;
	size_t pl_len;
	uint8_t *der = NULL;
	size_t der_len = 0;

	if (cose_sigsec_parse("fuzz", data, size, &sig, &err) == 0) {
		qt_err_clear(&err);
		(void)cose_sign1_verify_pem("fuzz", sig.cose, sig.cose_len, sig.cert_pem,
		    sig.cert_pem_len, &pl, &pl_len, &err);
		qt_err_clear(&err);
		if (cose_pem_first_cert_der("fuzz", sig.cert_pem, sig.cert_pem_len, &der, &der_len,
			&err) == 0)
			free(der);
		cose_sigsec_free(&sig);
	}
	qt_err_clear(&err);
	if (cose_sign1_parse("fuzz", data, size, &m, &err) == 0) {
		qt_err_clear(&err);
		(void)cose_sign1_verify_pem("fuzz", data, size, (const uint8_t *)cert_pem,
		    strlen(cert_pem), &pl, &pl_len, &err);
	}
	return 0;
}
