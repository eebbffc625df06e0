/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_describe.c: serde_json-compatible printing (qtjson), the metadata
 * section (eifmeta) and the describe/measurement documents (describe),
 * whose SignatureCheck is eif_sig's verdict and message.
 */
#include <stdlib.h>
#include <string.h>

#include "describe.h"
#include "eif_meta.h"
#include "eif_sig.h"
#include "fileio.h"
#include "json.h"
#include "unit.h"

#define GOLD FIXTURES "/golden"

static char *
dump(const json_t *v, bool pretty)
{
	struct qt_err err = { 0 };
	char *s = NULL;

	if (qtjson_dump(v, pretty, &s, &err) < 0)
		return NULL;
	return s;
}

int
main(void)
{
	struct unit u = { 0 };
	struct qt_err err = { 0 };
	struct eif_meta m = { .image_name = "kernel.bin",
		.image_version = "1.0",
		.build_time = "2024-01-01T00:00:00+00:00",
		.build_tool = "eif_build",
		.build_tool_version = "0.3.1",
		.os = "OS",
		.kernel_version = "kernel" };
	struct pcr_set p;
	json_t *v, *sorted = NULL, *doc = NULL;
	json_error_t je;
	uint8_t *pem = NULL;
	size_t len;
	char *s = NULL;

	/* the metadata section of golden c1/c2, byte for byte (layout-summary.json) */
	CHECK(&u, eif_meta_build(&m, &s, &len, &err) == 0);
	CHECK_STR(&u, s,
	    "{\"ImageName\":\"kernel.bin\",\"ImageVersion\":\"1.0\",\"BuildMetadata\":{"
	    "\"BuildTime\":"
	    "\"2024-01-01T00:00:00+00:00\",\"BuildTool\":\"eif_build\",\"BuildToolVersion\":\"0.3."
	    "1\","
	    "\"OperatingSystem\":\"OS\",\"KernelVersion\":\"kernel\"},\"DockerInfo\":null,"
	    "\"CustomMetadata\":null}");
	CHECK(&u, len == 244);
	free(s);

	/* custom metadata: keys sorted byte-wise at every depth, raw UTF-8, lower-case \u */
	v = json_loads(
	    "{\"b\":1,\"B\":[{\"z\":\"\\u001f\\n\",\"a\":\"\xc3\xa9\"}],\"a\":null}", 0, &je);
	CHECK(&u, v != NULL);
	m.custom = v;
	CHECK(&u, eif_meta_build(&m, &s, &len, &err) == 0);
	CHECK(&u, s != NULL && strstr(s, ",\"CustomMetadata\":{\"B\":[{\"a\":\"\xc3\xa9\",\"z\":"
	                                 "\"\\u001f\\n\"}],\"a\":null,\"b\":1}}") != NULL);
	free(s);
	CHECK(&u, qtjson_sorted(v, &sorted, &err) == 0);
	s = dump(sorted, true);
	CHECK_STR(&u, s,
	    "{\n  \"B\": [\n    {\n      \"a\": \"\xc3\xa9\",\n      \"z\": \"\\u001f\\n\"\n    "
	    "}\n  "
	    "],\n  \"a\": null,\n  \"b\": 1\n}");
	free(s);
	json_decref(sorted);
	json_decref(v);

	/* reals print as serde_json (ryu) prints them */
	{
		static const struct {
			double v;
			const char *want;
		} vec[] = {
			{ 0.1, "0.1" },
			{ 1.0, "1.0" },
			{ 100.0, "100.0" },
			{ -2.5, "-2.5" },
			{ 1e15, "1000000000000000.0" },
			{ 1e16, "1e16" },
			{ 1.5e16, "1.5e16" },
			{ 123456.789, "123456.789" },
			{ 0.0001, "0.0001" },
			{ 0.00001, "0.00001" },
			{ 0.000001, "1e-6" },
			{ 1.5e-7, "1.5e-7" },
			{ 0.0, "0.0" },
			{ -0.0, "-0.0" },
			{ 5e-324, "5e-324" },
			{ 1.7976931348623157e308, "1.7976931348623157e308" },
			{ 2.0 / 3.0, "0.6666666666666666" },
			{ 0.3, "0.3" },
			{ 1e21, "1e21" },
			{ 12345678901234567.0, "1.2345678901234568e16" },
		};
		char buf[32];

		for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
			CHECK(&u, qtjson_format_real(vec[i].v, buf, sizeof(buf)) == 0);
			CHECK_STR(&u, buf, vec[i].want);
		}
		v = json_loads("{\"a\":[0.1,1e300,\"\\u0001r0\"],\"b\":-0.0,\"c\":2}", 0, &je);
		s = dump(v, false);
		/* the string that looks like a mark stays a string */
		CHECK_STR(&u, s, "{\"a\":[0.1,1e300,\"\\u0001r0\"],\"b\":-0.0,\"c\":2}");
		free(s);
		json_decref(v);
		/* reals whose text is longer than the mark that stands in for them */
		v = json_loads("[-1.2345678901234567e-308,0.00012345678901234567,"
		               "-123456789012345.67,{\"k\":-1.2345678901234567e-308}]",
		    0, &je);
		s = dump(v, false);
		CHECK_STR(&u, s,
		    "[-1.2345678901234567e-308,0.00012345678901234567,"
		    "-123456789012345.67,{\"k\":-1.2345678901234567e-308}]");
		free(s);
		json_decref(v);
	}

	/* reals are refused in metadata we write */
	v = json_loads("{\"x\":[1.5]}", 0, &je);
	m.custom = v;
	err.code = 0;
	CHECK(&u, eif_meta_build(&m, &s, &len, &err) == -1);
	CHECK_STR(&u, err.msg,
	    "metadata: CustomMetadata: floating-point number 1.5 is not supported (write it as a "
	    "string or an integer)");
	json_decref(v);
	qt_err_clear(&err);

	/* metadata parsing: the five keys are required */
	CHECK(&u,
	    eif_meta_parse("t.eif", (const uint8_t *)"{\"ImageName\":\"a\"}", 17, &v, &err) == -1);
	CHECK_STR(&u, err.msg,
	    "t.eif: metadata section: ImageName or ImageVersion missing or not a string");
	qt_err_clear(&err);
	CHECK(&u, eif_meta_parse("t.eif", (const uint8_t *)"[1", 2, &v, &err) == -1);
	CHECK(&u, strncmp(err.msg, "t.eif: metadata section: invalid JSON at byte 2: ", 49) == 0);
	qt_err_clear(&err);

	/* measurement shapes */
	memset(&p, 0, sizeof(p));
	memset(p.pcr0, 0xab, sizeof(p.pcr0));
	CHECK(&u, describe_measurements(&p, QT_PROFILE_QINGTIAN, &doc, &err) == 0);
	s = dump(doc, false);
	CHECK(&u, s != NULL && strncmp(s, "{\"digest\":\"SHA384\",\"PCR0\":\"abababab", 35) == 0 &&
	              strstr(s, "\"PCR8\":\"000000000000") != NULL);
	free(s);
	json_decref(doc);
	p.has_pcr8 = true;
	memset(p.pcr8, 0x01, sizeof(p.pcr8));
	CHECK(&u, describe_measurements(&p, QT_PROFILE_NITRO, &doc, &err) == 0);
	s = dump(doc, false);
	CHECK(&u, s != NULL &&
	              strncmp(s,
	                  "{\"Measurements\":{\"HashAlgorithm\":\"Sha384 { ... }\","
	                  "\"PCR0\":\"abab",
	                  62) == 0 &&
	              strstr(s, "\"PCR8\":\"010101") != NULL);
	free(s);
	json_decref(doc);

	/* SigningCertificate of the golden certificate (c5_signed_p384.describe.json) */
	CHECK(&u, fileio_read_all(GOLD "/inputs/cert-p384.pem", 65536, &pem, &len, &err) == 0);
	CHECK(&u, describe_cert_info("cert", pem, len, &doc, &err) == 0);
	s = dump(doc, false);
	CHECK_STR(&u, s,
	    "{\"IssuerName\":{\"commonName\":\"qt-golden-p384\",\"countryName\":\"CN\","
	    "\"organizationName\":\"QingTian Golden Test\"},\"Algorithm\":\"ecdsa-with-SHA384\","
	    "\"NotBefore\":\"Jan  1 00:00:00 2020 GMT\",\"NotAfter\":\"Jan  1 00:00:00 2120 GMT\","
	    "\"Signature\":\"30:64:02:30:6F:A9:F6:50:0B:D3:40:E0:23:74:EC:E6:B1:BC:35:39:ED:5D:30:"
	    "58:"
	    "87:DF:DC:60:07:A8:E7:04:55:37:70:32:81:43:43:4A:E7:03:13:AC:6A:E7:7F:09:FB:FB:5A:91:"
	    "02:"
	    "30:03:54:60:4A:1F:6A:3E:D1:77:D9:E1:7F:D1:D7:9D:46:F8:6E:65:4B:DD:D5:EE:CE:03:25:7B:"
	    "35:"
	    "27:97:B3:18:12:90:16:CD:8F:60:05:3F:CA:A3:69:A8:A1:B4:A1:8E\"}");
	free(s);
	json_decref(doc);
	free(pem);

	/* describe-eif of c5: the signature check is eif_sig's, with its one message */
	{
		struct eif_info *info = NULL;
		struct qt_err why = { 0 };
		bool pass = false;

		CHECK(&u,
		    eif_read_path(GOLD "/outputs/c5_signed_p384.eif", NULL, 0, &info, &err) == 0);
		if (info == NULL)
			return unit_end(&u);
		p = info->pcrs;
		CHECK(&u, eif_sig_image_pcr8("c5.eif", info, &p, &err) == 0 && p.has_pcr8);
		CHECK(&u, describe_document("c5.eif", info, &p, &doc, &pass, &why, &err) == 0);
		s = dump(doc, false);
		CHECK(&u, pass && s != NULL && strstr(s, "\"SignatureCheck\":true") != NULL);
		CHECK_STR(&u, why.msg, "");
		free(s);
		json_decref(doc);
		p.pcr0[0] ^= 1; /* as if the image's contents had changed */
		CHECK(&u, describe_document("c5.eif", info, &p, &doc, &pass, &why, &err) == 0);
		s = dump(doc, false);
		CHECK(&u, !pass && s != NULL && strstr(s, "\"SignatureCheck\":false") != NULL &&
		              strstr(s, "\"CheckCRC\":true") != NULL);
		CHECK_STR(&u, why.msg,
		    "c5.eif: signature section: the signature is valid but does not sign this "
		    "image's PCR0");
		CHECK_STR(&u, err.msg, "");
		free(s);
		json_decref(doc);
		eif_info_free(info);
	}
	return unit_end(&u);
}
