/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signer.c: credentials and signing: passphrases, key and certificate
 * loading and checks, signing PCR0 into an EIF signature section
 * (spec/eif.md 5.1-5.2; the section's bytes, PCR8 and the PCR0 check are
 * eif_sig's), the detached two-phase flow and the checks of qt-sign
 * --verify. Messages name the file they are about.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "cose.h"
#include "eif.h"
#include "eif_sig.h"
#include "fileio.h"
#include "pcr.h"
#include "pkcs11.h"
#include "signer.h"
#include "x509.h"

#define PEM_MAX  (1u << 20) /* certificate and key files */
#define PASS_MAX 1024u

struct signer {
	const char *cert_name;
	const char *key_name;
	uint8_t *cert_pem; /* file bytes verbatim */
	size_t cert_pem_len;
	X509 *cert;
	EVP_PKEY *key; /* NULL for certificate-only signers; owned unless from p11 */
	struct pkcs11_key *p11;
	long long alg;
	size_t n; /* r and s width */
};

/* --- passphrases ----------------------------------------------------------------- */

/* First line of fd (without \n or \r\n), at most PASS_MAX bytes. */
static int
read_line_fd(int fd, const char *what, char **ret, struct qt_err *err)
{
	char *buf = NULL;
	size_t len = 0, n;
	char c;
	int rv = -1;

	if ((buf = malloc(PASS_MAX + 1)) == NULL) {
		qt_err_set(err, ENOMEM, "--pass: out of memory");
		goto out;
	}
	for (;;) {
		if (fileio_read_full(fd, (uint8_t *)&c, 1, -1, &n) < 0) {
			qt_err_set(err, errno, "--pass: %s: read error: %s", what, strerror(errno));
			goto out;
		}
		if (n == 0 || c == '\n')
			break;
		if (len == PASS_MAX) {
			qt_err_set(err, EINVAL, "--pass: %s: passphrase longer than %u bytes", what,
			    PASS_MAX);
			goto out;
		}
		buf[len++] = c;
	}
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	*ret = buf;
	buf = NULL;
	rv = 0;
out:
	if (buf != NULL)
		OPENSSL_cleanse(buf, PASS_MAX + 1);
	free(buf);
	return rv;
}

int
signer_pass(const char *spec, char **ret, struct qt_err *err)
{
	if (strncmp(spec, "pass:", 5) == 0) {
		if ((*ret = strdup(spec + 5)) == NULL)
			return qt_err_set(err, ENOMEM, "--pass: out of memory");
		return 0;
	}
	if (strncmp(spec, "env:", 4) == 0) {
		const char *v = getenv(spec + 4);

		if (v == NULL)
			return qt_err_set(
			    err, ENOENT, "--pass: environment variable '%s' is not set", spec + 4);
		if ((*ret = strdup(v)) == NULL)
			return qt_err_set(err, ENOMEM, "--pass: out of memory");
		return 0;
	}
	if (strncmp(spec, "file:", 5) == 0) {
		int fd = open(spec + 5, O_RDONLY | O_CLOEXEC), r;

		if (fd < 0)
			return qt_err_set(
			    err, errno, "--pass: %s: cannot open: %s", spec + 5, strerror(errno));
		r = read_line_fd(fd, spec + 5, ret, err);
		close(fd);
		return r;
	}
	if (strncmp(spec, "fd:", 3) == 0) {
		char *end;
		long fdn;

		errno = 0;
		fdn = strtol(spec + 3, &end, 10);
		if (errno != 0 || end == spec + 3 || *end != '\0' || fdn < 0 || fdn > 65535)
			return qt_err_set(
			    err, EINVAL, "--pass: bad file descriptor '%s'", spec + 3);
		return read_line_fd((int)fdn, spec, ret, err);
	}
	return qt_err_set(err, EINVAL,
	    "--pass: unknown form '%.20s' (use pass:TEXT, env:VAR, file:PATH or fd:N)", spec);
}

/* --- loading -------------------------------------------------------------------- */

struct pw {
	const char *pass;
	bool asked;
};

static int
pw_cb(char *buf, int size, int rwflag, void *u)
{
	struct pw *pw = u;
	size_t n;

	(void)rwflag;
	pw->asked = true;
	if (pw->pass == NULL || size <= 0)
		return -1; /* never prompt: CI has no terminal */
	n = strlen(pw->pass);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, pw->pass, n);
	return (int)n;
}

