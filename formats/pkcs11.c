/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkcs11.c: PKCS#11 private keys through the OpenSSL "pkcs11" ENGINE.
 *
 * Why an ENGINE: Debian 12 ships libengine-pkcs11-openssl (libp11) but no
 * PKCS#11 *provider* for OpenSSL 3, and talking PKCS#11 directly would mean
 * re-implementing libp11. The ENGINE API is deprecated in OpenSSL 3, and the
 * Makefile builds everything with OPENSSL_NO_DEPRECATED; this file alone
 * undoes that before including any OpenSSL header, and nothing else may
 * include <openssl/engine.h>. The EVP_PKEY handed out is a legacy key whose
 * operations run in the token; callers use it only with EVP_DigestSign.
 */
#undef OPENSSL_NO_DEPRECATED
#undef OPENSSL_API_COMPAT
#define OPENSSL_API_COMPAT          10100
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/engine.h>
#include <openssl/err.h>

#include "pkcs11.h"
#include "text.h"

struct pkcs11_key {
	ENGINE *engine; /* structural + functional reference */
	EVP_PKEY *pkey;
	char name[512]; /* the URI without pin-value, for messages */
};

bool
pkcs11_is_uri(const char *text)
{
	return text != NULL && strncasecmp(text, "pkcs11:", 7) == 0;
}

/*
 * The URI for messages: everything but a pin-value attribute, so a PIN
 * never reaches a log.
 */
static void
uri_for_msg(const char *uri, char *out, size_t size)
{
	const char *pin = strstr(uri, "pin-value=");
	size_t n;

	if (pin == NULL) {
		snprintf(out, size, "%s", uri);
		return;
	}
	n = (size_t)(pin - uri);
	snprintf(out, size, "%.*spin-value=***%s", (int)n, uri,
	    strpbrk(pin, ";&") != NULL ? strpbrk(pin, ";&") : "");
}

