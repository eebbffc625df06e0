/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest.c: reading attestation documents (spec/attestation.md): the text
 * forms (hex, base64 through text.h), the COSE_Sign1 envelope and payload
 * schema with libcbor (outer tag handled here: libcbor 0.8 rejects `d2`),
 * the protected header through cose.h. Nothing is verified here: the checks
 * are in attest_verify.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "attest.h"
#include "bytes.h"
#include "cose.h"
#include "text.h"

/* The two protected-header encodings of {1: -35} seen on real hardware (spec 1). */
static const uint8_t PROT_NITRO[] = { 0xa1, 0x01, 0x38, 0x22 };

/* ---- text forms ------------------------------------------------------------------ */

static bool
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
attest_decode_text(const char *name, const uint8_t *buf, size_t len, uint8_t **ret, size_t *ret_len,
    struct qt_err *err)
{
	uint8_t *txt = NULL, *out = NULL;
	size_t i, n = 0, o = 0;
	bool text = len > 0, hex = true, std_abc = false, url_abc = false;
	char label[512];
	int r = -1;

	/* A binary COSE_Sign1 starts with an array or tag head (>= 0x80): an input
	   that is all printable ASCII can only be a text form. */
	for (i = 0; i < len && text; i++)
		if (buf[i] >= 0x7f || (buf[i] < 0x20 && !is_space(buf[i])))
			text = false;
	if (!text) {
		if (len == 0) {
			qt_err_set(err, EINVAL, "%s: empty document", name);
			goto out;
		}
		if (len > ATTEST_DOC_MAX) {
			qt_err_set(err, EFBIG, "%s: %zu bytes exceeds the document limit of %u",
			    name, len, ATTEST_DOC_MAX);
			goto out;
		}
		if ((out = malloc(len)) == NULL) {
			qt_err_set(err, ENOMEM, "%s: out of memory", name);
			goto out;
		}
		memcpy(out, buf, len);
		o = len;
		goto done;
	}
	if ((txt = malloc(len)) == NULL || (out = malloc(len)) == NULL) {
		qt_err_set(err, ENOMEM, "%s: out of memory", name);
		goto out;
	}
	for (i = 0; i < len; i++) {
		if (is_space(buf[i]))
			continue;
		txt[n++] = buf[i];
		if (qt_hex_digit(buf[i]) < 0)
			hex = false;
	}
	if (n == 0) {
		qt_err_set(err, EINVAL, "%s: empty document", name);
		goto out;
	}
	if (hex && n % 2 == 0) {
		for (i = 0; i < n; i += 2)
			out[o++] = (uint8_t)(qt_hex_digit(txt[i]) << 4 | qt_hex_digit(txt[i + 1]));
		goto done;
	}
	/* base64 in either alphabet (RFC 4648 sections 4 and 5), padded or not,
	   as browsers and the JavaScript and Go SDKs write it; one alphabet only */
	for (i = 0; i < n; i++) {
		std_abc |= txt[i] == '+' || txt[i] == '/';
		url_abc |= txt[i] == '-' || txt[i] == '_';
	}
	if (std_abc && url_abc) {
		qt_err_set(err, EINVAL,
		    "%s: text document mixes the standard (+/) and URL-safe (-_) base64 alphabets",
		    name);
		goto out;
	}
	for (i = 0; i < n; i++)
		txt[i] = txt[i] == '+' ? '-' : txt[i] == '/' ? '_' : txt[i];
	free(out);
	out = NULL;
	snprintf(label, sizeof(label), "%s: text document is neither hex nor base64", name);
	if (qt_base64_decode(label, QT_BASE64_URL, (const char *)txt, n, &out, &o, err) < 0)
		goto out;
done:
	if (o > ATTEST_DOC_MAX) {
		qt_err_set(err, EFBIG, "%s: %zu bytes exceeds the document limit of %u", name, o,
		    ATTEST_DOC_MAX);
		goto out;
	}
	*ret = out;
	*ret_len = o;
	out = NULL;
	r = 0;
out:
	free(txt);
	free(out);
	return r;
}

