/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_eif.c: the EIF reader and everything qt-measure and qt-measure
 * describe do with what it returns: header, section walk, CRC, PCR0/1/2,
 * metadata JSON, signature section, PCR8, COSE check, describe documents.
 * A second pass copies the image through the EIF writer (what qt-sign does
 * when it re-signs) and checks the copy measures the same.
 */
#include <string.h>

#include "describe.h"
#include "eif.h"
#include "eif_sig.h"
#include "fuzz.h"

struct copy {
	struct eif_writer *w;
	bool open;
};

static int
copy_begin(void *ctx, const struct eif_section *s, struct qt_err *err)
{
	struct copy *c = ctx;

	if (s->type == EIF_SECTION_SIGNATURE)
		return 0;
	c->open = true;
	return eif_writer_section_begin(c->w, s->type, err);
}

static int
copy_data(
    void *ctx, const struct eif_section *s, const uint8_t *buf, size_t len, struct qt_err *err)
{
	struct copy *c = ctx;

	if (!c->open || s->type == EIF_SECTION_SIGNATURE)
		return 0;
	return eif_writer_write(c->w, buf, len, err);
}

static int
copy_end(void *ctx, const struct eif_section *s, struct qt_err *err)
{
	struct copy *c = ctx;

	if (!c->open || s->type == EIF_SECTION_SIGNATURE)
		return 0;
	c->open = false;
	return eif_writer_section_end(c->w, err);
}

static void
describe_all(const struct eif_info *info)
{
	struct qt_err err = { 0 }, why = { 0 };
	struct pcr_set p = info->pcrs;
	json_t *doc = NULL;
	char *s;
	bool pass;

	if (eif_sig_image_pcr8("fuzz.eif", info, &p, &err) < 0) {
		FUZZ_CHECK_ERR(&err);
		return;
	}
	if (describe_measurements(&p, QT_PROFILE_QINGTIAN, &doc, &err) == 0)
		json_decref(doc);
	doc = NULL;
	if (describe_measurements(&p, QT_PROFILE_NITRO, &doc, &err) == 0)
		json_decref(doc);
	doc = NULL;
	if (info->signature != NULL)
		(void)eif_sig_image_check("fuzz.eif", info, p.pcr0, &why, &err);
	qt_err_clear(&err);
	qt_err_clear(&why);
	if (describe_document("fuzz.eif", info, &p, &doc, &pass, &why, &err) == 0) {
		s = json_dumps(doc, JSON_COMPACT);
		FUZZ_ASSERT(s != NULL);
		free(s);
		json_decref(doc);
	} else {
		FUZZ_CHECK_ERR(&err);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eif_read_cb cb = { NULL, copy_begin, copy_data, copy_end, NULL, { NULL, NULL } };
	struct eif_write_opts wo = { 0 };
	struct qt_err err = { 0 };
	struct eif_info *info = NULL, *again = NULL;
	struct pcr_set wp;
	struct copy c = { NULL, false };
	int fd, r;

	if ((fd = fuzz_memfd(data, size)) < 0)
		return 0;
	r = eif_read(fd, "fuzz.eif", NULL, 0, &info, &err);
	if (r < 0) {
		FUZZ_CHECK_ERR(&err);
		FUZZ_ASSERT(info == NULL);
		goto out;
	}
	FUZZ_ASSERT(info != NULL && info->nsections >= 1 && info->nsections <= QT_MAX_SECTIONS);
	FUZZ_ASSERT(info->file_size == size);
	describe_all(info);

	/* The same bytes again, copied through a measuring writer: same PCR0/1/2. */
	wo.version = info->hdr.version;
	wo.flags = info->hdr.flags;
	wo.default_mem = info->hdr.default_mem;
	wo.default_cpus = info->hdr.default_cpus;
	if (eif_writer_new(-1, "copy.eif", &wo, &c.w, &err) < 0)
		goto out;
	cb.ctx = &c;
	FUZZ_ASSERT(lseek(fd, 0, SEEK_SET) == 0);
	if (eif_read(fd, "fuzz.eif", &cb, 0, &again, &err) < 0)
		goto out; /* the writer may refuse an order the reader accepts */
	FUZZ_ASSERT(memcmp(again->pcrs.pcr0, info->pcrs.pcr0, 48) == 0);
	FUZZ_ASSERT(memcmp(again->pcrs.pcr2, info->pcrs.pcr2, 48) == 0);
	if (eif_writer_pcrs(c.w, &wp, &err) == 0) {
		FUZZ_ASSERT(memcmp(wp.pcr0, info->pcrs.pcr0, 48) == 0);
		FUZZ_ASSERT(memcmp(wp.pcr1, info->pcrs.pcr1, 48) == 0);
		FUZZ_ASSERT(memcmp(wp.pcr2, info->pcrs.pcr2, 48) == 0);
	}
	(void)eif_writer_finish(c.w, &err);
out:
	eif_writer_free(c.w);
	eif_info_free(again);
	eif_info_free(info);
	close(fd);
	return 0;
}
