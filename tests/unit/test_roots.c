/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_roots.c: the shipped trust anchors by word, their fingerprints, and
 * the refusal of a file that is not the anchor its name says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "roots.h"
#include "unit.h"

/* src copied to dir/name; 0 or -1 */
static int
copy(const char *src, const char *dir, const char *name)
{
	char path[128], buf[4096];
	FILE *in = fopen(src, "rb"), *out;
	size_t n;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (in == NULL || (out = fopen(path, "wb")) == NULL)
		goto out;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			break;
	rc = fclose(out) == 0 && !ferror(in) ? 0 : -1;
out:
	if (in != NULL)
		fclose(in);
	return rc;
}

int
main(void)
{
	struct unit u = { 0 };
	struct qt_err err = { 0 };
	const struct qt_root *q = roots_find("qingtian"), *n = roots_find("nitro");
	char dir[] = "/tmp/test_roots.XXXXXX", path[64];
	uint8_t *der = NULL;
	size_t len = 0;

	if (mkdtemp(dir) == NULL)
		return 1;

	CHECK(&u, q != NULL && n != NULL);
	CHECK(&u, roots_find("aws") == NULL && roots_find("") == NULL);
	if (q == NULL || n == NULL)
		return unit_end(&u);
	CHECK_STR(&u, q->file, "qingtian-root-G1.pem");
	CHECK_STR(&u, n->file, "aws-nitro-root-G1.pem");
	CHECK(&u, q->sha256[0] == 0xf2 && q->sha256[31] == 0x81);
	CHECK(&u, n->sha256[0] == 0x64 && n->sha256[31] == 0x5b);

	/* the roots/ directory of the source tree */
	CHECK(&u, roots_load(q, "roots", &der, &len, &err) == 0);
	CHECK(&u, der != NULL && len > 100 && der[0] == 0x30);
	free(der);
	der = NULL;
	CHECK(&u, roots_load(n, "roots", &der, &len, &err) == 0);
	free(der);
	der = NULL;

	/* the Nitro root under the QingTian name: refused, naming both */
	CHECK(&u, copy("roots/aws-nitro-root-G1.pem", dir, "qingtian-root-G1.pem") == 0);
	CHECK(&u, roots_load(q, dir, &der, &len, &err) < 0);
	CHECK(&u, der == NULL);
	CHECK(&u, strstr(err.msg,
	              "/qingtian-root-G1.pem: not the shipped qingtian root "
	              "(CN=huaweicloud.qingtian-enclaves): its SHA-256 is "
	              "641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b") != NULL);
	qt_err_clear(&err);
	CHECK(&u, roots_load(n, "tests/unit", &der, &len, &err) < 0);
	CHECK(&u, der == NULL);
	CHECK(&u, strncmp(err.msg, "tests/unit/aws-nitro-root-G1.pem: cannot open", 45) == 0);
	snprintf(path, sizeof(path), "%s/qingtian-root-G1.pem", dir);
	unlink(path);
	rmdir(dir);
	return unit_end(&u);
}
