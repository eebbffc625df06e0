/* SPDX-License-Identifier: Apache-2.0 */
/*
 * describe.c: measurement and describe-eif JSON documents (spec/eif.md 7).
 * Output only: the signature verdict it shows is eif_sig's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "cose.h"
#include "describe.h"
#include "eif_meta.h"
#include "eif_sig.h"
#include "json.h"
#include "text.h"
#include "x509.h"

static int
set_hex(json_t *obj, const char *key, const uint8_t *reg)
{
	char h[2 * PCR_LEN + 1];

	qt_hex(reg, PCR_LEN, h);
	return json_object_set_new(obj, key, json_string(h));
}

int
describe_nitro_map(const struct pcr_set *p, json_t **ret, struct qt_err *err)
{
	json_t *m;

	/* format!("{:?}", Sha384) with sha2 0.9, as AWS documents it (spec/eif.md 4.4) */
	if ((m = json_object()) == NULL ||
	    json_object_set_new(m, "HashAlgorithm", json_string("Sha384 { ... }")) != 0 ||
	    set_hex(m, "PCR0", p->pcr0) != 0 || set_hex(m, "PCR1", p->pcr1) != 0 ||
	    set_hex(m, "PCR2", p->pcr2) != 0 || (p->has_pcr8 && set_hex(m, "PCR8", p->pcr8) != 0)) {
		json_decref(m);
		return qt_err_set(err, ENOMEM, "out of memory");
	}
	*ret = m;
	return 0;
}

int
describe_measurements(
    const struct pcr_set *p, enum qt_profile shape, json_t **ret, struct qt_err *err)
{
	static const uint8_t zero[PCR_LEN];
	json_t *o = NULL, *m = NULL;

	if (shape == QT_PROFILE_NITRO) {
		if (describe_nitro_map(p, &m, err) < 0)
			return -1;
		if ((o = json_object()) == NULL || json_object_set_new(o, "Measurements", m) != 0) {
			json_decref(o);
			return qt_err_set(err, ENOMEM, "out of memory");
		}
		*ret = o;
		return 0;
	}
	/* qt enclave make-img prints digest, PCR0, PCR8 (zeros when unsigned); we add PCR1/2 */
	if ((o = json_object()) == NULL ||
	    json_object_set_new(o, "digest", json_string("SHA384")) != 0 ||
	    set_hex(o, "PCR0", p->pcr0) != 0 || set_hex(o, "PCR1", p->pcr1) != 0 ||
	    set_hex(o, "PCR2", p->pcr2) != 0 ||
	    set_hex(o, "PCR8", p->has_pcr8 ? p->pcr8 : zero) != 0) {
		json_decref(o);
		return qt_err_set(err, ENOMEM, "out of memory");
	}
	*ret = o;
	return 0;
}

/* Rust's str Debug escaping with every '"' then removed (nitro-cli IssuerName values). */
static char *
rust_debug_unquoted(const unsigned char *s, size_t len)
{
	char *out, *o;
	size_t i;

	if ((out = malloc(len * 6 + 1)) == NULL)
		return NULL;
	o = out;
	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '\t':
			o += sprintf(o, "\\t");
			break;
		case '\r':
			o += sprintf(o, "\\r");
			break;
		case '\n':
			o += sprintf(o, "\\n");
			break;
		case '\\':
			o += sprintf(o, "\\\\");
			break;
		case '"':
			*o++ = '\\'; /* the escape stays, the quote is stripped */
			break;
		default:
			if (s[i] < 0x20 || s[i] == 0x7f)
				o += sprintf(o, "\\u{%x}", s[i]);
			else
				*o++ = (char)s[i];
		}
	}
	*o = '\0';
	return out;
}

