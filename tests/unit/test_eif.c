/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_eif.c: header sizes, the writer reproducing golden c1/c2 byte for byte,
 * the reader's measurements and its errors on malformed images.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "bytes.h"
#include "eif.h"
#include "eif_meta.h"
#include "fileio.h"
#include "text.h"
#include "unit.h"

#define GOLD FIXTURES "/golden"

static uint8_t *
slurp(const char *path, size_t *len)
{
	struct qt_err err = { 0 };
	uint8_t *buf = NULL;

	if (fileio_read_all(path, 1u << 24, &buf, len, &err) < 0) {
		printf("cannot read %s: %s\n", path, err.msg);
		exit(1);
	}
	return buf;
}

static int
put_file(struct eif_writer *w, enum eif_section_type t, const char *path, struct qt_err *err)
{
	uint8_t *b;
	size_t n;
	int r;

	b = slurp(path, &n);
	r = eif_writer_section_begin(w, t, err);
	/* odd-sized writes exercise the writer's buffering */
	for (size_t off = 0; r == 0 && off < n; off += 1000)
		r = eif_writer_write(w, b + off, n - off < 1000 ? n - off : 1000, err);
	if (r == 0)
		r = eif_writer_section_end(w, err);
	free(b);
	return r;
}

/* Build the golden image with nrd ramdisks into a temp file; return its bytes. */
static uint8_t *
build(struct unit *u, int nrd, size_t *len, struct pcr_set *pcrs)
{
	struct eif_meta m = { .image_name = "kernel.bin",
		.image_version = "1.0",
		.build_time = "2024-01-01T00:00:00+00:00",
		.build_tool = "eif_build",
		.build_tool_version = "0.3.1",
		.os = "OS",
		.kernel_version = "kernel" };
	struct qt_err err = { 0 };
	struct eif_writer *w = NULL;
	uint8_t *cmd, *out = NULL;
	char *meta = NULL;
	size_t cmdlen, metalen;
	FILE *f = tmpfile();
	long sz;

	cmd = slurp(GOLD "/inputs/cmdline.txt", &cmdlen);
	CHECK(u, f != NULL);
	CHECK(u, eif_meta_build(&m, &meta, &metalen, &err) == 0);
	CHECK(u, eif_writer_new(fileno(f), "golden.eif", NULL, &w, &err) == 0);
	CHECK(u, put_file(w, EIF_SECTION_KERNEL, GOLD "/inputs/kernel.bin", &err) == 0);
	CHECK(u, eif_writer_section_begin(w, EIF_SECTION_CMDLINE, &err) == 0);
	CHECK(u, eif_writer_write(w, cmd, cmdlen, &err) == 0);
	CHECK(u, eif_writer_section_end(w, &err) == 0);
	CHECK(u, eif_writer_section_begin(w, EIF_SECTION_METADATA, &err) == 0);
	CHECK(u, eif_writer_write(w, (uint8_t *)meta, metalen, &err) == 0);
	CHECK(u, eif_writer_section_end(w, &err) == 0);
	CHECK(u, put_file(w, EIF_SECTION_RAMDISK, GOLD "/inputs/ramdisk0.cpio", &err) == 0);
	if (nrd > 1)
		CHECK(u, put_file(w, EIF_SECTION_RAMDISK, GOLD "/inputs/ramdisk1.cpio", &err) == 0);
	CHECK(u, eif_writer_pcrs(w, pcrs, &err) == 0);
	CHECK(u, eif_writer_finish(w, &err) == 0);
	if (err.code != 0)
		printf("error: %s\n", err.msg);
	sz = (long)eif_writer_size(w);
	eif_writer_free(w);
	out = malloc((size_t)sz);
	CHECK(u, pread(fileno(f), out, (size_t)sz, 0) == sz);
	*len = (size_t)sz;
	fclose(f);
	free(meta);
	free(cmd);
	return out;
}

static void
hex_is(struct unit *u, const uint8_t *got, const char *want)
{
	char h[2 * PCR_LEN + 1];

	qt_hex(got, PCR_LEN, h);
	CHECK_STR(u, h, want);
}

#define C2_PCR0                                                                                    \
	"8b7a024caa4148ffaa64114656e339921cfce6a070828aaa3992492104b45263bfb99e76fbba081392837db9" \
	"34fa1131"
