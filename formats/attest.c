/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest.c: attestation documents (spec/attestation.md). Text decoding,
 * COSE_Sign1 + payload schema with libcbor (outer tag handled here: libcbor
 * 0.8 rejects `d2`), the X.509 chain leaf -> cabundle -> pinned root with the
 * CA checks done here (never X509_V_FLAG_X509_STRICT, which rejects real Nitro
 * chains), the ES384 signature over the Sig_structure built from the bytes as
 * received, and the comparison with the relying party's expectations.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cbor.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest.h"
#include "bytes.h"
#include "text.h"

/* The two protected-header encodings of {1: -35} seen on real hardware (spec 1). */
static const uint8_t PROT_NITRO[] = { 0xa1, 0x01, 0x38, 0x22 };

/* ---- text forms ------------------------------------------------------------------ */

static bool
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
b64val(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
attest_decode_text(const char *name, const uint8_t *buf, size_t len, uint8_t **ret, size_t *ret_len,
    struct qt_err *err)
{
	uint8_t *txt = NULL, *out = NULL;
	size_t i, n = 0, o = 0, pad = 0;
	bool text = len > 0, hex = true;
	uint32_t acc = 0;
	int r = -1, v;

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
	/* Standard base64 (RFC 4648 section 4), padded. */
	if (n % 4 != 0) {
		qt_err_set(err, EINVAL,
		    "%s: text document is neither hex nor padded base64 (%zu characters)", name, n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (txt[i] == '=' && i >= n - 2) {
			pad++;
			v = 0;
		} else if (pad > 0 || (v = b64val(txt[i])) < 0) {
			qt_err_set(
			    err, EINVAL, "%s: base64: invalid character at position %zu", name, i);
			goto out;
		}
		acc = acc << 6 | (uint32_t)v;
		if (i % 4 == 3) {
			out[o++] = (uint8_t)(acc >> 16);
			out[o++] = (uint8_t)(acc >> 8);
			out[o++] = (uint8_t)acc;
			acc = 0;
		}
	}
	o -= pad;
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

static const char *
alg_name(int64_t alg)
{
	switch (alg) {
	case -7:
		return "ES256";
	case -35:
		return "ES384";
	case -36:
		return "ES512";
	case -8:
		return "EdDSA";
	case -37:
		return "PS256";
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

static int
parse_protected(struct attest_doc *doc, size_t base, struct qt_err *err)
{
	cbor_item_t *map = NULL;
	struct cbor_pair *pairs;
	int64_t alg;
	int r = -1;

	if (load_one(doc->name, "protected header", base, doc->protected_hdr, doc->protected_len,
	        &map, err) < 0)
		goto out;
	if (!cbor_isa_map(map) || cbor_map_size(map) != 1) {
		qt_err_set(err, EINVAL, "%s: protected header: expected a map with one entry (alg)",
		    doc->name);
		goto out;
	}
	pairs = cbor_map_handle(map);
	if (!cbor_isa_uint(pairs[0].key) || cbor_get_int(pairs[0].key) != 1) {
		qt_err_set(err, EINVAL, "%s: protected header: expected label 1 (alg)", doc->name);
		goto out;
	}
	if (cbor_isa_negint(pairs[0].value) && cbor_get_int(pairs[0].value) < 1000)
		alg = -1 - (int64_t)cbor_get_int(pairs[0].value);
	else if (cbor_isa_uint(pairs[0].value) && cbor_get_int(pairs[0].value) < 1000)
		alg = (int64_t)cbor_get_int(pairs[0].value);
	else {
		qt_err_set(
		    err, EINVAL, "%s: protected header: alg is not a small integer", doc->name);
		goto out;
	}
	if (alg != -35) {
		qt_err_set(err, EINVAL,
		    "%s: protected header: alg %lld (%s) is not ES384 (-35), the only algorithm "
		    "accepted",
		    doc->name, (long long)alg, alg_name(alg));
		goto out;
	}
	doc->shape = doc->protected_len == sizeof(PROT_NITRO) &&
	                     memcmp(doc->protected_hdr, PROT_NITRO, sizeof(PROT_NITRO)) == 0
	                 ? QT_PROFILE_NITRO
	                 : QT_PROFILE_QINGTIAN;
	r = 0;
out:
	if (map != NULL)
		cbor_decref(&map);
	return r;
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
	if (parse_protected(doc, prot_off, err) < 0)
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

/* ---- certificates ---------------------------------------------------------------- */

static X509 *
der_to_x509(const uint8_t *der, size_t len)
{
	const uint8_t *p = der;
	X509 *x;

	if (len > (size_t)LONG_MAX)
		return NULL;
	x = d2i_X509(NULL, &p, (long)len);
	if (x != NULL && p != der + len) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static void
name_str(const X509_NAME *nm, char *out, size_t len)
{
	BIO *b;
	int n = 0;

	out[0] = '\0';
	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return;
	if (X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253) >= 0 && len > 1)
		n = BIO_read(b, out, (int)(len - 1 > INT_MAX ? INT_MAX : len - 1));
	out[n > 0 ? n : 0] = '\0';
	BIO_free(b);
}

static int
asn1_unix(const ASN1_TIME *t, int64_t *ret)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*ret = (int64_t)timegm(&tm);
	return 0;
}

int
attest_root_der(const char *name, const uint8_t *buf, size_t len, uint8_t **ret_der,
    size_t *ret_len, struct qt_err *err)
{
	X509 *x = NULL;
	BIO *b = NULL;
	uint8_t *der = NULL;
	int n, r = -1;

	if (len > INT_MAX) {
		qt_err_set(err, EFBIG, "%s: too large for a certificate", name);
		goto out;
	}
	if (len > 10 && memmem(buf, len, "-----BEGIN", 10) != NULL) {
		if ((b = BIO_new_mem_buf(buf, (int)len)) == NULL ||
		    (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL) {
			qt_err_ssl(err, "%s: not a PEM certificate", name);
			goto out;
		}
	} else if ((x = der_to_x509(buf, len)) == NULL) {
		qt_err_ssl(err, "%s: neither a PEM nor a DER certificate", name);
		goto out;
	}
	if ((n = i2d_X509(x, &der)) <= 0) {
		qt_err_ssl(err, "%s: cannot encode the certificate", name);
		goto out;
	}
	*ret_der = malloc((size_t)n);
	if (*ret_der == NULL) {
		qt_err_set(err, ENOMEM, "%s: out of memory", name);
		goto out;
	}
	memcpy(*ret_der, der, (size_t)n);
	*ret_len = (size_t)n;
	r = 0;
out:
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(b);
	return r;
}

int
attest_load_public_key(
    const char *name, const uint8_t *buf, size_t len, struct attest_bytes *ret, struct qt_err *err)
{
	char *pname = NULL, *phdr = NULL;
	unsigned char *data = NULL;
	long dlen = 0;
	BIO *b = NULL;
	int r = -1;

	if (len > ATTEST_PUBKEY_MAX * 4) {
		qt_err_set(err, EFBIG, "%s: larger than a public key can be", name);
		goto out;
	}
	if (len >= 11 && memcmp(buf, "-----BEGIN ", 11) == 0) {
		if ((b = BIO_new_mem_buf(buf, (int)len)) == NULL ||
		    PEM_read_bio(b, &pname, &phdr, &data, &dlen) != 1 || dlen <= 0) {
			qt_err_ssl(err, "%s: unreadable PEM", name);
			goto out;
		}
		buf = data;
		len = (size_t)dlen;
	}
	if (len > ATTEST_PUBKEY_MAX) {
		qt_err_set(err, EFBIG, "%s: %zu bytes exceeds the public_key limit of %u", name,
		    len, ATTEST_PUBKEY_MAX);
		goto out;
	}
	if ((ret->p = malloc(len > 0 ? len : 1)) == NULL) {
		qt_err_set(err, ENOMEM, "%s: out of memory", name);
		goto out;
	}
	if (len > 0)
		memcpy(ret->p, buf, len);
	ret->len = len;
	ret->present = true;
	r = 0;
out:
	OPENSSL_free(pname);
	OPENSSL_free(phdr);
	OPENSSL_free(data);
	BIO_free(b);
	return r;
}

/* ---- verification ---------------------------------------------------------------- */

const char *
attest_sigform_name(enum attest_sigform f)
{
	switch (f) {
	case ATTEST_SIG_BE:
		return "big-endian";
	case ATTEST_SIG_LE_HALVES:
		return "little-endian-halves";
	case ATTEST_SIG_NONE:
		break;
	}
	return "none";
}

static struct attest_check *add_check(struct attest_result *res, const char *name,
    enum attest_verdict v, const char *fmt, ...) QT_PRINTF(4, 5);

static struct attest_check *
add_check(struct attest_result *res, const char *name, enum attest_verdict v, const char *fmt, ...)
{
	struct attest_check *c;
	va_list ap;

	if (res->n >= ATTEST_MAX_CHECKS)
		c = &res->checks[ATTEST_MAX_CHECKS - 1]; /* cannot happen: 32 PCRs + 12 */
	else
		c = &res->checks[res->n++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->verdict = v;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	return c;
}

struct chain {
	X509 *leaf;
	X509 *ca[ATTEST_CABUNDLE_MAX]; /* cabundle, root first */
	size_t n;
	X509 *pinned; /* the pinned root when given as a certificate */
};

static void
chain_free(struct chain *c)
{
	size_t i;

	X509_free(c->leaf);
	for (i = 0; i < c->n; i++)
		X509_free(c->ca[i]);
	X509_free(c->pinned);
}

static X509 *
chain_at(const struct chain *c, size_t i) /* i < n: cabundle[i]; i == n: the leaf */
{
	return i < c->n ? c->ca[i] : c->leaf;
}

static void
cert_label(const struct chain *c, size_t i, char *out, size_t len)
{
	char subj[200];

	name_str(X509_get_subject_name(chain_at(c, i)), subj, sizeof(subj));
	if (i == c->n)
		snprintf(out, len, "certificate (%s)", subj);
	else
		snprintf(out, len, "cabundle[%zu] (%s)", i, subj);
}

static bool
ext_critical(X509 *x, int nid)
{
	int i = X509_get_ext_by_NID(x, nid, -1);

	return i >= 0 && X509_EXTENSION_get_critical(X509_get_ext(x, i)) == 1;
}

/*
 * Order, issuer names, signatures and CA constraints of leaf -> cabundle[n-1]
 * -> ... -> cabundle[0] (spec 3). Writes the first problem into why.
 */
static bool
chain_links(const struct chain *c, char *why, size_t len)
{
	char label[260], ilabel[260];
	long pathlen;
	size_t i, below;

	for (i = 0; i <= c->n; i++) {
		X509 *x = chain_at(c, i), *issuer;
		uint32_t fl = X509_get_extension_flags(x), ku;

		cert_label(c, i, label, sizeof(label));
		if (fl & EXFLAG_INVALID) {
			snprintf(why, len, "%s: invalid or duplicate extensions", label);
			return false;
		}
		ku = (fl & EXFLAG_KUSAGE) ? X509_get_key_usage(x) : UINT32_MAX;
		if (i < c->n) {
			/* a CA: BasicConstraints CA:TRUE critical, pathLen, keyCertSign */
			if (!(fl & EXFLAG_BCONS) || !(fl & EXFLAG_CA)) {
				snprintf(why, len,
				    "%s: not a CA (BasicConstraints CA:TRUE missing)", label);
				return false;
			}
			if (!ext_critical(x, NID_basic_constraints)) {
				snprintf(why, len, "%s: BasicConstraints is not critical", label);
				return false;
			}
			below = c->n - 1 - i; /* CAs between this one and the leaf */
			pathlen = X509_get_pathlen(x);
			if (pathlen >= 0 && (size_t)pathlen < below) {
				snprintf(why, len, "%s: pathLen %ld, but %zu CA(s) below it", label,
				    pathlen, below);
				return false;
			}
			if (!(ku & KU_KEY_CERT_SIGN)) {
				snprintf(why, len, "%s: KeyUsage lacks keyCertSign", label);
				return false;
			}
		} else {
			if (fl & EXFLAG_CA) {
				snprintf(why, len, "%s: the leaf is a CA (CA:TRUE)", label);
				return false;
			}
			if (!(ku & KU_DIGITAL_SIGNATURE)) {
				snprintf(why, len, "%s: KeyUsage lacks digitalSignature", label);
				return false;
			}
		}
		if (i == 0)
			continue; /* the root: trusted by the pin, not by its self-signature */
		issuer = chain_at(c, i - 1);
		cert_label(c, i - 1, ilabel, sizeof(ilabel));
		if (X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(issuer)) != 0) {
			char iname[200];

			name_str(X509_get_issuer_name(x), iname, sizeof(iname));
			snprintf(why, len,
			    "%s: issuer (%s) is not the subject of the next cabundle entry, %s",
			    label, iname, ilabel);
			return false;
		}
		if (X509_verify(x, X509_get0_pubkey(issuer)) != 1) {
			ERR_clear_error();
			snprintf(why, len, "%s: not signed by %s", label, ilabel);
			return false;
		}
	}
	return true;
}

/* notBefore <= t < notAfter for every certificate (OpenSSL's rule, spec 3). */
static bool
chain_times(const struct chain *c, int64_t t, char *why, size_t len)
{
	char label[260], ts[32], its[32];
	int64_t nb, na;
	size_t i;

	qt_time_format(t, false, its, sizeof(its));
	for (i = c->n + 1; i-- > 0;) {
		X509 *x = chain_at(c, i);

		cert_label(c, i, label, sizeof(label));
		if (asn1_unix(X509_get0_notBefore(x), &nb) < 0 ||
		    asn1_unix(X509_get0_notAfter(x), &na) < 0) {
			ERR_clear_error();
			snprintf(why, len, "%s: unreadable validity", label);
			return false;
		}
		if (t < nb) {
			qt_time_format(nb, false, ts, sizeof(ts));
			snprintf(why, len, "%s: not yet valid (notBefore %s, instant %s)", label,
			    ts, its);
			return false;
		}
		if (t >= na) {
			qt_time_format(na, false, ts, sizeof(ts));
			snprintf(why, len, "%s: expired (notAfter %s, instant %s)", label, ts, its);
			return false;
		}
	}
	return true;
}

/* OpenSSL's own path validation at t, as a second opinion (no strict flag, spec 6). */
static bool
chain_openssl(const struct chain *c, X509 *anchor, int64_t t, char *why, size_t len)
{
	X509_STORE *st = NULL;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *unt = NULL, *got;
	bool ok = false;
	size_t i;
	int e;

	if ((st = X509_STORE_new()) == NULL || X509_STORE_add_cert(st, anchor) != 1 ||
	    (unt = sk_X509_new_null()) == NULL || (ctx = X509_STORE_CTX_new()) == NULL) {
		snprintf(why, len, "out of memory");
		goto out;
	}
	for (i = 1; i < c->n; i++)
		if (sk_X509_push(unt, c->ca[i]) <= 0) {
			snprintf(why, len, "out of memory");
			goto out;
		}
	if (X509_STORE_CTX_init(ctx, st, c->leaf, unt) != 1) {
		snprintf(why, len, "cannot initialise the X.509 context");
		goto out;
	}
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)t);
	if (X509_verify_cert(ctx) != 1) {
		e = X509_STORE_CTX_get_error(ctx);
		snprintf(why, len, "OpenSSL: %s (error %d at depth %d)",
		    X509_verify_cert_error_string(e), e, X509_STORE_CTX_get_error_depth(ctx));
		goto out;
	}
	/* The path OpenSSL found must be exactly leaf, cabundle[n-1], ..., cabundle[0]. */
	got = X509_STORE_CTX_get0_chain(ctx);
	if (got == NULL || (size_t)sk_X509_num(got) != c->n + 1) {
		snprintf(why, len, "OpenSSL built a path of another length");
		goto out;
	}
	for (i = 0; i <= c->n; i++)
		if (X509_cmp(sk_X509_value(got, (int)i), i == 0 ? c->leaf : c->ca[c->n - i]) != 0 &&
		    !(i == c->n && X509_cmp(sk_X509_value(got, (int)i), anchor) == 0)) {
			snprintf(why, len, "OpenSSL built another path (depth %zu)", i);
			goto out;
		}
	snprintf(why, len, "OpenSSL path validation at the instant: ok");
	ok = true;
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	sk_X509_free(unt);
	X509_STORE_free(st);
	return ok;
}

static int
cbor_head(struct wbuf *b, uint8_t major, uint64_t v, struct qt_err *err)
{
	uint8_t h[9];
	size_t n;

	h[0] = (uint8_t)(major << 5);
	if (v < 24) {
		h[0] |= (uint8_t)v;
		n = 1;
	} else if (v <= 0xff) {
		h[0] |= 24;
		h[1] = (uint8_t)v;
		n = 2;
	} else if (v <= 0xffff) {
		h[0] |= 25;
		be16_put(h + 1, (uint16_t)v);
		n = 3;
	} else if (v <= 0xffffffffu) {
		h[0] |= 26;
		be32_put(h + 1, (uint32_t)v);
		n = 5;
	} else {
		h[0] |= 27;
		be64_put(h + 1, v);
		n = 9;
	}
	return wbuf_put(b, h, n, err);
}

/* Sig_structure = ["Signature1", protected (as received), h'', payload] (RFC 9052 4.4). */
static int
sig_structure(const struct attest_doc *doc, struct wbuf *b, struct qt_err *err)
{
	if (cbor_head(b, 4, 4, err) < 0 || cbor_head(b, 3, 10, err) < 0 ||
	    wbuf_put(b, "Signature1", 10, err) < 0 ||
	    cbor_head(b, 2, doc->protected_len, err) < 0 ||
	    wbuf_put(b, doc->protected_hdr, doc->protected_len, err) < 0 ||
	    cbor_head(b, 2, 0, err) < 0 || cbor_head(b, 2, doc->payload_len, err) < 0 ||
	    wbuf_put(b, doc->payload, doc->payload_len, err) < 0)
		return -1;
	return 0;
}

/* 1 valid, 0 invalid, -1 could not check. le: each 48-byte half little-endian. */
static int
es384_check(
    EVP_PKEY *pk, const uint8_t *msg, size_t len, const uint8_t *sig, bool le, struct qt_err *err)
{
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	EVP_MD_CTX *md = NULL;
	unsigned char *der = NULL;
	int dl, v, rc = -1;

	r = le ? BN_lebin2bn(sig, 48, NULL) : BN_bin2bn(sig, 48, NULL);
	s = le ? BN_lebin2bn(sig + 48, 48, NULL) : BN_bin2bn(sig + 48, 48, NULL);
	if (r == NULL || s == NULL || (es = ECDSA_SIG_new()) == NULL) {
		qt_err_ssl(err, "signature: cannot convert r || s");
		goto out;
	}
	if (ECDSA_SIG_set0(es, r, s) != 1) {
		qt_err_ssl(err, "signature: cannot convert r || s");
		goto out;
	}
	r = s = NULL;
	if ((dl = i2d_ECDSA_SIG(es, &der)) <= 0) {
		qt_err_ssl(err, "signature: cannot encode DER");
		goto out;
	}
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, pk) != 1) {
		qt_err_ssl(err, "signature: cannot set up ECDSA verification");
		goto out;
	}
	v = EVP_DigestVerify(md, der, (size_t)dl, msg, len);
	ERR_clear_error();
	rc = v == 1 ? 1 : 0;
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	ECDSA_SIG_free(es);
	BN_free(r);
	BN_free(s);
	return rc;
}

static bool
is_p384(EVP_PKEY *pk)
{
	char group[64];
	size_t gl = 0;

	if (pk == NULL || EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC)
		return false;
	if (EVP_PKEY_get_utf8_string_param(
	        pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &gl) != 1) {
		ERR_clear_error();
		return false;
	}
	return strcmp(group, "secp384r1") == 0;
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

static void
hex_short(const uint8_t *p, size_t n, char *out, size_t len)
{
	char *h;

	if (len < 4) {
		out[0] = '\0';
		return;
	}
	if ((h = malloc(2 * n + 1)) == NULL) {
		snprintf(out, len, "?");
		return;
	}
	qt_hex(p, n, h);
	if (strlen(h) + 1 > len)
		snprintf(out, len, "%.*s...", (int)(len - 4), h);
	else
		snprintf(out, len, "%s", h);
	free(h);
}

static bool
bytes_equal(const struct attest_bytes *want, const struct attest_bytes *got)
{
	size_t wl = want->present ? want->len : 0, gl = got->present ? got->len : 0;

	/* null and empty are alike (spec 2) */
	return wl == gl && (wl == 0 || CRYPTO_memcmp(want->p, got->p, wl) == 0);
}

static void
expect_bytes(struct attest_result *res, bool authentic, const char *name,
    const struct attest_bytes *want, const struct attest_bytes *got)
{
	char w[100], g[100];

	if (!want->present)
		return;
	if (!authentic) {
		add_check(res, name, ATTEST_SKIP, "not compared: the document is not authentic");
		return;
	}
	if (bytes_equal(want, got)) {
		add_check(
		    res, name, ATTEST_PASS, "matches (%zu bytes)", got->present ? got->len : 0);
		return;
	}
	hex_short(want->p, want->present ? want->len : 0, w, 60);
	if (got->present)
		hex_short(got->p, got->len, g, 60);
	else
		snprintf(g, sizeof(g), "null");
	add_check(res, name, ATTEST_FAIL,
	    "expected '%s' (%zu bytes), document has '%s' (%zu bytes)", w, want->len, g,
	    got->present ? got->len : 0);
}

static bool
expect_any(const struct attest_expect *e)
{
	return e->pcr_mask != 0 || e->nonce.present || e->user_data.present ||
	       e->public_key.present;
}

int
attest_verify(const struct attest_doc *doc, const struct attest_opts *opts,
    const struct attest_expect *exp, struct attest_result *res, struct qt_err *err)
{
	struct chain c = { 0 };
	struct wbuf sigs = { 0 };
	X509 *anchor = NULL;
	EVP_PKEY *pk;
	uint8_t fp[32];
	char why[1024], hx[200], hx2[200];
	bool root_ok = false, links_ok, times_ok, ossl_ok, sig_ok = false, plat_ok = true;
	int64_t ts_s, age;
	size_t i;
	int v, r = -1;

	memset(res, 0, sizeof(*res));
	if (opts->root_der == NULL && !opts->have_root_sha256) {
		qt_err_set(
		    err, EINVAL, "%s: no pinned root: give --root or --root-sha256", doc->name);
		goto out;
	}
	if (exp == NULL || !expect_any(exp)) {
		qt_err_set(err, EINVAL,
		    "%s: nothing to compare: give --manifest, --expect-pcr, --nonce, --user-data "
		    "or --public-key",
		    doc->name);
		goto out;
	}

	/* Platform: an explicit profile must match the document's shape. */
	res->platform = opts->platform == QT_PROFILE_AUTO ? doc->shape : opts->platform;
	hex_short(doc->protected_hdr, doc->protected_len, hx, sizeof(hx));
	if (opts->platform != QT_PROFILE_AUTO && opts->platform != doc->shape) {
		plat_ok = false;
		add_check(res, "platform", ATTEST_FAIL,
		    "%s required, but the document has the %s shape (protected header %s)",
		    qt_profile_name(opts->platform), qt_profile_name(doc->shape), hx);
	} else {
		add_check(res, "platform", ATTEST_PASS, "%s (protected header %s)%s",
		    qt_profile_name(res->platform), hx,
		    opts->platform == QT_PROFILE_AUTO ? ", detected" : "");
	}
	add_check(res, "cose", ATTEST_PASS,
	    "%s COSE_Sign1, alg ES384, payload schema and limits ok",
	    doc->tagged ? "tagged (18)" : "untagged");

	ts_s = (int64_t)(doc->timestamp_ms / 1000);
	switch (opts->at_mode) {
	case ATTEST_AT_NOW:
		res->instant = (int64_t)time(NULL);
		break;
	case ATTEST_AT_DOC:
		res->instant = ts_s;
		break;
	case ATTEST_AT_TIME:
		res->instant = opts->at;
		break;
	}

	/* Certificates: DER exactly, no trailing bytes. */
	if ((c.leaf = der_to_x509(doc->certificate.p, doc->certificate.len)) == NULL) {
		qt_err_ssl(err, "%s: payload: certificate: not a DER X.509 certificate", doc->name);
		goto out;
	}
	for (i = 0; i < doc->cabundle_len; i++) {
		if ((c.ca[i] = der_to_x509(doc->cabundle[i].p, doc->cabundle[i].len)) == NULL) {
			qt_err_ssl(err, "%s: payload: cabundle[%zu]: not a DER X.509 certificate",
			    doc->name, i);
			goto out;
		}
		c.n = i + 1;
	}
	if (opts->root_der != NULL &&
	    (c.pinned = der_to_x509(opts->root_der, opts->root_der_len)) == NULL) {
		qt_err_ssl(err, "pinned root: not a DER X.509 certificate");
		goto out;
	}

	/* Root pin: cabundle[0] must be the pinned root (spec 3). */
	SHA256(doc->cabundle[0].p, doc->cabundle[0].len, fp);
	qt_hex(fp, sizeof(fp), hx);
	if (opts->root_der != NULL) {
		root_ok =
		    opts->root_der_len == doc->cabundle[0].len &&
		    CRYPTO_memcmp(opts->root_der, doc->cabundle[0].p, doc->cabundle[0].len) == 0;
		anchor = c.pinned;
		SHA256(opts->root_der, opts->root_der_len, fp);
	} else {
		root_ok = CRYPTO_memcmp(fp, opts->root_sha256, sizeof(fp)) == 0;
		anchor = c.ca[0];
		memcpy(fp, opts->root_sha256, sizeof(fp));
	}
	qt_hex(fp, sizeof(fp), hx2);
	cert_label(&c, 0, why, sizeof(why));
	if (root_ok)
		add_check(res, "root", ATTEST_PASS, "%s is the pinned root (sha256 %s)", why, hx);
	else
		add_check(res, "root", ATTEST_FAIL,
		    "%s (sha256 %.16s...) is not the pinned root (sha256 %.16s...)", why, hx, hx2);

	links_ok = chain_links(&c, why, sizeof(why));
	if (links_ok)
		add_check(res, "chain", ATTEST_PASS,
		    "certificate -> cabundle[%zu] -> ... -> cabundle[0]: issuers, signatures and "
		    "CA constraints ok",
		    c.n - 1);
	else
		add_check(res, "chain", ATTEST_FAIL, "%s", why);

	times_ok = chain_times(&c, res->instant, why, sizeof(why));
	qt_time_format(res->instant, false, hx2, sizeof(hx2));
	if (times_ok)
		add_check(
		    res, "validity", ATTEST_PASS, "all %zu certificates valid at %s", c.n + 1, hx2);
	else
		add_check(res, "validity", ATTEST_FAIL, "%s", why);

	if (root_ok) {
		ossl_ok = chain_openssl(&c, anchor, res->instant, why, sizeof(why));
		add_check(res, "x509", ossl_ok ? ATTEST_PASS : ATTEST_FAIL, "%s", why);
	} else {
		ossl_ok = false;
		add_check(res, "x509", ATTEST_SKIP, "not run: no pinned root in the document");
	}

	/* Signature: ES384 over the Sig_structure; BE, and for QingTian LE halves (spec 1). */
	pk = X509_get0_pubkey(c.leaf);
	if (!is_p384(pk)) {
		add_check(res, "signature", ATTEST_FAIL, "the certificate's key is not EC P-384");
	} else if (sig_structure(doc, &sigs, err) < 0) {
		goto out;
	} else {
		if ((v = es384_check(pk, sigs.p, sigs.len, doc->sig, false, err)) < 0)
			goto out;
		if (v == 1) {
			res->sigform = ATTEST_SIG_BE;
		} else if (res->platform == QT_PROFILE_QINGTIAN) {
			if ((v = es384_check(pk, sigs.p, sigs.len, doc->sig, true, err)) < 0)
				goto out;
			if (v == 1)
				res->sigform = ATTEST_SIG_LE_HALVES;
		}
		sig_ok = res->sigform != ATTEST_SIG_NONE;
		if (sig_ok)
			add_check(res, "signature", ATTEST_PASS,
			    "ES384 by the certificate's key, r || s %s",
			    res->sigform == ATTEST_SIG_BE ? "big-endian"
			                                  : "with little-endian halves (QingTian)");
		else
			add_check(res, "signature", ATTEST_FAIL,
			    "ES384 signature does not verify (%s)",
			    res->platform == QT_PROFILE_QINGTIAN
			        ? "neither big-endian r || s nor little-endian halves"
			        : "big-endian r || s");
	}
	res->authentic = plat_ok && root_ok && links_ok && times_ok && ossl_ok && sig_ok;

	/* Everything below uses payload fields: only for an authentic document. */
	if (opts->max_age < 0) {
		add_check(res, "freshness", ATTEST_SKIP, "not asked (--max-age)");
	} else if (!res->authentic) {
		add_check(
		    res, "freshness", ATTEST_SKIP, "not evaluated: the document is not authentic");
	} else {
		age = res->instant - ts_s;
		if (age < 0)
			add_check(res, "freshness", ATTEST_FAIL,
			    "timestamp is %lld s after the instant", (long long)-age);
		else if (age > opts->max_age)
			add_check(res, "freshness", ATTEST_FAIL,
			    "document is %lld s old, more than %lld s", (long long)age,
			    (long long)opts->max_age);
		else
			add_check(res, "freshness", ATTEST_PASS,
			    "document is %lld s old (max %lld s)", (long long)age,
			    (long long)opts->max_age);
	}
	res->debug = !(doc->pcr_mask & 1u) || all_zero(doc->pcrs[0], PCR_LEN);
	if (!res->authentic)
		add_check(
		    res, "production", ATTEST_SKIP, "not evaluated: the document is not authentic");
	else if (res->debug)
		add_check(res, "production", ATTEST_FAIL,
		    "PCR0 is %s: a debug-mode document never matches a production expectation",
		    (doc->pcr_mask & 1u) ? "all zero" : "missing");
	else
		add_check(res, "production", ATTEST_PASS, "PCR0 is set (not debug mode)");

	for (i = 0; i < PCR_COUNT; i++) {
		char name[8];

		if (!(exp->pcr_mask & (1u << i)))
			continue;
		snprintf(name, sizeof(name), "pcr%zu", i);
		qt_hex(exp->pcrs[i], PCR_LEN, hx);
		if (!res->authentic)
			add_check(
			    res, name, ATTEST_SKIP, "not compared: the document is not authentic");
		else if (!(doc->pcr_mask & (1u << i)))
			add_check(
			    res, name, ATTEST_FAIL, "expected %s, document has no PCR%zu", hx, i);
		else if (CRYPTO_memcmp(exp->pcrs[i], doc->pcrs[i], PCR_LEN) != 0) {
			qt_hex(doc->pcrs[i], PCR_LEN, hx2);
			add_check(res, name, ATTEST_FAIL, "expected %s, document has %s", hx, hx2);
		} else
			add_check(res, name, ATTEST_PASS, "%s", hx);
	}
	expect_bytes(res, res->authentic, "nonce", &exp->nonce, &doc->nonce);
	expect_bytes(res, res->authentic, "user_data", &exp->user_data, &doc->user_data);
	expect_bytes(res, res->authentic, "public_key", &exp->public_key, &doc->public_key);

	r = 0;
	for (i = 0; i < res->n; i++)
		if (res->checks[i].verdict == ATTEST_FAIL)
			r = 1;
out:
	wbuf_free(&sigs);
	chain_free(&c);
	return r;
}

/* ---- report ------------------------------------------------------------------------ */

static json_t *
hex_json(const uint8_t *p, size_t n)
{
	json_t *j;
	char *h;

	if ((h = malloc(2 * n + 1)) == NULL)
		return NULL;
	qt_hex(p, n, h);
	j = json_string(h);
	free(h);
	return j;
}

static json_t *
opt_json(const struct attest_bytes *b)
{
	return b->present ? hex_json(b->p, b->len) : json_null();
}

static const char *
verdict_name(enum attest_verdict v)
{
	return v == ATTEST_PASS ? "pass" : v == ATTEST_FAIL ? "fail" : "skip";
}

static json_t *
cert_json(const uint8_t *der, size_t len)
{
	json_t *o = json_object();
	X509 *x = der_to_x509(der, len);
	uint8_t fp[32];
	int64_t t;

	if (o == NULL) {
		X509_free(x);
		return NULL;
	}
	if (x != NULL) {
		char buf[512];

		name_str(X509_get_subject_name(x), buf, sizeof(buf));
		json_object_set_new(o, "subject", json_string(buf));
		name_str(X509_get_issuer_name(x), buf, sizeof(buf));
		json_object_set_new(o, "issuer", json_string(buf));
		if (asn1_unix(X509_get0_notBefore(x), &t) == 0) {
			qt_time_format(t, false, buf, sizeof(buf));
			json_object_set_new(o, "not_before", json_string(buf));
		}
		if (asn1_unix(X509_get0_notAfter(x), &t) == 0) {
			qt_time_format(t, false, buf, sizeof(buf));
			json_object_set_new(o, "not_after", json_string(buf));
		}
		X509_free(x);
	}
	ERR_clear_error();
	SHA256(der, len, fp);
	json_object_set_new(o, "sha256", hex_json(fp, sizeof(fp)));
	return o;
}

static json_t *
doc_json(const struct attest_doc *doc, const struct attest_result *res)
{
	json_t *o = json_object(), *pcrs = json_object(), *cab = json_array();
	char key[8], ts[48];
	size_t i;

	if (o == NULL || pcrs == NULL || cab == NULL) {
		json_decref(o);
		json_decref(pcrs);
		json_decref(cab);
		return NULL;
	}
	json_object_set_new(o, "module_id", json_string(doc->module_id));
	json_object_set_new(o, "timestamp", json_integer((json_int_t)doc->timestamp_ms));
	qt_time_format((int64_t)(doc->timestamp_ms / 1000), false, ts, sizeof(ts));
	/* keep the milliseconds: "2026-07-20T11:23:26.196Z" */
	if (strlen(ts) == 20)
		snprintf(ts + 19, sizeof(ts) - 19, ".%03uZ", (unsigned)(doc->timestamp_ms % 1000));
	json_object_set_new(o, "time", json_string(ts));
	json_object_set_new(o, "digest", json_string("SHA384"));
	json_object_set_new(o, "tagged", json_boolean(doc->tagged));
	json_object_set_new(o, "shape", json_string(qt_profile_name(doc->shape)));
	json_object_set_new(o, "signature_form",
	    res != NULL && res->sigform != ATTEST_SIG_NONE
	        ? json_string(attest_sigform_name(res->sigform))
	        : json_null());
	for (i = 0; i < PCR_COUNT; i++) {
		if (!(doc->pcr_mask & (1u << i)))
			continue;
		snprintf(key, sizeof(key), "%zu", i);
		json_object_set_new(pcrs, key, hex_json(doc->pcrs[i], PCR_LEN));
	}
	json_object_set_new(o, "pcrs", pcrs);
	json_object_set_new(o, "public_key", opt_json(&doc->public_key));
	json_object_set_new(o, "user_data", opt_json(&doc->user_data));
	json_object_set_new(o, "nonce", opt_json(&doc->nonce));
	json_object_set_new(o, "certificate", cert_json(doc->certificate.p, doc->certificate.len));
	for (i = 0; i < doc->cabundle_len; i++)
		json_array_append_new(cab, cert_json(doc->cabundle[i].p, doc->cabundle[i].len));
	json_object_set_new(o, "cabundle", cab);
	return o;
}

json_t *
attest_report_json(
    const struct attest_doc *doc, const struct attest_result *res, const char *error_msg)
{
	json_t *o = json_object(), *checks = json_array(), *failed = json_array();
	bool fail = false;

	if (o == NULL || checks == NULL || failed == NULL) {
		json_decref(o);
		json_decref(checks);
		json_decref(failed);
		return NULL;
	}
	for (size_t i = 0; res != NULL && i < res->n; i++) {
		const struct attest_check *k = &res->checks[i];
		json_t *c = json_object();

		if (k->verdict == ATTEST_FAIL) {
			fail = true;
			json_array_append_new(failed, json_string(k->name));
		}
		json_object_set_new(c, "check", json_string(k->name));
		json_object_set_new(c, "verdict", json_string(verdict_name(k->verdict)));
		json_object_set_new(c, "detail", json_string(k->detail));
		json_array_append_new(checks, c);
	}
	json_object_set_new(o, "verdict",
	    json_string(error_msg != NULL || res == NULL ? "error"
	                : fail                           ? "fail"
	                                                 : "pass"));
	json_object_set_new(
	    o, "platform", res != NULL ? json_string(qt_profile_name(res->platform)) : json_null());
	if (res != NULL) {
		char buf[48];

		qt_time_format(res->instant, false, buf, sizeof(buf));
		json_object_set_new(o, "instant", json_string(buf));
	} else {
		json_object_set_new(o, "instant", json_null());
	}
	json_object_set_new(o, "authentic", json_boolean(res != NULL && res->authentic));
	json_object_set_new(o, "checks", checks);
	json_object_set_new(o, "failed", failed);
	if (error_msg != NULL)
		json_object_set_new(o, "error", json_string(error_msg));
	json_object_set_new(o, "document", doc != NULL ? doc_json(doc, res) : json_null());
	return o;
}
