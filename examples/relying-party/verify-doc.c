/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verify-doc.c: a relying party in one file. It verifies an attestation
 * document with libqtverify and, only if every check passed, prints the
 * public key the enclave asked secrets to be encrypted to. Build it against
 * the installed library:
 *
 *   cc -o verify-doc verify-doc.c $(pkg-config --cflags --libs qtverify)
 *
 * usage: verify-doc --root ROOT [--at now|doc|MS] [--manifest FILE]
 *                   [--pcr N=HEX]... [--nonce HEX] DOC
 * Exit 0: verified (key printed); 1: refused (failed checks printed);
 * 2: could not check (one line on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qt/verify.h>

#define FILE_MAX (1u << 20)

struct buf {
	uint8_t *p;
	size_t len;
};

static int
read_file(const char *path, struct buf *b)
{
	FILE *fp = fopen(path, "rb");
	size_t n;

	b->p = NULL;
	b->len = 0;
	if (fp == NULL || (b->p = malloc(FILE_MAX)) == NULL) {
		if (fp != NULL)
			fclose(fp);
		return -1;
	}
	n = fread(b->p, 1, FILE_MAX, fp);
	if (ferror(fp) || n == FILE_MAX) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	b->len = n;
	return 0;
}

/* Hex text into out (at most max bytes): the byte count, or -1. */
static long
unhex(const char *h, uint8_t *out, size_t max)
{
	size_t i, n = strlen(h);
	unsigned v;

	if (n % 2 != 0 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (strspn(h + 2 * i, "0123456789abcdefABCDEF") < 2 ||
		    sscanf(h + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (long)(n / 2);
}

static int
usage(const char *why)
{
	fprintf(stderr, "verify-doc: %s\n", why);
	fprintf(stderr, "usage: verify-doc --root ROOT [--at now|doc|MS] [--manifest FILE]\n"
	                "                  [--pcr N=HEX]... [--nonce HEX] DOC\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	const char *root_path = NULL, *manifest = NULL, *doc_path = NULL;
	struct buf doc = { NULL, 0 }, root = { NULL, 0 }, man = { NULL, 0 };
	char msg[QTV_ERRMSG_MAX];
	uint8_t v[512];
	int64_t at = QTV_AT_NOW;
	qtv_expect *e = NULL;
	qtv_result *r = NULL;
	const uint8_t *pk;
	size_t i, pklen;
	int a, rc = 2;
	long n;

	/* the manifest, if any, first: --pcr and --nonce add to it */
	for (a = 1; a + 1 < argc; a++)
		if (strcmp(argv[a], "--manifest") == 0)
			manifest = argv[a + 1];
	if (manifest != NULL) {
		if (read_file(manifest, &man) < 0) {
			fprintf(stderr, "verify-doc: %s: cannot read\n", manifest);
			goto out;
		}
		if (qtv_expect_from_manifest(man.p, man.len, &e, msg, sizeof(msg)) != QTV_OK) {
			fprintf(stderr, "verify-doc: %s: %s\n", manifest, msg);
			goto out;
		}
	} else if ((e = qtv_expect_new()) == NULL) {
		fprintf(stderr, "verify-doc: out of memory\n");
		goto out;
	}
	for (a = 1; a < argc; a++) {
		const char *opt = argv[a], *val = a + 1 < argc ? argv[a + 1] : NULL;

		if (opt[0] != '-' || strcmp(opt, "-") == 0) {
			if (doc_path != NULL) {
				rc = usage("give one document");
				goto out;
			}
			doc_path = opt;
			continue;
		}
		if (val == NULL) {
			rc = usage("an option lacks its value");
			goto out;
		}
		a++;
		if (strcmp(opt, "--root") == 0) {
			root_path = val;
		} else if (strcmp(opt, "--manifest") == 0) {
			continue; /* read above */
		} else if (strcmp(opt, "--at") == 0) {
			if (strcmp(val, "now") == 0)
				at = QTV_AT_NOW;
			else if (strcmp(val, "doc") == 0)
				at = QTV_AT_DOCUMENT;
			else
				at = strtoll(val, NULL, 10);
		} else if (strcmp(opt, "--pcr") == 0) {
			char *end;
			unsigned long idx = strtoul(val, &end, 10);

			if (*end != '=' || unhex(end + 1, v, QTV_PCR_LEN) != QTV_PCR_LEN) {
				rc = usage("--pcr wants N=HEX (96 hex digits)");
				goto out;
			}
			if (qtv_expect_set_pcr(
			        e, (unsigned)idx, v, QTV_PCR_LEN, msg, sizeof(msg)) != QTV_OK) {
				rc = usage(msg);
				goto out;
			}
		} else if (strcmp(opt, "--nonce") == 0) {
			if ((n = unhex(val, v, sizeof(v))) < 0) {
				rc = usage("--nonce wants hex");
				goto out;
			}
			if (qtv_expect_set_nonce(e, v, (size_t)n, msg, sizeof(msg)) != QTV_OK) {
				rc = usage(msg);
				goto out;
			}
		} else {
			rc = usage("unknown option");
			goto out;
		}
	}
	if (root_path == NULL || doc_path == NULL) {
		rc = usage("give --root and a document");
		goto out;
	}
	if (read_file(root_path, &root) < 0 || read_file(doc_path, &doc) < 0) {
		fprintf(
		    stderr, "verify-doc: %s: cannot read\n", root.p == NULL ? root_path : doc_path);
		goto out;
	}

	rc = qtv_verify(doc.p, doc.len, root.p, root.len, at, e, &r, msg, sizeof(msg));
	if (rc != QTV_OK && rc != QTV_MISMATCH) {
		fprintf(stderr, "verify-doc: %s: %s (%s)\n", doc_path, msg, qtv_status_name(rc));
		rc = 2;
		goto out;
	}
	if (rc == QTV_MISMATCH) {
		for (i = 0; i < qtv_result_check_count(r); i++)
			if (qtv_result_check_verdict(r, i) == QTV_CHECK_FAIL)
				printf("refused: %s: %s\n", qtv_result_check_name(r, i),
				    qtv_result_check_detail(r, i));
		goto out;
	}
	printf("verified: %s document of %s at %llu ms\n", qtv_result_profile(r),
	    qtv_result_module_id(r), (unsigned long long)qtv_result_timestamp_ms(r));
	pk = qtv_result_public_key(r, &pklen);
	if (pk == NULL || pklen == 0) {
		printf("no public key: nothing to encrypt to\n");
		rc = 1;
		goto out;
	}
	printf("encrypt to: ");
	for (i = 0; i < pklen; i++)
		printf("%02x", pk[i]);
	printf("\n");
out:
	qtv_result_free(r);
	qtv_expect_free(e);
	free(doc.p);
	free(root.p);
	free(man.p);
	return rc;
}