/* ---- parsing ---------------------------------------------------------------------- */

static const char *
cbor_err_name(cbor_error_code c)
{
	switch (c) {
	case CBOR_ERR_NOTENOUGHDATA:
		return "truncated";
	case CBOR_ERR_NODATA:
		return "no data";
	case CBOR_ERR_MALFORMATED:
		return "malformed";
	case CBOR_ERR_MEMERROR:
		return "out of memory";
	case CBOR_ERR_SYNTAXERROR:
		return "syntax error";
	default:
		return "error";
	}
}

/*
 * Walk the heads of the first CBOR item in buf without building it: every
 * announced string length and element count must fit in the bytes left and
 * nesting stays within ATTEST_CBOR_DEPTH_MAX. libcbor 0.8 allocates a
 * map or array for its announced size before reading it (a 5-byte head
 * asks for gigabytes) and frees deep trees recursively; this check runs
 * first so neither can happen. Well-formedness details are left to libcbor.
 */
static int
cbor_precheck(const char *name, const char *what, size_t base, const uint8_t *buf, size_t len,
    struct qt_err *err)
{
	struct {
		uint64_t left; /* items still to read; unused when indef */
		int indef;     /* 0 definite, 1 indefinite container, 2 string chunks */
	} st[ATTEST_CBOR_DEPTH_MAX];
	size_t depth = 1, off = 0, at, n, i;
	uint64_t val, mult;
	unsigned mt, ai;

	st[0].left = 1;
	st[0].indef = 0;
	while (depth > 0) {
		if (st[depth - 1].indef == 0 && st[depth - 1].left == 0) {
			depth--;
			continue;
		}
		at = off;
		if (off >= len)
			return 0; /* truncated: libcbor says so */
		mt = buf[off] >> 5;
		ai = buf[off] & 0x1fu;
		off++;
		if (st[depth - 1].indef != 0 && mt == 7 && ai == 31) {
			depth--; /* break */
			continue;
		}
		if (st[depth - 1].indef == 0)
			st[depth - 1].left--;
		if (ai >= 28 && (ai != 31 || mt == 0 || mt == 1 || mt == 6))
			return 0; /* malformed head: libcbor stops here, no callback */
		/*
		 * A break outside an indefinite item, or an item other than a
		 * definite string inside an indefinite string: libcbor calls the
		 * item's callback first (allocating for an array or map head) and
		 * only then notices, so these are refused here.
		 */
		val = ai;
		if (ai >= 24 && ai <= 27) {
			n = (size_t)1 << (ai - 24);
			if (n > len - off)
				return 0; /* truncated head: libcbor stops here */
			for (val = 0, i = 0; i < n; i++)
				val = val << 8 | buf[off + i];
			off += n;
		}
		/* the offset after the head, as libcbor reports its syntax errors */
		if ((mt == 7 && ai == 31) ||
		    (st[depth - 1].indef == 2 && ((mt != 2 && mt != 3) || ai == 31)))
			return qt_err_set(err, EINVAL,
			    "%s: %s: malformed CBOR (syntax error) at offset %zu", name, what,
			    base + off);
		if (mt == 2 || mt == 3) {
			if (ai != 31) {
				if (val > len - off)
					return 0; /* truncated string */
				off += (size_t)val;
				continue;
			}
		} else if (mt == 4 || mt == 5) {
			mult = mt == 5 ? 2 : 1;
			if (ai != 31 && val > (len - off) / mult)
				return qt_err_set(err, EINVAL,
				    "%s: %s: %llu elements announced at offset %zu, only %zu bytes "
				    "left",
				    name, what, (unsigned long long)val, base + at, len - off);
			val *= mult;
		} else if (mt != 6) {
			continue; /* integers, simple values, floats */
		} else {
			val = 1; /* a tag: one item follows */
		}
		if (depth == ATTEST_CBOR_DEPTH_MAX)
			return qt_err_set(err, EINVAL,
			    "%s: %s: nested deeper than %d levels at offset %zu", name, what,
			    ATTEST_CBOR_DEPTH_MAX, base + at);
		st[depth].indef = ai != 31 ? 0 : mt == 2 || mt == 3 ? 2 : 1;
		st[depth].left = val;
		depth++;
	}
	return 0;
}

