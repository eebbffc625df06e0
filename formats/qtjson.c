/* SPDX-License-Identifier: Apache-2.0 */
/* qtjson.c: serde_json-compatible printing of jansson values. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "qtjson.h"

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
qtjson_sorted(const json_t *v, json_t **ret, struct qt_err *err)
{
	const char **keys = NULL;
	json_t *out = NULL, *child = NULL, *val;
	const char *key;
	size_t i, n;
	int r = -1;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		n = json_object_size(v);
		if ((out = json_object()) == NULL ||
		    (keys = calloc(n != 0 ? n : 1, sizeof(*keys))) == NULL)
			goto oom;
		i = 0;
		json_object_foreach((json_t *)v, key, val) keys[i++] = key;
		/* serde_json's Map is a BTreeMap<String, _>: byte-wise key order */
		qsort(keys, n, sizeof(*keys), cmp_keys);
		for (i = 0; i < n; i++) {
			if (qtjson_sorted(json_object_get(v, keys[i]), &child, err) < 0)
				goto out;
			if (json_object_set_new(out, keys[i], child) != 0) {
				child = NULL;
				goto oom;
			}
		}
		break;
	case JSON_ARRAY:
		if ((out = json_array()) == NULL)
			goto oom;
		for (i = 0; i < json_array_size(v); i++) {
			if (qtjson_sorted(json_array_get(v, i), &child, err) < 0)
				goto out;
			if (json_array_append_new(out, child) != 0)
				goto oom;
		}
		break;
	default:
		if ((out = json_deep_copy(v)) == NULL)
			goto oom;
		break;
	}
	*ret = out;
	out = NULL;
	r = 0;
	goto out;
oom:
	qt_err_set(err, ENOMEM, "out of memory");
out:
	free(keys);
	json_decref(out);
	return r;
}

int
qtjson_no_reals(const char *name, const char *what, const json_t *v, struct qt_err *err)
{
	const char *key;
	json_t *val;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_REAL:
		return qt_err_set(err, EINVAL,
		    "%s: %s: floating-point number %g is not supported (write it as a string or "
		    "an integer)",
		    name, what, json_real_value(v));
	case JSON_OBJECT:
		json_object_foreach(
		    (json_t *)v, key, val) if (qtjson_no_reals(name, what, val, err) < 0) return -1;
		return 0;
	case JSON_ARRAY:
		for (i = 0; i < json_array_size(v); i++)
			if (qtjson_no_reals(name, what, json_array_get(v, i), err) < 0)
				return -1;
		return 0;
	default:
		return 0;
	}
}

int
qtjson_dump(const json_t *v, bool pretty, char **ret, struct qt_err *err)
{
	size_t flags = JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
	char *s, *p;

	flags |= pretty ? JSON_INDENT(2) : JSON_COMPACT;
	if ((s = json_dumps(v, flags)) == NULL)
		return qt_err_set(err, ENOMEM, "cannot print JSON: out of memory");
	/*
	 * jansson writes control characters as \u001F, serde_json as \u001f. In
	 * jansson's output a backslash only ever starts an escape, so a walk
	 * over escapes is exact.
	 */
	for (p = s; *p != '\0'; p++) {
		if (*p != '\\')
			continue;
		p++;
		if (*p == 'u') {
			for (int i = 1; i <= 4 && p[i] != '\0'; i++)
				if (p[i] >= 'A' && p[i] <= 'F')
					p[i] = (char)(p[i] - 'A' + 'a');
			p += 4;
		}
	}
	*ret = s;
	return 0;
}