int
describe_cert_info(
    const char *name, const uint8_t *pem, size_t len, json_t **ret, struct qt_err *err)
{
	const ASN1_BIT_STRING *sig = NULL;
	const X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *algobj = NULL;
	const X509_NAME *issuer;
	X509 *x = NULL;
	json_t *names = NULL, *sorted = NULL, *o = NULL;
	unsigned char *utf8 = NULL;
	char key[128], algname[128], nb[64], na[64], *val = NULL, *hex = NULL;
	const unsigned char *sb;
	int i, n, sl, r = -1;

	if (x509_pem_first(name, pem, len, &x, err) < 0)
		return -1;
	if ((names = json_object()) == NULL)
		goto oom;
	issuer = X509_get_issuer_name(x);
	for (i = 0; i < X509_NAME_entry_count(issuer); i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(issuer, i);

		/* Asn1Object's Display: OBJ_obj2txt with names (long name, else dotted) */
		if (OBJ_obj2txt(key, sizeof(key), X509_NAME_ENTRY_get_object(e), 0) <= 0 ||
		    (n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e))) < 0) {
			qt_err_ssl(
			    err, "%s: signing certificate: cannot read the issuer name", name);
			goto out;
		}
		if ((val = rust_debug_unquoted(utf8, (size_t)n)) == NULL)
			goto oom;
		/* a BTreeMap: a repeated attribute keeps the last value */
		if (json_object_set_new(names, key, json_string(val)) != 0) {
			qt_err_set(err, EINVAL, "%s: signing certificate: issuer %s is not UTF-8",
			    name, key);
			goto out;
		}
		OPENSSL_free(utf8);
		utf8 = NULL;
		free(val);
		val = NULL;
	}
	X509_get0_signature(&sig, &alg, x);
	X509_ALGOR_get0(&algobj, NULL, NULL, alg);
	if (OBJ_obj2txt(algname, sizeof(algname), algobj, 0) <= 0 ||
	    x509_time_text(X509_get0_notBefore(x), nb, sizeof(nb)) < 0 ||
	    x509_time_text(X509_get0_notAfter(x), na, sizeof(na)) < 0) {
		qt_err_ssl(err, "%s: signing certificate: cannot read its fields", name);
		goto out;
	}
	sb = ASN1_STRING_get0_data(sig);
	sl = ASN1_STRING_length(sig);
	if ((hex = malloc((size_t)sl * 3 + 1)) == NULL)
		goto oom;
	hex[0] = '\0';
	for (i = 0; i < sl; i++)
		sprintf(hex + 3 * i, i + 1 < sl ? "%02X:" : "%02X", sb[i]);
	if (qtjson_sorted(names, &sorted, err) < 0)
		goto out;
	if ((o = json_object()) == NULL || json_object_set_new(o, "IssuerName", sorted) != 0 ||
	    json_object_set_new(o, "Algorithm", json_string(algname)) != 0 ||
	    json_object_set_new(o, "NotBefore", json_string(nb)) != 0 ||
	    json_object_set_new(o, "NotAfter", json_string(na)) != 0 ||
	    json_object_set_new(o, "Signature", json_string(hex)) != 0) {
		sorted = NULL;
		goto oom;
	}
	*ret = o;
	o = NULL;
	r = 0;
	goto out;
oom:
	qt_err_set(err, ENOMEM, "out of memory");
out:
	json_decref(o);
	json_decref(names);
	OPENSSL_free(utf8);
	free(val);
	free(hex);
	X509_free(x);
	return r;
}