#define C2_PCR1                                                                                    \
	"031d723bfdf55dcee9eaff617901f444ba0ce27f17fbe4566ab30e9c4ec48e3e07e9b738bd6645b85dfcc8de" \
	"365d0bfe"
#define C2_PCR2                                                                                    \
	"7e84aa3778949e093ee7e9a074a57bc651a8167c287241e4ba60994c8a10a6abae4845a5ad810ebca8b881e6" \
	"c969065b"
#define EMPTY_PCR                                                                                  \
	"21b9efbc184807662e966d34f390821309eeac6802309798826296bf3e8bec7c10edb30948c90ba67310f7b9" \
	"64fc500a"

/* Read buf (an in-memory image) through a pipe-less temp file; return the error text. */
static int
read_mem(const uint8_t *buf, size_t len, struct eif_info **ret, struct qt_err *err)
{
	FILE *f = tmpfile();
	int r;

	if (f == NULL || fwrite(buf, 1, len, f) != len || fflush(f) != 0 || fseek(f, 0, SEEK_SET))
		return -1;
	r = eif_read(fileno(f), "t.eif", NULL, 0, ret, err);
	fclose(f);
	return r;
}

static void
expect_err(struct unit *u, const uint8_t *buf, size_t len, const char *want)
{
	struct qt_err err = { 0 };
	struct eif_info *info = NULL;

	CHECK(u, read_mem(buf, len, &info, &err) == -1);
	CHECK_STR(u, err.msg, want);
	eif_info_free(info);
}

/* Patch the header CRC so a mutated image differs only where intended. */
static void
be16_at(uint8_t *b, size_t off, uint16_t v)
{
	be16_put(b + off, v);
}

/*
 * A large image through the writer (mixed write sizes: buffered, straight
 * through, both helper-thread paths) and back through the reader: CRC and
 * PCRs must agree with each other and with PCRs of the plain bytes.
 */
static void
big_roundtrip(struct unit *u)
{
	/* past 32 MiB: the writer's write-behind runs (twice) */
	static const size_t klen = (3u << 20) + 7, r0len = 2u << 20, r1len = (70u << 20) + 123;
	struct eif_meta m = { .image_name = "big" };
	struct qt_err err = { 0 };
	struct eif_writer *w = NULL;
	struct eif_info *info = NULL;
	struct pcr_set wp;
	uint8_t *data, reg[PCR_LEN];
	char *meta = NULL;
	size_t metalen = 0, i, off, step;
	FILE *f = tmpfile();

	data = malloc(klen + r0len + r1len);
	for (i = 0; i < klen + r0len + r1len; i++)
		data[i] = (uint8_t)((i * 2654435761u) >> 11);
	CHECK(u, f != NULL && eif_meta_build(&m, &meta, &metalen, &err) == 0);
	CHECK(u, eif_writer_new(fileno(f), "big.eif", NULL, &w, &err) == 0);
	CHECK(u, eif_writer_section_begin(w, EIF_SECTION_KERNEL, &err) == 0);
	CHECK(u, eif_writer_write(w, data, klen, &err) == 0);
	CHECK(u, eif_writer_section_end(w, &err) == 0);
	CHECK(u, eif_writer_section_begin(w, EIF_SECTION_CMDLINE, &err) == 0);
	CHECK(u, eif_writer_section_end(w, &err) == 0);
	CHECK(u, eif_writer_section_begin(w, EIF_SECTION_METADATA, &err) == 0);
	CHECK(u, eif_writer_write(w, (uint8_t *)meta, metalen, &err) == 0);
	CHECK(u, eif_writer_section_end(w, &err) == 0);
	CHECK(u, eif_writer_section_begin(w, EIF_SECTION_RAMDISK, &err) == 0);
	CHECK(u, eif_writer_write(w, data + klen, r0len, &err) == 0);
	CHECK(u, eif_writer_section_end(w, &err) == 0);
	CHECK(u, eif_writer_section_begin(w, EIF_SECTION_RAMDISK, &err) == 0);
	for (off = 0, step = 1; off < r1len; off += step, step = step * 7 % 3000001 + 1) {
		if (step > r1len - off)
			step = r1len - off;
		CHECK(u, eif_writer_write(w, data + klen + r0len + off, step, &err) == 0);
	}
	CHECK(u, eif_writer_section_end(w, &err) == 0);
	CHECK(u, eif_writer_pcrs(w, &wp, &err) == 0);
	CHECK(u, eif_writer_finish(w, &err) == 0);
	eif_writer_free(w);
	CHECK(u, fseek(f, 0, SEEK_SET) == 0);
	CHECK(u, eif_read(fileno(f), "big.eif", NULL, 0, &info, &err) == 0);
	if (err.code != 0)
		printf("error: %s\n", err.msg);
	if (info != NULL) {
		CHECK(u, info->crc_ok);
		CHECK_MEM(u, info->pcrs.pcr0, wp.pcr0, PCR_LEN);
		CHECK_MEM(u, info->pcrs.pcr1, wp.pcr1, PCR_LEN);
		CHECK_MEM(u, info->pcrs.pcr2, wp.pcr2, PCR_LEN);
		CHECK(u, pcr_of_bytes(data, klen + r0len + r1len, reg, &err) == 0);
		CHECK_MEM(u, reg, wp.pcr0, PCR_LEN);
		CHECK(u, pcr_of_bytes(data, klen + r0len, reg, &err) == 0);
		CHECK_MEM(u, reg, wp.pcr1, PCR_LEN);
		CHECK(u, pcr_of_bytes(data + klen + r0len, r1len, reg, &err) == 0);
		CHECK_MEM(u, reg, wp.pcr2, PCR_LEN);
	}
	if (info != NULL && info->nsections == 5) {
		/* the file itself: zlib's CRC-32 over it (an oracle apart from the engine's) and
		 * the bytes */
		uint64_t size = info->file_size,
		         at = info->sections[4].offset + EIF_SECTION_HDR_SIZE;
		uint8_t *file = malloc((size_t)size);
		uint32_t crc;

		CHECK(u, file != NULL && fseek(f, 0, SEEK_SET) == 0 &&
		             fread(file, 1, (size_t)size, f) == size);
		if (file != NULL) {
			crc = (uint32_t)crc32_z(0, file, EIF_CRC_OFFSET);
			crc = (uint32_t)crc32_z(
			    crc, file + EIF_HEADER_SIZE, (size_t)size - EIF_HEADER_SIZE);
			CHECK(u, crc == info->hdr.crc);
			CHECK(u, size - at == r1len);
			CHECK_MEM(u, file + at, data + klen + r0len, r1len);
		}
		free(file);
	}
	eif_info_free(info);
	free(meta);
	free(data);
	fclose(f);
}

