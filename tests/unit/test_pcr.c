/* SPDX-License-Identifier: Apache-2.0 */
/* test_pcr.c: ExtendPCR vectors (spec/qingtian.md), PCR of bytes, streaming engine. */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "pcr.h"
#include "text.h"
#include "unit.h"

static void
hex_is(struct unit *u, const uint8_t *got, const char *want)
{
	char h[2 * PCR_LEN + 1];

	qt_hex(got, PCR_LEN, h);
	CHECK_STR(u, h, want);
}

/* The one rule for PCR3/PCR4 inputs (extend, manifest, verify --manifest). */
static void
test_parents(struct unit *u)
{
	static const char *const good[] = { "iam::0a1b2c3d:agency:kms-reader",
		"iam::0123456789abcdef0123456789abcdef:agency:a b.c_d-e" };
	static const char *const bad[] = { "agency:x", "iam::0a:1b:agency:x",
		"iam::0a1b:agency:x:", "iam::0a1b:agency:", "iam:::agency:x", "iam::0a1b:role:x",
		"IAM::0a1b:agency:x", "iam::0a1b:agency:a\tb" };
	struct qt_err err = { 0 };
	char id[64], big[PCR_PARENT_ID_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(u, pcr_iam_agency_check(good[i], &err) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		qt_err_clear(&err);
		CHECK(u, pcr_iam_agency_check(bad[i], &err) == -1);
		CHECK(u, strstr(err.msg, "is not an agency URN 'iam::<domain id>:agency:<name>'") !=
		             NULL);
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "iam::1:agency:", 14);
	CHECK(u, pcr_iam_agency_check(big, &err) == -1);
	big[PCR_PARENT_ID_MAX] = '\0'; /* exactly the limit */
	CHECK(u, pcr_iam_agency_check(big, &err) == 0);

	/* Nitro's PCR3: an IAM role ARN */
	{
		static const char *const rgood[] = { "arn:aws:iam::123456789012:role/parent",
			"arn:aws-cn:iam::123456789012:role/service-role/app+x=y,z.w@v_u-t",
			"arn:aws-us-gov:iam::000000000000:role/a" };
		static const char *const rbad[] = { "arn:aws:iam::12345678901:role/x",
			"arn:aws:iam::1234567890123:role/x", "arn:aws:iam::123456789012:role/",
			"arn:aws:iam::123456789012:role/x/", "arn:aws:iam::123456789012:user/x",
			"arn:aws:sts::123456789012:assumed-role/x/i-0",
			"arn::iam::123456789012:role/x", "arn:aws:iam::123456789012:role/a b",
			"arn:AWS:iam::123456789012:role/x", "iam::0a1b:agency:x" };

		for (i = 0; i < sizeof(rgood) / sizeof(rgood[0]); i++)
			CHECK(u, pcr_iam_role_check(rgood[i], &err) == 0);
		for (i = 0; i < sizeof(rbad) / sizeof(rbad[0]); i++) {
			qt_err_clear(&err);
			CHECK(u, pcr_iam_role_check(rbad[i], &err) == -1);
			CHECK(u, strstr(err.msg,
			             "is not an IAM role ARN 'arn:<partition>:iam::<12-digit "
			             "account>:role/<name>'") != NULL);
		}
	}

	/* instance ids: folded in place on success, untouched on failure */
	strcpy(id, "4662B7A3-7898-46C9-A6C5-20E9025E50BC");
	CHECK(u, pcr_instance_id_canon(QT_PROFILE_QINGTIAN, id, &err) == 0);
	CHECK_STR(u, id, "4662b7a3-7898-46c9-a6c5-20e9025e50bc");
	strcpy(id, "4662B7A3-7898-46C9-A6C5-20E9025E50BX");
	qt_err_clear(&err);
	CHECK(u, pcr_instance_id_canon(QT_PROFILE_QINGTIAN, id, &err) == -1);
	CHECK_STR(u, id, "4662B7A3-7898-46C9-A6C5-20E9025E50BX");
	CHECK_STR(u, err.msg,
	    "--instance-id: '4662B7A3-7898-46C9-A6C5-20E9025E50BX' is not a hyphenated instance "
	    "UUID (qingtian)");
	strcpy(id, "i-0ffff615a409a72d7");
	CHECK(u, pcr_instance_id_canon(QT_PROFILE_NITRO, id, &err) == 0);
	CHECK(u, pcr_instance_id_canon(QT_PROFILE_AUTO, id, &err) == 0);
	qt_err_clear(&err);
	CHECK(u, pcr_instance_id_canon(QT_PROFILE_QINGTIAN, id, &err) == -1);
	strcpy(id, "i-0FFFF615A409A72D7"); /* EC2 ids are lower case */
	qt_err_clear(&err);
	CHECK(u, pcr_instance_id_canon(QT_PROFILE_NITRO, id, &err) == -1);
	CHECK_STR(u, err.msg,
	    "--instance-id: 'i-0FFFF615A409A72D7' is not an instance id 'i-<hex>' (nitro)");
	strcpy(id, "4662b7a3-7898-46c9-a6c5-20e9025e50bc");
	CHECK(u, pcr_instance_id_canon(QT_PROFILE_AUTO, id, &err) == 0);
	qt_err_clear(&err);
	CHECK(u, pcr_instance_id_canon(QT_PROFILE_NITRO, id, &err) == -1);
}

int
main(void)
{
	struct unit u = { 0 };
	struct qt_err err = { 0 };
	struct pcr_stream *s = NULL;
	struct pcr_set p;
	uint8_t reg[PCR_LEN], d[PCR_LEN], *big;
	uint32_t crc;
	size_t i, n = 5u << 20;

	/* Huawei's PCR0 and PCR8 examples: extend a zero register (spec/qingtian.md) */
	memset(reg, 0, sizeof(reg));
	CHECK(
	    &u, qt_unhex("0d1ae7330f437ee563178df30a7c7b7634125d31cac14f6784933db5e90080008438b38f"
	                 "dbb39c886ffe0586ab099b56",
	            d, sizeof(d)) == 0);
	CHECK(&u, pcr_extend(reg, d, sizeof(d), &err) == 0);
	hex_is(&u, reg,
	    "b8c59692da8a5bcb739a83d15a0ceca670bd78da06cb2250ec70548f72254e674419e988"
	    "8db9c0364a9b88dd58017a62");
	memset(reg, 0, sizeof(reg));
	CHECK(
	    &u, qt_unhex("c5b3e075e00c261e7fc364f1541067b2a42d4b793225ab10e5cfb8eaca31b3d598af9dd2"
	                 "e491828c2569a9953401abcb",
	            d, sizeof(d)) == 0);
	CHECK(&u, pcr_extend(reg, d, sizeof(d), &err) == 0);
	hex_is(&u, reg,
	    "4f8b066ce5ac24150612ba9a55bbb9211f626152ada40ede160f4d7ecbfa214c2a549181"
	    "f6611a3d16a12ec88a577a01");

	/* PCR of no bytes = PCR2 of an image with only the bootstrap ramdisk (spec/eif.md 4.2) */
	CHECK(&u, pcr_of_bytes((const uint8_t *)"", 0, reg, &err) == 0);
	hex_is(&u, reg,
	    "21b9efbc184807662e966d34f390821309eeac6802309798826296bf3e8bec7c10edb309"
	    "48c90ba67310f7b964fc500a");

	/* Streaming engine: boot then app data, big enough to use the helper thread. */
	big = malloc(n);
	CHECK(&u, big != NULL);
	if (big == NULL)
		return unit_end(&u);
	for (i = 0; i < n; i++)
		big[i] = (uint8_t)(i * 2654435761u >> 13);
	CHECK(&u, pcr_stream_new(&s, &err) == 0);
	CHECK(&u, pcr_stream_update(s, PCR_ROLE_BOOT, big, 3u << 20, &err) == 0);
	CHECK(&u, pcr_stream_update(s, PCR_ROLE_NONE, big, 100, &err) == 0);
	CHECK(&u, pcr_stream_update(s, PCR_ROLE_APP, big + (3u << 20), 1u << 20, &err) == 0);
	CHECK(&u, pcr_stream_update(s, PCR_ROLE_APP, big + (4u << 20), n - (4u << 20), &err) == 0);
	CHECK(&u, pcr_stream_final(s, &p, &err) == 0);
	CHECK(&u, pcr_stream_crc_take(s, &crc, &err) == 0);
	CHECK(&u, pcr_of_bytes(big, n, reg, &err) == 0);
	CHECK_MEM(&u, p.pcr0, reg, PCR_LEN);
	CHECK(&u, pcr_of_bytes(big, 3u << 20, reg, &err) == 0);
	CHECK_MEM(&u, p.pcr1, reg, PCR_LEN);
	CHECK(&u, pcr_of_bytes(big + (3u << 20), n - (3u << 20), reg, &err) == 0);
	CHECK_MEM(&u, p.pcr2, reg, PCR_LEN);
	{
		uint32_t want = (uint32_t)crc32_z(0, big, 3u << 20);
		want = (uint32_t)crc32_z(want, big, 100);
		want = (uint32_t)crc32_z(want, big + (3u << 20), n - (3u << 20));
		CHECK(&u, crc == want);
	}
	CHECK(&u, !p.has_pcr8);
	pcr_stream_free(s);
	s = NULL;

	/* Without the CRC (measure only) the registers are the same and the CRC is 0. */
	{
		struct pcr_set q;

		CHECK(&u, pcr_stream_new(&s, &err) == 0);
		pcr_stream_skip_crc(s);
		CHECK(&u, pcr_stream_update(s, PCR_ROLE_BOOT, big, 3u << 20, &err) == 0);
		CHECK(&u, pcr_stream_update(s, PCR_ROLE_NONE, big, 100, &err) == 0);
		CHECK(&u, pcr_stream_update(
		              s, PCR_ROLE_APP, big + (3u << 20), n - (3u << 20), &err) == 0);
		CHECK(&u, pcr_stream_final(s, &q, &err) == 0);
		CHECK(&u, pcr_stream_crc_take(s, &crc, &err) == 0);
		CHECK(&u, crc == 0);
		CHECK_MEM(&u, q.pcr0, p.pcr0, PCR_LEN);
		CHECK_MEM(&u, q.pcr1, p.pcr1, PCR_LEN);
		CHECK_MEM(&u, q.pcr2, p.pcr2, PCR_LEN);
		pcr_stream_free(s);
	}
	free(big);
	test_parents(&u);
	return unit_end(&u);
}
