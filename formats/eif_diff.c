/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eif_diff.c: PCRs, sections and ramdisk entries of two builds compared,
 * with the causes of each PCR change (spec/eif.md 4.2: PCR0 is kernel,
 * cmdline and every ramdisk; PCR1 kernel, cmdline and the first ramdisk;
 * PCR2 the other ramdisks; PCR8 the signing certificate; PCR3/PCR4 the
 * parent's identity). Key order is the order of the json_*_set_new calls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "eif_diff.h"
#include "eif_ls.h"
#include "fileio.h"
#include "manifest.h"
#include "text.h"

/* One ramdisk entry as remembered: the header and the data's hash, no data. */
struct dent {
	char *path, *link;
	enum eif_entry_type type;
	uint32_t mode;
	int64_t uid, gid, mtime;
	uint64_t size;
	bool has_sha256;
	uint8_t sha256[32];
	size_t order;
};

struct rtab {
	struct dent *v;
	size_t n, cap;
};

struct diff_input {
	char *name;
	bool image;
	uint32_t pcr_mask;
	uint8_t pcrs[PCR_COUNT][PCR_LEN];
	uint8_t kernel[48], cmdline[48];
	size_t nramdisks;
	uint8_t ramdisks[QT_MAX_SECTIONS][48];
	bool has_sig, has_meta; /* images only */
	uint8_t sig[48], meta[48];
	char *parent3, *parent4; /* manifests: the identities behind PCR3/PCR4 */
	struct rtab rd[QT_MAX_SECTIONS];
	struct eif_cmdenv cmdenv; /* "cmd", "env" contents, NULL if absent */
};

static const char *const cmdenv_names[] = { "cmd", "env" };

/* ---- loading ---------------------------------------------------------------------- */

static int
w_begin(void *ctx, const struct eif_entry *e, struct qt_err *err)
{
	struct diff_input *d = ctx;

	return eif_cmdenv_begin(&d->cmdenv, d->name, e, err);
}

static int
w_data(void *ctx, const struct eif_entry *e, const uint8_t *buf, size_t len, struct qt_err *err)
{
	struct diff_input *d = ctx;

	(void)err;
	eif_cmdenv_data(&d->cmdenv, e, buf, len);
	return 0;
}

static int
w_end(void *ctx, const struct eif_entry *e, struct qt_err *err)
{
	struct diff_input *d = ctx;
	struct rtab *t = &d->rd[e->ramdisk < QT_MAX_SECTIONS ? e->ramdisk : 0];
	struct dent *g, *x;

	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		if ((g = realloc(t->v, t->cap * sizeof(*g))) == NULL)
			return qt_err_set(err, ENOMEM, "out of memory");
		t->v = g;
	}
	x = &t->v[t->n];
	memset(x, 0, sizeof(*x));
	if ((x->path = strdup(e->path)) == NULL ||
	    (e->link != NULL && (x->link = strdup(e->link)) == NULL)) {
		free(x->path);
		return qt_err_set(err, ENOMEM, "out of memory");
	}
	x->type = e->type;
	x->mode = e->mode;
	x->uid = e->uid;
	x->gid = e->gid;
	x->mtime = e->mtime;
	x->size = e->size;
	x->has_sha256 = e->has_sha256;
	memcpy(x->sha256, e->sha256, sizeof(x->sha256));
	x->order = t->n++;
	return 0;
}

static int
load_image(struct diff_input *d, const char *path, const struct qt_progress_cb *progress,
    struct qt_err *err)
{
	struct eif_walk_cb cb = { NULL, w_begin, w_data, w_end, d, { NULL, NULL } };
	struct eif_scan *scan = NULL;
	const struct eif_section *s;
	unsigned i;
	int rc = -1;

