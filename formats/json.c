/* SPDX-License-Identifier: Apache-2.0 */
/* json.c: serde_json-compatible printing of jansson values. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

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
		json_object_foreach((json_t *)v, key, val)
			keys[i++] = key;
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
		json_object_foreach((json_t *)v, key, val)
			if (qtjson_no_reals(name, what, val, err) < 0)
				return -1;
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
qtjson_format_real(double v, char *buf, size_t size)
{
	char sci[40], digits[20], *e, *q;
	double a = v < 0 ? -v : v; /* no libm */
	int p, exp10, kk, len, k, i, n;

	if (!isfinite(v) || size < 32)
		return -1;
	if (a == 0.0)
		return snprintf(buf, size, "%s0.0", signbit(v) ? "-" : "") < 0 ? -1 : 0;
	/* shortest digits that read back as a: the correctly rounded p-digit form */
	for (p = 1; p <= 17; p++) {
		snprintf(sci, sizeof(sci), "%.*e", p - 1, a);
		if (strtod(sci, NULL) == a)
			break;
	}
	if ((e = strchr(sci, 'e')) == NULL)
		return -1;
	exp10 = atoi(e + 1);
	for (len = 0, q = sci; q < e; q++)
		if (*q != '.')
			digits[len++] = *q;
	digits[len] = '\0';
	/* ryu's layout (serde_json): value = digits * 10^k, 10^(kk-1) <= value < 10^kk */
	kk = exp10 + 1;
	k = kk - len;
	n = 0;
	if (signbit(v))
		buf[n++] = '-';
	if (k >= 0 && kk <= 16) {
		n += snprintf(buf + n, size - (size_t)n, "%s", digits);
		for (i = len; i < kk; i++)
			buf[n++] = '0';
		n += snprintf(buf + n, size - (size_t)n, ".0");
	} else if (kk > 0 && kk <= 16) {
		n += snprintf(buf + n, size - (size_t)n, "%.*s.%s", kk, digits, digits + kk);
	} else if (kk > -5 && kk <= 0) {
		n += snprintf(buf + n, size - (size_t)n, "0.");
		for (i = 0; i < -kk; i++)
			buf[n++] = '0';
		n += snprintf(buf + n, size - (size_t)n, "%s", digits);
	} else if (len == 1) {
		n += snprintf(buf + n, size - (size_t)n, "%se%d", digits, kk - 1);
	} else {
		n += snprintf(buf + n, size - (size_t)n, "%c.%se%d", digits[0], digits + 1, kk - 1);
	}
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* Is byte c in any key or string of v? */
static bool
has_byte(const json_t *v, char c)
{
	const char *key;
	json_t *val;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return memchr(json_string_value(v), c, json_string_length(v)) != NULL;
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, key, val)
			if (strchr(key, c) != NULL || has_byte(val, c))
				return true;
		return false;
	case JSON_ARRAY:
		for (i = 0; i < json_array_size(v); i++)
			if (has_byte(json_array_get(v, i), c))
				return true;
		return false;
	default:
		return false;
	}
}

struct reals {
	char mark; /* a control byte no string of the document holds */
	char (*text)[32];
	size_t n, cap;
};

