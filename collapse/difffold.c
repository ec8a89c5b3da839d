/*
 * difffold: see difffold.h. The hot path per line is one backwards scan
 * for the last space, a short digit loop and one intern_put; the stack is
 * copied only when --strip-hex has something to rewrite, and into the
 * table only when it is new and its file is not mapped. The two tables
 * are filled at once when they can be. When both files were sorted (a
 * collapser's output is), the two tables are merged as the lines are
 * written; otherwise one is folded into the other and sorted.
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
	int i;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < 2; i++) {
		intern_init(&d->in[i].stacks);
		buf_init(&d->in[i].scratch);
	}
	d->strip_hex = strip_hex;
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

/*
 * The second file's reader, on its own thread: its warnings are held
 * (diag_defer) until the first file is read, and printed after that
 * file's. Held warnings are bounded: past DEFER_MAX bytes of them the
 * reader waits for the first file, prints what it holds and goes on
 * printing directly.
 */
#define DEFER_MAX (1u << 20)

struct read_job {
	struct difffold *d;
	struct lr *in;
	struct buf msgs;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool first_done;	/* under lock */
};

static _Thread_local struct read_job *deferring;

/* Called after each warning difffold_read gives. */
static void
warned(void)
{
	struct read_job *job = deferring;

	if (!job || job->msgs.len < DEFER_MAX)
		return;
	pthread_mutex_lock(&job->lock);
	while (!job->first_done)
		pthread_cond_wait(&job->cond, &job->lock);
	pthread_mutex_unlock(&job->lock);
	diag_flush(&job->msgs);
	diag_defer = NULL;
	deferring = NULL;
}

/*
 * Lines waiting for their stacks to be put in the table: their hashes are
 * computed and their slots asked for first, so that the cache misses of
 * a batch overlap instead of coming one after the other.
 */
#define BATCH 16

struct batch {
	struct slice stack[BATCH];
	uint64_t count[BATCH];
	uint64_t hash[BATCH];
	bool copy[BATCH];
	size_t n;
};

static void
flush(struct difffold_input *dst, struct batch *b, struct lr *in)
{
	struct u64vec *counts = &dst->counts;
	uint32_t id, known;
	size_t i;

	for (i = 0; i < b->n; i++) {
		b->hash[i] = intern_hash(&dst->stacks, b->stack[i].p,
		    b->stack[i].n);
		intern_prefetch(&dst->stacks, b->hash[i]);
	}
	for (i = 0; i < b->n; i++) {
		known = intern_count(&dst->stacks);
		id = b->copy[i] ?
		    intern_put_hashed(&dst->stacks, b->stack[i].p,
			b->stack[i].n, b->hash[i]) :
		    intern_put_hashed_ref(&dst->stacks, b->stack[i].p,
			b->stack[i].n, b->hash[i]);
		/* A new stack kept where it is: its part of the file too. */
		if (id == known && !b->copy[i])
			lr_keep(in, b->stack[i].p, b->stack[i].n);
		if (LIKELY(id < counts->n))
			counts->v[id] += b->count[i];
		else
			*u64vec_at_grow(counts, id) += b->count[i];
		dst->total += b->count[i];
	}
	b->n = 0;
}

void
difffold_read(struct difffold *d, enum difffold_side side, struct lr *in)
{
	struct difffold_input *dst = &d->in[side];
	bool fractional = false, warned_fraction = false;
	bool keep = in->map != NULL;
	struct slice line, stack, s;
	struct batch b;
	uint64_t n;

	b.n = 0;
	while (lr_next(in, &line)) {
		enum difffold_line kind;

		kind = difffold_split(line, &stack, &n, &fractional);
		if (UNLIKELY(fractional && !warned_fraction)) {
			warned_fraction = true;
			warn_at(in->name, in->lineno, "The input data has "
			    "fractional sample counts that will be truncated "
			    "to integers");
			warned();
		}
		if (UNLIKELY(kind == DIFFFOLD_LINE_BAD)) {
			int len = line.n > QUOTE_MAX ? QUOTE_MAX : (int)line.n;
			warn_at(in->name, in->lineno,
			    "Unable to parse line: '%.*s'%s", len, line.p,
			    line.n > QUOTE_MAX ? "..." : "");
			warned();
			continue;
		}
		s = d->strip_hex ? strip_hex(stack, &dst->scratch) : stack;
		/*
		 * Only the lines of a mapped file stay where they are until
		 * the batch is full; a stack that is copied (a line of a
		 * reader that moves on, a stack rewritten into scratch) is
		 * put at once, with the lines before it.
		 */
		b.stack[b.n] = s;
		b.count[b.n] = n;
		b.copy[b.n] = !keep || s.p != stack.p;
		if (++b.n == BATCH || b.copy[b.n - 1])
			flush(dst, &b, in);
	}
	flush(dst, &b, in);
}

static void *
read_after(void *arg)
{
	struct read_job *job = arg;

	diag_defer = &job->msgs;
	deferring = job;
	difffold_read(job->d, DIFFFOLD_AFTER, job->in);
	diag_defer = NULL;
	deferring = NULL;
	return NULL;
}

