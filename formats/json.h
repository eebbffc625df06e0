/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.h: JSON through jansson, printed byte-for-byte as serde_json prints
 * it (the reference tools are Rust): compact or 2-space pretty, objects in
 * insertion order (build them sorted with qtjson_sorted where serde sorts),
 * raw UTF-8, lower-case \u escapes, reals in ryu's shortest form. qt never
 * writes reals into an image (qtjson_no_reals): parsing decimal text may
 * round differently from serde_json's default parser.
 */
#ifndef QT_JSON_H
#define QT_JSON_H

#include <stdbool.h>

#include <jansson.h>

#include "qt.h"

/* Deep copy of v with every object's keys in byte-wise sorted order (serde_json Map). */
int qtjson_sorted(const json_t *v, json_t **ret, struct qt_err *err);
/* Fail ("<name>: <what>: floating-point number ...") if v holds a real anywhere. */
int qtjson_no_reals(const char *name, const char *what, const json_t *v, struct qt_err *err);
/* serde_json's (ryu's) text of a finite double into buf (>= 32 bytes); -1 if not finite. */
int qtjson_format_real(double v, char *buf, size_t size);
/* A JSON array of the n strings of v; NULL on allocation failure or text that is not UTF-8. */
json_t *qtjson_string_array(const char *const *v, size_t n);
/* Dump v (any value) as serde_json would; *ret is malloc'd, NUL-terminated, no newline. */
int qtjson_dump(const json_t *v, bool pretty, char **ret, struct qt_err *err);

#endif
