/*
 * frames: the merge keeps one open frame per depth of the current stack;
 * the common prefix with the previous stack is found by comparing name
 * ids, which is inferno's element-wise name comparison since equal names
 * have equal ids. In sorted mode the sort has already measured it
 * (st->lcp), and the merge never reads the stacks' names except for the
 * frames it keeps.
 */
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "xmalloc.h"

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)0)
#endif

struct open_frame {
	uint64_t start, bstart;
	int64_t delta;
	uint32_t name;		/* or, in the sorted path, the stack id
				   whose frame it is (see emit_sorted) */
	bool has_delta;
};

struct merge {
	struct frames *fr;
	struct open_frame *open;
	double threshold;
	uint64_t time, btime;
};

static void
emit(struct merge *m, uint32_t depth)
{
	const struct open_frame *o = &m->open[depth];
	struct frames *fr = m->fr;
	struct frame *f;

	if ((double)(m->time - o->start) < m->threshold)
		return;
	if (fr->n == fr->cap) {
		fr->cap = alloc_nr(fr->cap, fr->n + 1);
		fr->v = xreallocarray(fr->v, fr->cap, sizeof(*fr->v));
	}
	f = &fr->v[fr->n++];
	f->start = o->start;
	f->end = m->time;
	f->before = m->btime - o->bstart;
	f->delta = o->delta;
	f->name = o->name;
	f->depth = depth;
	f->has_delta = o->has_delta;
	if (depth > fr->depthmax)
		fr->depthmax = depth;
}

/*
 * The same for the sorted path, where an open frame only remembers the
 * stack it belongs to: the name is looked up for the few frames drawn.
 */
static void
emit_sorted(struct merge *m, const struct stacks *st, uint32_t depth)
{
	struct open_frame *o = &m->open[depth];

	if ((double)(m->time - o->start) < m->threshold)
		return;
	o->name = depth ? st->seq[st->off[o->name] + depth - 1] : 0;
	emit(m, depth);
}

/* after - before as a signed number, saturating. */
static int64_t
delta_of(uint64_t before, uint64_t after)
{
	if (after >= before)
		return after - before > (uint64_t)INT64_MAX ? INT64_MAX :
		    (int64_t)(after - before);
	return before - after > (uint64_t)INT64_MAX ? -INT64_MAX :
	    -(int64_t)(before - after);
}

/*
 * Sorted records come with their shared lengths (st->lcp), so the merge
 * reads only each record's length and counts; a frame's name is looked
 * up only when the frame is wide enough to be drawn.
 */
static void
merge_sorted(struct merge *m, const struct stacks *st, const uint32_t *order)
{
	uint32_t prevn = 0, d;
	size_t i;

	for (i = 0; i < st->nrec; i++) {
		uint32_t rec = order[i], n = st->len[rec], from;
		bool diff = st->before && st->rep_diff[rec];

		if (i + 16 < st->nrec) {
			uint32_t r = order[i + 16];
			PREFETCH(&st->len[r]);
			PREFETCH(&st->count[r]);
		}
		/* Depth 0 (the root) is always shared. */
		from = i ? st->lcp[i] + 1 : 0;
		if (i)
			for (d = from; d <= prevn; d++)
				emit_sorted(m, st, d);
		for (d = from; d <= n; d++) {
			struct open_frame *o = &m->open[d];
			o->start = m->time;
			o->bstart = m->btime;
			o->name = rec;
			o->has_delta = diff;
			o->delta = 0;
		}
		if (diff && n >= from)
			m->open[n].delta = delta_of(st->rep_before[rec],
			    st->rep_after[rec]);
		m->time += st->count[rec];
		m->btime += st->before ? st->before[rec] : st->count[rec];
		prevn = n;
	}
	if (st->nrec)
		for (d = 0; d <= prevn; d++)
			emit_sorted(m, st, d);
}

void
frames_build(struct frames *fr, struct stacks *st, double threshold,
    bool backwards)
{
	const uint32_t *order = stacks_order(st);
	struct merge m = { fr, NULL, threshold, 0, 0 };
	const uint32_t *prev = NULL;
	uint32_t prevn = 0, d;
	size_t i;
	bool first = true;

	m.open = xreallocarray(NULL, (size_t)st->maxlen + 1, sizeof(*m.open));
	if (st->lcp && !backwards && !st->rec_stack) {
		merge_sorted(&m, st, order);
		free(m.open);
		return;
	}
	for (i = 0; i < st->nrec; i++) {
		uint32_t rec = order[backwards ? st->nrec - 1 - i : i], n, lcp;
		const uint32_t *q = stacks_frames(st, rec, &n);
		bool diff = st->before && st->rep_diff[rec];
		int64_t delta = diff ?
		    delta_of(st->rep_before[rec], st->rep_after[rec]) : 0;

		/*
		 * Records come in sorted order, scattered in memory: fetch
		 * the ones a few steps ahead while this one is merged.
		 */
		if (i + 16 < st->nrec) {
			uint32_t r = order[backwards ? st->nrec - 17 - i : i + 16];
			uint32_t id = st->rec_stack ? st->rec_stack[r] : r;
			PREFETCH(&st->off[id]);
			PREFETCH(&st->len[id]);
			PREFETCH(&st->count[r]);
		}
		if (i + 8 < st->nrec) {
			uint32_t r = order[backwards ? st->nrec - 9 - i : i + 8];
			uint32_t id = st->rec_stack ? st->rec_stack[r] : r;
			PREFETCH(st->seq + st->off[id]);
		}
		if (first) {
			lcp = 0;
			first = false;
		} else {
			/* Depth 0 (the root) is always shared. */
			lcp = 0;
			while (lcp < prevn && lcp < n && prev[lcp] == q[lcp])
				lcp++;
			lcp++;
			for (d = lcp; d <= prevn; d++)
				emit(&m, d);
		}
		for (d = lcp; d <= n; d++) {
			struct open_frame *o = &m.open[d];
			o->start = m.time;
			o->bstart = m.btime;
			o->name = d ? q[d - 1] : 0;
			o->has_delta = diff;
			o->delta = diff && d == n ? delta : 0;
		}
		m.time += st->count[rec];
		m.btime += st->before ? st->before[rec] : st->count[rec];
		prev = q;
		prevn = n;
	}
	if (!first)
		for (d = 0; d <= prevn; d++)
			emit(&m, d);
	free(m.open);
}

void
frames_release(struct frames *fr)
{
	free(fr->v);
	memset(fr, 0, sizeof(*fr));
}