/* Copy of v (same order) with every real replaced by the string "<mark>r<index>". */
static json_t *
mark_reals(const json_t *v, struct reals *rs)
{
	json_t *out, *child, *val;
	const char *key;
	char tag[32];
	size_t i;

	switch (json_typeof(v)) {
	case JSON_REAL:
		if (rs->n == rs->cap) {
			size_t cap = rs->cap != 0 ? 2 * rs->cap : 16;
			char(*t)[32] = realloc(rs->text, cap * sizeof(*t));

			if (t == NULL)
				return NULL;
			rs->text = t;
			rs->cap = cap;
		}
		if (qtjson_format_real(json_real_value(v), rs->text[rs->n], 32) < 0)
			return NULL;
		snprintf(tag, sizeof(tag), "%cr%zu", rs->mark, rs->n++);
		return json_string(tag);
	case JSON_OBJECT:
		if ((out = json_object()) == NULL)
			return NULL;
		json_object_foreach((json_t *)v, key, val) {
			if ((child = mark_reals(val, rs)) == NULL ||
			    json_object_set_new(out, key, child) != 0) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	case JSON_ARRAY:
		if ((out = json_array()) == NULL)
			return NULL;
		for (i = 0; i < json_array_size(v); i++) {
			if ((child = mark_reals(json_array_get(v, i), rs)) == NULL ||
			    json_array_append_new(out, child) != 0) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	default:
		return json_deep_copy(v);
	}
}

/*
 * If p starts the mark string "\u00XXr<i>" (pat = its head as jansson escapes
 * it) of real number i, return i and set *end past it; otherwise SIZE_MAX.
 */
static size_t
mark_at(const char *p, const char *pat, size_t plen, const struct reals *rs, const char **end)
{
	unsigned long idx;
	char *e;

	if (strncmp(p, pat, plen) != 0)
		return SIZE_MAX;
	idx = strtoul(p + plen, &e, 10);
	if (*e != '"' || idx >= rs->n)
		return SIZE_MAX;
	*end = e + 1;
	return idx;
}

/* Replace each mark string by the text of its real number (a real's text may be longer). */
static char *
unmark_reals(const char *s, const struct reals *rs)
{
	char pat[16], *out, *o;
	const char *p, *end;
	size_t plen, idx, need = 1;

	snprintf(pat, sizeof(pat),
	    "\"\\u%04X"
	    "r",
	    (unsigned char)rs->mark);
	plen = strlen(pat);
	for (p = s; *p != '\0';) {
		if ((idx = mark_at(p, pat, plen, rs, &end)) != SIZE_MAX) {
			need += strlen(rs->text[idx]);
			p = end;
		} else {
			need++;
			p++;
		}
	}
	if ((out = malloc(need)) == NULL)
		return NULL;
	for (p = s, o = out; *p != '\0';) {
		if ((idx = mark_at(p, pat, plen, rs, &end)) != SIZE_MAX) {
			size_t len = strlen(rs->text[idx]);

			memcpy(o, rs->text[idx], len);
			o += len;
			p = end;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

int
qtjson_dump(const json_t *v, bool pretty, char **ret, struct qt_err *err)
{
	size_t flags = JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
	struct reals rs = { 0 };
	json_t *marked = NULL;
	char *s = NULL, *t, *p;
	int r = -1;

	flags |= pretty ? JSON_INDENT(2) : JSON_COMPACT;
	/*
	 * jansson prints reals with 17 digits, serde_json the shortest form that
	 * reads back (ryu). Reals go out as marked strings and come back as
	 * serde's text; the mark is a control byte no string here contains.
	 */
	if (qtjson_no_reals("", "", v, NULL) < 0) {
		for (rs.mark = 1; rs.mark < 0x20; rs.mark++)
			if (rs.mark != '\b' && rs.mark != '\t' && rs.mark != '\n' &&
			    rs.mark != '\f' && rs.mark != '\r' && !has_byte(v, rs.mark))
				break;
		if (rs.mark < 0x20 && (marked = mark_reals(v, &rs)) == NULL) {
			qt_err_set(err, ENOMEM, "cannot print JSON: out of memory");
			goto out;
		}
	}
	if ((s = json_dumps(marked != NULL ? marked : v, flags)) == NULL) {
		qt_err_set(err, ENOMEM, "cannot print JSON: out of memory");
		goto out;
	}
	if (marked != NULL) {
		if ((t = unmark_reals(s, &rs)) == NULL) {
			qt_err_set(err, ENOMEM, "cannot print JSON: out of memory");
			goto out;
		}
		free(s);
		s = t;
	}
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
	s = NULL;
	r = 0;
out:
	free(s);
	free(rs.text);
	json_decref(marked);
	return r;
}

json_t *
qtjson_string_array(const char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		if (json_array_append_new(a, json_string(v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}