	d->image = true;
	d->cmdenv.capture = -1;
	if (progress != NULL)
		cb.progress = *progress;
	if (eif_scan_path(path, progress, &scan, err) < 0)
		goto out;
	for (i = 0; i < scan->info->nsections; i++) {
		s = &scan->info->sections[i];
		switch (s->type) {
		case EIF_SECTION_KERNEL:
			memcpy(d->kernel, scan->digest[i], 48);
			break;
		case EIF_SECTION_CMDLINE:
			memcpy(d->cmdline, scan->digest[i], 48);
			break;
		case EIF_SECTION_RAMDISK:
			memcpy(d->ramdisks[d->nramdisks++], scan->digest[i], 48);
			break;
		case EIF_SECTION_SIGNATURE:
			d->has_sig = true;
			memcpy(d->sig, scan->digest[i], 48);
			break;
		case EIF_SECTION_METADATA:
			d->has_meta = true;
			memcpy(d->meta, scan->digest[i], 48);
			break;
		default:
			break;
		}
	}
	d->pcr_mask = 1u | 1u << 1 | 1u << 2 | 1u << 8;
	memcpy(d->pcrs[0], scan->pcrs.pcr0, PCR_LEN);
	memcpy(d->pcrs[1], scan->pcrs.pcr1, PCR_LEN);
	memcpy(d->pcrs[2], scan->pcrs.pcr2, PCR_LEN);
	memcpy(d->pcrs[8], scan->pcrs.pcr8, PCR_LEN); /* zero when unsigned */
	if (eif_walk(path, scan, &cb, err) < 0)
		goto out;
	rc = 0;
out:
	eif_scan_free(scan);
	return rc;
}

static int
load_manifest(
    struct diff_input *d, const char *path, const uint8_t *raw, size_t rl, struct qt_err *err)
{
	struct manifest *m = NULL;
	const char *p3;

	if (manifest_parse(path, raw, rl, &m, err) < 0)
		return -1;
	d->pcr_mask = m->pcr_mask;
	memcpy(d->pcrs, m->pcrs, sizeof(d->pcrs));
	memcpy(d->kernel, m->kernel, 48);
	memcpy(d->cmdline, m->cmdline, 48);
	d->nramdisks = m->nramdisks;
	memcpy(d->ramdisks, m->ramdisks, sizeof(d->ramdisks));
	p3 = m->iam_agency != NULL ? m->iam_agency : m->iam_role;
	if ((p3 != NULL && (d->parent3 = strdup(p3)) == NULL) ||
	    (m->instance_id != NULL && (d->parent4 = strdup(m->instance_id)) == NULL)) {
		manifest_free(m);
		return qt_err_set(err, ENOMEM, "out of memory");
	}
	manifest_free(m);
	return 0;
}

int
diff_load(const char *path, const struct qt_progress_cb *progress, struct diff_input **ret,
    struct qt_err *err)
{
	struct diff_input *d = NULL;
	uint8_t head[64], *raw = NULL;
	size_t got = 0, i, rl;
	int fd = -1, rc = -1;

