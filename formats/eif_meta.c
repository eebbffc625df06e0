/* SPDX-License-Identifier: Apache-2.0 */
/* eif_meta.c: build and parse the EIF metadata section (spec/eif.md 6). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eif_meta.h"
#include "json.h"

static const char *const build_keys[] = { "BuildTime", "BuildTool", "BuildToolVersion",
	"OperatingSystem", "KernelVersion" };

/* A string field; NULL is written as "" (the reference always has a string). */
static int
str_field(json_t *obj, const char *key, const char *val, struct qt_err *err)
{
	json_t *s = json_string(val != NULL ? val : "");

	if (s == NULL)
		return qt_err_set(err, EINVAL, "metadata: %s is not valid UTF-8", key);
	if (json_object_set_new(obj, key, s) != 0)
		return qt_err_set(err, ENOMEM, "out of memory");
	return 0;
}

/* A Value field: sorted copy, or null. */
static int
value_field(json_t *obj, const char *key, const json_t *v, struct qt_err *err)
{
	json_t *copy = NULL;

	if (v == NULL) {
		if (json_object_set_new(obj, key, json_null()) != 0)
			return qt_err_set(err, ENOMEM, "out of memory");
		return 0;
	}
	if (qtjson_no_reals("metadata", key, v, err) < 0 || qtjson_sorted(v, &copy, err) < 0)
		return -1;
	if (json_object_set_new(obj, key, copy) != 0)
		return qt_err_set(err, ENOMEM, "out of memory");
	return 0;
}

int
eif_meta_build(const struct eif_meta *m, char **ret, size_t *ret_len, struct qt_err *err)
{
	const char *vals[5] = { m->build_time, m->build_tool, m->build_tool_version, m->os,
		m->kernel_version };
	json_t *root = NULL, *bm = NULL;
	char *s = NULL;
	size_t i;
	int r = -1;

	if ((root = json_object()) == NULL || (bm = json_object()) == NULL)
		goto oom;
	/* EifIdentityInfo / EifBuildInfo declaration order (spec/eif.md 6) */
	if (str_field(root, "ImageName", m->image_name, err) < 0 ||
	    str_field(root, "ImageVersion", m->image_version, err) < 0)
		goto out;
	for (i = 0; i < 5; i++)
		if (str_field(bm, build_keys[i], vals[i], err) < 0)
			goto out;
	if (json_object_set(root, "BuildMetadata", bm) != 0)
		goto oom;
	if (value_field(root, "DockerInfo", m->docker_info, err) < 0 ||
	    value_field(root, "CustomMetadata", m->custom, err) < 0)
		goto out;
	if (qtjson_dump(root, false, &s, err) < 0)
		goto out;
	*ret_len = strlen(s);
	*ret = s;
	r = 0;
	goto out;
oom:
	qt_err_set(err, ENOMEM, "metadata: out of memory");
out:
	json_decref(bm);
	json_decref(root);
	return r;
}

int
eif_meta_parse(const char *name, const uint8_t *buf, size_t len, json_t **ret, struct qt_err *err)
{
	json_t *root = NULL, *bm, *v;
	json_error_t je;
	size_t i;

	root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		return qt_err_set(err, EINVAL, "%s: metadata section: invalid JSON at byte %d: %s",
		    name, je.position, je.text);
	if (!json_is_object(root)) {
		qt_err_set(err, EINVAL, "%s: metadata section: not a JSON object", name);
		goto fail;
	}
	if (!json_is_string(json_object_get(root, "ImageName")) ||
	    !json_is_string(json_object_get(root, "ImageVersion"))) {
		qt_err_set(err, EINVAL,
		    "%s: metadata section: ImageName or ImageVersion missing or "
		    "not a string",
		    name);
		goto fail;
	}
	bm = json_object_get(root, "BuildMetadata");
	if (!json_is_object(bm)) {
		qt_err_set(err, EINVAL,
		    "%s: metadata section: BuildMetadata missing or not an object", name);
		goto fail;
	}
	for (i = 0; i < 5; i++) {
		if (!json_is_string(json_object_get(bm, build_keys[i]))) {
			qt_err_set(err, EINVAL,
			    "%s: metadata section: BuildMetadata.%s missing or not a string", name,
			    build_keys[i]);
			goto fail;
		}
	}
	if ((v = json_object_get(root, "DockerInfo")) == NULL ||
	    json_object_get(root, "CustomMetadata") == NULL) {
		qt_err_set(err, EINVAL, "%s: metadata section: missing field %s", name,
		    v == NULL ? "DockerInfo" : "CustomMetadata");
		goto fail;
	}
	*ret = root;
	return 0;
fail:
	json_decref(root);
	return -1;
}
