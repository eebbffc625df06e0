/* SPDX-License-Identifier: Apache-2.0 */
/*
 * describe.h: the JSON documents qt-build and qt-measure print about an
 * image: measurements (QingTian superset or nitro-cli shape) and nitro-cli
 * describe-eif's document. Built with jansson in a fixed key order.
 */
#ifndef QT_DESCRIBE_H
#define QT_DESCRIBE_H

#include <jansson.h>

#include "eif.h"
#include "pcr.h"
#include "qt.h"

/* The measurements object. PCR8 is 96 zeros in the QingTian shape when unsigned. */
int describe_measurements(
    const struct pcr_set *p, enum qt_profile shape, json_t **ret, struct qt_err *err);

/* nitro-cli's inner Measurements map ("HashAlgorithm", PCR0..2, PCR8 if signed). */
int describe_nitro_map(const struct pcr_set *p, json_t **ret, struct qt_err *err);

/*
 * SigningCertificate of nitro-cli describe-eif for the first certificate in
 * pem: IssuerName (OpenSSL long names, sorted), Algorithm, NotBefore,
 * NotAfter (OpenSSL text), Signature (upper-case XX:XX:..).
 */
int describe_cert_info(
    const char *name, const uint8_t *pem, size_t len, json_t **ret, struct qt_err *err);

/*
 * nitro-cli describe-eif's document: EifVersion, Measurements, IsSigned,
 * SigningCertificate?, CheckCRC, SignatureCheck?, ImageName?, ImageVersion?,
 * Metadata?. p must hold PCR0/1/2 (and PCR8 via eif_sig_image_pcr8).
 * SignatureCheck is eif_sig_check_pcr0 against p->pcr0. *ret_pass is
 * false when CheckCRC or SignatureCheck is false (why says which).
 */
int describe_document(const char *name, const struct eif_info *info, const struct pcr_set *p,
    json_t **ret, bool *ret_pass, struct qt_err *why, struct qt_err *err);

#endif
