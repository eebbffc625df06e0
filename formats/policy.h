/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.h: KMS/IAM policies that pin the PCRs of one or more manifests
 * (spec/attestation.md 5), in the conventions of the profile's cloud:
 * Huawei Cloud IAM for qingtian, an AWS KMS key-policy statement for nitro.
 * Either the condition block alone or a whole statement.
 */
#ifndef QT_POLICY_H
#define QT_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "manifest.h"
#include "qt.h"

#define POLICY_MANIFESTS_MAX 64 /* manifests in one policy (a rollout) */
#define POLICY_LIST_MAX      32 /* --action / --resource values */

/* The registers Huawei Cloud's condition keys name: PCR0, 3, 4 and 8. */
#define POLICY_QINGTIAN_PCRS (1u | 1u << 3 | 1u << 4 | 1u << 8)

struct policy_opts {
	enum qt_profile profile; /* qingtian: Huawei Cloud; nitro: AWS KMS */
	uint32_t pcrs;           /* registers to pin; 0 = the default (policy_make) */
	bool allow_zero;         /* pin an all-zero PCR0 or an unsigned image's PCR8 anyway */
	/* PCR3/PCR4 given on the command line (the parent's identity), with the option's name */
	bool have_pcr3, have_pcr4;
	uint8_t pcr3[PCR_LEN], pcr4[PCR_LEN];
	const char *pcr3_opt, *pcr4_opt;
	const char *role; /* the IAM role behind --iam-role (nitro), or NULL */
	/* a whole statement instead of the condition block */
	bool statement;
	const char *const *actions; /* NULL = the profile's default */
	size_t nactions;
	const char *const *resources; /* NULL = "*" */
	size_t nresources;
	const char *principal; /* nitro: the key policy's principal ARN, NULL = the IAM role */
	const char *sid;       /* nitro: the statement's Sid, NULL = default */
};

/*
 * The policy for the manifests ms[0..n) (names[i] names ms[i] in messages).
 * Registers: o->pcrs, or by default PCR0, PCR8 when a manifest is signed,
 * PCR3/PCR4 when a manifest holds them (or they are given in o); each key
 * lists the distinct values of all manifests in order (any of them is
 * allowed: a rollout). A register one manifest lacks is an error naming it;
 * so are an all-zero PCR0 and the PCR8 of an unsigned image unless
 * allow_zero, a PCR3/PCR4 that contradicts o's, a register Huawei Cloud has
 * no key for (qingtian: 0, 3, 4, 8), and a nitro statement without a
 * principal. *ret is a new reference. -1 with err.
 */
int policy_make(size_t n, const char *const names[], const struct manifest *const ms[],
    const struct policy_opts *o, json_t **ret, struct qt_err *err);

#endif