void
difffold_read_both(struct difffold *d, struct lr *before, struct lr *after)
{
	struct read_job job;
	pthread_t th;
	bool threads;

	memset(&job, 0, sizeof(job));
	job.d = d;
	job.in = after;
	buf_init(&job.msgs);
	pthread_mutex_init(&job.lock, NULL);
	pthread_cond_init(&job.cond, NULL);
	/* Unmapped inputs may be one pipe; a harness may unwind from die. */
	threads = before->map && after->map && !diag_exit_hook &&
	    pthread_create(&th, NULL, read_after, &job) == 0;
	difffold_read(d, DIFFFOLD_BEFORE, before);
	if (threads) {
		pthread_mutex_lock(&job.lock);
		job.first_done = true;
		pthread_cond_signal(&job.cond);
		pthread_mutex_unlock(&job.lock);
		pthread_join(th, NULL);
		diag_flush(&job.msgs);
	} else {
		difffold_read(d, DIFFFOLD_AFTER, after);
	}
	buf_release(&job.msgs);
	pthread_cond_destroy(&job.cond);
	pthread_mutex_destroy(&job.lock);
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
	double t0 = (double)d->in[0].total, t1 = (double)d->in[1].total;
	struct u64vec *c = &d->in[0].counts;
	size_t i;

	if (d->in[0].total == d->in[1].total)
		return;
	for (i = 0; i < c->n; i++)
		c->v[i] = saturate_u64((double)c->v[i] * t1 / t0);
}

static inline uint64_t
count_of(const struct u64vec *v, uint32_t id)
{
	return id < v->n ? v->v[id] : 0;
}

/* Whether the keys of a table were put in key order (a sorted file). */
static bool
in_order(const struct intern *t)
{
	uint32_t i, n = intern_count(t);

	for (i = 1; i < n; i++)
		if (slice_cmp(intern_key(t, i - 1), intern_key(t, i)) > 0)
			return false;
	return true;
}

/* Ask for what is read a few steps from now: a key and its first bytes. */
static inline void
prefetch_key(const struct intern *t, const uint32_t *ids, uint32_t i,
    uint32_t n)
{
	struct slice k;

	if (ids && i + 16 < n)
		__builtin_prefetch(&t->keys[ids[i + 16]]);
	if (i + 8 < n) {
		/* Stacks share long prefixes: a compare reads well in. */
		k = t->keys[ids ? ids[i + 8] : i + 8];
		__builtin_prefetch(k.p);
		__builtin_prefetch(k.p + 64);
	}
}

/*
 * Two tables whose ids are in key order (the collapsers write sorted
 * files), merged as they are written: a stack in both is one line with
 * both counts, a stack in one has 0 for the other.
 */
static void
write_merged(const struct difffold *d)
{
	const struct intern *t0 = &d->in[0].stacks, *t1 = &d->in[1].stacks;
	const struct u64vec *c0 = &d->in[0].counts, *c1 = &d->in[1].counts;
	uint32_t n0 = intern_count(t0), n1 = intern_count(t1), i = 0, j = 0;
	int cmp;

	while (i < n0 || j < n1) {
		prefetch_key(t0, NULL, i, n0);
		prefetch_key(t1, NULL, j, n1);
		if (j == n1)
			cmp = -1;
		else if (i == n0)
			cmp = 1;
		else
			cmp = slice_cmp(intern_key(t0, i), intern_key(t1, j));
		if (cmp < 0) {
			folded_write2(intern_key(t0, i), count_of(c0, i), 0);
			i++;
		} else if (cmp > 0) {
			folded_write2(intern_key(t1, j), 0, count_of(c1, j));
			j++;
		} else {
			folded_write2(intern_key(t0, i), count_of(c0, i),
			    count_of(c1, j));
			i++;
			j++;
		}
	}
}

/*
 * Any other order: the after table is folded into the before table
 * (every stack keeps its id there, the new ones are added after, by
 * reference to the after table's bytes), the result sorted once (most
 * of a large run, on two threads) and written.
 */
static void
write_sorted(struct difffold *d)
{
	struct intern *t = &d->in[0].stacks;
	const struct intern *from = &d->in[1].stacks;
	const struct u64vec *before = &d->in[0].counts;
	const struct u64vec *counts = &d->in[1].counts;
	struct u64vec after = U64VEC_INIT;
	uint32_t i, id, n = intern_count(from);
	uint32_t *ids;

	for (i = 0; i < n; i++) {
		if (i + 8 < n)
			intern_prefetch_from(t, from, i + 8);
		id = intern_put_from(t, from, i);
		if (i < counts->n && counts->v[i])
			*u64vec_at_grow(&after, id) += counts->v[i];
	}
	n = intern_count(t);
	ids = xreallocarray(NULL, n ? n : 1, sizeof(*ids));
	for (i = 0; i < n; i++)
		ids[i] = i;
	sort_ids_by_key_2(ids, n, t->keys, NULL, NULL);
	for (i = 0; i < n; i++) {
		prefetch_key(t, ids, i, n);
		id = ids[i];
		folded_write2(intern_key(t, id), count_of(before, id),
		    count_of(&after, id));
	}
	free(ids);
	u64vec_release(&after);
}

void
difffold_write(struct difffold *d)
{
	if (in_order(&d->in[0].stacks) && in_order(&d->in[1].stacks))
		write_merged(d);
	else
		write_sorted(d);
}

void
difffold_release(struct difffold *d)
{
	int i;

	for (i = 0; i < 2; i++) {
		intern_release(&d->in[i].stacks);
		u64vec_release(&d->in[i].counts);
		buf_release(&d->in[i].scratch);
	}
}