/* Load exactly one CBOR item covering all of buf. */
static int
load_one(const char *name, const char *what, size_t base, const uint8_t *buf, size_t len,
    cbor_item_t **ret, struct qt_err *err)
{
	struct cbor_load_result res;
	cbor_item_t *item;

	if (len == 0)
		return qt_err_set(err, EINVAL, "%s: %s: empty at offset %zu", name, what, base);
	if (cbor_precheck(name, what, base, buf, len, err) < 0)
		return -1;
	item = cbor_load(buf, len, &res);
	if (item == NULL || res.error.code != CBOR_ERR_NONE) {
		if (item != NULL)
			cbor_decref(&item);
		return qt_err_set(err, EINVAL, "%s: %s: malformed CBOR (%s) at offset %zu", name,
		    what, cbor_err_name(res.error.code), base + res.error.position);
	}
	if (res.read != len) {
		cbor_decref(&item);
		return qt_err_set(err, EINVAL, "%s: %s: %zu trailing bytes at offset %zu", name,
		    what, len - res.read, base + res.read);
	}
	*ret = item;
	return 0;
}

static const char *
tag_name(uint64_t tag)
{
	switch (tag) {
	case 16:
		return "COSE_Encrypt0";
	case 17:
		return "COSE_Mac0";
	case 96:
		return "COSE_Encrypt";
	case 97:
		return "COSE_Mac";
	case 98:
		return "COSE_Sign";
	default:
		return "unknown";
	}
}

/* Copy the content of a definite byte string. */
static int
take_bstr(const char *name, const char *what, const cbor_item_t *it, size_t min, size_t max,
    struct attest_bytes *ret, struct qt_err *err)
{
	size_t n;

	if (!cbor_isa_bytestring(it))
		return qt_err_set(err, EINVAL, "%s: %s: not a byte string", name, what);
	if (!cbor_bytestring_is_definite(it))
		return qt_err_set(err, EINVAL, "%s: %s: indefinite-length byte string", name, what);
	n = cbor_bytestring_length(it);
	if (n < min)
		return qt_err_set(
		    err, EINVAL, "%s: %s: %zu bytes, at least %zu required", name, what, n, min);
	if (n > max)
		return qt_err_set(
		    err, EINVAL, "%s: %s: %zu bytes exceeds the limit of %zu", name, what, n, max);
	if ((ret->p = malloc(n > 0 ? n : 1)) == NULL)
		return qt_err_set(err, ENOMEM, "%s: out of memory", name);
	if (n > 0)
		memcpy(ret->p, cbor_bytestring_handle(it), n);
	ret->len = n;
	ret->present = true;
	return 0;
}

/* Optional byte string: null (or absent) means not present; empty is kept as empty. */
static int
take_opt_bstr(const char *name, const char *what, const cbor_item_t *it, size_t max,
    struct attest_bytes *ret, struct qt_err *err)
{
	if (cbor_isa_float_ctrl(it) && cbor_is_null(it))
		return 0;
	if (!cbor_isa_bytestring(it))
		return qt_err_set(err, EINVAL, "%s: %s: not a byte string or null", name, what);
	return take_bstr(name, what, it, 0, max, ret, err);
}

/* Document text for a message: at most 32 bytes, non-printable bytes as '?'. */
static const char *
shown(const uint8_t *p, size_t n, char *out, size_t len)
{
	size_t i;

	for (i = 0; i < n && i < 32 && i + 1 < len; i++)
		out[i] = p[i] >= 0x20 && p[i] <= 0x7e && p[i] != '\'' ? (char)p[i] : '?';
	out[i] = '\0';
	return out;
}

static bool
text_is(const cbor_item_t *it, const char *s)
{
	size_t n = strlen(s);

	return cbor_string_length(it) == n && memcmp(cbor_string_handle(it), s, n) == 0;
}

