/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dsse.c: DSSE PAE, envelope signing (DER ECDSA through the signer) and
 * the parser and verifier of untrusted envelopes. See dsse.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "cose.h"
#include "dsse.h"
#include "json.h"
#include "text.h"

int
dsse_pae(const char *type, size_t type_len, const uint8_t *body, size_t body_len, struct wbuf *out,
    struct qt_err *err)
{
	char num[32];
	int n;

	n = snprintf(num, sizeof(num), "DSSEv1 %zu ", type_len);
	if (wbuf_put(out, num, (size_t)n, err) < 0 || wbuf_put(out, type, type_len, err) < 0)
		return -1;
	n = snprintf(num, sizeof(num), " %zu ", body_len);
	if (wbuf_put(out, num, (size_t)n, err) < 0 || wbuf_put(out, body, body_len, err) < 0)
		return -1;
	return 0;
}

int
dsse_keyid(X509 *cert, char ret[65], struct qt_err *err)
{
	uint8_t *der = NULL, md[32];
	int len, rv = -1;

	if ((len = i2d_PUBKEY(X509_get0_pubkey(cert), &der)) <= 0) {
		qt_err_ssl(err, "certificate public key cannot be encoded");
		goto out;
	}
	if (EVP_Digest(der, (size_t)len, md, NULL, EVP_sha256(), NULL) != 1) {
		qt_err_ssl(err, "SHA-256 failed");
		goto out;
	}
	qt_hex(md, sizeof(md), ret);
	rv = 0;
out:
	OPENSSL_free(der);
	return rv;
}

