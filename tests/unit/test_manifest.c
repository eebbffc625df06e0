/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_manifest.c: manifest JSON (fixed key order, round trip, strict
 * reading), PCR3/PCR4 derivation against a real QingTian document's PCR4,
 * and the policy conditions with their refusals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "text.h"
#include "unit.h"

/* PCR4 of tests/fixtures/attest/qingtian-official-signed.cose (parent ECS UUID below) */
static const char QT_PCR4[] = "6ccd06a953f53b37610636e8c7f0f1aa9d2489512776f8a4a22e0790ac62102a"
                              "736ff160fbff9a293c3a275f19bacc70";

static void
fill(struct manifest *m)
{
	memset(m, 0, sizeof(*m));
	m->platform = QT_PROFILE_QINGTIAN;
	m->file = strdup("app.eif");
	m->size = 1234;
	memset(m->sha256, 0xab, sizeof(m->sha256));
	memset(m->sha384, 0xcd, sizeof(m->sha384));
	m->name = strdup("app");
	m->arch = strdup("x86_64");
	m->eif_version = 4;
	m->pcr_mask = 1u | 1u << 8;
	memset(m->pcrs[0], 0x11, 48);
	memset(m->pcrs[8], 0x88, 48);
	m->is_signed = true;
	m->signer_subject = strdup("CN=signer");
	m->signer_issuer = strdup("CN=signer");
	m->signer_not_before = strdup("2025-01-01T00:00:00Z");
	m->signer_not_after = strdup("2030-01-01T00:00:00Z");
	memset(m->signer_sha256, 0x5a, 32);
	m->nramdisks = 2;
	memset(m->ramdisks[1], 0x22, 48);
}

static void
free_fields(struct manifest *m)
{
	free(m->file);
	free(m->name);
	free(m->arch);
	free(m->signer_subject);
	free(m->signer_issuer);
	free(m->signer_not_before);
	free(m->signer_not_after);
	free(m->iam_agency);
	free(m->instance_id);
}

static int
parse_str(const char *s, struct manifest **ret, struct qt_err *err)
{
	qt_err_clear(err);
	return manifest_parse("m.json", (const uint8_t *)s, strlen(s), ret, err);
}

/* Replace the first occurrence of from by to in text (static buffer). */
static const char *
edit(const char *text, const char *from, const char *to)
{
	static char buf[16384];
	const char *p = strstr(text, from);

	if (p == NULL)
		return "not found";
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
	return buf;
}

