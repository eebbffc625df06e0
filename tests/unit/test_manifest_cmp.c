/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_manifest_cmp.c: the value-by-value comparison behind `qt-measure
 * check`: order of the items, absent values, PCR3/PCR4 left out.
 */
#include <string.h>

#include "manifest_cmp.h"
#include "unit.h"

static void
fill(struct manifest *m)
{
	memset(m, 0, sizeof(*m));
	m->pcr_mask = 1u | 1u << 3 | 1u << 8;
	memset(m->pcrs[0], 0x11, PCR_LEN);
	memset(m->pcrs[3], 0x33, PCR_LEN);
	memset(m->pcrs[8], 0x88, PCR_LEN);
	memset(m->kernel, 0xaa, sizeof(m->kernel));
	memset(m->cmdline, 0xbb, sizeof(m->cmdline));
	m->nramdisks = 2;
	memset(m->ramdisks[0], 0xc0, sizeof(m->ramdisks[0]));
	memset(m->ramdisks[1], 0xc1, sizeof(m->ramdisks[1]));
}

int
main(void)
{
	struct unit u = { 0 };
	struct manifest_item it[MANIFEST_CMP_MAX];
	static struct manifest a, b;
	size_t n = 0;

	fill(&a);
	fill(&b);
	CHECK(&u, manifest_compare(&a, &b, it, &n) == 0);
	CHECK(&u, n == 6); /* PCR0, PCR8, kernel, cmdline, 2 ramdisks; not PCR3 */
	CHECK_STR(&u, it[0].what, "PCR0");
	CHECK_STR(&u, it[1].what, "PCR8");
	CHECK_STR(&u, it[2].what, "kernel");
	CHECK_STR(&u, it[3].what, "cmdline");
	CHECK_STR(&u, it[4].what, "ramdisk 0");
	CHECK_STR(&u, it[5].what, "ramdisk 1");
	CHECK(&u, it[0].a == a.pcrs[0] && it[0].b == b.pcrs[0]);

	/* one byte of PCR3 (not the image's) and of ramdisk 1 */
	b.pcrs[3][47] ^= 1;
	b.ramdisks[1][0] ^= 1;
	CHECK(&u, manifest_compare(&a, &b, it, &n) == 1);
	CHECK(&u, !it[4].differs && it[5].differs);

	/* a ramdisk and PCR1 only on one side: absent, differs */
	fill(&b);
	b.nramdisks = 3;
	b.pcr_mask |= 1u << 1;
	CHECK(&u, manifest_compare(&a, &b, it, &n) == 2);
	CHECK(&u, n == 8);
	CHECK_STR(&u, it[1].what, "PCR1");
	CHECK(&u, it[1].differs && it[1].a == NULL && it[1].b == b.pcrs[1]);
	CHECK_STR(&u, it[7].what, "ramdisk 2");
	CHECK(&u, it[7].differs && it[7].a == NULL);

	/* the last byte of the kernel digest */
	fill(&b);
	b.kernel[47] ^= 0x80;
	CHECK(&u, manifest_compare(&a, &b, it, &n) == 1);
	CHECK(&u, it[2].differs);
	return unit_end(&u);
}