static int
load_pem_key(const char *path, const char *pass, EVP_PKEY **ret, struct qt_err *err)
{
	uint8_t *text = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	EVP_PKEY *key = NULL;
	struct pw pw = { pass, false };
	int rv = -1;

	if (fileio_read_all(path, PEM_MAX, &text, &len, err) < 0)
		goto out;
	if ((bio = BIO_new_mem_buf(text, (int)len)) == NULL) {
		qt_err_ssl(err, "%s: BIO_new_mem_buf", path);
		goto out;
	}
	key = PEM_read_bio_PrivateKey(bio, NULL, pw_cb, &pw);
	if (key == NULL) {
		if (pw.asked && pass == NULL)
			qt_err_set(err, EINVAL,
			    "%s: the key is encrypted: give its passphrase with --pass", path);
		else if (pw.asked)
			qt_err_ssl(err, "%s: cannot decrypt the key (wrong passphrase?)", path);
		else
			qt_err_ssl(err, "%s: no PEM private key found", path);
		goto out;
	}
	*ret = key;
	key = NULL;
	rv = 0;
out:
	ERR_clear_error();
	EVP_PKEY_free(key);
	BIO_free(bio);
	if (text != NULL)
		OPENSSL_cleanse(text, len);
	free(text);
	return rv;
}

int
signer_cert_valid_at(const char *name, X509 *cert, int64_t t, struct qt_err *err)
{
	time_t tt = (time_t)t;
	char when[64];
	int c;

	c = X509_cmp_time(X509_get0_notBefore(cert), &tt);
	if (c == 0)
		return qt_err_set(err, EINVAL, "%s: certificate has an invalid notBefore", name);
	if (c > 0) {
		(void)x509_time_text(X509_get0_notBefore(cert), when, sizeof(when));
		qt_err_set(err, EINVAL, "%s: certificate is not valid before %s", name, when);
		return 1;
	}
	c = X509_cmp_time(X509_get0_notAfter(cert), &tt);
	if (c == 0)
		return qt_err_set(err, EINVAL, "%s: certificate has an invalid notAfter", name);
	if (c < 0) {
		(void)x509_time_text(X509_get0_notAfter(cert), when, sizeof(when));
		qt_err_set(err, EINVAL, "%s: certificate expired on %s", name, when);
		return 1;
	}
	return 0;
}

