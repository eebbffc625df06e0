/* SPDX-License-Identifier: Apache-2.0 */
/*
 * corim.c: the CoRIM of an image (deterministic CBOR through qtcbor's
 * encoder), its COSE_Sign1 wrapping, and the reader of this profile over
 * qtcbor's strict token reader. See corim.h and qt-corim(5).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "corim.h"
#include "cose.h"
#include "qtcbor.h"
#include "text.h"
#include "x509.h"

#define TAG_URI        32
#define TAG_COSE_SIGN1 18
#define TAG_CORIM      501
#define TAG_COMID      506

static void
platform_class(enum qt_profile p, const char **vendor, const char **model)
{
	if (p == QT_PROFILE_NITRO) {
		*vendor = "AWS";
		*model = "Nitro Enclave";
	} else {
		*vendor = "Huawei Cloud";
		*model = "QingTian Enclave";
	}
}

static uint32_t
pcr_set(const struct manifest *m, bool parent_pcrs)
{
	uint32_t mask = m->pcr_mask;

	if (!m->is_signed)
		mask &= ~(1u << 8);
	if (!parent_pcrs)
		mask &= ~(1u << 3 | 1u << 4);
	return mask;
}

static unsigned
popcount32(uint32_t v)
{
	unsigned n = 0;

	for (; v != 0; v &= v - 1)
		n++;
	return n;
}

#define ENC(x)                                                                                     \
	do {                                                                                       \
		if ((x) < 0)                                                                       \
			goto out;                                                                  \
	} while (0)

/* The CoMID (concise-mid-tag) map, keys 1, 2, 4 in order. */
static int
comid_encode(const struct manifest *m, const struct corim_opts *o, const char *tag_id,
    struct wbuf *out, struct qt_err *err)
{
	const char *vendor, *model;
	uint32_t mask = pcr_set(m, o->parent_pcrs);
	uint64_t i;
	int rv = -1;

	platform_class(m->platform, &vendor, &model);
	ENC(cbor_enc_head(out, CBOR_MAJOR_MAP, o->entity != NULL ? 3 : 2, err));
	/* 1: tag-identity {0: tag-id, 1: tag-version 0} */
	ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 1, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_MAP, 2, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 0, err));
	ENC(cbor_enc_text(out, tag_id, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 1, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 0, err));
	if (o->entity != NULL) {
		/* 2: [{0: name, 2: [tag-creator 0, creator 1]}] */
		ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 2, err));
		ENC(cbor_enc_head(out, CBOR_MAJOR_ARRAY, 1, err));
		ENC(cbor_enc_head(out, CBOR_MAJOR_MAP, 2, err));
		ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 0, err));
		ENC(cbor_enc_text(out, o->entity, err));
		ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 2, err));
		ENC(cbor_enc_head(out, CBOR_MAJOR_ARRAY, 2, err));
		ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 0, err));
		ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 1, err));
	}
	/* 4: triples {0: [[environment, [measurement]]]} */
	ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 4, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_MAP, 1, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 0, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_ARRAY, 1, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_ARRAY, 2, err));
	/* environment {0: class {1: vendor, 2: model}} */
	ENC(cbor_enc_head(out, CBOR_MAJOR_MAP, 1, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 0, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_MAP, 2, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 1, err));
	ENC(cbor_enc_text(out, vendor, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 2, err));
	ENC(cbor_enc_text(out, model, err));
	/* [{1: {14: {pcr: [[7, value]], ...}}}] */
	ENC(cbor_enc_head(out, CBOR_MAJOR_ARRAY, 1, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_MAP, 1, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 1, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_MAP, 1, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 14, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_MAP, popcount32(mask), err));
	for (i = 0; i < PCR_COUNT; i++) {
		if (!(mask & (1u << i)))
			continue;
		ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, i, err));
		ENC(cbor_enc_head(out, CBOR_MAJOR_ARRAY, 1, err));
		ENC(cbor_enc_head(out, CBOR_MAJOR_ARRAY, 2, err));
		ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, CORIM_ALG_SHA384, err));
		ENC(cbor_enc_bstr(out, m->pcrs[i], PCR_LEN, err));
	}
	rv = 0;
out:
	return rv;
}

