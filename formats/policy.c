/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.c: KMS/IAM policies made from manifests (spec/attestation.md 5).
 * Key order is the order of the json_object_set_new calls below; the
 * statement shapes follow the provider documents cited in qt-measure(1).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "json.h"
#include "policy.h"
#include "text.h"

static const char *const huawei_actions[] = { "kms:cmk:decrypt", "kms:dek:decrypt" };
static const char *const aws_actions[] = { "kms:Decrypt" };
#define DEFAULT_SID "AllowAttestedEnclave"

static bool
zero48(const uint8_t *p)
{
	static const uint8_t z[PCR_LEN];

	return CRYPTO_memcmp(p, z, PCR_LEN) == 0;
}

/* The value of register i for manifest m under o: o's PCR3/PCR4 win; NULL = none. */
static const uint8_t *
value_of(const struct manifest *m, const struct policy_opts *o, unsigned i)
{
	if (i == 3 && o->have_pcr3)
		return o->pcr3;
	if (i == 4 && o->have_pcr4)
		return o->pcr4;
	if (i == 8 && !m->is_signed)
		return (m->pcr_mask & (1u << 8)) ? m->pcrs[8] : NULL;
	return (m->pcr_mask & (1u << i)) ? m->pcrs[i] : NULL;
}

/* The registers to pin: o->pcrs, else the documented default. */
static uint32_t
registers(size_t n, const struct manifest *const ms[], const struct policy_opts *o)
{
	uint32_t mask = 1u;
	size_t k;

	if (o->pcrs != 0)
		return o->pcrs;
	for (k = 0; k < n; k++) {
		if (ms[k]->is_signed)
			mask |= 1u << 8;
		mask |= ms[k]->pcr_mask & (1u << 3 | 1u << 4);
	}
	if (o->have_pcr3)
		mask |= 1u << 3;
	if (o->have_pcr4)
		mask |= 1u << 4;
	return mask;
}

/* Every manifest can be pinned on every register of mask; the refusals. */
static int
check(size_t n, const char *const names[], const struct manifest *const ms[],
    const struct policy_opts *o, uint32_t mask, struct qt_err *err)
{
	const uint8_t *v;
	size_t k;
	unsigned i;

	if (o->profile != QT_PROFILE_NITRO && (mask & ~POLICY_QINGTIAN_PCRS) != 0)
		return qt_err_set(err, EINVAL,
		    "--pcr: Huawei Cloud's condition keys name PCR0, PCR3, PCR4 and PCR8 only");
	for (k = 0; k < n; k++) {
		for (i = 0; i < PCR_COUNT; i++) {
			if (!(mask & (1u << i)))
				continue;
			if ((v = value_of(ms[k], o, i)) == NULL)
				return qt_err_set(err, EINVAL, "%s: holds no PCR%u to pin%s",
				    names[k], i,
				    i == 3   ? " (give --iam-agency or --iam-role)"
				    : i == 4 ? " (give --instance-id)"
				             : "");
			if (i == 0 && !o->allow_zero && zero48(v))
				return qt_err_set(err, EINVAL,
				    "%s: PCR0 is all zero (a debug-mode value): a policy pinning "
				    "it "
				    "admits debug enclaves; refusing without --allow-zero",
				    names[k]);
			if (i == 8 && !o->allow_zero && (!ms[k]->is_signed || zero48(v)))
				return qt_err_set(err, EINVAL,
				    "%s: the image is unsigned (PCR8 all zero): pinning PCR8 "
				    "proves "
				    "nothing; sign the image or pass --allow-zero",
				    names[k]);
			if (((i == 3 && o->have_pcr3) || (i == 4 && o->have_pcr4)) &&
			    (ms[k]->pcr_mask & (1u << i)) &&
			    CRYPTO_memcmp(ms[k]->pcrs[i], v, PCR_LEN) != 0)
				return qt_err_set(err, EINVAL, "%s: its PCR%u contradicts %s",
				    names[k], i, i == 3 ? o->pcr3_opt : o->pcr4_opt);
		}
	}
	return 0;
}

