/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.c: KMS/IAM policy conditions made from a manifest (spec/attestation.md
 * 5). Key order is the order of the json_object_set_new calls below.
 */
#include <errno.h>
#include <stdio.h>

#include <openssl/crypto.h>

#include "policy.h"
#include "text.h"

static bool
zero48(const uint8_t *p)
{
	static const uint8_t z[PCR_LEN];

	return CRYPTO_memcmp(p, z, PCR_LEN) == 0;
}

static json_t *
pcr_json(const uint8_t pcr[PCR_LEN])
{
	char hex[2 * PCR_LEN + 1];

	qt_hex(pcr, PCR_LEN, hex);
	return json_string(hex);
}

/* Huawei Cloud KMS/IAM: slash keys, lists of values; PCR0, 3, 4 and 8 only. */
static int
huawei(const struct manifest *m, json_t *eq)
{
	static const unsigned idx[] = { 0, 3, 4, 8 };
	char key[64];
	json_t *list;
	unsigned i;
	int bad = 0;

	for (i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
		if (!(m->pcr_mask & (1u << idx[i])))
			continue;
		snprintf(key, sizeof(key), "kms:RecipientAttestation/PCR%u", idx[i]);
		if ((list = json_array()) == NULL)
			return -1;
		bad |= json_array_append_new(list, pcr_json(m->pcrs[idx[i]]));
		bad |= json_object_set_new(eq, key, list);
	}
	return bad;
}

/* AWS KMS: ImageSha384 is PCR0; the others by index. */
static int
aws(const struct manifest *m, json_t *eq)
{
	char key[64];
	unsigned i;
	int bad = 0;

	bad |=
	    json_object_set_new(eq, "kms:RecipientAttestation:ImageSha384", pcr_json(m->pcrs[0]));
	for (i = 1; i < PCR_COUNT; i++) {
		if (!(m->pcr_mask & (1u << i)))
			continue;
		snprintf(key, sizeof(key), "kms:RecipientAttestation:PCR%u", i);
		bad |= json_object_set_new(eq, key, pcr_json(m->pcrs[i]));
	}
	return bad;
}

int
policy_conditions(const char *name, const struct manifest *m, enum qt_profile profile,
    bool allow_zero, json_t **ret, struct qt_err *err)
{
	json_t *o = NULL, *cond = NULL, *eq = NULL;
	int bad = 0;

	if (!allow_zero && zero48(m->pcrs[0]))
		return qt_err_set(err, EINVAL,
		    "%s: PCR0 is all zero (a debug-mode value): a policy pinning it admits debug "
		    "enclaves; refusing without --allow-zero",
		    name);
	if (!allow_zero && (!m->is_signed || zero48(m->pcrs[8])))
		return qt_err_set(err, EINVAL,
		    "%s: the image is unsigned (PCR8 all zero): pinning PCR8 proves nothing; sign "
		    "the image or pass --allow-zero",
		    name);
	if ((o = json_object()) == NULL || (cond = json_object()) == NULL ||
	    (eq = json_object()) == NULL)
		goto fail;
	bad |= profile == QT_PROFILE_NITRO ? aws(m, eq) : huawei(m, eq);
	bad |= json_object_set_new(cond, "StringEqualsIgnoreCase", eq);
	eq = NULL;
	bad |= json_object_set_new(o, "Condition", cond);
	cond = NULL;
	if (bad)
		goto fail;
	*ret = o;
	return 0;
fail:
	json_decref(o);
	json_decref(cond);
	json_decref(eq);
	return qt_err_set(err, ENOMEM, "%s: out of memory", name);
}
