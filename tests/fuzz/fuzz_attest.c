/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_attest.c: an attestation document as qt-measure verify takes it:
 * text decoding (hex/base64/binary), COSE_Sign1 envelope and payload schema,
 * then every check against a fixed pinned root (AWS Nitro G1 or QingTian G1
 * by the document's shape) at a fixed instant, expectations set, and the
 * JSON report. Invariant: a document is never authentic unless both chain
 * and signature passed, and a failed check always fails the verdict.
 */
#include <string.h>

#include <openssl/err.h>

#include "attest.h"
#include "attest_report.h"
#include "fuzz.h"
#include "fuzz_embed.h"
#include "x509.h"

#define NITRO_INSTANT    INT64_C(1723012700) /* 2024-08-07, inside the marlin documents' chain */
#define QINGTIAN_INSTANT INT64_C(1784550000) /* 2026-07-20, the QingTian document's chain */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qt_err err = { 0 };
	struct attest_doc *doc = NULL;
	struct attest_opts o;
	struct attest_expect e;
	struct attest_result *res = NULL;
	uint8_t *bin = NULL, *root = NULL;
	size_t bl = 0, rl = 0, i;
	json_t *rep = NULL;
	char *s;
	bool failed;
	int r;

	if (attest_decode_text("fuzz.doc", data, size, &bin, &bl, &err) < 0) {
		FUZZ_CHECK_ERR(&err);
		goto out;
	}
	if (attest_parse("fuzz.doc", bin, bl, QT_PROFILE_AUTO, &doc, &err) < 0) {
		FUZZ_CHECK_ERR(&err);
		FUZZ_ASSERT(doc == NULL);
		rep = attest_report_json(NULL, NULL, err.msg);
		FUZZ_ASSERT(rep != NULL);
		goto out;
	}
	memset(&o, 0, sizeof(o));
	memset(&e, 0, sizeof(e));
	o.platform = QT_PROFILE_AUTO;
	o.at_mode = ATTEST_AT_TIME;
	o.max_age = -1;
	if (doc->shape == QT_PROFILE_QINGTIAN) {
		FUZZ_ASSERT(x509_load_der("qt-root.pem", embed_qt_root, sizeof(embed_qt_root),
		                &root, &rl, &err) == 0);
		o.at_ms = QINGTIAN_INSTANT * 1000;
	} else {
		FUZZ_ASSERT(x509_load_der("aws-root.der", embed_aws_root, sizeof(embed_aws_root),
		                &root, &rl, &err) == 0);
		o.at_ms = NITRO_INSTANT * 1000;
	}
	o.root_der = root;
	o.root_der_len = rl;
	/* Expect the document's own PCR0 and nonce: only authenticity decides. */
	if (doc->pcr_mask & 1u) {
		e.pcr_mask = 1u;
		memcpy(e.pcrs[0], doc->pcrs[0], PCR_LEN);
	}
	e.nonce = doc->nonce;
	e.nonce.present = true;
	if ((res = calloc(1, sizeof(*res))) == NULL)
		goto out;
	r = attest_verify(doc, &o, &e, res, &err);
	FUZZ_ASSERT(r >= -1 && r <= 1);
	if (r < 0) {
		FUZZ_CHECK_ERR(&err);
		goto out;
	}
	FUZZ_ASSERT(res->n <= ATTEST_MAX_CHECKS);
	failed = false;
	for (i = 0; i < res->n; i++)
		failed |= res->checks[i].verdict == ATTEST_FAIL;
	FUZZ_ASSERT((r == 1) == failed);
	if (res->authentic)
		FUZZ_ASSERT(res->sigform != ATTEST_SIG_NONE);
	rep = attest_report_json(doc, res, NULL);
	FUZZ_ASSERT(rep != NULL);
	s = json_dumps(rep, JSON_COMPACT);
	FUZZ_ASSERT(s != NULL);
	free(s);
out:
	e.nonce.p = NULL; /* borrowed from doc */
	json_decref(rep);
	free(res);
	free(root);
	attest_free(doc);
	free(bin);
	ERR_clear_error();
	return 0;
}