int
dsse_sign(const struct signer *s, const char *type, const uint8_t *payload, size_t len, char **ret,
    size_t *ret_len, struct qt_err *err)
{
	struct wbuf pae = { 0 };
	uint8_t rs[2 * 66], *der = NULL;
	size_t n, der_len;
	char keyid[65], *b64_payload = NULL, *b64_sig = NULL, *text = NULL, *full = NULL;
	json_t *env = NULL;
	int rv = -1;

	if (dsse_pae(type, strlen(type), payload, len, &pae, err) < 0 ||
	    signer_sign_bytes(s, pae.p, pae.len, rs, &n, err) < 0 ||
	    cose_rs_to_der(rs, 2 * n, &der, &der_len, err) < 0 ||
	    dsse_keyid(signer_cert(s), keyid, err) < 0 ||
	    qt_base64_encode(QT_BASE64_STD, payload, len, &b64_payload, err) < 0 ||
	    qt_base64_encode(QT_BASE64_STD, der, der_len, &b64_sig, err) < 0)
		goto out;
	env = json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "payloadType", type, "payload", b64_payload,
	    "signatures", "keyid", keyid, "sig", b64_sig);
	if (env == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (qtjson_dump(env, true, &text, err) < 0)
		goto out;
	n = strlen(text);
	if ((full = malloc(n + 2)) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	memcpy(full, text, n);
	full[n] = '\n';
	full[n + 1] = '\0';
	*ret = full;
	*ret_len = n + 1;
	full = NULL;
	rv = 0;
out:
	wbuf_free(&pae);
	free(der);
	free(b64_payload);
	free(b64_sig);
	free(text);
	free(full);
	json_decref(env);
	return rv;
}

/* Base64, standard first, then URL-safe (the DSSE protocol: verifiers accept both). */
static int
b64_either(const char *name, const char *what, const char *text, uint8_t **ret, size_t *ret_len,
    struct qt_err *err)
{
	struct qt_err first = { 0 }, second = { 0 };
	size_t len = strlen(text);

	if (qt_base64_decode(name, QT_BASE64_STD, text, len, ret, ret_len, &first) == 0)
		return 0;
	if (qt_base64_decode(name, QT_BASE64_URL, text, len, ret, ret_len, &second) == 0)
		return 0;
	return qt_err_set(err, EINVAL, "%s: %s is not base64", name, what);
}

/* A string member, or NULL if absent; -1 if present but not a string. */
static int
str_member(const char *name, const json_t *obj, const char *key, size_t max, const char **ret,
    struct qt_err *err)
{
	const json_t *v = json_object_get(obj, key);

	*ret = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return qt_err_set(err, EINVAL, "%s: %s is not a string", name, key);
	if (max != 0 && json_string_length(v) > max)
		return qt_err_set(err, EINVAL, "%s: %s longer than %zu bytes", name, key, max);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return qt_err_set(err, EINVAL, "%s: %s holds a NUL character", name, key);
	*ret = json_string_value(v);
	return 0;
}

int
dsse_parse(
    const char *name, const uint8_t *buf, size_t len, struct dsse_env **ret, struct qt_err *err)
{
	struct dsse_env *e = NULL;
	json_t *root = NULL, *sigs, *one;
	json_error_t jerr;
	const char *type, *payload, *sig, *keyid;
	size_t i;
	int rv = -1;

	if (len > DSSE_MAX) {
		qt_err_set(err, EINVAL, "%s: envelope larger than %u bytes", name, DSSE_MAX);
		goto out;
	}
	root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		qt_err_set(err, EINVAL, "%s: not JSON: %s (line %d)", name, jerr.text, jerr.line);
		goto out;
	}
	if (!json_is_object(root)) {
		qt_err_set(err, EINVAL, "%s: envelope is not a JSON object", name);
		goto out;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (str_member(name, root, "payloadType", DSSE_TYPE_MAX, &type, err) < 0 ||
	    str_member(name, root, "payload", 0, &payload, err) < 0)
		goto out;
	if (type == NULL || payload == NULL) {
		qt_err_set(err, EINVAL, "%s: envelope has no %s", name,
		    type == NULL ? "payloadType" : "payload");
		goto out;
	}
	if ((e->type = strdup(type)) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (b64_either(name, "payload", payload, &e->payload, &e->payload_len, err) < 0)
		goto out;
	sigs = json_object_get(root, "signatures");
	if (!json_is_array(sigs) || json_array_size(sigs) == 0) {
		qt_err_set(err, EINVAL, "%s: signatures is not a non-empty array", name);
		goto out;
	}
	if (json_array_size(sigs) > DSSE_SIGS_MAX) {
		qt_err_set(err, EINVAL, "%s: more than %u signatures", name, DSSE_SIGS_MAX);
		goto out;
	}
	json_array_foreach(sigs, i, one) {
		if (!json_is_object(one)) {
			qt_err_set(err, EINVAL, "%s: signatures[%zu] is not an object", name, i);
			goto out;
		}
		if (str_member(name, one, "sig", 4 * DSSE_SIG_MAX, &sig, err) < 0 ||
		    str_member(name, one, "keyid", DSSE_KEYID_MAX, &keyid, err) < 0)
			goto out;
		if (sig == NULL) {
			qt_err_set(err, EINVAL, "%s: signatures[%zu] has no sig", name, i);
			goto out;
		}
		if (b64_either(name, "sig", sig, &e->sigs[i].sig, &e->sigs[i].sig_len, err) < 0)
			goto out;
		e->nsigs = i + 1;
		/* the text bound above lets padding-free base64 decode to 3/4 of it: check the
		 * bytes */
		if (e->sigs[i].sig_len > DSSE_SIG_MAX) {
			qt_err_set(err, EINVAL,
			    "%s: signatures[%zu]: sig of %zu bytes exceeds the limit of %u", name,
			    i, e->sigs[i].sig_len, DSSE_SIG_MAX);
			goto out;
		}
		if (keyid != NULL && (e->sigs[i].keyid = strdup(keyid)) == NULL) {
			qt_err_set(err, ENOMEM, "out of memory");
			goto out;
		}
	}
	*ret = e;
	e = NULL;
	rv = 0;
out:
	json_decref(root);
	dsse_free(e);
	return rv;
}

void
dsse_free(struct dsse_env *e)
{
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; i < e->nsigs; i++) {
		free(e->sigs[i].keyid);
		free(e->sigs[i].sig);
	}
	free(e->type);
	free(e->payload);
	free(e);
}

int
dsse_verify_sig(const char *name, EVP_PKEY *pkey, const uint8_t *pae, size_t pae_len,
    const uint8_t *sig, size_t sig_len, struct qt_err *err)
{
	EVP_MD_CTX *ctx = NULL;
	const EVP_MD *md;
	const char *curve;
	long long alg;
	size_t n;
	int v, rv = -1;

	if (cose_alg_for_key(name, pkey, &alg, err) < 0)
		goto out;
	cose_alg_info(alg, &md, &curve, &n);
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) != 1) {
		qt_err_ssl(err, "%s: cannot verify", name);
		goto out;
	}
	v = EVP_DigestVerify(ctx, sig, sig_len, pae, pae_len);
	ERR_clear_error();
	if (v != 1) {
		qt_err_set(err, EINVAL, "%s: signature does not verify", name);
		rv = 1;
		goto out;
	}
	rv = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rv;
}

int
dsse_verify(const char *name, const struct dsse_env *e, EVP_PKEY *pkey, const char *keyname,
    size_t *ret_index, struct qt_err *err)
{
	struct wbuf pae = { 0 };
	struct qt_err one = { 0 };
	size_t i;
	int v, rv = -1;

	if (dsse_pae(e->type, strlen(e->type), e->payload, e->payload_len, &pae, err) < 0)
		goto out;
	for (i = 0; i < e->nsigs; i++) {
		qt_err_clear(&one);
		v = dsse_verify_sig(
		    name, pkey, pae.p, pae.len, e->sigs[i].sig, e->sigs[i].sig_len, &one);
		if (v < 0) {
			qt_err_move(err, &one);
			goto out;
		}
		if (v == 0) {
			*ret_index = i;
			rv = 0;
			goto out;
		}
	}
	qt_err_set(err, EINVAL, "%s: no signature verifies with %s", name, keyname);
	rv = 1;
out:
	wbuf_free(&pae);
	return rv;
}