/* Write sections of the given types (data: 1000 bytes each, distinct) and read back. */
static void
odd_layouts(struct unit *u)
{
	/* K R0 R1 C: cmdline after the app ramdisk still feeds PCR0 and PCR1 (reference reader) */
	static const enum eif_section_type order[] = { EIF_SECTION_KERNEL, EIF_SECTION_RAMDISK,
		EIF_SECTION_RAMDISK, EIF_SECTION_CMDLINE };
	struct eif_write_opts wo = { .version = 3 };
	struct qt_err err = { 0 };
	struct eif_writer *w = NULL;
	struct eif_info *info = NULL;
	struct pcr_set wp;
	uint8_t d[4][1000], cat[4000], reg[PCR_LEN];
	FILE *f = tmpfile();
	size_t i;

	for (i = 0; i < 4; i++)
		memset(d[i], (int)(i + 1), sizeof(d[i]));
	/* a version 3 image: no metadata section needed */
	CHECK(u, eif_writer_new(fileno(f), "v3.eif", &wo, &w, &err) == 0);
	for (i = 0; i < 4; i++) {
		CHECK(u, eif_writer_section_begin(w, order[i], &err) == 0);
		CHECK(u, eif_writer_write(w, d[i], sizeof(d[i]), &err) == 0);
		CHECK(u, eif_writer_section_end(w, &err) == 0);
	}
	CHECK(u, eif_writer_pcrs(w, &wp, &err) == 0);
	CHECK(u, eif_writer_finish(w, &err) == 0);
	eif_writer_free(w);
	CHECK(u, fseek(f, 0, SEEK_SET) == 0);
	CHECK(u, eif_read(fileno(f), "v3.eif", NULL, 0, &info, &err) == 0);
	if (info != NULL) {
		CHECK(u, info->hdr.version == 3 && info->crc_ok && info->metadata == NULL);
		CHECK_MEM(u, info->pcrs.pcr0, wp.pcr0, PCR_LEN);
		CHECK_MEM(u, info->pcrs.pcr1, wp.pcr1, PCR_LEN);
		CHECK_MEM(u, info->pcrs.pcr2, wp.pcr2, PCR_LEN);
	}
	/* PCR0 = K R0 R1 C, PCR1 = K R0 C, PCR2 = R1 */
	memcpy(cat, d[0], 1000);
	memcpy(cat + 1000, d[1], 1000);
	memcpy(cat + 2000, d[2], 1000);
	memcpy(cat + 3000, d[3], 1000);
	CHECK(u, pcr_of_bytes(cat, 4000, reg, &err) == 0);
	CHECK_MEM(u, reg, wp.pcr0, PCR_LEN);
	memcpy(cat + 2000, d[3], 1000);
	CHECK(u, pcr_of_bytes(cat, 3000, reg, &err) == 0);
	CHECK_MEM(u, reg, wp.pcr1, PCR_LEN);
	CHECK(u, pcr_of_bytes(d[2], 1000, reg, &err) == 0);
	CHECK_MEM(u, reg, wp.pcr2, PCR_LEN);
	eif_info_free(info);
	fclose(f);

	/* the writer refuses what the reader refuses */
	CHECK(u, eif_writer_new(-1, "x.eif", NULL, &w, &err) == 0);
	CHECK(u, eif_writer_section_begin(w, EIF_SECTION_RAMDISK, &err) == -1);
	CHECK_STR(u, err.msg, "x.eif: section 0 (ramdisk): ramdisk before the kernel section");
	eif_writer_free(w);
	qt_err_clear(&err);
	CHECK(u, eif_writer_new(-1, "x.eif", NULL, &w, &err) == 0);
	CHECK(u, eif_writer_section_begin(w, EIF_SECTION_KERNEL, &err) == 0);
	CHECK(u, eif_writer_section_end(w, &err) == 0);
	CHECK(u, eif_writer_finish(w, &err) == -1);
	CHECK_STR(u, err.msg, "x.eif: no cmdline section");
	eif_writer_free(w);
}

