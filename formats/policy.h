/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.h: the KMS/IAM condition block that pins a manifest's PCRs
 * (spec/attestation.md 5), in the key conventions of the profile's cloud:
 * Huawei Cloud for qingtian, AWS for nitro.
 */
#ifndef QT_POLICY_H
#define QT_POLICY_H

#include <stdbool.h>

#include <jansson.h>

#include "manifest.h"
#include "qt.h"

/*
 * {"Condition":{"StringEqualsIgnoreCase":{...}}}. QT_PROFILE_QINGTIAN:
 * kms:RecipientAttestation/PCR0|3|4|8, each a one-element list;
 * QT_PROFILE_NITRO: kms:RecipientAttestation:ImageSha384 (PCR0) and
 * :PCR<n> for the others. Refuses (-1, err naming name) an all-zero PCR0 or
 * the PCR8 of an unsigned image unless allow_zero. *ret is a new reference.
 */
int policy_conditions(const char *name, const struct manifest *m, enum qt_profile profile,
    bool allow_zero, json_t **ret, struct qt_err *err);

#endif
