/* SPDX-License-Identifier: Apache-2.0 */
/* describe.c: measurement and describe-eif JSON documents (spec/eif.md 7). */
#include <errno.h>
#include <string.h>

#include "describe.h"

int
describe_parse_shape(const char *text, enum describe_shape *ret)
{
	if (strcmp(text, "qingtian") == 0)
		*ret = DESCRIBE_QINGTIAN;
	else if (strcmp(text, "nitro") == 0)
		*ret = DESCRIBE_NITRO;
	else
		return -1;
	return 0;
}

static int
set_hex(json_t *obj, const char *key, const uint8_t *reg)
{
	char h[2 * PCR_LEN + 1];

	qt_hex(reg, PCR_LEN, h);
	return json_object_set_new(obj, key, json_string(h));
}

int
describe_nitro_map(const struct pcr_set *p, json_t **ret, struct qt_err *err)
{
	json_t *m;

	/* format!("{:?}", Sha384) with sha2 0.9, as AWS documents it (spec/eif.md 4.4) */
	if ((m = json_object()) == NULL ||
	    json_object_set_new(m, "HashAlgorithm", json_string("Sha384 { ... }")) != 0 ||
	    set_hex(m, "PCR0", p->pcr0) != 0 || set_hex(m, "PCR1", p->pcr1) != 0 ||
	    set_hex(m, "PCR2", p->pcr2) != 0 || (p->has_pcr8 && set_hex(m, "PCR8", p->pcr8) != 0)) {
		json_decref(m);
		return qt_err_set(err, ENOMEM, "out of memory");
	}
	*ret = m;
	return 0;
}

int
describe_measurements(const struct pcr_set *p, enum describe_shape shape, json_t **ret,
    struct qt_err *err)
{
	static const uint8_t zero[PCR_LEN];
	json_t *o = NULL, *m = NULL;

	if (shape == DESCRIBE_NITRO) {
		if (describe_nitro_map(p, &m, err) < 0)
			return -1;
		if ((o = json_object()) == NULL || json_object_set_new(o, "Measurements", m) != 0) {
			json_decref(o);
			return qt_err_set(err, ENOMEM, "out of memory");
		}
		*ret = o;
		return 0;
	}
	/* qt enclave make-img prints digest, PCR0, PCR8 (zeros when unsigned); we add PCR1/2 */
	if ((o = json_object()) == NULL ||
	    json_object_set_new(o, "digest", json_string("SHA384")) != 0 ||
	    set_hex(o, "PCR0", p->pcr0) != 0 || set_hex(o, "PCR1", p->pcr1) != 0 ||
	    set_hex(o, "PCR2", p->pcr2) != 0 ||
	    set_hex(o, "PCR8", p->has_pcr8 ? p->pcr8 : zero) != 0) {
		json_decref(o);
		return qt_err_set(err, ENOMEM, "out of memory");
	}
	*ret = o;
	return 0;
}