int
corim_encode(
    const struct manifest *m, const struct corim_opts *o, struct wbuf *out, struct qt_err *err)
{
	struct wbuf comid = { 0 };
	char hex[65], id[128], tag_id[132];
	int rv = -1;

	qt_hex(m->sha256, 32, hex);
	snprintf(id, sizeof(id), "qt:sha256:%s", hex);
	snprintf(tag_id, sizeof(tag_id), "%s#pcr", id);
	if (comid_encode(m, o, tag_id, &comid, err) < 0)
		goto out;
	ENC(cbor_enc_head(out, CBOR_MAJOR_TAG, TAG_CORIM, err));
	ENC(cbor_enc_head(
	    out, CBOR_MAJOR_MAP, 2u + (o->profile != NULL) + (o->entity != NULL), err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 0, err));
	ENC(cbor_enc_text(out, id, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 1, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_ARRAY, 1, err));
	ENC(cbor_enc_head(out, CBOR_MAJOR_TAG, TAG_COMID, err));
	ENC(cbor_enc_bstr(out, comid.p, comid.len, err));
	if (o->profile != NULL) {
		ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 3, err));
		ENC(cbor_enc_head(out, CBOR_MAJOR_TAG, TAG_URI, err));
		ENC(cbor_enc_text(out, o->profile, err));
	}
	if (o->entity != NULL) {
		/* 5: [{0: name, 2: [manifest-creator 1]}] */
		ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 5, err));
		ENC(cbor_enc_head(out, CBOR_MAJOR_ARRAY, 1, err));
		ENC(cbor_enc_head(out, CBOR_MAJOR_MAP, 2, err));
		ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 0, err));
		ENC(cbor_enc_text(out, o->entity, err));
		ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 2, err));
		ENC(cbor_enc_head(out, CBOR_MAJOR_ARRAY, 1, err));
		ENC(cbor_enc_head(out, CBOR_MAJOR_UINT, 1, err));
	}
	rv = 0;
out:
	wbuf_free(&comid);
	return rv;
}

int
corim_sign(
    const struct signer *s, const uint8_t *corim, size_t len, struct wbuf *out, struct qt_err *err)
{
	struct wbuf prot = { 0 }, meta = { 0 }, tbs = { 0 };
	uint8_t rs[2 * 66];
	char name[256];
	size_t n;
	int rv = -1;

	x509_name_rfc2253(X509_get_subject_name(signer_cert(s)), name, sizeof(name));
	/* corim-meta-map {0: corim-signer-map {0: signer-name}} */
	ENC(cbor_enc_head(&meta, CBOR_MAJOR_MAP, 1, err));
	ENC(cbor_enc_head(&meta, CBOR_MAJOR_UINT, 0, err));
	ENC(cbor_enc_head(&meta, CBOR_MAJOR_MAP, 1, err));
	ENC(cbor_enc_head(&meta, CBOR_MAJOR_UINT, 0, err));
	ENC(cbor_enc_text(&meta, name, err));
	ENC(cbor_enc_head(&prot, CBOR_MAJOR_MAP, 3, err));
	ENC(cbor_enc_head(&prot, CBOR_MAJOR_UINT, 1, err));
	ENC(cbor_enc_int(&prot, signer_alg(s), err));
	ENC(cbor_enc_head(&prot, CBOR_MAJOR_UINT, 3, err));
	ENC(cbor_enc_text(&prot, "application/rim+cbor", err));
	ENC(cbor_enc_head(&prot, CBOR_MAJOR_UINT, 8, err));
	ENC(cbor_enc_bstr(&prot, meta.p, meta.len, err));
	ENC(cose_sig_structure(prot.p, prot.len, NULL, 0, corim, len, &tbs, err));
	ENC(signer_sign_bytes(s, tbs.p, tbs.len, rs, &n, err));
	ENC(cose_sign1_encode_prot(true, prot.p, prot.len, corim, len, rs, 2 * n, out, err));
	rv = 0;
out:
	wbuf_free(&prot);
	wbuf_free(&meta);
	wbuf_free(&tbs);
	return rv;
}

/* --- reading --------------------------------------------------------------------------- */

static int
bad(struct cbor_reader *r, const struct cbor_tok *t, const char *what, struct qt_err *err)
{
	return qt_err_set(err, EINVAL, "%s: CoRIM: %s at offset %zu", r->name, what, t->off);
}

/* Next token must be kind with value val (a key, a tag, a count). */
static int
expect_val(struct cbor_reader *r, enum cbor_tok_kind kind, uint64_t val, const char *field,
    struct qt_err *err)
{
	struct cbor_tok t;

	if (cbor_expect(r, kind, field, &t, err) < 0)
		return -1;
	if (t.val != val) {
		char what[96];

		snprintf(what, sizeof(what), "%s is %llu, expected %llu", field,
		    (unsigned long long)t.val, (unsigned long long)val);
		return bad(r, &t, what, err);
	}
	return 0;
}

