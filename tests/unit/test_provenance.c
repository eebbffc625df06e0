/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_provenance.c: the in-toto statements of an image, byte for byte
 * (measurement predicate) and by shape (SLSA), their reproducibility, the
 * subject check of a statement read back, and the manifest agreement rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "provenance.h"
#include "text.h"
#include "unit.h"

static void
fake(struct manifest *m)
{
	memset(m, 0, sizeof(*m));
	m->platform = QT_PROFILE_QINGTIAN;
	m->file = (char *)"app.eif";
	m->arch = (char *)"x86_64";
	m->eif_version = 4;
	memset(m->sha256, 0x25, sizeof(m->sha256));
	memset(m->sha384, 0x38, sizeof(m->sha384));
	m->pcr_mask = 1u | 1u << 8;
	memset(m->pcrs[0], 0xa0, PCR_LEN);
	memset(m->pcrs[8], 0xa8, PCR_LEN);
	memset(m->kernel, 0x4b, 48);
	memset(m->cmdline, 0xc1, 48);
	m->nramdisks = 1;
	memset(m->ramdisks[0], 0xd0, 48);
}

/* n copies of the two-digit hex text h. */
static const char *
rep(const char *h, size_t n)
{
	static char buf[4][129];
	static int i;
	char *b = buf[i++ % 4];
	size_t k;

	for (k = 0; k < n; k++)
		memcpy(b + 2 * k, h, 2);
	b[2 * n] = '\0';
	return b;
}

static void
test_measurement(struct unit *u)
{
	struct prov_ref ref = { "app.corim", "application/rim+cbor", { 0 } };
	struct prov_opts o = { PROV_MEASUREMENT, "qt-measure", &ref, 1, NULL };
	struct manifest m;
	struct qt_err err = { 0 };
	char *a = NULL, *b = NULL, *compact = NULL, want[4096];
	size_t alen, blen;
	json_t *v = NULL;

	fake(&m);
	memset(ref.sha256, 0xcc, 32);
	CHECK(u, prov_statement(&m, &o, &a, &alen, &err) == 0);
	CHECK(u, prov_statement(&m, &o, &b, &blen, &err) == 0);
	CHECK(u, a != NULL && b != NULL && alen == blen && memcmp(a, b, alen) == 0);
	if (a == NULL)
		goto out;
	CHECK(u, a[alen - 1] == '\n' && strncmp(a, "{\n  \"_type\": ", 13) == 0);
	v = json_loadb(a, alen, 0, NULL);
	CHECK(u, v != NULL && qtjson_dump(v, false, &compact, &err) == 0);
	snprintf(want, sizeof(want),
	    "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"app.eif\","
	    "\"digest\":{\"sha256\":\"%s\",\"sha384\":\"%s\"}}],"
	    "\"predicateType\":\"https://qt.invalid/predicates/enclave-image-measurement/v1\","
	    "\"predicate\":{\"profile\":\"qingtian\",\"hashAlgorithm\":\"sha384\",\"pcrs\":{\"0\":"
	    "\"%s\","
	    "\"8\":\"%s\"},",
	    rep("25", 32), rep("38", 48), rep("a0", 48), rep("a8", 48));
	snprintf(want + strlen(want), sizeof(want) - strlen(want),
	    "\"inputs\":[{\"name\":\"kernel\",\"digest\":{\"sha384\":\"%s\"}},{\"name\":"
	    "\"cmdline\","
	    "\"digest\":{\"sha384\":\"%s\"}},{\"name\":\"ramdisk[0]\",\"digest\":{\"sha384\":\"%"
	    "s\"}}],",
	    rep("4b", 48), rep("c1", 48), rep("d0", 48));
	snprintf(want + strlen(want), sizeof(want) - strlen(want),
	    "\"referenceManifests\":[{\"name\":\"app.corim\",\"digest\":{\"sha256\":\"%s\"},"
	    "\"mediaType\":\"application/rim+cbor\"}],\"tool\":{\"id\":\"https://qt.invalid/qt\","
	    "\"version\":\"%s\"}}}",
	    rep("cc", 32), QT_VERSION);
	CHECK_STR(u, compact, want);
out:
	json_decref(v);
	free(a);
	free(b);
	free(compact);
}

