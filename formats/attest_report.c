/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest_report.c: the JSON report of a verified (or unreadable) attestation
 * document: the verdict, every check in order, the document's fields and its
 * certificates (subject, issuer, validity, SHA-256 of the DER).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "attest_report.h"
#include "text.h"
#include "x509.h"

static json_t *
hex_json(const uint8_t *p, size_t n)
{
	json_t *j;
	char *h;

	if ((h = malloc(2 * n + 1)) == NULL)
		return NULL;
	qt_hex(p, n, h);
	j = json_string(h);
	free(h);
	return j;
}

static json_t *
opt_json(const struct attest_bytes *b)
{
	return b->present ? hex_json(b->p, b->len) : json_null();
}

static const char *
verdict_name(enum attest_verdict v)
{
	return v == ATTEST_PASS ? "pass" : v == ATTEST_FAIL ? "fail" : "skip";
}

static json_t *
cert_json(const uint8_t *der, size_t len)
{
	json_t *o = json_object();
	struct qt_err xerr = { 0 };
	X509 *x = NULL;
	uint8_t fp[32];
	int64_t t;

	if (x509_from_der("certificate", der, len, &x, &xerr) < 0)
		x = NULL; /* reported without its fields; the checks say why */
	if (o == NULL) {
		X509_free(x);
		return NULL;
	}
	if (x != NULL) {
		char buf[512];

		x509_name_rfc2253(X509_get_subject_name(x), buf, sizeof(buf));
		json_object_set_new(o, "subject", json_string(buf));
		x509_name_rfc2253(X509_get_issuer_name(x), buf, sizeof(buf));
		json_object_set_new(o, "issuer", json_string(buf));
		if (x509_time_unix(X509_get0_notBefore(x), &t) == 0) {
			qt_time_format(t, false, buf, sizeof(buf));
			json_object_set_new(o, "not_before", json_string(buf));
		}
		if (x509_time_unix(X509_get0_notAfter(x), &t) == 0) {
			qt_time_format(t, false, buf, sizeof(buf));
			json_object_set_new(o, "not_after", json_string(buf));
		}
		X509_free(x);
	}
	ERR_clear_error();
	SHA256(der, len, fp);
	json_object_set_new(o, "sha256", hex_json(fp, sizeof(fp)));
	return o;
}

static json_t *
doc_json(const struct attest_doc *doc, const struct attest_result *res)
{
	json_t *o = json_object(), *pcrs = json_object(), *cab = json_array();
	char key[8], ts[48];
	size_t i;

	if (o == NULL || pcrs == NULL || cab == NULL) {
		json_decref(o);
		json_decref(pcrs);
		json_decref(cab);
		return NULL;
	}
	json_object_set_new(o, "module_id", json_string(doc->module_id));
	json_object_set_new(o, "timestamp", json_integer((json_int_t)doc->timestamp_ms));
	qt_time_format((int64_t)(doc->timestamp_ms / 1000), false, ts, sizeof(ts));
	/* keep the milliseconds: "2026-07-20T11:23:26.196Z" */
	if (strlen(ts) == 20)
		snprintf(ts + 19, sizeof(ts) - 19, ".%03uZ", (unsigned)(doc->timestamp_ms % 1000));
	json_object_set_new(o, "time", json_string(ts));
	json_object_set_new(o, "digest", json_string("SHA384"));
	json_object_set_new(o, "tagged", json_boolean(doc->tagged));
	json_object_set_new(o, "shape", json_string(qt_profile_name(doc->shape)));
	json_object_set_new(o, "signature_form",
	    res != NULL && res->sigform != ATTEST_SIG_NONE
	        ? json_string(attest_sigform_name(res->sigform))
	        : json_null());
	for (i = 0; i < PCR_COUNT; i++) {
		if (!(doc->pcr_mask & (1u << i)))
			continue;
		snprintf(key, sizeof(key), "%zu", i);
		json_object_set_new(pcrs, key, hex_json(doc->pcrs[i], PCR_LEN));
	}
	json_object_set_new(o, "pcrs", pcrs);
	json_object_set_new(o, "public_key", opt_json(&doc->public_key));
	json_object_set_new(o, "user_data", opt_json(&doc->user_data));
	json_object_set_new(o, "nonce", opt_json(&doc->nonce));
	json_object_set_new(o, "certificate", cert_json(doc->certificate.p, doc->certificate.len));
	for (i = 0; i < doc->cabundle_len; i++)
		json_array_append_new(cab, cert_json(doc->cabundle[i].p, doc->cabundle[i].len));
	json_object_set_new(o, "cabundle", cab);
	return o;
}

json_t *
attest_report_json(
    const struct attest_doc *doc, const struct attest_result *res, const char *error_msg)
{
	json_t *o = json_object(), *checks = json_array(), *failed = json_array();
	bool fail = false;

	if (o == NULL || checks == NULL || failed == NULL) {
		json_decref(o);
		json_decref(checks);
		json_decref(failed);
		return NULL;
	}
	for (size_t i = 0; res != NULL && i < res->n; i++) {
		const struct attest_check *k = &res->checks[i];
		json_t *c = json_object();

		if (k->verdict == ATTEST_FAIL) {
			fail = true;
			json_array_append_new(failed, json_string(k->name));
		}
		json_object_set_new(c, "check", json_string(k->name));
		json_object_set_new(c, "verdict", json_string(verdict_name(k->verdict)));
		json_object_set_new(c, "detail", json_string(k->detail));
		json_array_append_new(checks, c);
	}
	json_object_set_new(o, "verdict",
	    json_string(error_msg != NULL || res == NULL ? "error"
	                : fail                           ? "fail"
	                                                 : "pass"));
	json_object_set_new(
	    o, "platform", res != NULL ? json_string(qt_profile_name(res->platform)) : json_null());
	if (res != NULL) {
		char buf[48];

		qt_time_format(qt_time_ms_to_s(res->instant_ms), false, buf, sizeof(buf));
		json_object_set_new(o, "instant", json_string(buf));
	} else {
		json_object_set_new(o, "instant", json_null());
	}
	json_object_set_new(o, "authentic", json_boolean(res != NULL && res->authentic));
	json_object_set_new(o, "checks", checks);
	json_object_set_new(o, "failed", failed);
	if (error_msg != NULL)
		json_object_set_new(o, "error", json_string(error_msg));
	json_object_set_new(o, "document", doc != NULL ? doc_json(doc, res) : json_null());
	return o;
}

void
attest_summary(
    const struct attest_result *res, const struct attest_opts *opts, char *buf, size_t len)
{
	const struct attest_check *first = NULL;
	const char *hint = "";
	size_t i, nfail = 0;
	char more[48] = "";

	for (i = 0; i < res->n; i++) {
		if (res->checks[i].verdict != ATTEST_FAIL)
			continue;
		if (first == NULL)
			first = &res->checks[i];
		nfail++;
	}
	if (first == NULL) {
		snprintf(buf, len, "not verified");
		return;
	}
	if (nfail > 1)
		snprintf(more, sizeof(more), " (and %zu more failed check%s)", nfail - 1,
		    nfail > 2 ? "s" : "");
	if (strcmp(first->name, "validity") == 0 && opts->at_mode == ATTEST_AT_NOW &&
	    strstr(first->detail, "expired") != NULL)
		hint = "; to check an archived document use --at doc";
	else if (strcmp(first->name, "production") == 0)
		hint = "; for a development enclave use --allow-debug";
	snprintf(buf, len, "not verified: %s: %s%s%s", first->name, first->detail, more, hint);
}