enum field {
	F_MODULE_ID,
	F_TIMESTAMP,
	F_DIGEST,
	F_PCRS,
	F_CERTIFICATE,
	F_CABUNDLE,
	F_PUBLIC_KEY,
	F_USER_DATA,
	F_NONCE,
	F_COUNT,
};

static const char *const field_names[F_COUNT] = {
	"module_id",
	"timestamp",
	"digest",
	"pcrs",
	"certificate",
	"cabundle",
	"public_key",
	"user_data",
	"nonce",
};

struct limits {
	size_t cert_max;
	size_t cabundle_max;
};

static int
parse_pcrs(struct attest_doc *doc, const cbor_item_t *it, struct qt_err *err)
{
	struct cbor_pair *pairs;
	size_t i, n;

	if (!cbor_isa_map(it))
		return qt_err_set(err, EINVAL, "%s: payload: pcrs: not a map", doc->name);
	n = cbor_map_size(it);
	if (n < 1 || n > PCR_COUNT)
		return qt_err_set(err, EINVAL, "%s: payload: pcrs: %zu entries, 1..%d allowed",
		    doc->name, n, PCR_COUNT);
	pairs = cbor_map_handle(it);
	for (i = 0; i < n; i++) {
		uint64_t idx;
		char what[32];

		if (!cbor_isa_uint(pairs[i].key))
			return qt_err_set(err, EINVAL,
			    "%s: payload: pcrs: entry %zu: key is not an unsigned integer",
			    doc->name, i);
		idx = cbor_get_int(pairs[i].key);
		if (idx >= PCR_COUNT)
			return qt_err_set(err, EINVAL,
			    "%s: payload: pcrs: index %llu out of range 0..%d", doc->name,
			    (unsigned long long)idx, PCR_COUNT - 1);
		if (doc->pcr_mask & (1u << idx))
			return qt_err_set(err, EINVAL, "%s: payload: pcrs: duplicate index %llu",
			    doc->name, (unsigned long long)idx);
		snprintf(what, sizeof(what), "payload: pcrs: PCR%llu", (unsigned long long)idx);
		if (!cbor_isa_bytestring(pairs[i].value) ||
		    !cbor_bytestring_is_definite(pairs[i].value))
			return qt_err_set(
			    err, EINVAL, "%s: %s: not a byte string", doc->name, what);
		if (cbor_bytestring_length(pairs[i].value) != PCR_LEN)
			return qt_err_set(err, EINVAL, "%s: %s: %zu bytes, SHA384 needs %d",
			    doc->name, what, cbor_bytestring_length(pairs[i].value), PCR_LEN);
		memcpy(doc->pcrs[idx], cbor_bytestring_handle(pairs[i].value), PCR_LEN);
		doc->pcr_mask |= 1u << idx;
	}
	return 0;
}

static int
parse_field(struct attest_doc *doc, enum field f, const cbor_item_t *v, const struct limits *lim,
    struct qt_err *err)
{
	const char *name = doc->name;
	char what[48];
	size_t i, n;
	cbor_item_t **items;