static int
read_text(struct cbor_reader *r, const char *field, char *out, size_t size, struct qt_err *err)
{
	struct cbor_tok t;
	size_t i;

	if (cbor_expect(r, CBOR_TOK_TEXT, field, &t, err) < 0)
		return -1;
	if (t.len >= size)
		return bad(r, &t, "text too long", err);
	for (i = 0; i < t.len; i++)
		if (t.data[i] < 0x20 || t.data[i] == 0x7f)
			return bad(r, &t, "control character in text", err);
	memcpy(out, t.data, t.len);
	out[t.len] = '\0';
	return 0;
}

/* The integrity registers {idx: [[7, h'48 bytes']]}. */
static int
read_registers(struct cbor_reader *r, struct corim_info *ci, struct qt_err *err)
{
	struct cbor_tok m, k, d;
	uint64_t i;

	if (cbor_expect(r, CBOR_TOK_MAP, "integrity-registers", &m, err) < 0)
		return -1;
	for (i = 0; i < m.val; i++) {
		if (cbor_expect(r, CBOR_TOK_UINT, "register index", &k, err) < 0)
			return -1;
		if (k.val >= PCR_COUNT)
			return bad(r, &k, "register index above 31", err);
		if (ci->pcr_mask & (1u << k.val))
			return bad(r, &k, "register given twice", err);
		if (expect_val(r, CBOR_TOK_ARRAY, 1, "digests", err) < 0 ||
		    expect_val(r, CBOR_TOK_ARRAY, 2, "digest", err) < 0 ||
		    expect_val(r, CBOR_TOK_UINT, CORIM_ALG_SHA384, "digest algorithm", err) < 0 ||
		    cbor_expect(r, CBOR_TOK_BYTES, "digest value", &d, err) < 0)
			return -1;
		if (d.len != PCR_LEN)
			return bad(r, &d, "digest value is not 48 bytes", err);
		memcpy(ci->pcrs[k.val], d.data, PCR_LEN);
		ci->pcr_mask |= 1u << k.val;
	}
	return 0;
}

/* The CoMID inside tag 506's byte string. */
static int
read_comid(
    const char *name, const uint8_t *buf, size_t len, struct corim_info *ci, struct qt_err *err)
{
	struct cbor_reader r;
	struct cbor_tok m, k;
	uint64_t i;
	bool triples = false;

	cbor_reader_init(&r, name, "CoMID", buf, len);
	if (cbor_expect(&r, CBOR_TOK_MAP, "concise-mid-tag", &m, err) < 0)
		return -1;
	for (i = 0; i < m.val; i++) {
		if (cbor_expect(&r, CBOR_TOK_UINT, "CoMID key", &k, err) < 0)
			return -1;
		if (k.val != 4) {
			if (cbor_skip(&r, 1, err) < 0)
				return -1;
			continue;
		}
		triples = true;
		if (expect_val(&r, CBOR_TOK_MAP, 1, "triples", err) < 0 ||
		    expect_val(&r, CBOR_TOK_UINT, 0, "reference-triples key", err) < 0 ||
		    expect_val(&r, CBOR_TOK_ARRAY, 1, "reference-triples", err) < 0 ||
		    expect_val(&r, CBOR_TOK_ARRAY, 2, "reference-triple", err) < 0 ||
		    expect_val(&r, CBOR_TOK_MAP, 1, "environment", err) < 0 ||
		    expect_val(&r, CBOR_TOK_UINT, 0, "class key", err) < 0 ||
		    expect_val(&r, CBOR_TOK_MAP, 2, "class", err) < 0 ||
		    expect_val(&r, CBOR_TOK_UINT, 1, "vendor key", err) < 0 ||
		    read_text(&r, "vendor", ci->vendor, sizeof(ci->vendor), err) < 0 ||
		    expect_val(&r, CBOR_TOK_UINT, 2, "model key", err) < 0 ||
		    read_text(&r, "model", ci->model, sizeof(ci->model), err) < 0 ||
		    expect_val(&r, CBOR_TOK_ARRAY, 1, "measurements", err) < 0 ||
		    expect_val(&r, CBOR_TOK_MAP, 1, "measurement", err) < 0 ||
		    expect_val(&r, CBOR_TOK_UINT, 1, "mval key", err) < 0 ||
		    expect_val(&r, CBOR_TOK_MAP, 1, "mval", err) < 0 ||
		    expect_val(&r, CBOR_TOK_UINT, 14, "integrity-registers key", err) < 0 ||
		    read_registers(&r, ci, err) < 0)
			return -1;
	}
	if (!triples)
		return qt_err_set(err, EINVAL, "%s: CoRIM: CoMID has no triples", name);
	if (cbor_left(&r) != 0)
		return qt_err_set(
		    err, EINVAL, "%s: CoRIM: %zu bytes after the CoMID", name, cbor_left(&r));
	return 0;
}

