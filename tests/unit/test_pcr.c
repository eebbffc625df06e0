/* SPDX-License-Identifier: Apache-2.0 */
/* test_pcr.c: ExtendPCR vectors (spec/qingtian.md), PCR of bytes, streaming engine. */
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
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

/* A deterministic pseudo-random byte stream (xorshift64). */
static uint64_t
next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * libdeflate's CRC-32 gives zlib's values (the EIF CRC is zlib's) on random
 * lengths and alignments, continued from a running value, and composes with
 * zlib's crc32_combine, which the engine uses to join the workers' shares.
 */
static void
test_crc(struct unit *u, const uint8_t *big, size_t n)
{
	uint64_t x = 0x9e3779b97f4a7c15u;
	unsigned i, mismatches = 0, combine_bad = 0;

	CHECK(u, libdeflate_crc32(0, NULL, 0) == (uint32_t)crc32_z(0, NULL, 0));
	CHECK(u, libdeflate_crc32(0, "123456789", 9) == 0xcbf43926u); /* the check value */
	for (i = 0; i < 2000; i++) {
		size_t off = (size_t)(next_rand(&x) % 4096);
		size_t len = (size_t)(next_rand(&x) % (i < 1000 ? 300u : 200000u));
		size_t cut = len != 0 ? (size_t)(next_rand(&x) % len) : 0;
		uint32_t seed = (uint32_t)next_rand(&x);
		uint32_t a, b, z;

		if (off + len > n)
			continue;
		z = (uint32_t)crc32_z(seed, big + off, len);
		if (libdeflate_crc32(seed, big + off, len) != z)
			mismatches++;
		a = libdeflate_crc32(0, big + off, cut);
		b = libdeflate_crc32(0, big + off + cut, len - cut);
		if ((uint32_t)crc32_combine(a, b, (z_off_t)(len - cut)) !=
		    (uint32_t)crc32_z(0, big + off, len))
			combine_bad++;
	}
	CHECK(u, mismatches == 0);
	CHECK(u, combine_bad == 0);
}

/*
 * The ring: many more chunks than buffers, boot and app data through both
 * the copying call and the buffer hand-over, small pieces in between (hashed
 * in line when nothing is in flight, queued otherwise), CRC-only pieces and a
 * CRC taken mid-stream. Registers and CRCs equal the one-shot values (zlib's
 * crc32_z is the oracle for the CRC).
 */
static void
test_ring(struct unit *u, const uint8_t *big, size_t n)
{
	struct qt_err err = { 0 };
	struct pcr_stream *s = NULL;
	struct pcr_set p;
	uint8_t reg[PCR_LEN], *b;
	size_t boot = (3u << 20) + 12345, at = 0, cap = 0, k;
	uint32_t crc, want = 0, want_part;
	int fails = 0;

	CHECK(u, n > boot + (20u << 20));
	CHECK(u, pcr_stream_new(&s, &err) == 0);
	/* boot: tiny in-line pieces, one queued medium piece, buffers handed over */
	CHECK(u, pcr_stream_update(s, PCR_ROLE_BOOT, big, 1, &err) == 0);
	CHECK(u, pcr_stream_update(s, PCR_ROLE_BOOT, big + 1, 99, &err) == 0);
	CHECK(u, pcr_stream_update(s, PCR_ROLE_BOOT, big + 100, 70000, &err) == 0);
	want = (uint32_t)crc32_z(want, big, 70100);
	at = 70100;
	while (at < boot) {
		b = pcr_stream_buf(s, &cap, &err);
		CHECK(u, b != NULL && cap == QT_IO_CHUNK);
		if (b == NULL)
			break;
		k = boot - at < cap - 5 ? boot - at : cap - 5; /* partly filled buffers */
		memcpy(b, big + at, k);
		fails += pcr_stream_submit(s, PCR_ROLE_BOOT, k, &err) != 0;
		want = (uint32_t)crc32_z(want, big + at, k);
		at += k;
		/* a section header while the workers are busy: CRC only, queued in order */
		fails += pcr_stream_update(s, PCR_ROLE_NONE, big + n - 12, 12, &err) != 0;
		want = (uint32_t)crc32_z(want, big + n - 12, 12);
	}
	CHECK(u, fails == 0);
	CHECK(u, pcr_stream_crc_take(s, &crc, &err) == 0);
	CHECK(u, crc == want);
	want = 0;
	/* app: > 2 x PCR_RING chunks, every size class, one CRC-only piece mid-way */
	while (at < boot + (20u << 20)) {
		size_t sizes[] = { 1, 65535, 65536, QT_IO_CHUNK, QT_IO_CHUNK + 7, 3 * QT_IO_CHUNK };

		for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]) && at < boot + (20u << 20); k++) {
			fails += pcr_stream_update(s, PCR_ROLE_APP, big + at, sizes[k], &err) != 0;
			want = (uint32_t)crc32_z(want, big + at, sizes[k]);
			at += sizes[k];
		}
		fails += pcr_stream_update(s, PCR_ROLE_NONE, big, 548, &err) != 0;
		want = (uint32_t)crc32_z(want, big, 548);
	}
	CHECK(u, fails == 0);
	want_part = want;
	CHECK(u, pcr_stream_crc_take(s, &crc, &err) == 0);
	CHECK(u, crc == want_part);
	CHECK(u, pcr_stream_final(s, &p, &err) == 0);
	CHECK(u, pcr_of_bytes(big, at, reg, &err) == 0);
	CHECK_MEM(u, p.pcr0, reg, PCR_LEN);
	CHECK(u, pcr_of_bytes(big, boot, reg, &err) == 0);
	CHECK_MEM(u, p.pcr1, reg, PCR_LEN);
	CHECK(u, pcr_of_bytes(big + boot, at - boot, reg, &err) == 0);
	CHECK_MEM(u, p.pcr2, reg, PCR_LEN);
	/* the stream goes on after final: more app data moves PCR0 and PCR2 only */
	CHECK(u, pcr_stream_update(s, PCR_ROLE_APP, big + at, QT_IO_CHUNK, &err) == 0);
	CHECK(u, pcr_stream_final(s, &p, &err) == 0);
	CHECK(u, pcr_of_bytes(big, at + QT_IO_CHUNK, reg, &err) == 0);
	CHECK_MEM(u, p.pcr0, reg, PCR_LEN);
	CHECK(u, pcr_of_bytes(big, boot, reg, &err) == 0);
	CHECK_MEM(u, p.pcr1, reg, PCR_LEN);
	/* freed with work in flight: the workers finish and leave (ASan/valgrind see no leak) */
	CHECK(u, pcr_stream_update(s, PCR_ROLE_APP, big, 4 * QT_IO_CHUNK, &err) == 0);
	pcr_stream_free(s);
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
	size_t i, n = 28u << 20;

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
	test_crc(&u, big, n);
	test_ring(&u, big, n);
	free(big);
	test_parents(&u);
	return unit_end(&u);
}
