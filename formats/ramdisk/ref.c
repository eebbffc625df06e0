/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ref.c: image references as docker names them. "hello:1.0",
 * "library/hello:1.0" and "docker.io/library/hello:1.0" are one image; a
 * first component with a '.' or ':', or "localhost", is a registry; no tag
 * means "latest". A short name (no registry) also matches a recorded
 * reference of another registry with the same path and tag
 * ("localhost/hello:1.0", as podman and buildah record them).
 */
#include <stdio.h>
#include <string.h>

#include "ramdisk_private.h"

/* A lower-case path component: [a-z0-9]+ joined by '.', '_', '__' or '-'s. */
static bool
component_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[0] == '_' || s[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if (c != '.' && c != '_' && c != '-')
			return false;
		if (i + 1 == n)
			return false;
	}
	return true;
}

/* host[:port]: letters, digits, '.', '-', starting with a letter or digit. */
static bool
domain_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	                  (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-' || s[i] == ':'))
			return false;
	return true;
}

static bool
tag_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 128 || s[0] == '.' || s[0] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return false;
	return true;
}

int
rd_ref_parse(const char *s, struct rd_ref *r)
{
	const char *slash = strchr(s, '/'), *last = strrchr(s, '/'), *colon, *p, *q;
	size_t dl = 0;

	memset(r, 0, sizeof(*r));
	if (strlen(s) >= sizeof(r->path) || strchr(s, '@') != NULL)
		return -1;
	/* registry: the first component, if it has a '.' or ':' or is localhost */
	if (slash != NULL) {
		dl = (size_t)(slash - s);
		if (memchr(s, '.', dl) != NULL || memchr(s, ':', dl) != NULL ||
		    (dl == 9 && memcmp(s, "localhost", 9) == 0)) {
			if (dl >= sizeof(r->domain) || !domain_ok(s, dl))
				return -1;
			memcpy(r->domain, s, dl);
			r->explicit_domain = true;
			s = slash + 1;
		}
	}
	if (!r->explicit_domain)
		strcpy(r->domain, "docker.io");
	colon = strchr(last != NULL && last >= s ? last : s, ':');
	snprintf(r->tag, sizeof(r->tag), "%s", colon != NULL ? colon + 1 : "latest");
	if (colon != NULL && !tag_ok(r->tag))
		return -1;
	r->has_tag = colon != NULL;
	/* the path, "library/" added to one-component docker.io names */
	dl = colon != NULL ? (size_t)(colon - s) : strlen(s);
	if (strcmp(r->domain, "docker.io") == 0 && memchr(s, '/', dl) == NULL)
		snprintf(r->path, sizeof(r->path), "library/%.*s", (int)dl, s);
	else
		snprintf(r->path, sizeof(r->path), "%.*s", (int)dl, s);
	for (p = r->path;; p = q + 1) {
		q = strchr(p, '/');
		if (!component_ok(p, q != NULL ? (size_t)(q - p) : strlen(p)))
			return -1;
		if (q == NULL)
			break;
	}
	return 0;
}

/* The path without docker.io's "library/": what a short name is compared by. */
static const char *
short_path(const struct rd_ref *r)
{
	if (strcmp(r->domain, "docker.io") == 0 && strncmp(r->path, "library/", 8) == 0)
		return r->path + 8;
	return r->path;
}

int
rd_ref_match(const char *query, const char *recorded)
{
	struct rd_ref q, r;

	if (strcmp(query, recorded) == 0)
		return RD_REF_SAME;
	if (rd_ref_parse(query, &q) < 0 || rd_ref_parse(recorded, &r) < 0)
		return RD_REF_NO;
	if (strcmp(q.tag, r.tag) != 0)
		return RD_REF_NO;
	if (strcmp(q.domain, r.domain) == 0 && strcmp(q.path, r.path) == 0)
		return RD_REF_SAME;
	if (!q.explicit_domain && strcmp(short_path(&q), short_path(&r)) == 0)
		return RD_REF_SHORT;
	return RD_REF_NO;
}

bool
rd_looks_like_ref(const char *s)
{
	struct rd_ref r;
	const char *at = strchr(s, '@');
	char buf[sizeof(r.path)];

	if (at != NULL) {
		struct digest d;
		if ((size_t)(at - s) >= sizeof(buf) || rd_digest_parse(at + 1, &d) < 0)
			return false;
		snprintf(buf, sizeof(buf), "%.*s", (int)(at - s), s);
		s = buf;
	}
	return rd_ref_parse(s, &r) == 0 && (r.has_tag || r.explicit_domain || at != NULL);
}

void
rd_list_add(char *buf, size_t size, const char *item)
{
	size_t len = strlen(buf);

	if (len + 5 >= size || (len >= 3 && strcmp(buf + len - 3, "...") == 0))
		return;
	if (len + strlen(item) + 3 + 5 >= size) {
		snprintf(buf + len, size - len, "%s...", len > 0 ? ", " : "");
		return;
	}
	snprintf(buf + len, size - len, "%s%s", len > 0 ? ", " : "", item);
}