int
signer_new(const struct signer_opts *o, struct signer **ret, struct qt_err *err)
{
	struct signer *s = NULL;
	char *pass = NULL;
	const EVP_MD *md;
	const char *curve;
	long long key_alg;
	int v, rv = -1;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	s->cert_name = o->cert;
	s->key_name = o->key;
	if (fileio_read_all(o->cert, PEM_MAX, &s->cert_pem, &s->cert_pem_len, err) < 0 ||
	    x509_pem_first(o->cert, s->cert_pem, s->cert_pem_len, &s->cert, err) < 0)
		goto out;
	if (X509_get0_pubkey(s->cert) == NULL) {
		qt_err_ssl(err, "%s: certificate public key cannot be decoded", o->cert);
		goto out;
	}
	if (cose_alg_for_key(o->cert, X509_get0_pubkey(s->cert), &s->alg, err) < 0)
		goto out;
	cose_alg_info(s->alg, &md, &curve, &s->n);
	if (o->key != NULL) {
		if (o->pass != NULL && signer_pass(o->pass, &pass, err) < 0)
			goto out;
		if (pkcs11_is_uri(o->key)) {
			if (pkcs11_key_open(o->key, o->pkcs11_module, pass, &s->p11, err) < 0)
				goto out;
			s->key = pkcs11_key_pkey(s->p11);
			s->key_name = pkcs11_key_name(s->p11);
		} else {
			if (load_pem_key(o->key, pass, &s->key, err) < 0)
				goto out;
			/* A file key says what it is: refuse RSA or P-192 by name. */
			if (cose_alg_for_key(o->key, s->key, &key_alg, err) < 0)
				goto out;
		}
		v = EVP_PKEY_eq(s->key, X509_get0_pubkey(s->cert));
		ERR_clear_error();
		if (v != 1) {
			qt_err_set(err, EINVAL, "%s: key does not match certificate %s",
			    s->key_name, o->cert);
			goto out;
		}
	}
	if (!o->allow_expired) {
		v = signer_cert_valid_at(o->cert, s->cert, o->now, err);
		if (v != 0) {
			if (v == 1) {
				size_t used = strlen(err->msg);
				snprintf(err->msg + used, sizeof(err->msg) - used,
				    " (--allow-expired-cert signs anyway)");
			}
			goto out;
		}
	}
	*ret = s;
	s = NULL;
	rv = 0;
out:
	if (pass != NULL) {
		OPENSSL_cleanse(pass, strlen(pass));
		free(pass);
	}
	signer_free(s);
	return rv;
}

void
signer_free(struct signer *s)
{
	if (s == NULL)
		return;
	if (s->p11 != NULL)
		pkcs11_key_free(s->p11);
	else
		EVP_PKEY_free(s->key);
	X509_free(s->cert);
	free(s->cert_pem);
	free(s);
}

long long
signer_alg(const struct signer *s)
{
	return s->alg;
}

int
signer_pcr8(const struct signer *s, uint8_t ret[48], struct qt_err *err)
{
	return eif_sig_cert_pcr8(s->cert_name, s->cert_pem, s->cert_pem_len, ret, err);
}

X509 *
signer_cert(const struct signer *s)
{
	return s->cert;
}

int
signer_sign_bytes(const struct signer *s, const uint8_t *tbs, size_t tbs_len, uint8_t *ret_rs,
    size_t *ret_n, struct qt_err *err)
{
	struct qt_err verr = { 0 };
	enum cose_sigform form;

	if (s->key == NULL)
		return qt_err_set(err, EINVAL, "no signing key");
	if (cose_ecdsa_sign(s->key_name, s->key, s->alg, tbs, tbs_len, ret_rs, err) < 0)
		return -1;
	if (cose_ecdsa_verify(s->key_name, X509_get0_pubkey(s->cert), s->alg, tbs, tbs_len, ret_rs,
	        2 * s->n, COSE_SIGFORM_BE, &form, &verr) != 0)
		return qt_err_set(err, EINVAL,
		    "%s: the signature does not verify with certificate %s", s->key_name,
		    s->cert_name);
	*ret_n = s->n;
	return 0;
}

/* --- signing ----------------------------------------------------------------------- */

/* Payload (PcrInfo of pcr0) and the Sig_structure over it. */
static int
build_tbs(const struct signer *s, const uint8_t pcr0[48], struct wbuf *payload, struct wbuf *tbs,
    struct qt_err *err)
{
	struct wbuf prot = { 0 };
	int rv = -1;

	if (eif_sig_pcr_info(pcr0, payload, err) < 0 || cose_protected(s->alg, &prot, err) < 0 ||
	    cose_sig_structure(prot.p, prot.len, NULL, 0, payload->p, payload->len, tbs, err) < 0)
		goto out;
	rv = 0;
out:
	wbuf_free(&prot);
	return rv;
}