	snprintf(what, sizeof(what), "payload: %s", field_names[f]);
	switch (f) {
	case F_MODULE_ID:
		if (!cbor_isa_string(v) || !cbor_string_is_definite(v))
			return qt_err_set(err, EINVAL, "%s: %s: not a text string", name, what);
		n = cbor_string_length(v);
		if (n < 1 || n > ATTEST_MODULE_ID_MAX)
			return qt_err_set(err, EINVAL, "%s: %s: %zu bytes, 1..%d allowed", name,
			    what, n, ATTEST_MODULE_ID_MAX);
		memcpy(doc->module_id, cbor_string_handle(v), n);
		doc->module_id[n] = '\0';
		/* both platforms write ASCII ids; anything else is refused, not printed */
		for (i = 0; i < n; i++)
			if (doc->module_id[i] < 0x20 || doc->module_id[i] > 0x7e)
				return qt_err_set(err, EINVAL,
				    "%s: %s: byte %zu is not printable ASCII", name, what, i);
		return 0;
	case F_TIMESTAMP:
		if (!cbor_isa_uint(v))
			return qt_err_set(
			    err, EINVAL, "%s: %s: not an unsigned integer", name, what);
		doc->timestamp_ms = cbor_get_int(v);
		/* > 0, and representable as signed seconds for the time checks */
		if (doc->timestamp_ms == 0 || doc->timestamp_ms > (uint64_t)INT64_MAX)
			return qt_err_set(err, EINVAL, "%s: %s: %llu out of range", name, what,
			    (unsigned long long)doc->timestamp_ms);
		return 0;
	case F_DIGEST:
		if (!cbor_isa_string(v) || !cbor_string_is_definite(v))
			return qt_err_set(err, EINVAL, "%s: %s: not a text string", name, what);
		if (!text_is(v, "SHA384")) {
			char quoted[40];

			n = cbor_string_length(v);
			return qt_err_set(err, EINVAL, "%s: %s: '%s' is not SHA384", name, what,
			    shown(cbor_string_handle(v), n, quoted, sizeof(quoted)));
		}
		return 0;
	case F_PCRS:
		return parse_pcrs(doc, v, err);
	case F_CERTIFICATE:
		return take_bstr(name, what, v, 1, lim->cert_max, &doc->certificate, err);
	case F_CABUNDLE:
		if (!cbor_isa_array(v))
			return qt_err_set(err, EINVAL, "%s: %s: not an array", name, what);
		n = cbor_array_size(v);
		if (n < 1 || n > lim->cabundle_max)
			return qt_err_set(err, EINVAL, "%s: %s: %zu entries, 1..%zu allowed", name,
			    what, n, lim->cabundle_max);
		items = cbor_array_handle(v);
		for (i = 0; i < n; i++) {
			snprintf(what, sizeof(what), "payload: cabundle[%zu]", i);
			if (take_bstr(
			        name, what, items[i], 1, lim->cert_max, &doc->cabundle[i], err) < 0)
				return -1;
			doc->cabundle_len = i + 1;
		}
		return 0;
	case F_PUBLIC_KEY:
		return take_opt_bstr(name, what, v, ATTEST_PUBKEY_MAX, &doc->public_key, err);
	case F_USER_DATA:
		return take_opt_bstr(name, what, v, ATTEST_USERDATA_MAX, &doc->user_data, err);
	case F_NONCE:
		return take_opt_bstr(name, what, v, ATTEST_NONCE_MAX, &doc->nonce, err);
	case F_COUNT:
		break;
	}
	return qt_err_set(err, EINVAL, "%s: internal error: field %d", name, (int)f);
}

static int
parse_payload(struct attest_doc *doc, size_t base, const struct limits *lim, struct qt_err *err)
{
	cbor_item_t *map = NULL;
	struct cbor_pair *pairs;
	unsigned seen = 0;
	char quoted[40];
	size_t i, n, k;
	int f, r = -1;

	if (load_one(doc->name, "payload", base, doc->payload, doc->payload_len, &map, err) < 0)
		goto out;
	if (!cbor_isa_map(map)) {
		qt_err_set(err, EINVAL, "%s: payload: not a map", doc->name);
		goto out;
	}
	n = cbor_map_size(map);
	pairs = cbor_map_handle(map);
	for (i = 0; i < n; i++) {
		if (!cbor_isa_string(pairs[i].key) || !cbor_string_is_definite(pairs[i].key)) {
			qt_err_set(
			    err, EINVAL, "%s: payload: key %zu is not a text string", doc->name, i);
			goto out;
		}
		f = -1;
		for (k = 0; k < F_COUNT; k++)
			if (text_is(pairs[i].key, field_names[k]))
				f = (int)k;
		/* Huawei's published schema spells it "pubkey"; real documents use public_key. */
		if (f < 0 && text_is(pairs[i].key, "pubkey"))
			f = F_PUBLIC_KEY;
		if (f < 0) {
			k = cbor_string_length(pairs[i].key);
			qt_err_set(err, EINVAL, "%s: payload: unknown key '%s'", doc->name,
			    shown(cbor_string_handle(pairs[i].key), k, quoted, sizeof(quoted)));
			goto out;
		}
		if (seen & (1u << f)) {
			qt_err_set(err, EINVAL, "%s: payload: duplicate key '%s'", doc->name,
			    field_names[f]);
			goto out;
		}
		seen |= 1u << f;
		if (parse_field(doc, (enum field)f, pairs[i].value, lim, err) < 0)
			goto out;
	}
	for (k = 0; k <= F_CABUNDLE; k++) {
		if (!(seen & (1u << k))) {
			qt_err_set(err, EINVAL, "%s: payload: missing key '%s'", doc->name,
			    field_names[k]);
			goto out;
		}
	}
	r = 0;
out:
	if (map != NULL)
		cbor_decref(&map);
	return r;
}

