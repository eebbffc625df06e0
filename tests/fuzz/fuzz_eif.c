/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_eif.c: libFuzzer target for the EIF reader and everything describe
 * does with what it read (signature section CBOR, certificate, COSE,
 * metadata JSON). Build and run with `make fuzz`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "describe.h"
#include "eif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qt_err err = { 0 }, why = { 0 };
	struct eif_info *info = NULL;
	struct pcr_set p;
	json_t *doc = NULL;
	bool pass;
	int fd;

	if ((fd = memfd_create("fuzz.eif", 0)) < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size && lseek(fd, 0, SEEK_SET) == 0 &&
	    eif_read(fd, "fuzz.eif", NULL, 0, &info, &err) == 0) {
		p = info->pcrs;
		if (describe_pcr8("fuzz.eif", info, &p, &err) == 0)
			(void)describe_document("fuzz.eif", info, &p, &doc, &pass, &why, &err);
	}
	json_decref(doc);
	eif_info_free(info);
	close(fd);
	return 0;
}
