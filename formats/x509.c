/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x509.c: certificate loading and the one chain verifier (x509.h). OpenSSL
 * builds and validates paths; the rules it leaves out are checked here on the
 * path, in order from the trust anchor to the leaf, so that messages name the
 * first certificate at fault. X509_V_FLAG_X509_STRICT is never set: it
 * rejects real Nitro chains, which lack key identifiers.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "text.h"
#include "x509.h"

/* ---- loading ---------------------------------------------------------------------- */

int
x509_from_der(const char *name, const uint8_t *der, size_t len, X509 **ret, struct qt_err *err)
{
	const uint8_t *p = der;
	X509 *x;

	if (len > (size_t)LONG_MAX)
		return qt_err_set(err, EFBIG, "%s: too large for a certificate", name);
	x = d2i_X509(NULL, &p, (long)len);
	if (x == NULL)
		return qt_err_ssl(err, "%s: not a DER X.509 certificate", name);
	if (p != der + len) {
		X509_free(x);
		return qt_err_set(err, EINVAL,
		    "%s: not a DER X.509 certificate: %zu trailing bytes", name,
		    (size_t)(der + len - p));
	}
	*ret = x;
	return 0;
}

int
x509_pem_first(const char *name, const uint8_t *pem, size_t len, X509 **ret, struct qt_err *err)
{
	BIO *bio = NULL;
	X509 *cert = NULL;
	int rv = -1;

	if (len > INT32_MAX) {
		qt_err_set(err, EINVAL, "%s: certificate text too large", name);
		goto out;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		qt_err_ssl(err, "%s: BIO_new_mem_buf", name);
		goto out;
	}
	if ((cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL) {
		qt_err_ssl(err, "%s: no PEM certificate found", name);
		goto out;
	}
	*ret = cert;
	cert = NULL;
	rv = 0;
out:
	ERR_clear_error();
	X509_free(cert);
	BIO_free(bio);
	return rv;
}

/* DER of x, malloc'd. */
static int
to_der(const char *name, X509 *x, uint8_t **ret_der, size_t *ret_len, struct qt_err *err)
{
	uint8_t *der = NULL, *p;
	int n;

	if ((n = i2d_X509(x, NULL)) <= 0)
		return qt_err_ssl(err, "%s: cannot encode the certificate as DER", name);
	if ((der = malloc((size_t)n)) == NULL)
		return qt_err_set(err, ENOMEM, "%s: out of memory", name);
	p = der;
	if (i2d_X509(x, &p) != n) {
		free(der);
		return qt_err_ssl(err, "%s: cannot encode the certificate as DER", name);
	}
	*ret_der = der;
	*ret_len = (size_t)n;
	return 0;
}

int
x509_pem_first_der(const char *name, const uint8_t *pem, size_t len, uint8_t **ret_der,
    size_t *ret_len, struct qt_err *err)
{
	X509 *cert = NULL;
	int rv;

	if (x509_pem_first(name, pem, len, &cert, err) < 0)
		return -1;
	rv = to_der(name, cert, ret_der, ret_len, err);
	X509_free(cert);
	return rv;
}

int
x509_pem_rest(const char *name, const uint8_t *pem, size_t len, size_t max, STACK_OF(X509) * *ret,
    struct qt_err *err)
{
	STACK_OF(X509) *sk = NULL;
	BIO *bio = NULL;
	X509 *x;
	int rv = -1;

	if (len > INT32_MAX) {
		qt_err_set(err, EINVAL, "%s: certificate text too large", name);
		goto out;
	}
	if ((sk = sk_X509_new_null()) == NULL || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		qt_err_ssl(err, "out of memory");
		goto out;
	}
	X509_free(PEM_read_bio_X509(bio, NULL, NULL, NULL)); /* the leaf */
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if ((size_t)sk_X509_num(sk) + 1 >= max) {
			X509_free(x);
			qt_err_set(err, EINVAL,
			    "%s: signing certificate chain: more than %zu certificates", name, max);
			goto out;
		}
		if (sk_X509_push(sk, x) <= 0) {
			X509_free(x);
			qt_err_ssl(err, "out of memory");
			goto out;
		}
	}
	*ret = sk;
	sk = NULL;
	rv = 0;
out:
	ERR_clear_error();
	BIO_free(bio);
	sk_X509_pop_free(sk, X509_free);
	return rv;
}

int
x509_load_anchors(const char *path, X509_STORE **ret, struct qt_err *err)
{
	X509_STORE *store;

	if ((store = X509_STORE_new()) == NULL)
		return qt_err_ssl(err, "out of memory");
	if (X509_STORE_load_file(store, path) != 1) {
		X509_STORE_free(store);
		return qt_err_ssl(err, "%s: cannot load CA certificates", path);
	}
	*ret = store;
	return 0;
}