int
main(void)
{
	struct unit u = { 0, 0 };
	struct manifest m, *back = NULL;
	struct qt_err err = { 0 };
	char *s = NULL, *s2 = NULL;
	size_t n, n2;

	fill(&m);
	/* PCR4 from the parent UUID reproduces a real document's PCR4; upper case folds */
	CHECK(&u, manifest_set_instance_id(&m, "4662B7A3-7898-46c9-a6c5-20e9025e50bc", &err) == 0);
	CHECK_STR(&u, m.instance_id, "4662b7a3-7898-46c9-a6c5-20e9025e50bc");
	{
		uint8_t want[48];

		CHECK(&u, qt_unhex(QT_PCR4, want, 48) == 0);
		CHECK_MEM(&u, m.pcrs[4], want, 48);
	}
	CHECK(&u, manifest_set_instance_id(&m, "i-0123456789abcdef0", &err) == -1);
	CHECK(&u,
	    strstr(err.msg, "--instance-id: 'i-0123456789abcdef0' is not a hyphenated") != NULL);
	qt_err_clear(&err);
	CHECK(
	    &u, manifest_set_iam_agency(&m, "iam::0123456789abcdef:agency:kms-reader", &err) == 0);
	CHECK(&u, (m.pcr_mask & (1u << 3)) != 0);
	CHECK(&u, manifest_set_iam_agency(&m, "agency:foo", &err) == -1);
	qt_err_clear(&err);

	/* dump: fixed key order, lower-case hex, final newline; deterministic */
	CHECK(&u, manifest_dump(&m, &s, &n, &err) == 0);
	CHECK(&u, manifest_dump(&m, &s2, &n2, &err) == 0);
	CHECK(&u, s != NULL && s2 != NULL && n == n2 && memcmp(s, s2, n) == 0);
	CHECK(&u, s != NULL && strncmp(s,
	                           "{\n  \"schema_version\": 1,\n  \"platform\": \"qingtian\",\n"
	                           "  \"hash_algorithm\": \"sha384\",\n  \"image\": {\n"
	                           "    \"file\": \"app.eif\",\n",
	                           90) == 0);
	CHECK(&u, s != NULL && s[n - 1] == '\n' &&
	              strstr(s, "\"tool\": {\n    \"name\": \"qt\"") != NULL);
	CHECK(&u, s != NULL && strstr(s, "\"pcrs\": {\n    \"0\": \"1111") != NULL);
	CHECK(&u, s != NULL && strstr(s, "\"3\": ") < strstr(s, "\"4\": ") &&
	              strstr(s, "\"4\": ") < strstr(s, "\"8\": "));

	/* round trip: parse(dump(m)) dumps to the same bytes */
	CHECK(&u, s != NULL && parse_str(s, &back, &err) == 0);
	if (back != NULL) {
		free(s2);
		s2 = NULL;
		CHECK(&u, manifest_dump(back, &s2, &n2, &err) == 0);
		CHECK(&u, s2 != NULL && n == n2 && memcmp(s, s2, n) == 0);
		CHECK(&u, back->pcr_mask == (1u | 1u << 3 | 1u << 4 | 1u << 8));
		manifest_free(back);
		back = NULL;
	}

	/* parent identities read back obey the rule and must be what their PCR extends */
	CHECK(&u, parse_str(edit(s, "kms-reader", "kms-writer"), &back, &err) == -1);
	CHECK_STR(&u, err.msg, "m.json: parent.iam_agency: pcrs.3 is not its extend");
	CHECK(&u, parse_str(edit(s, "iam::0123456789abcdef:agency", "iam::01:23:agency"), &back,
	              &err) == -1);
	CHECK(&u, strstr(err.msg, "m.json: parent.iam_agency: --iam-agency: 'iam::01:23:agency:") ==
	              err.msg);
	CHECK(&u, parse_str(edit(s, "\"4662b7a3-", "\"4662B7A3-"), &back, &err) == -1);
	CHECK_STR(&u, err.msg, "m.json: parent.instance_id: not in canonical (lower) case");
	CHECK(&u, parse_str(edit(s, "\"4662b7a3-", "\"i-4662b7a3-"), &back, &err) == -1);
	CHECK(&u, strstr(err.msg, "m.json: parent.instance_id: --instance-id: ") == err.msg);

	/* strict reading */
	CHECK(&u, parse_str(edit(s, "\"schema_version\": 1", "\"schema_version\": 2"), &back,
	              &err) == -1);
	CHECK(&u, strstr(err.msg, "m.json: schema_version 2 is not supported") != NULL);
	CHECK(&u, parse_str(edit(s, "\"0\": \"1111", "\"0\": \"111A"), &back, &err) == -1);
	CHECK(&u, strstr(err.msg, "m.json: pcrs.0: not 96 lower-case hex digits") != NULL);
	CHECK(&u, parse_str(edit(s, "\"0\": ", "\"00\": "), &back, &err) == -1);
	CHECK(&u, strstr(err.msg, "key '00' is not a PCR index") != NULL);
	CHECK(&u, parse_str(edit(s, "\"0\": ", "\"32\": "), &back, &err) == -1);
	CHECK(&u, parse_str(edit(s, "\"hash_algorithm\"", "\"extra\": 1, \"hash_algorithm\""),
	              &back, &err) == -1);
	CHECK(&u, strstr(err.msg, "m.json: manifest: unknown key 'extra'") != NULL);
	CHECK(&u, parse_str(edit(s, "\"platform\": \"qingtian\",",
	                        "\"platform\": \"qingtian\", \"platform\": \"nitro\","),
	              &back, &err) == -1);
	CHECK(&u, strstr(err.msg, "duplicate") != NULL);
	CHECK(&u, parse_str(edit(s, "\"platform\": \"qingtian\"", "\"platform\": \"sgx\""), &back,
	              &err) == -1);
	CHECK(&u, parse_str(edit(s, "\"size\": 1234", "\"size\": \"1234\""), &back, &err) == -1);
	CHECK(&u, strstr(err.msg, "m.json: image.size: wrong type") != NULL);
	CHECK(&u, parse_str("[]", &back, &err) == -1);
	CHECK(&u, parse_str("{", &back, &err) == -1);
	CHECK(&u, strstr(err.msg, "m.json: line 1") != NULL);
	/* on nitro a Huawei agency means nothing: PCR3 is the IAM role there */
	CHECK(&u, parse_str(edit(s, "\"platform\": \"qingtian\"", "\"platform\": \"nitro\""), &back,
	              &err) == -1);
	CHECK_STR(&u, err.msg,
	    "m.json: parent.iam_agency: an agency URN is Huawei's (qingtian); on nitro PCR3 is the "
	    "parent instance's IAM role (parent.iam_role)");
	/* nitro profile needs PCR1 and PCR2 (a manifest with a null agency, as qt wrote them) */
	free(s2);
	s2 = strdup(edit(s, "\"iam::0123456789abcdef:agency:kms-reader\"", "null"));
	CHECK(&u, parse_str(edit(s2, "\"platform\": \"qingtian\"", "\"platform\": \"nitro\""),
	              &back, &err) == -1);
	CHECK(&u, strstr(err.msg, "requires PCR1 and PCR2") != NULL);

	/* nitro: PCR3 from the parent instance's IAM role, under "iam_role" */
	free(s);
	s = NULL;
	free_fields(&m);
	fill(&m);
	m.platform = QT_PROFILE_NITRO;
	m.pcr_mask |= 1u << 1 | 1u << 2;
	qt_err_clear(&err);
	CHECK(
	    &u, manifest_set_iam_agency(&m, "iam::0123456789abcdef:agency:kms-reader", &err) == -1);
	CHECK_STR(&u, err.msg,
	    "--iam-agency: an agency URN is Huawei's (qingtian); on nitro PCR3 is the parent "
	    "instance's IAM role: use --iam-role ARN");
	CHECK(&u, manifest_set_iam_role(&m, "arn:aws:iam::123456789012:role/parent", &err) == 0);
	{
		/* SHA384(0^48 || ARN), computed independently with Python's hashlib */
		uint8_t want[48];

		CHECK(&u,
		    qt_unhex("0ce7cb66486f1f744e63e5f30e7019f62dab10990e19198098a1a867798f97b08a"
		             "61d60de674cd35ab40203f15df8996",
		        want, 48) == 0);
		CHECK_MEM(&u, m.pcrs[3], want, 48);
	}
	CHECK(&u, manifest_set_iam_role(&m, "arn:aws:iam::1234:role/x", &err) == -1);
	CHECK(&u, manifest_dump(&m, &s, &n, &err) == 0);
	CHECK(&u, s != NULL &&
	              strstr(s, "\"parent\": {\n    \"iam_role\": \"arn:aws:iam::123456789012:role/"
	                        "parent\",\n    \"instance_id\": null\n  }") != NULL);
	CHECK(&u, s != NULL && parse_str(s, &back, &err) == 0);
	if (back != NULL) {
		CHECK_STR(&u, back->iam_role, "arn:aws:iam::123456789012:role/parent");
		CHECK(&u, back->iam_agency == NULL);
		manifest_free(back);
		back = NULL;
	}
	qt_err_clear(&err);
	CHECK(&u, s != NULL && parse_str(edit(s, "role/parent", "role/other"), &back, &err) == -1);
	CHECK_STR(&u, err.msg, "m.json: parent.iam_role: pcrs.3 is not its extend");
	free(m.iam_role);
	m.iam_role = NULL;
	m.platform = QT_PROFILE_QINGTIAN;
	qt_err_clear(&err);
	CHECK(&u, manifest_set_iam_role(&m, "arn:aws:iam::123456789012:role/parent", &err) == -1);
	CHECK_STR(&u, err.msg,
	    "--iam-role: an IAM role ARN is AWS's (nitro); on qingtian PCR3 is the parent's IAM "
	    "agency: use --iam-agency URN");

	free(s);
	free(s2);
	free_fields(&m);
	return unit_end(&u);
}