	if ((d = calloc(1, sizeof(*d))) == NULL || (d->name = strdup(path)) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	/* a manifest is JSON: its first non-blank byte is '{'; an image starts with its magic */
	if (fileio_open_input(path, &fd, err) < 0)
		goto out;
	if (fileio_read_full(fd, head, sizeof(head), -1, &got) < 0) {
		qt_err_set(err, errno, "%s: read failed: %s", path, strerror(errno));
		goto out;
	}
	close(fd);
	fd = -1;
	for (i = 0;
	     i < got && (head[i] == ' ' || head[i] == '\n' || head[i] == '\t' || head[i] == '\r');
	     i++)
		;
	if (i < got && head[i] == '{') {
		if (fileio_read_all(path, MANIFEST_MAX, &raw, &rl, err) < 0 ||
		    load_manifest(d, path, raw, rl, err) < 0)
			goto out;
	} else if (load_image(d, path, progress, err) < 0) {
		goto out;
	}
	*ret = d;
	d = NULL;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(raw);
	diff_input_free(d);
	return rc;
}

void
diff_input_free(struct diff_input *d)
{
	size_t i, j;

	if (d == NULL)
		return;
	for (i = 0; i < QT_MAX_SECTIONS; i++) {
		for (j = 0; j < d->rd[i].n; j++) {
			free(d->rd[i].v[j].path);
			free(d->rd[i].v[j].link);
		}
		free(d->rd[i].v);
	}
	eif_cmdenv_free(&d->cmdenv);
	free(d->parent3);
	free(d->parent4);
	free(d->name);
	free(d);
}

/* ---- comparing -------------------------------------------------------------------- */

static json_t *
hexj(const uint8_t *p, size_t n)
{
	char hex[2 * PCR_LEN + 1];

	if (p == NULL)
		return json_null();
	qt_hex(p, n, hex);
	return json_string(hex);
}

static bool
differ(const uint8_t *a, const uint8_t *b)
{
	return a == NULL || b == NULL || CRYPTO_memcmp(a, b, 48) != 0;
}

/* By path, then archive order: the last entry of a name is what the tree ends up with. */
static int
by_path(const void *pa, const void *pb)
{
	const struct dent *a = pa, *b = pb;
	int c = strcmp(a->path, b->path);

	if (c != 0)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* Sorted by path, one entry per path (the last); n is updated. */
static struct dent *
sorted(const struct rtab *t, size_t *n)
{
	struct dent *v;
	size_t i, k = 0;

	*n = 0;
	if (t->n == 0)
		return calloc(1, sizeof(*v));
	if ((v = malloc(t->n * sizeof(*v))) == NULL)
		return NULL;
	memcpy(v, t->v, t->n * sizeof(*v));
	qsort(v, t->n, sizeof(*v), by_path);
	for (i = 0; i < t->n; i++) {
		if (k > 0 && strcmp(v[k - 1].path, v[i].path) == 0)
			k--;
		v[k++] = v[i];
	}
	*n = k;
	return v;
}

struct ctx {
	const struct diff_input *a, *b;
	json_t *entries; /* list of entry changes */
	bool bad;
};

static void
add_item(struct ctx *c, unsigned nr, const char *path, const char *change, json_t *av, json_t *bv)
{
	json_t *o = json_object();

	c->bad |= o == NULL;
	c->bad |= json_object_set_new(o, "ramdisk", json_integer(nr)) != 0;
	c->bad |= json_object_set_new(o, "path",
	              path != NULL ? eif_text_json(path, strlen(path)) : json_null()) != 0;
	c->bad |= json_object_set_new(o, "change", json_string(change)) != 0;
	c->bad |= json_object_set_new(o, "a", av) != 0;
	c->bad |= json_object_set_new(o, "b", bv) != 0;
	c->bad |= json_array_append_new(c->entries, o) != 0;
}

static json_t *
mode_j(uint32_t m)
{
	char s[8];

	snprintf(s, sizeof(s), "%04o", m);
	return json_string(s);
}

static json_t *
owner_j(const struct dent *e)
{
	char s[48];

	snprintf(s, sizeof(s), "%lld:%lld", (long long)e->uid, (long long)e->gid);
	return json_string(s);
}

static json_t *
content_j(const struct dent *e)
{
	return e->has_sha256 ? hexj(e->sha256, 32) : json_integer((json_int_t)e->size);
}

/* Every difference between two entries of one path. */
static void
compare_entry(struct ctx *c, unsigned nr, const struct dent *x, const struct dent *y)
{
	if (x->type != y->type) {
		add_item(c, nr, x->path, "type", json_string(eif_entry_type_name(x->type)),
		    json_string(eif_entry_type_name(y->type)));
		return;
	}
	if (x->size != y->size || x->has_sha256 != y->has_sha256 ||
	    (x->has_sha256 && memcmp(x->sha256, y->sha256, 32) != 0))
		add_item(c, nr, x->path, "content", content_j(x), content_j(y));
	if (x->mode != y->mode)
		add_item(c, nr, x->path, "mode", mode_j(x->mode), mode_j(y->mode));
	if (x->uid != y->uid || x->gid != y->gid)
		add_item(c, nr, x->path, "owner", owner_j(x), owner_j(y));
	if ((x->link == NULL) != (y->link == NULL) ||
	    (x->link != NULL && strcmp(x->link, y->link) != 0))
		add_item(c, nr, x->path, "link",
		    x->link ? eif_text_json(x->link, strlen(x->link)) : json_null(),
		    y->link ? eif_text_json(y->link, strlen(y->link)) : json_null());
	if (x->mtime != y->mtime)
		add_item(c, nr, x->path, "mtime", json_integer((json_int_t)x->mtime),
		    json_integer((json_int_t)y->mtime));
}

/* Entries of ramdisk nr that differ; n added to *count. */
static int
compare_ramdisk(struct ctx *c, unsigned nr, size_t *count, struct qt_err *err)
{
	const struct rtab *ta = &c->a->rd[nr], *tb = &c->b->rd[nr];
	size_t na, nb, i = 0, j = 0, before = json_array_size(c->entries);
	struct dent *va = sorted(ta, &na), *vb = sorted(tb, &nb);
	bool order = ta->n == tb->n;
	int rc = -1;

	if (va == NULL || vb == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	while (i < na || j < nb) {
		int cmp = i == na ? 1 : j == nb ? -1 : strcmp(va[i].path, vb[j].path);

		if (cmp < 0) {
			add_item(c, nr, va[i++].path, "removed", json_null(), json_null());
		} else if (cmp > 0) {
			add_item(c, nr, vb[j++].path, "added", json_null(), json_null());
		} else {
			compare_entry(c, nr, &va[i++], &vb[j++]);
		}
	}
	if (json_array_size(c->entries) == before) {
		/* the same entries: the difference is in the archive itself */
		for (i = 0; order && i < ta->n; i++)
			order = strcmp(ta->v[i].path, tb->v[i].path) == 0;
		add_item(c, nr, NULL, order ? "bytes" : "order", json_null(), json_null());
	}
	*count += json_array_size(c->entries) - before;
	rc = c->bad ? qt_err_set(err, ENOMEM, "out of memory") : 0;
out:
	free(va);
	free(vb);
	return rc;
}

/* Lines of a in order that b lacks (as many times as a has more of them). */
static json_t *
lines_only(char **a, size_t na, char **b, size_t nb)
{
	json_t *out = json_array();
	bool *used = calloc(nb + 1, sizeof(*used));
	size_t i, j;

	if (out == NULL || used == NULL) {
		json_decref(out);
		free(used);
		return NULL;
	}
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++)
			if (!used[j] && strcmp(a[i], b[j]) == 0)
				break;
		if (j < nb)
			used[j] = true;
		else
			json_array_append_new(out, eif_text_json(a[i], strlen(a[i])));
	}
	free(used);
	return out;
}

#define LINES_COMPARE_MAX 4096u /* lines of cmd/env compared one by one; more: as a whole */

/* cmd or env of both images: null when the same, else {removed, added, reordered}. */
static json_t *
lines_diff(const struct diff_input *a, const struct diff_input *b, int k, struct qt_err *err)
{
	char **la = NULL, **lb = NULL;
	size_t na = 0, nb = 0;
	json_t *o = NULL, *rem = NULL, *add = NULL;
	int bad = 0;

	if (!a->image || !b->image || (a->cmdenv.buf[k] == NULL && b->cmdenv.buf[k] == NULL) ||
	    (a->cmdenv.buf[k] != NULL && b->cmdenv.buf[k] != NULL &&
	        a->cmdenv.len[k] == b->cmdenv.len[k] &&
	        memcmp(a->cmdenv.buf[k], b->cmdenv.buf[k], a->cmdenv.len[k]) == 0))
		return json_null();
	if ((a->cmdenv.buf[k] != NULL &&
	        eif_lines(a->cmdenv.buf[k], a->cmdenv.len[k], &la, &na, err) < 0) ||
	    (b->cmdenv.buf[k] != NULL &&
	        eif_lines(b->cmdenv.buf[k], b->cmdenv.len[k], &lb, &nb, err) < 0))
		goto out;
	if (na > LINES_COMPARE_MAX || nb > LINES_COMPARE_MAX) {
		na = nb = 0; /* too long to pair up: reported as changed, no lines */
	}
	if ((o = json_object()) == NULL || (rem = lines_only(la, na, lb, nb)) == NULL ||
	    (add = lines_only(lb, nb, la, na)) == NULL)
		goto nomem;
	bad |= json_object_set_new(o, "removed", rem);
	bad |= json_object_set_new(o, "added", add);
	bad |= json_object_set_new(
	    o, "reordered", json_boolean(json_array_size(rem) == 0 && json_array_size(add) == 0));
	rem = add = NULL;
	if (bad)
		goto nomem;
	goto out;
nomem:
	json_decref(o);
	json_decref(rem);
	json_decref(add);
	o = NULL;
	qt_err_set(err, ENOMEM, "out of memory");
out:
	free(la);
	free(lb);
	return o;
}

static bool
has(const struct diff_input *d, unsigned i)
{
	return (d->pcr_mask & (1u << i)) != 0;
}

static void
push(json_t *list, const char *s)
{
	json_array_append_new(list, json_string(s));
}

/* The causes inside ramdisk nr: one line per entry change ("cmd"/"env" as their lines). */
static void
ramdisk_causes(const struct ctx *c, unsigned nr, json_t *env_diff[2], json_t *out)
{
	char line[EIF_LS_PATH_MAX + 600];
	size_t i, j;

	for (i = 0; i < json_array_size(c->entries); i++) {
		json_t *it = json_array_get(c->entries, i);
		const char *path = json_string_value(json_object_get(it, "path"));
		const char *change = json_string_value(json_object_get(it, "change"));
		int k = path != NULL ? eif_cmdenv_index(path) : -1;

		if ((unsigned)json_integer_value(json_object_get(it, "ramdisk")) != nr)
			continue;
		if (k >= 0 && strcmp(change, "content") == 0 && json_is_object(env_diff[k])) {
			json_t *rem = json_object_get(env_diff[k], "removed"),
			       *add = json_object_get(env_diff[k], "added");

			for (j = 0; j < json_array_size(rem); j++) {
				snprintf(line, sizeof(line), "ramdisk %u: %s: -%s", nr,
				    cmdenv_names[k], json_string_value(json_array_get(rem, j)));
				push(out, line);
			}
			for (j = 0; j < json_array_size(add); j++) {
				snprintf(line, sizeof(line), "ramdisk %u: %s: +%s", nr,
				    cmdenv_names[k], json_string_value(json_array_get(add, j)));
				push(out, line);
			}
			if (json_array_size(rem) + json_array_size(add) == 0) {
				snprintf(line, sizeof(line), "ramdisk %u: %s: lines reordered", nr,
				    cmdenv_names[k]);
				push(out, line);
			}
			continue;
		}
		if (path == NULL)
			snprintf(line, sizeof(line), "ramdisk %u: %s", nr,
			    strcmp(change, "order") == 0 ? "entry order"
			                                 : "archive bytes (the same entries: inode "
			                                   "numbers, link counts or padding)");
		else
			snprintf(line, sizeof(line), "ramdisk %u: %s: %s", nr, path, change);
		push(out, line);
	}
}

/* A section as a JSON row {section, a, b, differs, pcrs}. */
static int
section_row(json_t *rows, const char *name, const uint8_t *a, const uint8_t *b, const char *pcrs)
{
	json_t *o, *p;
	const char *s;
	int bad;

	if (a == NULL && b == NULL) /* in neither: nothing to say */
		return 0;
	o = json_object();
	p = json_array();
	bad = o == NULL || p == NULL;

	for (s = pcrs; *s != '\0'; s++)
		bad |= json_array_append_new(p, json_integer(*s - '0')) != 0;
	bad |= json_object_set_new(o, "section", json_string(name));
	bad |= json_object_set_new(o, "a", hexj(a, 48));
	bad |= json_object_set_new(o, "b", hexj(b, 48));
	bad |= json_object_set_new(o, "differs", json_boolean(differ(a, b)));
	bad |= json_object_set_new(o, "pcrs", p);
	bad |= json_array_append_new(rows, o);
	return bad ? -1 : 0;
}

int
diff_run(const struct diff_input *a, const struct diff_input *b, json_t **ret, bool *ret_differ,
    struct qt_err *err)
{
	struct ctx c = { a, b, NULL, false };
	json_t *out = NULL, *pcrs = NULL, *secs = NULL, *causes = NULL, *ed[2] = { NULL, NULL };
	size_t nr = a->nramdisks > b->nramdisks ? a->nramdisks : b->nramdisks, count = 0;
	uint32_t common = a->pcr_mask & b->pcr_mask;
	bool any = false, sig_same;
	char name[32], ps[8];
	unsigned i;
	size_t r;
	int rc = -1, bad = 0;

