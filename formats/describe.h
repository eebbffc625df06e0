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

enum describe_shape {
	/* {"digest":"SHA384","PCR0","PCR1","PCR2","PCR8"}: superset of qt enclave make-img */
	DESCRIBE_QINGTIAN,
	/* {"Measurements":{"HashAlgorithm":"Sha384 { ... }","PCR0","PCR1","PCR2"[,"PCR8"]}} */
	DESCRIBE_NITRO,
};

/* Parse "qingtian" / "nitro"; returns 0 or -1. */
int describe_parse_shape(const char *text, enum describe_shape *ret);

/* The measurements object. PCR8 is 96 zeros in the QingTian shape when unsigned. */
int describe_measurements(const struct pcr_set *p, enum describe_shape shape, json_t **ret,
    struct qt_err *err);

/* nitro-cli's inner Measurements map ("HashAlgorithm", PCR0..2, PCR8 if signed). */
int describe_nitro_map(const struct pcr_set *p, json_t **ret, struct qt_err *err);

#endif