/*
 * The protected header through cose.h, then this profile's rules: {1: -35}
 * and nothing else. Its bytes decide the shape (spec 1).
 */
static int
parse_protected(struct attest_doc *doc, struct qt_err *err)
{
	long long alg;
	size_t labels;

	if (cose_protected_parse(
	        doc->name, doc->protected_hdr, doc->protected_len, &alg, &labels, err) < 0)
		return -1;
	if (labels != 1)
		return qt_err_set(err, EINVAL,
		    "%s: protected header: expected a map with one entry (alg)", doc->name);
	if (alg != COSE_ALG_ES384)
		return qt_err_set(err, EINVAL,
		    "%s: protected header: alg %lld (%s) is not ES384 (-35), the only algorithm "
		    "accepted",
		    doc->name, alg, cose_alg_name(alg));
	doc->shape = doc->protected_len == sizeof(PROT_NITRO) &&
	                     memcmp(doc->protected_hdr, PROT_NITRO, sizeof(PROT_NITRO)) == 0
	                 ? QT_PROFILE_NITRO
	                 : QT_PROFILE_QINGTIAN;
	return 0;
}

/* Length of a CBOR head from its first byte (offsets in messages only). */
static size_t
head_len(uint8_t ib)
{
	uint8_t ai = ib & 0x1f;

	return ai < 24 ? 1 : ai == 24 ? 2 : ai == 25 ? 3 : ai == 26 ? 5 : ai == 27 ? 9 : 1;
}

int
attest_parse(const char *name, const uint8_t *buf, size_t len, enum qt_profile platform,
    struct attest_doc **ret, struct qt_err *err)
{
	struct attest_doc *doc = NULL;
	cbor_item_t *cose = NULL, **items;
	struct attest_bytes tmp = { 0 };
	struct limits lim;
	struct rd rd = { buf, len, 0 };
	const uint8_t *h;
	uint64_t tag;
	size_t start, hl, prot_off, payload_off;
	int r = -1;

