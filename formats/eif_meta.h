/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eif_meta.h: the EIF metadata section (type 5, spec/eif.md 6): serde_json
 * compact bytes of EifIdentityInfo, built and parsed with jansson.
 */
#ifndef QT_EIF_META_H
#define QT_EIF_META_H

#include <stddef.h>

#include <jansson.h>

#include "qt.h"

struct eif_meta {
	const char *image_name;
	const char *image_version;
	const char *build_time; /* RFC 3339 text, stored as given */
	const char *build_tool;
	const char *build_tool_version;
	const char *os;
	const char *kernel_version;
	const json_t *docker_info; /* NULL = null */
	const json_t *custom;      /* NULL = null; reals refused */
};

/*
 * The section bytes: {"ImageName":..,"ImageVersion":..,"BuildMetadata":{BuildTime,
 * BuildTool,BuildToolVersion,OperatingSystem,KernelVersion},"DockerInfo":..,
 * "CustomMetadata":..} compact, nested objects key-sorted. *ret is malloc'd.
 */
int eif_meta_build(const struct eif_meta *m, char **ret, size_t *ret_len, struct qt_err *err);

/*
 * Parse a metadata section (untrusted): a JSON object with all five keys,
 * ImageName/ImageVersion strings, BuildMetadata an object of five strings.
 * Unknown extra keys are ignored (as the reference reader does).
 */
int eif_meta_parse(
    const char *name, const uint8_t *buf, size_t len, json_t **ret, struct qt_err *err);

#endif