/* Percent-decode n bytes of p into a new string. */
static char *
pct_decode(const char *p, size_t n)
{
	char *out = malloc(n + 1);
	size_t i, o = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		int hi, lo;

		/* exactly two hex digits inside the n bytes (RFC 3986 2.1); otherwise literal */
		if (p[i] == '%' && i + 2 < n && (hi = qt_hex_digit(p[i + 1])) >= 0 &&
		    (lo = qt_hex_digit(p[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = p[i];
		}
	}
	out[o] = '\0';
	return out;
}

/* Decode the value of the query attribute "module-path" (RFC 7512 2.3), if any. */
static int
uri_module_path(const char *uri, char **ret, struct qt_err *err)
{
	const char *q = strchr(uri, '?'), *p, *end;

	*ret = NULL;
	if (q == NULL)
		return 0;
	for (p = q + 1; p != NULL && *p != '\0'; p = end != NULL ? end + 1 : NULL) {
		end = strchr(p, '&');
		if (strncmp(p, "module-path=", 12) != 0)
			continue;
		p += 12;
		if ((*ret = pct_decode(p, end != NULL ? (size_t)(end - p) : strlen(p))) == NULL)
			return qt_err_set(err, ENOMEM, "pkcs11: out of memory");
		return 0;
	}
	return 0;
}

/* The URI's path part without any pin-value attribute, and that PIN (or NULL). */
static int
uri_split(const char *uri, char **ret_path, char **ret_pin, struct qt_err *err)
{
	size_t plen = strcspn(uri, "?"), i = 7;
	char *path = malloc(plen + 1), *pin = NULL;
	size_t o = 7;

	if (path == NULL)
		return qt_err_set(err, ENOMEM, "pkcs11: out of memory");
	memcpy(path, uri, 7); /* "pkcs11:" (checked by pkcs11_is_uri) */
	while (i < plen) {
		size_t n = strcspn(uri + i, ";?");

		if (i + n > plen)
			n = plen - i;
		if (n >= 10 && strncmp(uri + i, "pin-value=", 10) == 0) {
			free(pin);
			if ((pin = pct_decode(uri + i + 10, n - 10)) == NULL) {
				free(path);
				return qt_err_set(err, ENOMEM, "pkcs11: out of memory");
			}
		} else {
			if (o > 7)
				path[o++] = ';';
			memcpy(path + o, uri + i, n);
			o += n;
		}
		i += n;
		if (i < plen && uri[i] == ';')
			i++;
	}
	path[o] = '\0';
	*ret_path = path;
	*ret_pin = pin;
	return 0;
}

int
pkcs11_key_open(const char *uri, const char *module, const char *pin, struct pkcs11_key **ret,
    struct qt_err *err)
{
	struct pkcs11_key *k = NULL;
	char shown[512], *uri_module = NULL, *path_uri = NULL, *uri_pin = NULL;
	bool inited = false;
	int rv = -1;

	uri_for_msg(uri, shown, sizeof(shown));
	if (uri_module_path(uri, &uri_module, err) < 0)
		goto out;
	/*
	 * libp11 0.4.12 rejects query attributes and prints the URI it was given
	 * when a key is not found: hand it the path part without pin-value, and
	 * the PIN through the engine's PIN control instead.
	 */
	if (uri_split(uri, &path_uri, &uri_pin, err) < 0)
		goto out;
	if (pin == NULL)
		pin = uri_pin;
	if (module == NULL)
		module = uri_module;
	if (module == NULL)
		module = getenv("QT_PKCS11_MODULE");
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		qt_err_set(err, ENOMEM, "pkcs11: out of memory");
		goto out;
	}
	snprintf(k->name, sizeof(k->name), "%s", shown);
	/* The engine loads the module lazily and only prints why it failed. */
	if (module != NULL && access(module, R_OK) != 0) {
		qt_err_set(err, errno, "%s: cannot load PKCS#11 module '%s': %s", shown, module,
		    strerror(errno));
		goto out;
	}
	ENGINE_load_builtin_engines();
	if ((k->engine = ENGINE_by_id("pkcs11")) == NULL) {
		qt_err_ssl(err,
		    "%s: the OpenSSL PKCS#11 engine is not available "
		    "(install libengine-pkcs11-openssl)",
		    shown);
		goto out;
	}
	if (module != NULL && ENGINE_ctrl_cmd_string(k->engine, "MODULE_PATH", module, 0) != 1) {
		qt_err_ssl(err, "%s: PKCS#11 module '%s' refused", shown, module);
		goto out;
	}
	if (ENGINE_init(k->engine) != 1) {
		qt_err_ssl(err, "%s: cannot load PKCS#11 module '%s'", shown,
		    module != NULL ? module : "(engine default)");
		goto out;
	}
	inited = true;
	if (pin != NULL && ENGINE_ctrl_cmd_string(k->engine, "PIN", pin, 0) != 1) {
		qt_err_ssl(err, "%s: PKCS#11 engine refused the PIN", shown);
		goto out;
	}
	if ((k->pkey = ENGINE_load_private_key(k->engine, path_uri, NULL, NULL)) == NULL) {
		qt_err_ssl(err, "%s: cannot open the private key in the token (module '%s')", shown,
		    module != NULL ? module : "engine default");
		goto out;
	}
	*ret = k;
	k = NULL;
	rv = 0;
out:
	if (k != NULL) {
		EVP_PKEY_free(k->pkey);
		if (inited)
			ENGINE_finish(k->engine);
		ENGINE_free(k->engine);
		free(k);
	}
	if (uri_pin != NULL) {
		OPENSSL_cleanse(uri_pin, strlen(uri_pin));
		free(uri_pin);
	}
	free(path_uri);
	free(uri_module);
	return rv;
}

const char *
pkcs11_key_name(const struct pkcs11_key *k)
{
	return k->name;
}

EVP_PKEY *
pkcs11_key_pkey(const struct pkcs11_key *k)
{
	return k->pkey;
}

void
pkcs11_key_free(struct pkcs11_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	ENGINE_finish(k->engine);
	ENGINE_free(k->engine);
	free(k);
}
