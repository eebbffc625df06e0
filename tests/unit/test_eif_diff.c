/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_eif_diff.c: the golden images compared: an image with itself, signed
 * against unsigned (PCR8, the signature section), one ramdisk against two
 * (PCR0 and PCR2, a ramdisk only in b; PCR1 unchanged).
 */
#include <stdlib.h>
#include <string.h>

#include "eif_diff.h"
#include "unit.h"

#define OUT FIXTURES "/golden/outputs"

static char *
run(const char *a, const char *b, bool *differ, struct qt_err *err)
{
	struct diff_input *x = NULL, *y = NULL;
	json_t *r = NULL;
	char *s = NULL;

	if (diff_load(a, NULL, &x, err) == 0 && diff_load(b, NULL, &y, err) == 0 &&
	    diff_run(x, y, &r, differ, err) == 0)
		s = json_dumps(json_object_get(r, "causes"), JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(r);
	diff_input_free(x);
	diff_input_free(y);
	return s;
}

int
main(void)
{
	struct unit u = { 0 };
	struct qt_err err = { 0 };
	bool differ = true;
	char *s;

	s = run(OUT "/c5_signed_p384.eif", OUT "/c5_signed_p384.eif", &differ, &err);
	CHECK_STR(&u, s, "{}");
	CHECK(&u, !differ);
	free(s);

	s = run(OUT "/c2_x86_2rd.eif", OUT "/c5_signed_p384.eif", &differ, &err);
	CHECK_STR(&u, s, "{\"PCR8\":[\"signature section: only in b\"]}");
	CHECK(&u, differ);
	free(s);

	s = run(OUT "/c1_x86_1rd.eif", OUT "/c2_x86_2rd.eif", &differ, &err);
	CHECK_STR(
	    &u, s, "{\"PCR0\":[\"ramdisk 1: only in b\"],\"PCR2\":[\"ramdisk 1: only in b\"]}");
	CHECK(&u, differ);
	free(s);

	CHECK(&u, run(OUT "/missing.eif", OUT "/c2_x86_2rd.eif", &differ, &err) == NULL);
	CHECK(&u, strncmp(err.msg, OUT "/missing.eif: ", strlen(OUT) + 14) == 0);
	return unit_end(&u);
}
