/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_corim.c: the CoRIM reader (qt-measure provenance --corim), signed or
 * not, and the agreement check against an image's measurements. Whatever
 * reads back has only 48-byte SHA-384 registers below 32, and re-encoding
 * the PCRs it holds reads back to the same registers.
 */
#include <string.h>

#include "corim.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qt_err err = { 0 };
	struct corim_info ci, back;
	struct corim_opts o = { NULL, NULL, true };
	struct manifest m;
	struct wbuf enc = { 0 };
	int v;

	if (corim_read("fuzz.corim", data, size, &ci, &err) < 0) {
		FUZZ_CHECK_ERR(&err);
		return 0;
	}
	FUZZ_ASSERT(strlen(ci.id) < sizeof(ci.id));
	memset(&m, 0, sizeof(m));
	m.file = (char *)"fuzz.eif";
	m.platform = strcmp(ci.vendor, "AWS") == 0 ? QT_PROFILE_NITRO : QT_PROFILE_QINGTIAN;
	m.is_signed = true;
	m.pcr_mask = ci.pcr_mask;
	memcpy(m.pcrs, ci.pcrs, sizeof(m.pcrs));
	v = corim_agrees("fuzz.corim", data, size, &m, &err);
	FUZZ_ASSERT(v == 0 || v == 1);
	if (v == 1)
		FUZZ_CHECK_ERR(&err);
	qt_err_clear(&err);
	FUZZ_ASSERT(corim_encode(&m, &o, &enc, &err) == 0);
	FUZZ_ASSERT(corim_read("enc", enc.p, enc.len, &back, &err) == 0);
	FUZZ_ASSERT(back.pcr_mask == ci.pcr_mask);
	FUZZ_ASSERT(memcmp(back.pcrs, ci.pcrs, sizeof(back.pcrs)) == 0);
	wbuf_free(&enc);
	return 0;
}