static void
test_slsa(struct unit *u)
{
	struct prov_opts o = { PROV_SLSA, "qt-measure", NULL, 0, NULL };
	struct manifest m;
	struct qt_err err = { 0 };
	char *a = NULL, subj[64], pred[128];
	size_t alen;
	uint8_t s256[32], s384[48];
	static const char empty[] =
	    "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[]}";
	static const char esc[] = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":"
	                          "[{\"name\":\"a\\u001bb\"}]}";

	fake(&m);
	m.is_signed = true;
	memset(m.signer_sha256, 0x5e, 32);
	CHECK(u, prov_statement(&m, &o, &a, &alen, &err) == 0);
	if (a == NULL)
		return;
	CHECK(u, strstr(a, "\"predicateType\": \"https://slsa.dev/provenance/v1\"") != NULL);
	CHECK(u, strstr(a, "\"buildType\": \"https://qt.invalid/buildtypes/eif/v1\"") != NULL);
	CHECK(u, strstr(a, "\"id\": \"https://qt.invalid/builders/qt-measure/v1\"") != NULL);
	CHECK(u, strstr(a, "\"qt.pcr8\": \"a8a8") != NULL && strstr(a, "\"qt.pcr1\"") == NULL);
	CHECK(u, strstr(a, "\"name\": \"signing-certificate\",\n") != NULL);
	CHECK(u, strstr(a, "byproducts") == NULL); /* none given: left out */
	CHECK(u, strstr(a, "imageName") == NULL);  /* NULL in the image: left out */
	CHECK(u, strstr(a, "\"externalParameters\": {\n        \"profile\": \"qingtian\",\n"
	                   "        \"arch\": \"x86_64\",\n        \"eifVersion\": 4,\n"
	                   "        \"signingPcr8\": \"a8a8") != NULL);

	/* The subject check of a statement read back. */
	memset(s256, 0x25, 32);
	memset(s384, 0x38, 48);
	CHECK(
	    u, prov_check_subject("e", (uint8_t *)a, alen, s256, s384, subj, pred, 64, &err) == 0);
	CHECK_STR(u, subj, "app.eif");
	CHECK_STR(u, pred, "https://slsa.dev/provenance/v1");
	s384[47] = 0;
	CHECK(
	    u, prov_check_subject("e", (uint8_t *)a, alen, s256, s384, subj, pred, 64, &err) == 1);
	CHECK_STR(u, err.msg,
	    "e: no subject has sha256 "
	    "2525252525252525252525252525252525252525252525252525252525252525 and "
	    "sha384 3838383838383838...");
	qt_err_clear(&err);
	CHECK(u, prov_check_subject("e", (const uint8_t *)"{\"_type\":\"x\"}", 13, s256, s384, subj,
	             pred, 64, &err) == -1);
	CHECK_STR(u, err.msg, "e: payload is not an in-toto Statement v1");
	qt_err_clear(&err);
	CHECK(u, prov_check_subject("e", (const uint8_t *)empty, strlen(empty), NULL, NULL, subj,
	             pred, 64, &err) == -1);
	CHECK_STR(u, err.msg, "e: statement has no subject");
	qt_err_clear(&err);
	/* Without digests only the shape is checked; control characters never reach a terminal. */
	CHECK(u, prov_check_subject("e", (const uint8_t *)esc, strlen(esc), NULL, NULL, subj, pred,
	             64, &err) == 0);
	CHECK_STR(u, subj, "a?b");
	free(a);
}

/*
 * qt-build's statement: the input files after the sections and the container
 * image, the external parameters in their documented order, container digests
 * that are not sha256/sha512 left out; the measured statement is unchanged.
 */