/* The distinct values of register i over the manifests, in order, as hex strings. */
static json_t *
values(size_t n, const struct manifest *const ms[], const struct policy_opts *o, unsigned i)
{
	char hex[2 * PCR_LEN + 1];
	json_t *list = json_array();
	const uint8_t *w;
	size_t k, j;
	bool seen;

	if (list == NULL)
		return NULL;
	for (k = 0; k < n; k++) {
		const uint8_t *v = value_of(ms[k], o, i);

		for (j = 0, seen = false; j < k && !seen; j++)
			seen = (w = value_of(ms[j], o, i)) != NULL && memcmp(w, v, PCR_LEN) == 0;
		if (seen)
			continue;
		qt_hex(v, PCR_LEN, hex);
		if (json_array_append_new(list, json_string(hex)) != 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

/*
 * {"StringEqualsIgnoreCase": {...}}: Huawei Cloud's slash keys, each a list;
 * AWS's colon keys (ImageSha384 is PCR0), a string or, for several values,
 * a list (any of them matches).
 */
static json_t *
condition(size_t n, const struct manifest *const ms[], const struct policy_opts *o, uint32_t mask)
{
	json_t *cond = json_object(), *eq = json_object(), *list;
	char key[64];
	unsigned i;
	int bad = cond == NULL || eq == NULL;

	for (i = 0; i < PCR_COUNT && !bad; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (o->profile != QT_PROFILE_NITRO)
			snprintf(key, sizeof(key), "kms:RecipientAttestation/PCR%u", i);
		else if (i == 0)
			snprintf(key, sizeof(key), "kms:RecipientAttestation:ImageSha384");
		else
			snprintf(key, sizeof(key), "kms:RecipientAttestation:PCR%u", i);
		if ((list = values(n, ms, o, i)) == NULL) {
			bad = 1;
			break;
		}
		if (o->profile == QT_PROFILE_NITRO && json_array_size(list) == 1) {
			json_t *one = json_incref(json_array_get(list, 0));

			json_decref(list);
			list = one;
		}
		bad |= json_object_set_new(eq, key, list);
	}
	bad |= json_object_set_new(cond, "StringEqualsIgnoreCase", eq);
	if (bad) {
		json_decref(cond);
		return NULL;
	}
	return cond;
}

/* Resource: "*" by default; the given ones as a list. */
static json_t *
resource(const struct policy_opts *o)
{
	return o->resources == NULL ? json_string("*")
	                            : qtjson_string_array(o->resources, o->nresources);
}

/* Huawei Cloud IAM: {"Version": "1.1", "Statement": [{Effect, Action, Resource, Condition}]}. */
static json_t *
huawei_statement(const struct policy_opts *o, json_t *cond)
{
	json_t *pol = json_object(), *list = json_array(), *st = json_object();
	int bad = pol == NULL || list == NULL || st == NULL;

	bad |= json_object_set_new(pol, "Version", json_string("1.1"));
	bad |= json_object_set_new(st, "Effect", json_string("Allow"));
	bad |= json_object_set_new(st, "Action",
	    o->actions != NULL
	        ? qtjson_string_array(o->actions, o->nactions)
	        : qtjson_string_array(huawei_actions, sizeof(huawei_actions) / sizeof(char *)));
	bad |= json_object_set_new(st, "Resource", resource(o));
	bad |= json_object_set_new(st, "Condition", cond);
	bad |= json_array_append_new(list, st);
	bad |= json_object_set_new(pol, "Statement", list);
	if (bad) {
		json_decref(pol);
		return NULL;
	}
	return pol;
}

/* AWS KMS key policy: one statement {Sid, Effect, Principal, Action, Resource, Condition}. */
static json_t *
aws_statement(const struct policy_opts *o, const char *principal, json_t *cond)
{
	json_t *st = json_object(), *pr = json_object();
	int bad = st == NULL || pr == NULL;

	bad |= json_object_set_new(st, "Sid", json_string(o->sid != NULL ? o->sid : DEFAULT_SID));
	bad |= json_object_set_new(st, "Effect", json_string("Allow"));
	bad |= json_object_set_new(pr, "AWS", json_string(principal));
	bad |= json_object_set_new(st, "Principal", pr);
	bad |= json_object_set_new(st, "Action",
	    o->actions != NULL
	        ? qtjson_string_array(o->actions, o->nactions)
	        : qtjson_string_array(aws_actions, sizeof(aws_actions) / sizeof(char *)));
	bad |= json_object_set_new(st, "Resource", resource(o));
	bad |= json_object_set_new(st, "Condition", cond);
	if (bad) {
		json_decref(st);
		return NULL;
	}
	return st;
}

/* The principal of a nitro statement: --principal, else the one IAM role named. */
static int
principal_of(size_t n, const char *const names[], const struct manifest *const ms[],
    const struct policy_opts *o, const char **ret, struct qt_err *err)
{
	const char *p = o->principal != NULL ? o->principal : o->role;
	size_t k;

	for (k = 0; p == NULL && k < n; k++)
		p = ms[k]->iam_role;
	for (k = 0; o->principal == NULL && o->role == NULL && p != NULL && k < n; k++)
		if (ms[k]->iam_role != NULL && strcmp(ms[k]->iam_role, p) != 0)
			return qt_err_set(err, EINVAL,
			    "%s: its IAM role differs from %s's: give the key policy's --principal",
			    names[k], names[0]);
	if (p == NULL)
		return qt_err_set(err, EINVAL,
		    "--statement: an AWS key policy statement needs a Principal: give --principal "
		    "ARN (or --iam-role, the parent instance's role)");
	*ret = p;
	return 0;
}

int
policy_make(size_t n, const char *const names[], const struct manifest *const ms[],
    const struct policy_opts *o, json_t **ret, struct qt_err *err)
{
	uint32_t mask = registers(n, ms, o);
	const char *principal = NULL;
	json_t *cond = NULL, *out = NULL;

	if (n == 0 || n > POLICY_MANIFESTS_MAX)
		return qt_err_set(
		    err, EINVAL, "policy: between 1 and %u manifests", POLICY_MANIFESTS_MAX);
	if (check(n, names, ms, o, mask, err) < 0)
		return -1;
	if (o->statement && o->profile == QT_PROFILE_NITRO &&
	    principal_of(n, names, ms, o, &principal, err) < 0)
		return -1;
	if ((cond = condition(n, ms, o, mask)) == NULL)
		goto nomem;
	if (!o->statement) {
		if ((out = json_object()) == NULL ||
		    json_object_set_new(out, "Condition", cond) != 0)
			goto nomem_out;
	} else {
		out = o->profile == QT_PROFILE_NITRO ? aws_statement(o, principal, cond)
		                                     : huawei_statement(o, cond);
		if (out == NULL)
			goto nomem;
	}
	*ret = out;
	return 0;
nomem_out:
	json_decref(out);
	/* json_object_set_new consumed cond */
	return qt_err_set(err, ENOMEM, "out of memory");
nomem:
	return qt_err_set(err, ENOMEM, "out of memory");
}
