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
 * PCR8 of a signed image: extend(0, SHA384(DER of the first certificate in
 * the signature section)). Sets p->has_pcr8 (false and 0 if unsigned).
 * A malformed signature section or certificate is an error (-1).
 */
int describe_pcr8(
    const char *name, const struct eif_info *info, struct pcr_set *p, struct qt_err *err);

/*
 * The signature check of a signed image: the COSE_Sign1 verifies with the
 * certificate's key AND its payload is serde_cbor(PcrInfo{0, PCR0}) of the
 * computed PCR0. Returns 0 pass, 1 fail (why says why), -1 cannot check.
 */
int describe_signature_check(const char *name, const struct eif_info *info, const struct pcr_set *p,
    struct qt_err *why, struct qt_err *err);

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
 * Metadata?. p must hold PCR0/1/2 (and PCR8 via describe_pcr8). *ret_pass is
 * false when CheckCRC or SignatureCheck is false (why says which).
 */
int describe_document(const char *name, const struct eif_info *info, const struct pcr_set *p,
    json_t **ret, bool *ret_pass, struct qt_err *why, struct qt_err *err);

#endif