	if (common == 0)
		return qt_err_set(err, EINVAL, "%s and %s have no PCR in common", a->name, b->name);
	if ((out = json_object()) == NULL || (pcrs = json_array()) == NULL ||
	    (secs = json_array()) == NULL || (c.entries = json_array()) == NULL ||
	    (causes = json_object()) == NULL)
		goto nomem;
	/* sections; ramdisk entries where a ramdisk differs and both sides are images */
	bad |= section_row(secs, "kernel", a->kernel, b->kernel, "01");
	bad |= section_row(secs, "cmdline", a->cmdline, b->cmdline, "01");
	for (r = 0; r < nr; r++) {
		const uint8_t *x = r < a->nramdisks ? a->ramdisks[r] : NULL;
		const uint8_t *y = r < b->nramdisks ? b->ramdisks[r] : NULL;

		snprintf(name, sizeof(name), "ramdisk %zu", r);
		bad |= section_row(secs, name, x, y, r == 0 ? "01" : "02");
		if (a->image && b->image && x != NULL && y != NULL && differ(x, y) &&
		    compare_ramdisk(&c, (unsigned)r, &count, err) < 0)
			goto out;
	}
	if (a->image && b->image) {
		bad |= section_row(
		    secs, "signature", a->has_sig ? a->sig : NULL, b->has_sig ? b->sig : NULL, "8");
		bad |= section_row(secs, "metadata", a->has_meta ? a->meta : NULL,
		    b->has_meta ? b->meta : NULL, "");
	}
	for (i = 0; i < 2; i++)
		if ((ed[i] = lines_diff(a, b, (int)i, err)) == NULL)
			goto out;
	/* each PCR both have: the causes that feed it */
	sig_same = !(a->image && b->image) || (a->has_sig == b->has_sig);
	for (i = 0; i < PCR_COUNT; i++) {
		json_t *row, *list;
		bool d;

		if (!has(a, i) && !has(b, i))
			continue;
		d = (common & (1u << i)) && differ(a->pcrs[i], b->pcrs[i]);
		any |= d;
		if ((row = json_object()) == NULL || (list = json_array()) == NULL)
			goto nomem;
		bad |= json_object_set_new(row, "pcr", json_integer(i));
		bad |= json_object_set_new(row, "a", hexj(has(a, i) ? a->pcrs[i] : NULL, PCR_LEN));
		bad |= json_object_set_new(row, "b", hexj(has(b, i) ? b->pcrs[i] : NULL, PCR_LEN));
		bad |= json_object_set_new(row, "differs", json_boolean(d));
		if (d) {
			if (i <= 1 && differ(a->kernel, b->kernel))
				push(list, "kernel");
			if (i <= 1 && differ(a->cmdline, b->cmdline))
				push(list, "cmdline");
			for (r = 0; r < nr && i <= 2; r++) {
				const uint8_t *x = r < a->nramdisks ? a->ramdisks[r] : NULL;
				const uint8_t *y = r < b->nramdisks ? b->ramdisks[r] : NULL;
				char line[64];

				if ((i == 1 && r != 0) || (i == 2 && r == 0) || !differ(x, y))
					continue;
				if (x == NULL || y == NULL) {
					snprintf(line, sizeof(line), "ramdisk %zu: only in %s", r,
					    x == NULL ? "b" : "a");
					push(list, line);
				} else if (a->image && b->image) {
					ramdisk_causes(&c, (unsigned)r, ed, list);
				} else {
					snprintf(line, sizeof(line), "ramdisk %zu", r);
					push(list, line);
				}
			}
			if (i == 8)
				push(list, sig_same     ? "signing certificate"
				           : a->has_sig ? "signature section: only in a"
				                        : "signature section: only in b");
			if (i == 3)
				push(list, "parent identity (IAM agency or role)");
			if (i == 4)
				push(list, "parent instance id");
			if (json_array_size(list) == 0)
				push(list, "no section differs: the inputs disagree with their own "
				           "section digests");
			snprintf(ps, sizeof(ps), "PCR%u", i);
			bad |= json_object_set(causes, ps, list);
		}
		bad |= json_object_set_new(row, "causes", list);
		bad |= json_array_append_new(pcrs, row);
	}
	{
		json_t *side;

		side = json_pack(
		    "{s:s,s:s}", "name", a->name, "kind", a->image ? "image" : "manifest");
		bad |= json_object_set_new(out, "a", side);
		side = json_pack(
		    "{s:s,s:s}", "name", b->name, "kind", b->image ? "image" : "manifest");
		bad |= json_object_set_new(out, "b", side);
	}
	bad |= json_object_set_new(out, "same_pcrs", json_boolean(!any));
	bad |= json_object_set_new(out, "pcrs", pcrs);
	bad |= json_object_set_new(out, "sections", secs);
	bad |= json_object_set_new(
	    out, "entries", a->image && b->image ? json_incref(c.entries) : json_null());
	bad |= json_object_set_new(out, "cmd", ed[0]);
	bad |= json_object_set_new(out, "env", ed[1]);
	bad |= json_object_set_new(out, "causes", causes);
	pcrs = secs = causes = ed[0] = ed[1] = NULL;
	if (bad || c.bad)
		goto nomem;
	*ret = out;
	*ret_differ = any;
	out = NULL;
	rc = 0;
	goto out;
nomem:
	qt_err_set(err, ENOMEM, "out of memory");
out:
	json_decref(out);
	json_decref(pcrs);
	json_decref(secs);
	json_decref(causes);
	json_decref(ed[0]);
	json_decref(ed[1]);
	json_decref(c.entries);
	return rc;
}
