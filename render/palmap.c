/*
 * palmap: parsing follows inferno ("NAME->rgb(R,G,B)", 0-255 integers,
 * blanks allowed around them), except that the line is split at its last
 * "->", so names that contain "->" (Java inline chains) survive the round
 * trip; inferno rejects such lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "lr.h"
#include "palmap.h"
#include "xmalloc.h"

void
palmap_init(struct palmap *pm)
{
	memset(pm, 0, sizeof(*pm));
	intern_init(&pm->names);
}

void
palmap_put(struct palmap *pm, struct slice name, struct rgb c)
{
	uint32_t id = intern_put(&pm->names, name.p, name.n);

	if (id >= pm->cap) {
		pm->cap = alloc_nr(pm->cap, (size_t)id + 1);
		pm->colors = xreallocarray(pm->colors, pm->cap,
		    sizeof(*pm->colors));
	}
	pm->colors[id] = c;
}

bool
palmap_get(const struct palmap *pm, struct slice name, struct rgb *c)
{
	uint32_t id = intern_find(&pm->names, name.p, name.n);

	if (id == INTERN_NONE)
		return false;
	*c = pm->colors[id];
	return true;
}

/* One component: blanks, 1-3 digits up to 255, blanks. */
static bool
component(struct slice s, unsigned char *v)
{
	uint64_t x;

	s = slice_trim(s);
	if (s.n == 0 || s.n > 3 || !slice_u64(s, &x) || x > 255)
		return false;
	*v = (unsigned char)x;
	return true;
}

static bool
parse_rgb(struct slice s, struct rgb *c)
{
	struct slice r, g, b, rest;

	s = slice_trim(s);
	if (!slice_starts(s, "rgb(") || !slice_ends(s, ")"))
		return false;
	s = slice_make(s.p + 4, s.n - 5);
	if (!slice_cut(s, ',', &r, &rest) || !slice_cut(rest, ',', &g, &b))
		return false;
	return component(r, &c->r) && component(g, &c->g) &&
	    component(b, &c->b);
}

void
palmap_load(struct palmap *pm, const char *path)
{
	struct lr r;
	struct slice line;
	uint64_t bad = 0;

	if (lr_open(&r, path) < 0) {
		if (errno == ENOENT)
			return;
		die_errno("cannot open '%s'", path);
	}
	while (lr_next(&r, &line)) {
		ptrdiff_t arrow = slice_rfind(line, SLICE_LIT("->"));
		struct rgb c;

		if (arrow < 0 || !parse_rgb(slice_from(line, (size_t)arrow + 2),
		    &c)) {
			bad++;
			continue;
		}
		palmap_put(pm, slice_head(line, (size_t)arrow), c);
	}
	lr_close(&r);
	if (bad)
		warn("%s: Ignored %llu lines with invalid format", path,
		    (unsigned long long)bad);
}

void
palmap_save(struct palmap *pm, const char *path)
{
	const uint32_t *ids = intern_sorted_ids(&pm->names);
	uint32_t i, n = intern_count(&pm->names);
	struct buf b = BUF_INIT;
	FILE *f = fopen(path, "w");

	if (!f)
		die_errno("cannot write '%s'", path);
	for (i = 0; i < n; i++) {
		struct slice name = intern_key(&pm->names, ids[i]);
		struct rgb c = pm->colors[ids[i]];

		buf_add(&b, name.p, name.n);
		buf_add(&b, "->rgb(", 6);
		buf_add_u64(&b, c.r);
		buf_addc(&b, ',');
		buf_add_u64(&b, c.g);
		buf_addc(&b, ',');
		buf_add_u64(&b, c.b);
		buf_add(&b, ")\n", 2);
	}
	if (fwrite(b.p, 1, b.len, f) != b.len || fflush(f) || ferror(f)) {
		int e = errno;
		fclose(f);
		errno = e;
		die_errno("write error on '%s'", path);
	}
	if (fclose(f))
		die_errno("write error on '%s'", path);
	buf_release(&b);
}

void
palmap_release(struct palmap *pm)
{
	intern_release(&pm->names);
	free(pm->colors);
	memset(pm, 0, sizeof(*pm));
}