int
signer_tbs(const struct signer *s, const uint8_t pcr0[48], struct wbuf *ret_tbs, struct qt_err *err)
{
	struct wbuf payload = { 0 };
	int rv = build_tbs(s, pcr0, &payload, ret_tbs, err);

	wbuf_free(&payload);
	return rv;
}

/* COSE_Sign1 from r||s, verified with the certificate, wrapped into a section. */
static int
finish_section(const struct signer *s, const char *what, const struct wbuf *payload,
    const uint8_t *rs, struct wbuf *ret_section, struct qt_err *err)
{
	struct wbuf cose = { 0 };
	struct qt_err verr = { 0 };
	const uint8_t *pl;
	size_t pl_len;
	int v, rv = -1;

	if (cose_sign1_encode(s->alg, payload->p, payload->len, rs, 2 * s->n, &cose, err) < 0)
		goto out;
	v = cose_sign1_verify_pkey(
	    what, cose.p, cose.len, X509_get0_pubkey(s->cert), NULL, 0, &pl, &pl_len, &verr);
	if (v != 0) {
		qt_err_set(err, EINVAL, "%s: the signature does not verify with certificate %s",
		    what, s->cert_name);
		rv = v;
		goto out;
	}
	if (eif_sig_encode(s->cert_pem, s->cert_pem_len, cose.p, cose.len, ret_section, err) < 0)
		goto out;
	if (ret_section->len > QT_SIGNATURE_MAX) {
		qt_err_set(err, EINVAL,
		    "%s: signature section of %zu bytes exceeds the EIF limit of %u (certificate "
		    "file too large?)",
		    s->cert_name, ret_section->len, QT_SIGNATURE_MAX);
		goto out;
	}
	rv = 0;
out:
	wbuf_free(&cose);
	return rv;
}

int
signer_section(
    const struct signer *s, const uint8_t pcr0[48], struct wbuf *ret_section, struct qt_err *err)
{
	struct wbuf payload = { 0 }, tbs = { 0 };
	uint8_t rs[2 * 66];
	int rv = -1;

	if (s->key == NULL) {
		qt_err_set(err, EINVAL, "no signing key");
		goto out;
	}
	if (build_tbs(s, pcr0, &payload, &tbs, err) < 0 ||
	    cose_ecdsa_sign(s->key_name, s->key, s->alg, tbs.p, tbs.len, rs, err) < 0)
		goto out;
	/* A token that signs with another key than the certificate's is caught here. */
	if (finish_section(s, s->key_name, &payload, rs, ret_section, err) != 0)
		goto out;
	rv = 0;
out:
	wbuf_free(&payload);
	wbuf_free(&tbs);
	return rv;
}

int
signer_attach(const struct signer *s, const char *sig_name, const uint8_t *sig, size_t sig_len,
    const uint8_t pcr0[48], struct wbuf *ret_section, struct qt_err *err)
{
	struct wbuf payload = { 0 }, tbs = { 0 };
	uint8_t rs[2 * 66];
	struct qt_err derr = { 0 };
	int rv = -1;

	if (sig_len == 2 * s->n) {
		memcpy(rs, sig, sig_len); /* raw r||s, as COSE and PKCS#11 CKM_ECDSA give it */
	} else if (sig_len > 0 && sig[0] == 0x30) {
		if (cose_der_to_rs(sig, sig_len, s->n, rs, &derr) < 0) {
			qt_err_set(err, EINVAL, "%s: %s", sig_name, derr.msg);
			goto out;
		}
	} else {
		qt_err_set(err, EINVAL,
		    "%s: %zu bytes is neither a raw r||s signature (%zu bytes for this "
		    "certificate's curve) nor DER",
		    sig_name, sig_len, 2 * s->n);
		goto out;
	}
	if (build_tbs(s, pcr0, &payload, &tbs, err) < 0)
		goto out;
	rv = finish_section(s, sig_name, &payload, rs, ret_section, err);
out:
	wbuf_free(&payload);
	wbuf_free(&tbs);
	return rv;
}

