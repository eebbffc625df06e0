/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest_report.h: the JSON report of qt-measure verify (man/qt-measure.1,
 * VERIFY REPORT) built from a document and the result of attest_verify().
 */
#ifndef QT_ATTEST_REPORT_H
#define QT_ATTEST_REPORT_H

#include <jansson.h>

#include "attest.h"

/*
 * The verification report: verdict, platform, instant, checks, the failed
 * checks, the document's fields. doc/res may be NULL for a document that
 * could not be read, then error_msg is reported. Returns a new reference or
 * NULL on allocation failure.
 */
json_t *attest_report_json(
    const struct attest_doc *doc, const struct attest_result *res, const char *error_msg);

/*
 * The one stderr line for a document that did not verify: the first failed
 * check and its detail, how many more failed, and a hint where one helps
 * (an expired chain checked now: --at doc; a debug-mode document:
 * --allow-debug). Written into buf (truncated to len).
 */
void attest_summary(
    const struct attest_result *res, const struct attest_opts *opts, char *buf, size_t len);

#endif