int
x509_load_der(const char *name, const uint8_t *buf, size_t len, uint8_t **ret_der, size_t *ret_len,
    struct qt_err *err)
{
	struct qt_err derr = { 0 };
	X509 *x = NULL;
	BIO *b = NULL;
	int r = -1;

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
	} else if (x509_from_der(name, buf, len, &x, &derr) < 0) {
		qt_err_set(err, EINVAL, "%s: neither a PEM nor a DER certificate", name);
		goto out;
	}
	r = to_der(name, x, ret_der, ret_len, err);
out:
	X509_free(x);
	BIO_free(b);
	return r;
}

int
x509_load_key_bytes(const char *name, const uint8_t *buf, size_t len, size_t max, uint8_t **ret,
    size_t *ret_len, struct qt_err *err)
{
	char *pname = NULL, *phdr = NULL;
	unsigned char *data = NULL;
	long dlen = 0;
	BIO *b = NULL;
	int r = -1;

	if (len > max * 4) {
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
	if (len > max) {
		qt_err_set(err, EFBIG, "%s: %zu bytes exceeds the public_key limit of %zu", name,
		    len, max);
		goto out;
	}
	if ((*ret = malloc(len > 0 ? len : 1)) == NULL) {
		qt_err_set(err, ENOMEM, "%s: out of memory", name);
		goto out;
	}
	if (len > 0)
		memcpy(*ret, buf, len);
	*ret_len = len;
	r = 0;
out:
	OPENSSL_free(pname);
	OPENSSL_free(phdr);
	OPENSSL_free(data);
	BIO_free(b);
	return r;
}

void
x509_name_rfc2253(const X509_NAME *nm, char *out, size_t len)
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

int
x509_time_unix(const ASN1_TIME *t, int64_t *ret)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*ret = qt_time_from_tm(&tm);
	return 0;
}

int
x509_time_text(const ASN1_TIME *t, char *buf, size_t size)
{
	BIO *b = NULL;
	int n = 0, rv = -1;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	if (size > INT32_MAX || (b = BIO_new(BIO_s_mem())) == NULL || ASN1_TIME_print(b, t) != 1 ||
	    (n = BIO_read(b, buf, (int)size - 1)) <= 0)
		goto out;
	buf[n] = '\0';
	rv = 0;
out:
	BIO_free(b);
	return rv;
}

/* ---- paths -------------------------------------------------------------------------- */

int
x509_path_push(struct x509_path *p, X509 *cert, const char *label, struct qt_err *err)
{
	if (p->n >= X509_PATH_MAX)
		return qt_err_set(err, EINVAL, "certificate path: more than %u certificates",
		    (unsigned)X509_PATH_MAX);
	p->cert[p->n] = cert;
	snprintf(p->label[p->n], sizeof(p->label[p->n]), "%s", label);
	p->n++;
	return 0;
}

void
x509_path_label(const struct x509_path *p, size_t i, char *out, size_t len)
{
	char subj[200];

	x509_name_rfc2253(X509_get_subject_name(p->cert[i]), subj, sizeof(subj));
	snprintf(out, len, "%s (%s)", p->label[i], subj);
}

static bool
ext_critical(X509 *x, int nid)
{
	int i = X509_get_ext_by_NID(x, nid, -1);

	return i >= 0 && X509_EXTENSION_get_critical(X509_get_ext(x, i)) == 1;
}

static bool
self_issued(X509 *x)
{
	return X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0;
}

/* The CA rules for p->cert[i] (i < n - 1); 0 or 1 with why. */
static int
ca_rules(const struct x509_path *p, size_t i, const char *label, char *why, size_t len)
{
	X509 *x = p->cert[i];
	uint32_t fl = X509_get_extension_flags(x);
	long pathlen;
	size_t j, below = 0;

	if (!(fl & EXFLAG_BCONS) || !(fl & EXFLAG_CA)) {
		snprintf(why, len, "%s: not a CA (BasicConstraints CA:TRUE missing)", label);
		return 1;
	}
	if (!ext_critical(x, NID_basic_constraints)) {
		snprintf(why, len, "%s: BasicConstraints is not critical", label);
		return 1;
	}
	/* CAs between this one and the leaf; a self-issued one (a key rollover) is not counted */
	for (j = i + 1; j + 1 < p->n; j++)
		if (!self_issued(p->cert[j]))
			below++;
	pathlen = X509_get_pathlen(x);
	if (pathlen >= 0 && (size_t)pathlen < below) {
		snprintf(
		    why, len, "%s: pathLen %ld, but %zu CA(s) below it", label, pathlen, below);
		return 1;
	}
	/* fail-closed: a CA must say it signs certificates */
	if (!(fl & EXFLAG_KUSAGE)) {
		snprintf(why, len, "%s: no KeyUsage (keyCertSign required)", label);
		return 1;
	}
	if (!(X509_get_key_usage(x) & KU_KEY_CERT_SIGN)) {
		snprintf(why, len, "%s: KeyUsage lacks keyCertSign", label);
		return 1;
	}
	return 0;
}

