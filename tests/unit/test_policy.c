/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_policy.c: the policies of both profiles, byte for byte: the default
 * registers, --pcr, several manifests (a rollout), PCR3/PCR4 from options,
 * whole statements, and the refusals (all-zero PCR0, unsigned PCR8, a
 * register a manifest lacks, Huawei's four keys, a statement without a
 * principal).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "policy.h"
#include "unit.h"

static void
fill(struct manifest *m, char c)
{
	memset(m, 0, sizeof(*m));
	m->platform = QT_PROFILE_QINGTIAN;
	m->pcr_mask = 1u | 1u << 3 | 1u << 4 | 1u << 8;
	memset(m->pcrs[0], c, PCR_LEN);
	memset(m->pcrs[3], 0x33, PCR_LEN);
	memset(m->pcrs[4], 0x44, PCR_LEN);
	memset(m->pcrs[8], 0x88, PCR_LEN);
	m->is_signed = true;
}

/* 96 hex digits of the character c repeated. */
static const char *
rep(char c)
{
	static char buf[8][2 * PCR_LEN + 1];
	static unsigned next;
	char *s = buf[next++ % 8];

	memset(s, c, 2 * PCR_LEN);
	s[2 * PCR_LEN] = '\0';
	return s;
}

static char *
dump(size_t n, const struct manifest *const ms[], const struct policy_opts *o, struct qt_err *err)
{
	static const char *const names[] = { "a.json", "b.json", "c.json" };
	json_t *pol = NULL;
	char *s = NULL;

	qt_err_clear(err);
	if (policy_make(n, names, ms, o, &pol, err) == 0)
		s = json_dumps(pol, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(pol);
	return s;
}

static void
check(struct unit *u, char *got, const char *want)
{
	CHECK_STR(u, got, want);
	free(got);
}

int
main(void)
{
	struct unit u = { 0 };
	struct qt_err err = { 0 };
	static struct manifest a, b;
	const struct manifest *one[] = { &a }, *two[] = { &a, &b };
	struct policy_opts o = { .profile = QT_PROFILE_QINGTIAN };
	static const char *const acts[] = { "kms:cmk:generate" }, *const res[] = {
		"KMS:*:*:KeyId:k1", "KMS:*:*:KeyId:k2"
	};
	char want[4096];

	/* qingtian default: PCR0, PCR3, PCR4 (held), PCR8 (signed); PCR1 has no Huawei key */
	fill(&a, 0x11);
	a.pcr_mask |= 1u << 1;
	snprintf(want, sizeof(want),
	    "{\"Condition\":{\"StringEqualsIgnoreCase\":{"
	    "\"kms:RecipientAttestation/PCR0\":[\"%s\"],"
	    "\"kms:RecipientAttestation/PCR3\":[\"%s\"],"
	    "\"kms:RecipientAttestation/PCR4\":[\"%s\"],"
	    "\"kms:RecipientAttestation/PCR8\":[\"%s\"]}}}",
	    rep('1'), rep('3'), rep('4'), rep('8'));
	check(&u, dump(1, one, &o, &err), want);

	/* nitro default: ImageSha384 for PCR0, then PCR3, PCR4, PCR8 (not PCR1/PCR2) */
	o.profile = QT_PROFILE_NITRO;
	snprintf(want, sizeof(want),
	    "{\"Condition\":{\"StringEqualsIgnoreCase\":{"
	    "\"kms:RecipientAttestation:ImageSha384\":\"%s\","
	    "\"kms:RecipientAttestation:PCR3\":\"%s\","
	    "\"kms:RecipientAttestation:PCR4\":\"%s\","
	    "\"kms:RecipientAttestation:PCR8\":\"%s\"}}}",
	    rep('1'), rep('3'), rep('4'), rep('8'));
	check(&u, dump(1, one, &o, &err), want);

	/* --pcr 1,8 on nitro; --pcr 8 alone (any image signed by this key) */
	o.pcrs = 1u << 1 | 1u << 8;
	snprintf(want, sizeof(want),
	    "{\"Condition\":{\"StringEqualsIgnoreCase\":{"
	    "\"kms:RecipientAttestation:PCR1\":\"%s\","
	    "\"kms:RecipientAttestation:PCR8\":\"%s\"}}}",
	    "010101010101010101010101010101010101010101010101"
	    "010101010101010101010101010101010101010101010101",
	    rep('8'));
	memset(a.pcrs[1], 0x01, PCR_LEN);
	check(&u, dump(1, one, &o, &err), want);
	o.profile = QT_PROFILE_QINGTIAN;
	o.pcrs = 1u << 1;
	CHECK(&u, dump(1, one, &o, &err) == NULL);
	CHECK_STR(&u, err.msg,
	    "--pcr: Huawei Cloud's condition keys name PCR0, PCR3, PCR4 and PCR8 only");
	o.pcrs = 1u << 8;
	snprintf(want, sizeof(want),
	    "{\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation/"
	    "PCR8\":[\"%s\"]}}}",
	    rep('8'));
	check(&u, dump(1, one, &o, &err), want);

	/* two manifests: each key lists the distinct values in order */
	fill(&a, 0x11);
	fill(&b, 0x22);
	o.pcrs = 1u | 1u << 8;
	snprintf(want, sizeof(want),
	    "{\"Condition\":{\"StringEqualsIgnoreCase\":{"
	    "\"kms:RecipientAttestation/PCR0\":[\"%s\",\"%s\"],"
	    "\"kms:RecipientAttestation/PCR8\":[\"%s\"]}}}",
	    rep('1'), rep('2'), rep('8'));
	check(&u, dump(2, two, &o, &err), want);
	o.profile = QT_PROFILE_NITRO;
	snprintf(want, sizeof(want),
	    "{\"Condition\":{\"StringEqualsIgnoreCase\":{"
	    "\"kms:RecipientAttestation:ImageSha384\":[\"%s\",\"%s\"],"
	    "\"kms:RecipientAttestation:PCR8\":\"%s\"}}}",
	    rep('1'), rep('2'), rep('8'));
	check(&u, dump(2, two, &o, &err), want);

	/* a register one manifest lacks */
	b.pcr_mask &= ~(1u << 3);
	o.pcrs = 1u << 3;
	CHECK(&u, dump(2, two, &o, &err) == NULL);
	CHECK_STR(&u, err.msg, "b.json: holds no PCR3 to pin (give --iam-agency or --iam-role)");
	/* PCR3 from the command line: fills the gap, must agree with the others */
	o.have_pcr3 = true;
	o.pcr3_opt = "--iam-role";
	memset(o.pcr3, 0x33, PCR_LEN);
	snprintf(want, sizeof(want),
	    "{\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation:PCR3\":\"%s\"}}"
	    "}",
	    rep('3'));
	check(&u, dump(2, two, &o, &err), want);
	o.pcr3[0] = 0x34;
	CHECK(&u, dump(2, two, &o, &err) == NULL);
	CHECK_STR(&u, err.msg, "a.json: its PCR3 contradicts --iam-role");
	o.have_pcr3 = false;

	/* unsigned: no PCR8 by default; pinned on request only with --allow-zero */
	fill(&a, 0x11);
	a.is_signed = false;
	a.pcr_mask = 1u | 1u << 8;
	memset(a.pcrs[8], 0, PCR_LEN);
	o.pcrs = 0;
	o.profile = QT_PROFILE_QINGTIAN;
	snprintf(want, sizeof(want),
	    "{\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation/"
	    "PCR0\":[\"%s\"]}}}",
	    rep('1'));
	check(&u, dump(1, one, &o, &err), want);
	o.pcrs = 1u | 1u << 8;
	CHECK(&u, dump(1, one, &o, &err) == NULL);
	CHECK_STR(&u, err.msg,
	    "a.json: the image is unsigned (PCR8 all zero): pinning PCR8 proves nothing; sign the "
	    "image or pass --allow-zero");
	o.allow_zero = true;
	check(&u, dump(1, one, &o, &err),
	    "{\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation/"
	    "PCR0\":[\"111111"
	    "11111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
	    "1"
	    "111\"],\"kms:RecipientAttestation/"
	    "PCR8\":[\"00000000000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000\"]}}}");
	o.allow_zero = false;
	/* a signed manifest with a zero PCR8 is refused too; with another, signed one */
	a.is_signed = true;
	CHECK(&u, dump(1, one, &o, &err) == NULL);
	fill(&b, 0x22);
	a.is_signed = false;
	b.pcr_mask = a.pcr_mask;
	o.pcrs = 0;
	CHECK(&u, dump(2, two, &o, &err) == NULL);
	CHECK(&u, strncmp(err.msg, "a.json: the image is unsigned", 29) == 0);

	/* a debug-mode PCR0 */
	fill(&a, 0);
	o.profile = QT_PROFILE_NITRO;
	CHECK(&u, dump(1, one, &o, &err) == NULL);
	CHECK_STR(&u, err.msg,
	    "a.json: PCR0 is all zero (a debug-mode value): a policy pinning it admits debug "
	    "enclaves; refusing without --allow-zero");
	o.allow_zero = true;
	free(dump(1, one, &o, &err));
	CHECK_STR(&u, err.msg, "");
	o.allow_zero = false;

	/* whole statements: Huawei Cloud IAM policy, defaults then options */
	fill(&a, 0x11);
	a.pcr_mask = 1u | 1u << 8;
	o.profile = QT_PROFILE_QINGTIAN;
	o.statement = true;
	snprintf(want, sizeof(want),
	    "{\"Version\":\"1.1\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
	    "[\"kms:cmk:decrypt\",\"kms:dek:decrypt\"],\"Resource\":\"*\",\"Condition\":"
	    "{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation/PCR0\":[\"%s\"],"
	    "\"kms:RecipientAttestation/PCR8\":[\"%s\"]}}}]}",
	    rep('1'), rep('8'));
	check(&u, dump(1, one, &o, &err), want);
	o.actions = acts;
	o.nactions = 1;
	o.resources = res;
	o.nresources = 2;
	snprintf(want, sizeof(want),
	    "{\"Version\":\"1.1\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
	    "[\"kms:cmk:generate\"],\"Resource\":[\"KMS:*:*:KeyId:k1\",\"KMS:*:*:KeyId:k2\"],"
	    "\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation/PCR0\":[\"%s\"],"
	    "\"kms:RecipientAttestation/PCR8\":[\"%s\"]}}}]}",
	    rep('1'), rep('8'));
	check(&u, dump(1, one, &o, &err), want);
	o.actions = NULL;
	o.resources = NULL;

	/* AWS key policy statement: needs a principal; the manifest's IAM role is one */
	o.profile = QT_PROFILE_NITRO;
	CHECK(&u, dump(1, one, &o, &err) == NULL);
	CHECK_STR(&u, err.msg,
	    "--statement: an AWS key policy statement needs a Principal: give --principal ARN (or "
	    "--iam-role, the parent instance's role)");
	a.iam_role = "arn:aws:iam::123456789012:role/parent";
	snprintf(want, sizeof(want),
	    "{\"Sid\":\"AllowAttestedEnclave\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
	    "\"arn:aws:iam::123456789012:role/parent\"},\"Action\":[\"kms:Decrypt\"],\"Resource\":"
	    "\"*\",\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation:"
	    "ImageSha384\":\"%s\",\"kms:RecipientAttestation:PCR8\":\"%s\"}}}",
	    rep('1'), rep('8'));
	check(&u, dump(1, one, &o, &err), want);
	/* two manifests naming other roles: say which principal */
	fill(&b, 0x22);
	b.pcr_mask = 1u | 1u << 8;
	b.iam_role = "arn:aws:iam::123456789012:role/other";
	CHECK(&u, dump(2, two, &o, &err) == NULL);
	CHECK_STR(&u, err.msg,
	    "b.json: its IAM role differs from a.json's: give the key policy's "
	    "--principal");
	o.principal = "arn:aws:iam::123456789012:role/kms-user";
	o.sid = "Rollout";
	snprintf(want, sizeof(want),
	    "{\"Sid\":\"Rollout\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
	    "\"arn:aws:iam::123456789012:role/"
	    "kms-user\"},\"Action\":[\"kms:Decrypt\"],\"Resource\":"
	    "\"*\",\"Condition\":{\"StringEqualsIgnoreCase\":{\"kms:RecipientAttestation:"
	    "ImageSha384\":[\"%s\",\"%s\"],\"kms:RecipientAttestation:PCR8\":\"%s\"}}}",
	    rep('1'), rep('2'), rep('8'));
	check(&u, dump(2, two, &o, &err), want);
	a.iam_role = b.iam_role = NULL;
	return unit_end(&u);
}
