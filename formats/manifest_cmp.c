/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest_cmp.c: value-by-value comparison of two manifests (constant-time
 * byte comparison, as for every digest decision).
 */
#include <stdio.h>

#include <openssl/crypto.h>

#include "manifest_cmp.h"

static void
item(struct manifest_item *it, const char *what, const uint8_t *a, const uint8_t *b)
{
	snprintf(it->what, sizeof(it->what), "%s", what);
	it->a = a;
	it->b = b;
	it->differs = a == NULL || b == NULL || CRYPTO_memcmp(a, b, 48) != 0;
}

size_t
manifest_compare(const struct manifest *a, const struct manifest *b,
    struct manifest_item items[MANIFEST_CMP_MAX], size_t *ret_n)
{
	const uint32_t parent = 1u << 3 | 1u << 4;
	uint32_t mask = (a->pcr_mask | b->pcr_mask) & ~parent;
	size_t n = 0, i, nd = 0, nr;
	char what[16];

	for (i = 0; i < PCR_COUNT; i++) {
		if (!(mask & (1u << i)))
			continue;
		snprintf(what, sizeof(what), "PCR%zu", i);
		item(&items[n++], what, (a->pcr_mask & (1u << i)) ? a->pcrs[i] : NULL,
		    (b->pcr_mask & (1u << i)) ? b->pcrs[i] : NULL);
	}
	item(&items[n++], "kernel", a->kernel, b->kernel);
	item(&items[n++], "cmdline", a->cmdline, b->cmdline);
	nr = a->nramdisks > b->nramdisks ? a->nramdisks : b->nramdisks;
	for (i = 0; i < nr && i < MANIFEST_RAMDISKS_MAX; i++) {
		snprintf(what, sizeof(what), "ramdisk %zu", i);
		item(&items[n++], what, i < a->nramdisks ? a->ramdisks[i] : NULL,
		    i < b->nramdisks ? b->ramdisks[i] : NULL);
	}
	for (i = 0; i < n; i++)
		nd += items[i].differs;
	*ret_n = n;
	return nd;
}
