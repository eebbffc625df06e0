/* SPDX-License-Identifier: Apache-2.0 */
/*
 * layers.c: applying layers. Entries are visited in an order where every
 * directory's descendants directly follow it; at each path the newest
 * entry of a layer not hidden by a whiteout or opaque marker above it
 * stands. Every survivor's parents must be directories (never a symbolic
 * link to write through); parents no layer lists are synthesised.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ramdisk_private.h"

/* An ancestor of the path being merged. */
struct frame {
	const char *path;
	size_t plen;
	uint32_t kill; /* entries below with a layer < kill are gone */
	size_t final;  /* index+1 of the entry that stands at path, 0 if none */
};

struct merge {
	struct ramdisk_tree *t;
	struct frame *fr; /* fr[0] is the root, fr[depth - 1] the innermost ancestor */
	size_t depth;
	size_t cap; /* of t->out.v */
};

/* Path order in which a directory's descendants directly follow it: '/' sorts first. */
static int
cmp_comp(const void *pa, const void *pb, void *arg)
{
	const struct ent *ents = arg;
	const struct ent *a = &ents[*(const size_t *)pa], *b = &ents[*(const size_t *)pb];
	const unsigned char *x = (const unsigned char *)a->path,
	                    *y = (const unsigned char *)b->path;

	while (*x == *y && *x != '\0') {
		x++;
		y++;
	}
	if (*x != *y) {
		unsigned cx = *x == '/' ? 1u : *x == '\0' ? 0u : *x + 1u;
		unsigned cy = *y == '/' ? 1u : *y == '\0' ? 0u : *y + 1u;
		return cx < cy ? -1 : 1;
	}
	if (a->layer != b->layer)
		return a->layer < b->layer ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
out_push(struct ramdisk_tree *t, size_t *cap, size_t idx, struct qt_err *err)
{
	size_t *g;

	if (t->out.n == *cap) {
		*cap = *cap == 0 ? 1024 : *cap * 2;
		if ((g = realloc(t->out.v, *cap * sizeof(*g))) == NULL)
			return qt_err_set(err, ENOMEM, "out of memory");
		t->out.v = g;
	}
	t->out.v[t->out.n++] = idx;
	return 0;
}

/* A directory entry now stands below frame f: count it in the parent's nlink. */
static void
bump_parent(struct ramdisk_tree *t, const struct frame *f)
{
	if (f->plen == 0 && f->final == 0)
		t->out.root_subdirs++;
	else if (f->final != 0)
		t->tab.v[f->final - 1].nlink++;
}

/* Make the frames the ancestors of P: pop those P is not below, push its components. */
static void
enter(struct merge *m, const char *P, size_t plen)
{
	struct frame *fr = m->fr;
	size_t k, start;

	while (m->depth > 1 && !(strncmp(P, fr[m->depth - 1].path, fr[m->depth - 1].plen) == 0 &&
	                           P[fr[m->depth - 1].plen] == '/'))
		m->depth--;
	start = fr[m->depth - 1].plen == 0 ? 0 : fr[m->depth - 1].plen + 1;
	for (k = start; k < plen; k++) {
		if (P[k] == '/') {
			struct frame f = { P, k, fr[m->depth - 1].kill, 0 };

			fr[m->depth++] = f;
		}
	}
}

/*
 * Among the n entries of one path (run, in layer then reading order), the one
 * that stands, or SIZE_MAX. *own: the layer below which the path's
 * descendants are gone (an opaque marker, or a non-directory replacing it).
 */
static size_t
survivor(
    const struct ent_table *tab, const size_t *run, size_t n, uint32_t inherited, uint32_t *own)
{
	const struct ent *e;
	size_t k, last = SIZE_MAX;

	*own = inherited;
	for (k = 0; k < n; k++) {
		e = &tab->v[run[k]];
		if (e->kind == K_OPAQUE) {
			if (e->layer >= inherited && e->layer > *own)
				*own = e->layer;
			continue;
		}
		if (e->layer < inherited)
			continue;
		last = run[k];
		if (e->kind != K_DIR && e->layer > *own)
			*own = e->layer;
	}
	if (last != SIZE_MAX && tab->v[last].kind == K_WHITEOUT)
		return SIZE_MAX;
	return last;
}

/* Directories for the frames from..depth-1 that no entry stands at, outermost first. */
static int
synth_parents(struct merge *m, size_t from, struct qt_err *err)
{
	struct ramdisk_tree *t = m->t;
	char tmp[RAMDISK_PATH_MAX + 1];
	size_t k, sidx;

	for (k = from; k < m->depth; k++) {
		memcpy(tmp, m->fr[k].path, m->fr[k].plen);
		tmp[m->fr[k].plen] = '\0';
		if (rd_ent_add(&t->tab, tmp, K_DIR, 0, &sidx, err) < 0)
			return -1;
		t->tab.v[sidx].mode = 0755;
		t->tab.v[sidx].mtime = t->opts.mtime_clamp;
		t->tab.v[sidx].nlink = 2;
		bump_parent(t, &m->fr[k - 1]);
		m->fr[k].final = sidx + 1;
		if (out_push(t, &m->cap, sidx, err) < 0)
			return -1;
	}
	return 0;
}

/* Entry last stands at path P: check and complete its parents, then keep it. */
static int
place(struct merge *m, size_t last, const char *P, struct qt_err *err)
{
	struct ramdisk_tree *t = m->t;
	const struct ent *e;
	size_t k;

	/* the nearest ancestor the tree has must be a directory */
	for (k = m->depth - 1; k > 0 && m->fr[k].final == 0; k--)
		;
	e = k > 0 ? &t->tab.v[m->fr[k].final - 1] : NULL;
	if (e != NULL && e->kind != K_DIR) {
		char ctx[RD_CTX_MAX];

		return qt_err_set(err, EINVAL, "%s: entry '%s': parent '%s' is %s",
		    rd_where(t, t->tab.v[last].layer, ctx, sizeof(ctx)), P, e->path,
		    e->kind == K_LNK ? "a symbolic link: the entry would be written through it"
		                     : "not a directory");
	}
	if (synth_parents(m, k + 1, err) < 0 || out_push(t, &m->cap, last, err) < 0)
		return -1;
	if (t->tab.v[last].kind == K_DIR) {
		t->tab.v[last].nlink = 2;
		bump_parent(t, &m->fr[m->depth - 1]);
	}
	return 0;
}

/* Merge the entry table into t->out (not yet in path order). */
int
rd_resolve(struct ramdisk_tree *t, struct qt_err *err)
{
	struct merge m = { .t = t, .depth = 1 };
	size_t *idx = NULL, n0 = t->tab.n, i, j, last, plen;
	const char *P;
	uint32_t own;
	int r = -1;

	if ((idx = malloc((n0 + 1) * sizeof(*idx))) == NULL ||
	    (m.fr = malloc((RAMDISK_PATH_MAX / 2 + 2) * sizeof(*m.fr))) == NULL) {
		qt_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n0; i++)
		idx[i] = i;
	qsort_r(idx, n0, sizeof(*idx), cmp_comp, t->tab.v);
	m.fr[0] = (struct frame){ "", 0, 0, 0 };
	for (i = 0; i < n0; i = j) {
		P = t->tab.v[idx[i]].path;
		plen = strlen(P);
		for (j = i + 1; j < n0 && strcmp(t->tab.v[idx[j]].path, P) == 0; j++)
			;
		enter(&m, P, plen);
		last = survivor(&t->tab, idx + i, j - i, m.fr[m.depth - 1].kill, &own);
		if (last != SIZE_MAX && place(&m, last, P, err) < 0)
			goto out;
		if (plen == 0) { /* the root itself: only an opaque marker lands here */
			if (own > m.fr[0].kill)
				m.fr[0].kill = own;
			continue;
		}
		m.fr[m.depth++] = (struct frame){ P, plen, own, last == SIZE_MAX ? 0 : last + 1 };
	}
	r = 0;
out:
	free(m.fr);
	free(idx);
	return r;
}
