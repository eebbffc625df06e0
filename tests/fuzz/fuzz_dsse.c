/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_dsse.c: the DSSE envelope parser (qt-measure verify-provenance), the
 * signature check with a fixed P-256 key, and the statement's subject check
 * on whatever payload it carries, with and without image digests.
 */
#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include "dsse.h"
#include "fuzz.h"
#include "provenance.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *key;
	struct qt_err err = { 0 };
	struct dsse_env *e = NULL;
	uint8_t d256[32] = { 0 }, d384[48] = { 0 };
	char subj[64], pred[64];
	size_t i, idx;
	int v;

	if (key == NULL)
		FUZZ_ASSERT((key = EVP_EC_gen("P-256")) != NULL);
	if (dsse_parse("fuzz.json", data, size, &e, &err) < 0) {
		FUZZ_CHECK_ERR(&err);
		FUZZ_ASSERT(e == NULL);
		return 0;
	}
	FUZZ_ASSERT(e->nsigs >= 1 && e->nsigs <= DSSE_SIGS_MAX);
	for (i = 0; i < e->nsigs; i++)
		FUZZ_ASSERT(e->sigs[i].sig_len <= DSSE_SIG_MAX);
	v = dsse_verify("fuzz.json", e, key, "key", &idx, &err);
	FUZZ_ASSERT(v == 1 || v == -1); /* nobody forges a signature of a fresh key */
	FUZZ_CHECK_ERR(&err);
	qt_err_clear(&err);
	v = prov_check_subject(
	    "fuzz.json", e->payload, e->payload_len, NULL, NULL, subj, pred, sizeof(subj), &err);
	FUZZ_ASSERT(v == 0 || v == -1);
	if (v < 0)
		FUZZ_CHECK_ERR(&err);
	qt_err_clear(&err);
	v = prov_check_subject(
	    "fuzz.json", e->payload, e->payload_len, d256, d384, subj, pred, sizeof(subj), &err);
	FUZZ_ASSERT(v >= -1 && v <= 1);
	if (v != 0)
		FUZZ_CHECK_ERR(&err);
	for (i = 0; subj[i] != '\0'; i++)
		FUZZ_ASSERT((unsigned char)subj[i] >= 0x20 && subj[i] != 0x7f);
	dsse_free(e);
	return 0;
}