/* Metadata of describe-eif: build info, DockerInfo, then CustomMetadata flattened. */
static int
metadata_doc(const char *name, const json_t *root, json_t **ret, struct qt_err *err)
{
	static const char *const keys[] = { "BuildTime", "BuildTool", "BuildToolVersion",
		"OperatingSystem", "KernelVersion" };
	const json_t *bm = json_object_get(root, "BuildMetadata");
	const json_t *custom = json_object_get(root, "CustomMetadata");
	json_t *m = NULL, *v = NULL, *cs = NULL, *cv;
	const char *k;
	size_t i;

	if ((m = json_object()) == NULL)
		goto oom;
	for (i = 0; i < 5; i++)
		if (json_object_set(m, keys[i], json_object_get(bm, keys[i])) != 0)
			goto oom;
	if (qtjson_sorted(json_object_get(root, "DockerInfo"), &v, err) < 0)
		goto fail;
	if (json_object_set_new(m, "DockerInfo", v) != 0)
		goto oom;
	if (json_is_object(custom)) {
		/* serde(flatten) of a map: its keys, sorted, after the fixed ones. A key
		 * that would repeat a fixed one is left out rather than shadow it. */
		if (qtjson_sorted(custom, &cs, err) < 0)
			goto fail;
		json_object_foreach(cs, k, cv)
			if (json_object_get(m, k) == NULL && json_object_set(m, k, cv) != 0)
				goto oom;
	} else if (!json_is_null(custom)) {
		/* nitro-cli cannot flatten a non-object; show it under its own name */
		if (qtjson_sorted(custom, &cs, err) < 0)
			goto fail;
		if (json_object_set(m, "CustomMetadata", cs) != 0)
			goto oom;
	}
	json_decref(cs);
	*ret = m;
	return 0;
oom:
	qt_err_set(err, ENOMEM, "%s: out of memory", name);
fail:
	json_decref(cs);
	json_decref(m);
	return -1;
}

int
describe_document(const char *name, const struct eif_info *info, const struct pcr_set *p,
    json_t **ret, bool *ret_pass, struct qt_err *why, struct qt_err *err)
{
	json_t *doc = NULL, *meas = NULL, *cert = NULL, *meta = NULL, *md = NULL;
	struct eif_sig sig = { 0 };
	bool signed_ = info->signature != NULL, pass = info->crc_ok;
	int sc = 0, r = -1;

	if (describe_nitro_map(p, &meas, err) < 0)
		goto out;
	if (signed_) {
		if (eif_sig_parse(name, info->signature, info->signature_len, &sig, err) < 0 ||
		    describe_cert_info(name, sig.cert_pem, sig.cert_pem_len, &cert, err) < 0)
			goto out;
		if ((sc = eif_sig_check_pcr0(name, &sig, p->pcr0, why, err)) < 0)
			goto out;
		if (sc == 1)
			pass = false;
	}
	eif_crc_check(name, info, why); /* the verdict's reason, when the CRC is wrong */
	if (info->metadata != NULL &&
	    (eif_meta_parse(name, info->metadata, info->metadata_len, &meta, err) < 0 ||
	        metadata_doc(name, meta, &md, err) < 0))
		goto out;
	/* EifDescribeInfo field order (nitro-cli src/common/json_output.rs) */
	if ((doc = json_object()) == NULL ||
	    json_object_set_new(doc, "EifVersion", json_integer(info->hdr.version)) != 0 ||
	    json_object_set(doc, "Measurements", meas) != 0 ||
	    json_object_set_new(doc, "IsSigned", json_boolean(signed_)) != 0 ||
	    (cert != NULL && json_object_set(doc, "SigningCertificate", cert) != 0) ||
	    json_object_set_new(doc, "CheckCRC", json_boolean(info->crc_ok)) != 0 ||
	    (signed_ && json_object_set_new(doc, "SignatureCheck", json_boolean(sc == 0)) != 0) ||
	    (meta != NULL &&
	        (json_object_set(doc, "ImageName", json_object_get(meta, "ImageName")) != 0 ||
	            json_object_set(doc, "ImageVersion", json_object_get(meta, "ImageVersion")) !=
	                0 ||
	            json_object_set(doc, "Metadata", md) != 0))) {
		qt_err_set(err, ENOMEM, "%s: out of memory", name);
		goto out;
	}
	*ret = doc;
	doc = NULL;
	*ret_pass = pass;
	r = 0;
out:
	json_decref(doc);
	json_decref(meas);
	json_decref(cert);
	json_decref(meta);
	json_decref(md);
	eif_sig_free(&sig);
	return r;
}