/* The leaf rules; 0 or 1 with why. */
static int
leaf_rules(X509 *x, const char *label, char *why, size_t len)
{
	uint32_t fl = X509_get_extension_flags(x);

	if (fl & EXFLAG_CA) {
		snprintf(why, len, "%s: the leaf is a CA (CA:TRUE)", label);
		return 1;
	}
	if (!(fl & EXFLAG_KUSAGE)) {
		snprintf(why, len, "%s: no KeyUsage (digitalSignature required)", label);
		return 1;
	}
	if (!(X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE)) {
		snprintf(why, len, "%s: KeyUsage lacks digitalSignature", label);
		return 1;
	}
	return 0;
}

int
x509_path_constraints(const struct x509_path *p, char *why, size_t len)
{
	char label[260];
	size_t i;

	for (i = 0; i < p->n; i++) {
		x509_path_label(p, i, label, sizeof(label));
		if (X509_get_extension_flags(p->cert[i]) & EXFLAG_INVALID) {
			snprintf(why, len, "%s: invalid or duplicate extensions", label);
			return 1;
		}
		if (i + 1 < p->n ? ca_rules(p, i, label, why, len) != 0
		                 : leaf_rules(p->cert[i], label, why, len) != 0)
			return 1;
	}
	return 0;
}

int
x509_path_links(const struct x509_path *p, char *why, size_t len)
{
	char label[260], ilabel[260], iname[200];
	size_t i;

	/* cert[0] is trusted by the caller's pin, not by its self-signature */
	for (i = 1; i < p->n; i++) {
		X509 *x = p->cert[i], *issuer = p->cert[i - 1];

		x509_path_label(p, i, label, sizeof(label));
		x509_path_label(p, i - 1, ilabel, sizeof(ilabel));
		if (X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(issuer)) != 0) {
			x509_name_rfc2253(X509_get_issuer_name(x), iname, sizeof(iname));
			snprintf(why, len, "%s: issuer (%s) is not the subject of the next %s, %s",
			    label, iname,
			    strncmp(p->label[i - 1], "cabundle", 8) == 0 ? "cabundle entry"
			                                                 : "certificate",
			    ilabel);
			return 1;
		}
		if (X509_verify(x, X509_get0_pubkey(issuer)) != 1) {
			ERR_clear_error();
			snprintf(why, len, "%s: not signed by %s", label, ilabel);
			return 1;
		}
	}
	return 0;
}

int
x509_path_times(const struct x509_path *p, int64_t t_ms, char *why, size_t len)
{
	char label[260], ts[32], its[32];
	int64_t t = qt_time_ms_to_s(t_ms), nb, na;
	size_t i;

	/* whole seconds suffice: nb <= floor(t_ms/1000) iff nb*1000 <= t_ms, same for na */
	qt_time_format(t, false, its, sizeof(its));
	for (i = p->n; i-- > 0;) {
		X509 *x = p->cert[i];

		x509_path_label(p, i, label, sizeof(label));
		if (x509_time_unix(X509_get0_notBefore(x), &nb) < 0 ||
		    x509_time_unix(X509_get0_notAfter(x), &na) < 0) {
			ERR_clear_error();
			snprintf(why, len, "%s: unreadable validity", label);
			return 1;
		}
		if (t < nb) {
			qt_time_format(nb, false, ts, sizeof(ts));
			snprintf(why, len, "%s: not yet valid (notBefore %s, instant %s)", label,
			    ts, its);
			return 1;
		}
		if (t >= na) {
			qt_time_format(na, false, ts, sizeof(ts));
			snprintf(why, len, "%s: expired (notAfter %s, instant %s)", label, ts, its);
			return 1;
		}
	}
	return 0;
}

/*
 * OpenSSL's validation of leaf over untrusted to anchors at t_ms: 0 with the
 * context in *ret_ctx, 1 with OpenSSL's error and depth, -1 if it cannot run.
 */