/* --- verification ---------------------------------------------------------------------- */

/* 0 if cert (first of pem) chains to a CA in ca_path at time at; 1 if not. */
static int
check_chain(const char *name, X509 *cert, const uint8_t *pem, size_t pem_len, const char *ca_path,
    int64_t at, bool allow_expired, struct qt_err *err)
{
	X509_STORE *store = NULL;
	STACK_OF(X509) *extra = NULL;
	char why[400];
	int rv = -1;

	/* Certificates after the first in the embedded PEM are untrusted intermediates. */
	if (x509_load_anchors(ca_path, &store, err) < 0 ||
	    x509_pem_rest(name, pem, pem_len, QT_CHAIN_MAX, &extra, err) < 0)
		goto out;
	rv = x509_verify_chain(cert, extra, store, at * 1000,
	    allow_expired ? X509_VERIFY_NO_TIME : 0, why, sizeof(why), err);
	if (rv == 1)
		qt_err_set(err, EINVAL, "%s: signing certificate does not chain to %s: %s", name,
		    ca_path, why);
out:
	sk_X509_pop_free(extra, X509_free);
	X509_STORE_free(store);
	return rv;
}

int
signer_verify(const char *name, const uint8_t *section, size_t len, const uint8_t pcr0[48],
    const struct signer_verify_opts *o, uint8_t ret_pcr8[48], bool *ret_have_pcr8,
    struct qt_err *err)
{
	struct eif_sig sig = { 0 };
	X509 *cert = NULL;
	uint8_t *given_pem = NULL, given_pcr8[PCR_LEN];
	size_t given_pem_len = 0;
	int v, rv = -1;

	*ret_have_pcr8 = false;
	if (eif_sig_parse(name, section, len, &sig, err) < 0)
		goto out;
	if (x509_pem_first("signing certificate", sig.cert_pem, sig.cert_pem_len, &cert, err) < 0) {
		qt_err_prefix(err, "%s", name);
		goto out;
	}
	if (eif_sig_pcr8(name, &sig, ret_pcr8, err) < 0)
		goto out;
	*ret_have_pcr8 = true;
	v = eif_sig_check_pcr0(name, &sig, pcr0, err, err);
	if (v != 0) {
		rv = v;
		goto out;
	}
	if (o->cert_path != NULL) {
		/* equal PCR8 <=> equal DER: PCR8 is what an attestation pins */
		if (fileio_read_all(o->cert_path, PEM_MAX, &given_pem, &given_pem_len, err) < 0 ||
		    eif_sig_cert_pcr8(o->cert_path, given_pem, given_pem_len, given_pcr8, err) < 0)
			goto out;
		if (CRYPTO_memcmp(given_pcr8, ret_pcr8, PCR_LEN) != 0) {
			qt_err_set(err, EINVAL, "%s: signed with another certificate than %s", name,
			    o->cert_path);
			rv = 1;
			goto out;
		}
	}
	if (o->pcr8_pin != NULL && CRYPTO_memcmp(o->pcr8_pin, ret_pcr8, PCR_LEN) != 0) {
		qt_err_set(err, EINVAL,
		    "%s: signed with another certificate than %s pins (PCR8 differs)", name,
		    o->pin_name != NULL ? o->pin_name : "the manifest");
		rv = 1;
		goto out;
	}
	if (!o->allow_expired) {
		v = signer_cert_valid_at("signing certificate", cert, o->at, err);
		if (v != 0) {
			qt_err_prefix(err, "%s", name);
			rv = v;
			goto out;
		}
	}
	if (o->ca_path != NULL) {
		v = check_chain(name, cert, sig.cert_pem, sig.cert_pem_len, o->ca_path, o->at,
		    o->allow_expired, err);
		if (v != 0) {
			rv = v;
			goto out;
		}
	}
	rv = 0;
out:
	free(given_pem);
	X509_free(cert);
	eif_sig_free(&sig);
	return rv;
}
