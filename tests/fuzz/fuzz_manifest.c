/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_manifest.c: the reference-value manifest reader (qt-measure verify
 * --manifest, qt-measure policy), then both policy formats, and the
 * round trip: whatever parses must dump, and the dump must parse back to a
 * manifest that dumps to the same bytes.
 */
#include <string.h>

#include "fuzz.h"
#include "manifest.h"
#include "policy.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qt_err err = { 0 };
	struct manifest *m = NULL, *m2 = NULL;
	char *d1 = NULL, *d2 = NULL;
	size_t l1 = 0, l2 = 0;
	json_t *pol = NULL;
	struct policy_opts o = { .profile = QT_PROFILE_QINGTIAN };
	const char *name = "fuzz.json";
	unsigned i;

	if (manifest_parse("fuzz.json", data, size, &m, &err) < 0) {
		FUZZ_CHECK_ERR(&err);
		FUZZ_ASSERT(m == NULL);
		goto out;
	}
	/* both clouds, the condition block and a whole statement, default and all registers */
	for (i = 0; i < 4; i++) {
		o.profile = (i & 1) ? QT_PROFILE_NITRO : QT_PROFILE_QINGTIAN;
		o.allow_zero = (i & 1) != 0;
		o.statement = (i & 2) != 0;
		o.principal = "arn:aws:iam::123456789012:role/fuzz";
		o.pcrs = (i & 2) ? m->pcr_mask : 0;
		if (policy_make(1, &name, (const struct manifest *const *)&m, &o, &pol, &err) == 0)
			json_decref(pol);
		pol = NULL;
		qt_err_clear(&err);
	}
	FUZZ_ASSERT(manifest_dump(m, &d1, &l1, &err) == 0);
	if (manifest_parse("dump.json", (const uint8_t *)d1, l1, &m2, &err) < 0) {
		fprintf(stderr, "manifest round trip: %s\n", err.msg);
		abort();
	}
	FUZZ_ASSERT(manifest_dump(m2, &d2, &l2, &err) == 0);
	FUZZ_ASSERT(l1 == l2 && memcmp(d1, d2, l1) == 0);
out:
	free(d1);
	free(d2);
	manifest_free(m2);
	manifest_free(m);
	return 0;
}