int
main(void)
{
	struct unit u = { 0 };
	struct qt_err err = { 0 };
	struct eif_info *info = NULL;
	struct eif_header h;
	struct pcr_set p;
	uint8_t *gold, *mine, *m, hb[EIF_HEADER_SIZE];
	size_t glen, mlen;

	CHECK(&u, EIF_HEADER_SIZE == 548);
	CHECK(&u, EIF_SECTION_HDR_SIZE == 12);
	memset(&h, 0, sizeof(h));
	h.version = 4;
	h.num_sections = 1;
	h.crc = 0xa0896458;
	eif_header_put(&h, hb);
	CHECK(&u, be32_get(hb + 544) == 0xa0896458 && memcmp(hb, ".eif", 4) == 0);

	/* writer: c1 and c2 byte for byte */
	gold = slurp(GOLD "/outputs/c1_x86_1rd.eif", &glen);
	mine = build(&u, 1, &mlen, &p);
	CHECK(&u, mlen == glen && memcmp(mine, gold, glen) == 0);
	hex_is(&u, p.pcr0,
	    "031d723bfdf55dcee9eaff617901f444ba0ce27f17fbe4566ab30e9c4ec48e3e07e9b738"
	    "bd6645b85dfcc8de365d0bfe");
	hex_is(&u, p.pcr2, EMPTY_PCR);
	free(gold);
	free(mine);
	gold = slurp(GOLD "/outputs/c2_x86_2rd.eif", &glen);
	mine = build(&u, 2, &mlen, &p);
	CHECK(&u, mlen == glen && memcmp(mine, gold, glen) == 0);
	hex_is(&u, p.pcr0, C2_PCR0);
	hex_is(&u, p.pcr1, C2_PCR1);
	hex_is(&u, p.pcr2, C2_PCR2);
	free(mine);

	/* reader: c2 */
	CHECK(&u, read_mem(gold, glen, &info, &err) == 0);
	if (info != NULL) {
		hex_is(&u, info->pcrs.pcr0, C2_PCR0);
		hex_is(&u, info->pcrs.pcr1, C2_PCR1);
		hex_is(&u, info->pcrs.pcr2, C2_PCR2);
		CHECK(&u, info->crc_ok && info->crc_computed == 0xa0896458);
		CHECK(&u, info->nsections == 5 && info->sections[4].offset == 11276 &&
		              info->sections[4].size == 2560 &&
		              info->sections[2].type == EIF_SECTION_METADATA);
		CHECK(&u, info->metadata_len == 244 && info->signature == NULL);
		CHECK(&u, info->file_size == glen && info->hdr.default_mem == (1u << 30));
	}
	eif_info_free(info);
	info = NULL;

	/* a flipped data byte: CRC mismatch is reported, not an error */
	m = malloc(glen);
	memcpy(m, gold, glen);
	m[9000] ^= 1;
	CHECK(&u, read_mem(m, glen, &info, &err) == 0);
	CHECK(&u, info != NULL && !info->crc_ok);
	eif_info_free(info);
	info = NULL;

	/* malformed images: one exact message each */
	expect_err(
	    &u, gold, 300, "t.eif: header: truncated at offset 300 (the header is 548 bytes)");
	expect_err(&u, gold, 554,
	    "t.eif: section 0 at offset 548: truncated section header (6 of 12 bytes)");
	expect_err(&u, gold, 8000,
	    "t.eif: section 0 (kernel) at offset 548: size 8269 runs past the end of the file "
	    "(7440 bytes left)");
	expect_err(&u, gold, 11276,
	    "t.eif: truncated: the header declares 5 sections, the file ends after 4 at offset "
	    "11276");
	memcpy(m, gold, glen);
	m[1] = 'x';
	expect_err(
	    &u, m, glen, "t.eif: header: bad magic 2e 78 69 66 at offset 0 (expected '.eif')");
	memcpy(m, gold, glen);
	be16_at(m, 4, 5);
	expect_err(
	    &u, m, glen, "t.eif: header: unsupported version 5 at offset 4 (supported: 2 to 4)");
	memcpy(m, gold, glen);
	be16_at(m, 26, 0);
	expect_err(
	    &u, m, glen, "t.eif: header: num_sections 0 at offset 26 is out of range (1 to 32)");
	be16_at(m, 26, 33);
	expect_err(
	    &u, m, glen, "t.eif: header: num_sections 33 at offset 26 is out of range (1 to 32)");
	memcpy(m, gold, glen);
	be16_at(m, 8960, 0);
	expect_err(&u, m, glen, "t.eif: section 2 at offset 8960: invalid section type 0");
	be16_at(m, 8960, 6);
	expect_err(&u, m, glen, "t.eif: section 2 at offset 8960: invalid section type 6");
	memcpy(m, gold, glen);
	be16_at(m, 8962, 1);
	expect_err(&u, m, glen, "t.eif: section 2 (metadata) at offset 8962: nonzero flags 0x0001");
	memcpy(m, gold, glen);
	be64_put(m + 28 + 8 * 3, 9217);
	expect_err(&u, m, glen,
	    "t.eif: section 3 (ramdisk) at offset 9216: the header's offsets table says 9217");
	memcpy(m, gold, glen);
	be64_put(m + 284 + 8 * 3, 2047);
	expect_err(&u, m, glen,
	    "t.eif: section 3 (ramdisk) at offset 9216: size 2048 but the header's sizes table "
	    "says 2047");
	memcpy(m, gold, glen);
	be16_at(m, 9216, 1); /* the first ramdisk becomes a second kernel */
	expect_err(&u, m, glen, "t.eif: section 3 (kernel) at offset 9216: second kernel section");
	memcpy(m, gold, glen);
	be16_at(m, 11276, 5);
	expect_err(
	    &u, m, glen, "t.eif: section 4 (metadata) at offset 11276: second metadata section");
	memcpy(m, gold, glen);
	be16_at(m, 8829, 3); /* cmdline -> ramdisk: then there is no cmdline */
	expect_err(&u, m, glen, "t.eif: no cmdline section");
	memcpy(m, gold, glen);
	be16_at(m, 548, 3);
	expect_err(&u, m, glen,
	    "t.eif: section 0 (ramdisk) at offset 548: ramdisk before the kernel section");
	{
		/* trailing bytes after the declared sections */
		uint8_t *t = malloc(glen + 3);
		memcpy(t, gold, glen);
		memset(t + glen, 0, 3);
		expect_err(&u, t, glen + 3,
		    "t.eif: trailing data at offset 13848 after the 5 sections the header "
		    "declares");
		free(t);
	}
	memcpy(m, gold, glen);
	be16_at(m, 4, 2);
	expect_err(&u, m, glen,
	    "t.eif: section 2 (metadata) at offset 8960: metadata section in an image older than "
	    "version 4");
	free(m);
	free(gold);
	big_roundtrip(&u);
	odd_layouts(&u);
	return unit_end(&u);
}