static void
test_build(struct unit *u)
{
	static const char *const cmd[] = { "/app", "-v" }, *const env[] = { "A=1" };
	struct prov_input in[2] = { { "kernel", "bzImage", { 0 }, { 0 } },
		{ "init", "init", { 0 }, { 0 } } };
	struct prov_build b = { in, 2, "console=ttyS0", "0", true, "linux/amd64", NULL, 0, cmd, 2,
		env, 1, false, "gzip" };
	struct prov_opts o = { PROV_SLSA, "qt-build", NULL, 0, &b };
	struct manifest m;
	struct qt_err err = { 0 };
	char *a = NULL, *c = NULL;
	size_t alen, clen;
	json_t *src = NULL;
	char want[4096];
	const char *env_bad[1], *h11;

	memset(in[0].sha256, 0x11, 32);
	memset(in[0].sha384, 0x12, 48);
	memset(in[1].sha256, 0x21, 32);
	memset(in[1].sha384, 0x22, 48);
	fake(&m);
	src = json_pack("{s:s, s:s, s:n, s:s, s:[s, s], s:s}", "form", "docker-archive",
	    "reference", "app:1", "manifest_digest", "config_digest",
	    "sha256:"
	    "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
	    "layers",
	    "sha256:"
	    "1111111111111111111111111111111111111111111111111111111111111111",
	    "md5:00", "platform", "linux/arm64");
	CHECK(u, src != NULL);
	m.source = src;
	CHECK(u, prov_statement(&m, &o, &a, &alen, &err) == 0);
	if (a == NULL)
		goto out;
	CHECK(u, strstr(a, "\"externalParameters\": {\n"
	                   "        \"profile\": \"qingtian\",\n"
	                   "        \"arch\": \"x86_64\",\n"
	                   "        \"eifVersion\": 4,\n"
	                   "        \"cmdline\": \"console=ttyS0\",\n"
	                   "        \"sourceDateEpoch\": \"0\",\n"
	                   "        \"rootfs\": {\n"
	                   "          \"form\": \"docker-archive\",\n"
	                   "          \"reference\": \"app:1\",\n"
	                   "          \"platform\": \"linux/arm64\",\n"
	                   "          \"cmd\": [\n"
	                   "            \"/app\",\n"
	                   "            \"-v\"\n"
	                   "          ],\n"
	                   "          \"env\": [\n"
	                   "            \"A=1\"\n"
	                   "          ],\n"
	                   "          \"keepOwner\": false\n"
	                   "        },\n"
	                   "        \"compress\": \"gzip\"\n"
	                   "      },") != NULL);
	h11 = rep("11", 32); /* rep keeps 4 results: the layer and bzImage share one */
	snprintf(want, sizeof(want),
	    "        {\n          \"name\": \"ramdisk[0]\",\n          \"digest\": {\n"
	    "            \"sha384\": \"%s\"\n          }\n        },\n"
	    "        {\n          \"name\": \"container-config\",\n          \"digest\": {\n"
	    "            \"sha256\": \"%s\"\n          }\n        },\n"
	    "        {\n          \"name\": \"container-layer[0]\",\n          \"digest\": {\n"
	    "            \"sha256\": \"%s\"\n          }\n        },\n"
	    "        {\n          \"name\": \"bzImage\",\n          \"digest\": {\n"
	    "            \"sha256\": \"%s\",\n            \"sha384\": \"%s\"\n          },\n"
	    "          \"annotations\": {\n            \"qt.role\": \"kernel\"\n          }\n"
	    "        },\n",
	    rep("d0", 48), rep("cc", 32), h11, h11, rep("12", 48));
	CHECK(u, strstr(a, want) != NULL);
	CHECK(u, strstr(a, "\"qt.role\": \"init\"") != NULL);
	CHECK(u, strstr(a, "container-layer[1]") == NULL); /* md5: left out */
	CHECK(u, strstr(a, "container-manifest") == NULL); /* null: left out */
	CHECK(u, strstr(a, "linux/amd64") == NULL);        /* the image's platform, as recorded */
	/* what qt-measure makes of the same image: the container, no files, no options */
	o.build = NULL;
	o.builder = "qt-measure";
	CHECK(u, prov_statement(&m, &o, &c, &clen, &err) == 0);
	if (c != NULL) {
		CHECK(u, strstr(c, "\"platform\": \"linux/arm64\"\n        }\n      },") != NULL);
		CHECK(u, strstr(c, "container-layer[0]") != NULL && strstr(c, "qt.role") == NULL);
		CHECK(u, strstr(c, "cmdline\":") == NULL && strstr(c, "keepOwner") == NULL);
	}
	/* a parameter that is not UTF-8 cannot go into JSON: an error, not a silent gap */
	env_bad[0] = "A=\xff";
	b.env = env_bad;
	o.build = &b;
	free(a);
	a = NULL;
	CHECK(u, prov_statement(&m, &o, &a, &alen, &err) == -1);
	CHECK_STR(
	    u, err.msg, "cannot make the statement: out of memory, or a parameter is not UTF-8");
out:
	free(a);
	free(c);
	json_decref(src);
}

static void
test_agree(struct unit *u)
{
	struct manifest a, b;
	struct qt_err err = { 0 };

	fake(&a);
	fake(&b);
	CHECK(u, prov_manifest_agrees(&a, &b, "m.json", &err) == 0);
	b.pcrs[8][0] = 0;
	CHECK(u, prov_manifest_agrees(&a, &b, "m.json", &err) == 1);
	CHECK_STR(u, err.msg, "m.json: PCR8 does not match the image");
	qt_err_clear(&err);
	fake(&b);
	b.ramdisks[0][1] = 0;
	CHECK(u, prov_manifest_agrees(&a, &b, "m.json", &err) == 1);
	CHECK_STR(u, err.msg, "m.json: input digests do not match the image");
	qt_err_clear(&err);
	fake(&b);
	b.sha256[0] = 0;
	CHECK(u, prov_manifest_agrees(&a, &b, "m.json", &err) == 1);
	CHECK_STR(u, err.msg, "m.json: is not the manifest of app.eif (image digests differ)");
	qt_err_clear(&err);
	fake(&b);
	b.platform = QT_PROFILE_NITRO;
	CHECK(u, prov_manifest_agrees(&a, &b, "m.json", &err) == 1);
	CHECK_STR(u, err.msg, "m.json: profile nitro, not qingtian");
}

int
main(void)
{
	struct unit u = { 0 };
	enum prov_predicate p;

	CHECK(&u, prov_predicate_parse("slsa", &p) == 0 && p == PROV_SLSA);
	CHECK(&u, prov_predicate_parse("measurement", &p) == 0 && p == PROV_MEASUREMENT);
	CHECK(&u, prov_predicate_parse("SLSA", &p) == -1);
	test_measurement(&u);
	test_slsa(&u);
	test_build(&u);
	test_agree(&u);
	return unit_end(&u);
}