	if ((doc = calloc(1, sizeof(*doc))) == NULL || (doc->name = strdup(name)) == NULL) {
		qt_err_set(err, ENOMEM, "%s: out of memory", name);
		goto out;
	}
	if (len == 0) {
		qt_err_set(err, EINVAL, "%s: empty document", name);
		goto out;
	}
	if (len > ATTEST_DOC_MAX) {
		qt_err_set(err, EFBIG, "%s: %zu bytes exceeds the document limit of %u", name, len,
		    ATTEST_DOC_MAX);
		goto out;
	}
	/* Outer tag, handled here: libcbor 0.8 fails on one-byte-head tags (spec 6). */
	if ((buf[0] >> 5) == 6) {
		hl = head_len(buf[0]);
		if ((buf[0] & 0x1f) > 27 || !rd_take(&rd, hl, &h)) {
			qt_err_set(err, EINVAL, "%s: truncated or malformed tag at offset 0", name);
			goto out;
		}
		tag = hl == 1   ? (uint64_t)(buf[0] & 0x1f)
		      : hl == 2 ? h[1]
		      : hl == 3 ? be16_get(h + 1)
		      : hl == 5 ? be32_get(h + 1)
		                : be64_get(h + 1);
		if (tag != 18) {
			qt_err_set(err, EINVAL,
			    "%s: tag %llu (%s) at offset 0: not a COSE_Sign1 (tag 18)", name,
			    (unsigned long long)tag, tag_name(tag));
			goto out;
		}
		doc->tagged = true;
	}
	start = rd.off;
	if (load_one(name, "COSE_Sign1", start, buf + start, len - start, &cose, err) < 0)
		goto out;
	if (cbor_isa_tag(cose)) {
		qt_err_set(
		    err, EINVAL, "%s: offset %zu: nested tag: not a COSE_Sign1", name, start);
		goto out;
	}
	if (!cbor_isa_array(cose) || cbor_array_size(cose) != 4) {
		qt_err_set(err, EINVAL,
		    "%s: offset %zu: not a COSE_Sign1: expected an array of 4 items", name, start);
		goto out;
	}
	items = cbor_array_handle(cose);
	/* offsets for messages: array head, then the protected bstr head */
	prot_off = start + 1 + head_len(buf[start + 1 < len ? start + 1 : start]);
	if (take_bstr(name, "protected header", items[0], 1, 64, &tmp, err) < 0)
		goto out;
	doc->protected_hdr = tmp.p;
	doc->protected_len = tmp.len;
	if (parse_protected(doc, err) < 0)
		goto out;
	if (!cbor_isa_map(items[1])) {
		qt_err_set(err, EINVAL, "%s: unprotected header: not a map", name);
		goto out;
	}
	if (cbor_map_size(items[1]) != 0) {
		qt_err_set(err, EINVAL, "%s: unprotected header: %zu entries, expected none", name,
		    cbor_map_size(items[1]));
		goto out;
	}
	memset(&tmp, 0, sizeof(tmp));
	if (take_bstr(name, "payload", items[2], 1, ATTEST_DOC_MAX, &tmp, err) < 0)
		goto out;
	doc->payload = tmp.p;
	doc->payload_len = tmp.len;
	memset(&tmp, 0, sizeof(tmp));
	if (!cbor_isa_bytestring(items[3]) || !cbor_bytestring_is_definite(items[3])) {
		qt_err_set(err, EINVAL, "%s: signature: not a definite byte string", name);
		goto out;
	}
	if (cbor_bytestring_length(items[3]) != ATTEST_SIG_LEN) {
		qt_err_set(err, EINVAL, "%s: signature: %zu bytes, ES384 needs %d (r || s)", name,
		    cbor_bytestring_length(items[3]), ATTEST_SIG_LEN);
		goto out;
	}
	memcpy(doc->sig, cbor_bytestring_handle(items[3]), ATTEST_SIG_LEN);

	if (platform == QT_PROFILE_AUTO)
		platform = doc->shape;
	lim.cert_max = platform == QT_PROFILE_NITRO ? 1024 : ATTEST_CERT_MAX;
	lim.cabundle_max = platform == QT_PROFILE_NITRO ? ATTEST_CABUNDLE_MAX : 4;
	/* payload content offset: after the protected bstr and the unprotected map */
	payload_off = prot_off + doc->protected_len + 1;
	if (payload_off < len)
		payload_off += head_len(buf[payload_off]);
	if (parse_payload(doc, payload_off, &lim, err) < 0)
		goto out;
	*ret = doc;
	doc = NULL;
	r = 0;
out:
	if (cose != NULL)
		cbor_decref(&cose);
	attest_free(doc);
	return r;
}

void
attest_free(struct attest_doc *doc)
{
	size_t i;

	if (doc == NULL)
		return;
	free(doc->name);
	free(doc->protected_hdr);
	free(doc->payload);
	free(doc->certificate.p);
	for (i = 0; i < doc->cabundle_len; i++)
		free(doc->cabundle[i].p);
	free(doc->public_key.p);
	free(doc->user_data.p);
	free(doc->nonce.p);
	free(doc);
}
