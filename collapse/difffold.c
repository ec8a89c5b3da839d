/*
 * difffold: see difffold.h. The hot path per line is one backwards scan
 * for the last space, a short digit loop and one intern_put; the stack is
 * copied only when --strip-hex has something to rewrite, and into the
 * table only when it is new.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "difffold.h"
#include "folded.h"
#include "intern.h"
#include "lr.h"
#include "slice.h"
#include "sort.h"
#include "utf8.h"
#include "vec.h"
#include "xmalloc.h"

void
difffold_init(struct difffold *d, bool strip_hex)
{
	intern_init(&d->stacks);
	d->counts[0] = (struct u64vec)U64VEC_INIT;
	d->counts[1] = (struct u64vec)U64VEC_INIT;
	d->total[0] = d->total[1] = 0;
	d->strip_hex = strip_hex;
	buf_init(&d->scratch);
}

static bool
all_digits(struct slice s)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (!is_digit((unsigned char)s.p[i]))
			return false;
	return true;
}

enum difffold_line
difffold_split(struct slice line, struct slice *stack, uint64_t *count,
    bool *fractional)
{
	struct slice head, num;
	ptrdiff_t dot;

	if (!slice_rcut(line, ' ', &head, &num))
		return DIFFFOLD_LINE_BAD;
	num = utf8_rtrim(num);
	dot = slice_chr(num, '.');
	if (dot >= 0) {
		struct slice frac = slice_from(num, (size_t)dot + 1);
		size_t i;

		num = slice_head(num, (size_t)dot);
		if (!all_digits(num) || !all_digits(frac))
			return DIFFFOLD_LINE_BAD;
		for (i = 0; i < frac.n; i++)
			if (frac.p[i] != '0')
				*fractional = true;
	} else if (num.n > 1 && num.p[0] == '+') {
		num = slice_from(num, 1);
	}
	if (!slice_u64(num, count))
		return DIFFFOLD_LINE_BAD;
	*stack = utf8_rtrim(head);
	return DIFFFOLD_LINE_OK;
}

/*
 * The stack with every `0x` + hex digits run replaced by `0x...`; the
 * stack itself when there is none (the common case costs one memchr pass).
 */
static struct slice
strip_hex(struct slice s, struct buf *scratch)
{
	const char *end = s.p + s.n;
	const char *copied = s.p;	/* bytes before this are in scratch */
	const char *p = s.p, *q;

	buf_reset(scratch);
	while ((q = memchr(p, '0', (size_t)(end - p))) != NULL) {
		const char *h = q + 2;

		if (end - q < 3 || q[1] != 'x' || !is_hex((unsigned char)*h)) {
			p = q + 1;
			continue;
		}
		while (h < end && is_hex((unsigned char)*h))
			h++;
		buf_add(scratch, copied, (size_t)(q - copied));
		buf_add(scratch, "0x...", 5);
		p = copied = h;
	}
	if (copied == s.p)
		return s;
	buf_add(scratch, copied, (size_t)(end - copied));
	return slice_make(scratch->p, scratch->len);
}

/*
 * Lines are quoted whole in warnings; a huge one is cut so a single bad
 * line cannot flood the terminal.
 */
#define QUOTE_MAX 200

void
difffold_read(struct difffold *d, enum difffold_side side, struct lr *in)
{
	struct u64vec *counts = &d->counts[side];
	bool fractional = false, warned_fraction = false;
	struct slice line, stack;
	uint64_t n;

	while (lr_next(in, &line)) {
		enum difffold_line kind;
		uint32_t id;

		kind = difffold_split(line, &stack, &n, &fractional);
		if (UNLIKELY(fractional && !warned_fraction)) {
			warned_fraction = true;
			warn_at(in->name, in->lineno, "The input data has "
			    "fractional sample counts that will be truncated "
			    "to integers");
		}
		if (UNLIKELY(kind == DIFFFOLD_LINE_BAD)) {
			int len = line.n > QUOTE_MAX ? QUOTE_MAX : (int)line.n;
			warn_at(in->name, in->lineno,
			    "Unable to parse line: '%.*s'%s", len, line.p,
			    line.n > QUOTE_MAX ? "..." : "");
			continue;
		}
		if (d->strip_hex)
			stack = strip_hex(stack, &d->scratch);
		id = intern_put(&d->stacks, stack.p, stack.n);
		*u64vec_at_grow(counts, id) += n;
		d->total[side] += n;
	}
}

/* Rust's `as u64` on a double: NaN -> 0, too big -> max. */
static uint64_t
saturate_u64(double x)
{
	if (!(x > 0))
		return 0;
	if (x >= 18446744073709551616.0)
		return UINT64_MAX;
	return (uint64_t)x;
}

void
difffold_normalize(struct difffold *d)
{
	double t0 = (double)d->total[0], t1 = (double)d->total[1];
	size_t i;

	if (d->total[0] == d->total[1])
		return;
	for (i = 0; i < d->counts[0].n; i++)
		d->counts[0].v[i] = saturate_u64((double)d->counts[0].v[i] *
		    t1 / t0);
}

static inline uint64_t
count_of(const struct u64vec *v, uint32_t id)
{
	return id < v->n ? v->v[id] : 0;
}

static void
write_one(struct difffold *d, uint32_t id)
{
	folded_write2(intern_key(&d->stacks, id), count_of(&d->counts[0], id),
	    count_of(&d->counts[1], id));
}

/*
 * Sorting the stacks is most of the run for large profiles (every key is
 * compared deep into its bytes), so two halves are sorted at once, one by
 * a second thread, and merged while writing. Small tables, or a failure
 * to start the thread, use one sort.
 */
#define SORT_SPLIT_MIN 65536

struct sort_half {
	uint32_t *ids;
	size_t n;
	const struct slice *keys;
};

static void *
sort_half_main(void *arg)
{
	struct sort_half *h = arg;

	sort_ids_by_key(h->ids, h->n, h->keys);
	return NULL;
}

void
difffold_write(struct difffold *d)
{
	uint32_t i, n = intern_count(&d->stacks);
	const struct slice *keys = d->stacks.keys;
	struct sort_half hi;
	uint32_t *ids;
	size_t a, b, mid;
	pthread_t th;

	if (n < SORT_SPLIT_MIN) {
		const uint32_t *sorted = intern_sorted_ids(&d->stacks);
		for (i = 0; i < n; i++)
			write_one(d, sorted[i]);
		return;
	}
	ids = xreallocarray(NULL, n, sizeof(*ids));
	for (i = 0; i < n; i++)
		ids[i] = i;
	mid = n / 2;
	hi.ids = ids + mid;
	hi.n = n - mid;
	hi.keys = keys;
	if (pthread_create(&th, NULL, sort_half_main, &hi) != 0) {
		sort_ids_by_key(ids, n, keys);
		for (i = 0; i < n; i++)
			write_one(d, ids[i]);
		free(ids);
		return;
	}
	sort_ids_by_key(ids, mid, keys);
	pthread_join(th, NULL);
	for (a = 0, b = mid; a < mid || b < n;) {
		if (b == n || (a < mid && slice_cmp(keys[ids[a]], keys[ids[b]]) < 0))
			write_one(d, ids[a++]);
		else
			write_one(d, ids[b++]);
	}
	free(ids);
}

void
difffold_release(struct difffold *d)
{
	intern_release(&d->stacks);
	u64vec_release(&d->counts[0]);
	u64vec_release(&d->counts[1]);
	buf_release(&d->scratch);
}