/* 501({0: id, 1: [506(bstr)], ...}) covering all of buf. */
static int
read_unsigned(
    const char *name, const uint8_t *buf, size_t len, struct corim_info *ci, struct qt_err *err)
{
	struct cbor_reader r;
	struct cbor_tok m, k, b;
	uint64_t i;
	bool have_id = false, have_tags = false;

	cbor_reader_init(&r, name, "CoRIM", buf, len);
	if (expect_val(&r, CBOR_TOK_TAG, TAG_CORIM, "tag", err) < 0 ||
	    cbor_expect(&r, CBOR_TOK_MAP, "corim-map", &m, err) < 0)
		return -1;
	for (i = 0; i < m.val; i++) {
		if (cbor_expect(&r, CBOR_TOK_UINT, "corim-map key", &k, err) < 0)
			return -1;
		if (k.val == 0) {
			if (read_text(&r, "id", ci->id, sizeof(ci->id), err) < 0)
				return -1;
			have_id = true;
		} else if (k.val == 1) {
			if (expect_val(&r, CBOR_TOK_ARRAY, 1, "tags", err) < 0 ||
			    expect_val(&r, CBOR_TOK_TAG, TAG_COMID, "CoMID tag", err) < 0 ||
			    cbor_expect(&r, CBOR_TOK_BYTES, "CoMID", &b, err) < 0 ||
			    read_comid(name, b.data, b.len, ci, err) < 0)
				return -1;
			have_tags = true;
		} else if (cbor_skip(&r, 1, err) < 0) {
			return -1;
		}
	}
	if (!have_id || !have_tags)
		return qt_err_set(err, EINVAL, "%s: CoRIM: no %s", name, have_id ? "tags" : "id");
	if (cbor_left(&r) != 0)
		return qt_err_set(
		    err, EINVAL, "%s: CoRIM: %zu bytes after the CoRIM", name, cbor_left(&r));
	return 0;
}

int
corim_read(
    const char *name, const uint8_t *buf, size_t len, struct corim_info *ret, struct qt_err *err)
{
	struct cose_sign1 cs;

	memset(ret, 0, sizeof(*ret));
	if (len > CORIM_MAX)
		return qt_err_set(err, EINVAL, "%s: CoRIM: larger than %u bytes", name, CORIM_MAX);
	if (len > 0 && buf[0] == 0xd2) {
		if (cose_sign1_parse(name, buf, len, &cs, err) < 0)
			return -1;
		ret->is_signed = true;
		return read_unsigned(name, cs.payload, cs.payload_len, ret, err);
	}
	return read_unsigned(name, buf, len, ret, err);
}

int
corim_agrees(
    const char *name, const uint8_t *buf, size_t len, const struct manifest *m, struct qt_err *err)
{
	struct corim_info ci;
	const char *vendor, *model;
	char hex[65], id[128];
	uint32_t want = pcr_set(m, false);
	size_t i;

	if (corim_read(name, buf, len, &ci, err) < 0)
		return -1;
	qt_hex(m->sha256, 32, hex);
	snprintf(id, sizeof(id), "qt:sha256:%s", hex);
	if (strcmp(ci.id, id) != 0) {
		qt_err_set(err, EINVAL, "%s: CoRIM id '%s' does not name %s", name, ci.id, m->file);
		return 1;
	}
	platform_class(m->platform, &vendor, &model);
	if (strcmp(ci.vendor, vendor) != 0 || strcmp(ci.model, model) != 0) {
		qt_err_set(err, EINVAL, "%s: CoRIM environment is %s / %s, not %s / %s", name,
		    ci.vendor, ci.model, vendor, model);
		return 1;
	}
	for (i = 0; i < PCR_COUNT; i++) {
		if ((want | ci.pcr_mask) & (1u << i) && i != 3 && i != 4 &&
		    (!(want & ci.pcr_mask & (1u << i)) ||
		        CRYPTO_memcmp(ci.pcrs[i], m->pcrs[i], PCR_LEN) != 0)) {
			qt_err_set(
			    err, EINVAL, "%s: CoRIM PCR%zu does not match the image", name, i);
			return 1;
		}
	}
	return 0;
}