static int
openssl_verify(X509 *leaf, STACK_OF(X509) * untrusted, X509_STORE *anchors, int64_t t_ms,
    unsigned flags, X509_STORE_CTX **ret_ctx, int *ret_e, int *ret_depth)
{
	X509_STORE_CTX *ctx = NULL;
	X509_VERIFY_PARAM *param;
	int rv = -1;

	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, anchors, leaf, untrusted) != 1)
		goto out;
	param = X509_STORE_CTX_get0_param(ctx);
	/* depth counts the certificates above the leaf */
	X509_VERIFY_PARAM_set_depth(param, (int)QT_CHAIN_MAX - 1);
	/* a check time set wins over NO_CHECK_TIME in OpenSSL: set one or the other */
	if (flags & X509_VERIFY_NO_TIME)
		X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME);
	else
		X509_VERIFY_PARAM_set_time(param, (time_t)qt_time_ms_to_s(t_ms));
	if (X509_verify_cert(ctx) != 1) {
		*ret_e = X509_STORE_CTX_get_error(ctx);
		*ret_depth = X509_STORE_CTX_get_error_depth(ctx);
		rv = 1;
		goto out;
	}
	*ret_ctx = ctx;
	ctx = NULL;
	rv = 0;
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	return rv;
}

int
x509_path_openssl(const struct x509_path *p, X509 *anchor, int64_t t_ms, char *why, size_t len)
{
	X509_STORE *st = NULL;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *unt = NULL, *got;
	int e = 0, depth = 0, v, ok = 1;
	size_t i, n = p->n;

	snprintf(why, len, "cannot set up OpenSSL path validation");
	if (n < 2 || (st = X509_STORE_new()) == NULL || X509_STORE_add_cert(st, anchor) != 1 ||
	    (unt = sk_X509_new_null()) == NULL)
		goto out;
	for (i = 1; i + 1 < n; i++)
		if (sk_X509_push(unt, p->cert[i]) <= 0)
			goto out;
	if ((v = openssl_verify(p->cert[n - 1], unt, st, t_ms, 0, &ctx, &e, &depth)) != 0) {
		if (v == 1)
			snprintf(why, len, "OpenSSL: %s (error %d at depth %d)",
			    X509_verify_cert_error_string(e), e, depth);
		goto out;
	}
	/* The path OpenSSL built must be exactly leaf, cert[n-2], ..., cert[0]. */
	got = X509_STORE_CTX_get0_chain(ctx);
	if (got == NULL || (size_t)sk_X509_num(got) != n) {
		snprintf(why, len, "OpenSSL built a path of another length");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (X509_cmp(sk_X509_value(got, (int)i), p->cert[n - 1 - i]) != 0 &&
		    !(i == n - 1 && X509_cmp(sk_X509_value(got, (int)i), anchor) == 0)) {
			snprintf(why, len, "OpenSSL built another path (depth %zu)", i);
			goto out;
		}
	snprintf(why, len, "OpenSSL path validation at the instant: ok");
	ok = 0;
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	sk_X509_free(unt);
	X509_STORE_free(st);
	return ok;
}

int
x509_verify_chain(X509 *leaf, STACK_OF(X509) * untrusted, X509_STORE *anchors, int64_t t_ms,
    unsigned flags, char *why, size_t len, struct qt_err *err)
{
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) * got;
	struct x509_path p = { 0 };
	size_t i, n;
	int e = 0, depth = 0, rv;

	rv = openssl_verify(leaf, untrusted, anchors, t_ms, flags, &ctx, &e, &depth);
	if (rv < 0)
		qt_err_ssl(err, "cannot set up X.509 path validation");
	else if (rv == 1)
		snprintf(why, len, "%s", X509_verify_cert_error_string(e));
	if (rv != 0)
		goto out;
	got = X509_STORE_CTX_get0_chain(ctx);
	n = got != NULL ? (size_t)sk_X509_num(got) : 0;
	if (n == 0 || n > X509_PATH_MAX) {
		rv = qt_err_set(err, EINVAL, "OpenSSL built a path of %zu certificates", n);
		goto out;
	}
	/*
	 * A path of one: the leaf is itself a trusted certificate, pinned by
	 * identity like --cert; there is no CA whose rules could apply.
	 */
	if (n == 1)
		goto out;
	for (i = n; i-- > 0;)
		if (x509_path_push(&p, sk_X509_value(got, (int)i),
		        i == 0       ? "certificate"
		        : i == n - 1 ? "trusted CA"
		                     : "CA",
		        err) < 0) {
			rv = -1;
			goto out;
		}
	rv = x509_path_constraints(&p, why, len);
out:
	X509_STORE_CTX_free(ctx);
	return rv;
}
