/* SPDX-License-Identifier: Apache-2.0 */
/*
 * roots.c: the shipped trust anchors, found by word and checked against
 * their fingerprints before use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "fileio.h"
#include "roots.h"
#include "text.h"
#include "x509.h"

#define ROOT_FILE_MAX 65536u

static const struct qt_root roots[] = {
	{ "qingtian", "qingtian-root-G1.pem", "CN=huaweicloud.qingtian-enclaves",
	    { 0xf2, 0x34, 0x43, 0xb4, 0xeb, 0x52, 0xa7, 0x07, 0x19, 0xdf, 0x49, 0xbd, 0xda, 0x0e,
	        0x57, 0xbb, 0x25, 0xf1, 0xc0, 0x45, 0x30, 0x88, 0x5d, 0xbe, 0xcd, 0xbd, 0xe2, 0x41,
	        0xc8, 0xc4, 0xf5, 0x81 } },
	{ "nitro", "aws-nitro-root-G1.pem", "CN=aws.nitro-enclaves",
	    { 0x64, 0x1a, 0x03, 0x21, 0xa3, 0xe2, 0x44, 0xef, 0xe4, 0x56, 0x46, 0x31, 0x95, 0xd6,
	        0x06, 0x31, 0x7e, 0xd7, 0xcd, 0xcc, 0x3c, 0x17, 0x56, 0xe0, 0x98, 0x93, 0xf3, 0xc6,
	        0x8f, 0x79, 0xbb, 0x5b } },
};

const struct qt_root *
roots_find(const char *word)
{
	size_t i;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (strcmp(roots[i].word, word) == 0)
			return &roots[i];
	return NULL;
}

int
roots_load(const struct qt_root *r, const char *dir, uint8_t **ret_der, size_t *ret_len,
    struct qt_err *err)
{
	uint8_t *raw = NULL, *der = NULL, fp[SHA256_DIGEST_LENGTH];
	char *path = NULL, hex[2 * SHA256_DIGEST_LENGTH + 1];
	size_t rl, dl = 0;
	int rc = -1;

	if (asprintf(&path, "%s/%s", dir, r->file) < 0) {
		path = NULL;
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (fileio_read_all(path, ROOT_FILE_MAX, &raw, &rl, err) < 0 ||
	    x509_load_der(path, raw, rl, &der, &dl, err) < 0)
		goto out;
	SHA256(der, dl, fp);
	if (CRYPTO_memcmp(fp, r->sha256, sizeof(fp)) != 0) {
		qt_hex(fp, sizeof(fp), hex);
		qt_err_set(err, EINVAL,
		    "%s: not the shipped %s root (%s): its SHA-256 is %s; reinstall qt or pass "
		    "--root FILE",
		    path, r->word, r->subject, hex);
		goto out;
	}
	*ret_der = der;
	*ret_len = dl;
	der = NULL;
	rc = 0;
out:
	free(der);
	free(raw);
	free(path);
	return rc;
}
