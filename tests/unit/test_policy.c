/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_policy.c: the KMS/IAM condition blocks of both profiles, byte for
 * byte, and the refusals (all-zero PCR0, unsigned PCR8) with --allow-zero.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "policy.h"
#include "unit.h"

static void
fill(struct manifest *m)
{
	memset(m, 0, sizeof(*m));
	m->platform = QT_PROFILE_QINGTIAN;
	m->pcr_mask = 1u | 1u << 3 | 1u << 4 | 1u << 8;
	memset(m->pcrs[0], 0x11, PCR_LEN);
	memset(m->pcrs[3], 0x33, PCR_LEN);
	memset(m->pcrs[4], 0x44, PCR_LEN);
	memset(m->pcrs[8], 0x88, PCR_LEN);
	m->is_signed = true;
}

/* 96 hex digits of the byte b repeated. */
static const char *
rep(char c)
{
	static char buf[4][2 * PCR_LEN + 1];
	static unsigned next;
	char *s = buf[next++ % 4];

	memset(s, c, 2 * PCR_LEN);
	s[2 * PCR_LEN] = '\0';
	return s;
}

static char *
dump(const struct manifest *m, enum qt_profile p, bool allow_zero, struct qt_err *err)
{
	json_t *pol = NULL;
	char *s = NULL;

	qt_err_clear(err);
	if (policy_conditions("m.json", m, p, allow_zero, &pol, err) == 0)
		s = json_dumps(pol, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(pol);
	return s;
}

int
main(void)
{
	struct unit u = { 0 };
	struct qt_err err = { 0 };
	struct manifest m;
	char want[2048], *s;

	/* qingtian: Huawei Cloud keys with '/', one-element lists, PCR0/3/4/8 only */
	fill(&m);
	m.pcr_mask |= 1u << 1; /* PCR1 is not a Huawei condition key */
	memset(m.pcrs[1], 0x01, PCR_LEN);
	snprintf(want, sizeof(want),
	    "{\"Condition\":{\"StringEqualsIgnoreCase\":{"
	    "\"kms:RecipientAttestation/PCR0\":[\"%s\"],"
	    "\"kms:RecipientAttestation/PCR3\":[\"%s\"],"
	    "\"kms:RecipientAttestation/PCR4\":[\"%s\"],"
	    "\"kms:RecipientAttestation/PCR8\":[\"%s\"]}}}",
	    rep('1'), rep('3'), rep('4'), rep('8'));
	s = dump(&m, QT_PROFILE_QINGTIAN, false, &err);
	CHECK_STR(&u, s, want);
	free(s);

	/* nitro: AWS keys with ':', ImageSha384 for PCR0, then every other PCR by index */
	snprintf(want, sizeof(want),
	    "{\"Condition\":{\"StringEqualsIgnoreCase\":{"
	    "\"kms:RecipientAttestation:ImageSha384\":\"%s\","
	    "\"kms:RecipientAttestation:PCR1\":\"%s\","
	    "\"kms:RecipientAttestation:PCR3\":\"%s\","
	    "\"kms:RecipientAttestation:PCR4\":\"%s\","
	    "\"kms:RecipientAttestation:PCR8\":\"%s\"}}}",
	    rep('1'),
	    "010101010101010101010101010101010101010101010101"
	    "010101010101010101010101010101010101010101010101",
	    rep('3'), rep('4'), rep('8'));
	s = dump(&m, QT_PROFILE_NITRO, false, &err);
	CHECK_STR(&u, s, want);
	free(s);

	/* unsigned: pinning a zero PCR8 proves nothing */
	fill(&m);
	m.is_signed = false;
	memset(m.pcrs[8], 0, PCR_LEN);
	CHECK(&u, dump(&m, QT_PROFILE_QINGTIAN, false, &err) == NULL);
	CHECK_STR(&u, err.msg,
	    "m.json: the image is unsigned (PCR8 all zero): pinning PCR8 proves nothing; sign the "
	    "image or pass --allow-zero");
	s = dump(&m, QT_PROFILE_QINGTIAN, true, &err);
	CHECK(&u, s != NULL && strstr(s, rep('0')) != NULL);
	free(s);
	/* signed but a zero PCR8 is refused too */
	m.is_signed = true;
	CHECK(&u, dump(&m, QT_PROFILE_NITRO, false, &err) == NULL);

	/* a debug-mode PCR0 */
	fill(&m);
	memset(m.pcrs[0], 0, PCR_LEN);
	CHECK(&u, dump(&m, QT_PROFILE_NITRO, false, &err) == NULL);
	CHECK_STR(&u, err.msg,
	    "m.json: PCR0 is all zero (a debug-mode value): a policy pinning it admits debug "
	    "enclaves; refusing without --allow-zero");
	s = dump(&m, QT_PROFILE_NITRO, true, &err);
	CHECK(&u, s != NULL);
	free(s);
	return unit_end(&u);
}
