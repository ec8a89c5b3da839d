/*
 * sort: most significant digit radix sort over 8-byte chunks of the keys,
 * with multikey quicksort (Bentley and Sedgewick) for small groups. Each
 * item carries the 8 key bytes at the depth being sorted, packed
 * big-endian so that integer order is memcmp order; just the items whose
 * chunks tie are read again, 8 bytes further on. Folded stacks share long
 * prefixes (the same callers over and over): a comparison sort would
 * memcmp those prefixes at every comparison, with a cache miss on each of
 * two keys, while here a shared prefix costs one read per key per 8
 * bytes, in a sequential pass that can be prefetched. Groups of a few
 * thousand keys are then sorted on a copy of their remaining bytes, close
 * together in cache. Input already in order, or in a few ordered runs, is
 * only merged.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "par.h"
#include "sort.h"
#include "xmalloc.h"

struct sort_item {
	uint64_t chunk;		/* key bytes [depth, depth + 8), 0-padded */
	uint32_t id;
};

static inline uint64_t
chunk_at(struct slice k, size_t depth)
{
	unsigned char b[8] = { 0 };
	uint64_t v = 0;
	size_t i;

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (depth + 8 <= k.n) {
		memcpy(&v, k.p + depth, 8);
		return __builtin_bswap64(v);
	}
#endif
	if (depth < k.n)
		memcpy(b, k.p + depth, k.n - depth < 8 ? k.n - depth : 8);
	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static inline void
swap_items(struct sort_item *a, size_t i, size_t j)
{
	struct sort_item t = a[i];

	a[i] = a[j];
	a[j] = t;
}

/* Whether x sorts before y; both keys are known equal before depth. */
static inline int
item_less(const struct sort_item *x, const struct sort_item *y, size_t depth,
    const struct slice *keys)
{
	struct slice kx, ky;

	if (x->chunk != y->chunk)
		return x->chunk < y->chunk;
	kx = keys[x->id];
	ky = keys[y->id];
	return slice_cmp(slice_from(kx, kx.n < depth ? kx.n : depth),
	    slice_from(ky, ky.n < depth ? ky.n : depth)) < 0;
}

/*
 * Among items whose chunks at depth are all equal, move the keys that
 * end inside the chunk (zero padding hid their length) to the front,
 * shorter first, and return how many there are. Their lengths lie in
 * depth..depth + 8, so a pass per length orders them: no step is
 * quadratic however many such keys there are.
 */
static size_t
ended_first(struct sort_item *a, size_t n, size_t depth,
    const struct slice *keys)
{
	size_t e = 0, done = 0, k, len;

	for (k = 0; k < n; k++)
		if (keys[a[k].id].n <= depth + 8)
			swap_items(a, e++, k);
	for (len = depth; e - done > 1 && len < depth + 8; len++)
		for (k = done; k < e; k++)
			if (keys[a[k].id].n == len)
				swap_items(a, done++, k);
	return e;
}

/* How many bytes x and y share from byte from on, up to max of them. */
static inline size_t
shared_from(struct slice x, struct slice y, size_t from, size_t max)
{
	size_t i = 0, n = x.n < y.n ? x.n : y.n;
	uint64_t u, v;

	n = n - from < max ? n - from : max;
	while (i + 8 <= n) {
		memcpy(&u, x.p + from + i, 8);
		memcpy(&v, y.p + from + i, 8);
		if (u != v)
			break;
		i += 8;
	}
	while (i < n && x.p[from + i] == y.p[from + i])
		i++;
	return i;
}

/*
 * Load the chunks at depth for items that all share the bytes before it,
 * and return the depth to go on from. Deep stacks share long runs of
 * callers: while the chunks are loaded, the bytes each key shares with
 * the first are measured too (only while all share at least 16 more), and
 * if they do, the group jumps over them with one more pass, instead of a
 * pass with a cache miss per key for every 8 bytes of the run.
 */
static size_t
refill(struct sort_item *a, size_t n, size_t depth, const struct slice *keys)
{
	struct slice first = keys[a[0].id], x;
	size_t k, run = first.n - depth;

	for (k = 0; k < n; k++) {
		/* The key's slice, then its bytes: two misses, both early. */
		if (k + 16 < n)
			__builtin_prefetch(&keys[a[k + 16].id]);
		if (k + 8 < n)
			__builtin_prefetch(keys[a[k + 8].id].p + depth);
		x = keys[a[k].id];
		a[k].chunk = chunk_at(x, depth);
		if (k && run >= 16)
			run = shared_from(x, first, depth, run);
	}
	if (n < 2 || run < 16)
		return depth;
	depth += run;
	for (k = 0; k < n; k++) {
		if (k + 8 < n)
			__builtin_prefetch(keys[a[k + 8].id].p + depth);
		a[k].chunk = chunk_at(keys[a[k].id], depth);
	}
	return depth;
}

/*
 * Sort a[0..n) from byte depth on; a[].chunk holds the bytes at depth.
 * Recursion goes to the two smaller parts only, the largest is looped
 * on, so the stack stays below log2(n) frames however long the keys.
 */
static void
mkq(struct sort_item *a, size_t n, size_t depth, const struct slice *keys)
{
	size_t lt, gt, i, j, k, e, sizes[3], base[3], depths[3], big;
	uint64_t pivot, x, y, z, c;

	while (n > 1) {
		if (n < 12) {
			for (i = 1; i < n; i++)
				for (j = i; j > 0 &&
				    item_less(&a[j], &a[j - 1], depth, keys); j--)
					swap_items(a, j, j - 1);
			return;
		}
		x = a[0].chunk;
		y = a[n / 2].chunk;
		z = a[n - 1].chunk;
		pivot = x < y ? (y < z ? y : x < z ? z : x) :
		    (x < z ? x : y < z ? z : y);
		/* a[0, lt) < pivot, a[lt, i) == pivot, a[gt, n) > pivot */
		lt = i = 0;
		gt = n;
		while (i < gt) {
			c = a[i].chunk;
			if (c < pivot)
				swap_items(a, lt++, i++);
			else if (c > pivot)
				swap_items(a, i, --gt);
			else
				i++;
		}
		/* The equal part goes on at depth + 8, ended keys aside. */
		e = lt + ended_first(a + lt, gt - lt, depth, keys);
		depths[0] = depths[2] = depth;
		depths[1] = e < gt ? refill(a + e, gt - e, depth + 8, keys) :
		    depth + 8;
		sizes[0] = lt;
		sizes[1] = gt - e;
		sizes[2] = n - gt;
		base[0] = 0;
		base[1] = e;
		base[2] = gt;
		big = sizes[0] >= sizes[1] ? (sizes[0] >= sizes[2] ? 0 : 2) :
		    (sizes[1] >= sizes[2] ? 1 : 2);
		for (k = 0; k < 3; k++)
			if (k != big && sizes[k] > 1)
				mkq(a + base[k], sizes[k], depths[k], keys);
		a += base[big];
		n = sizes[big];
		depth = depths[big];
	}
}

/* Groups smaller than this go to mkq; larger ones are split by radix. */
#define RADIX_MIN 64

/* The shift of the first (most significant) byte that is set in x != 0. */
static inline unsigned
top_byte_shift(uint64_t x)
{
#if defined(__GNUC__)
	return 56 - (unsigned)__builtin_clzll(x) / 8 * 8;
#else
	unsigned shift = 56;

	while (!(x >> shift & 0xff))
		shift -= 8;
	return shift;
#endif
}

/*
 * Sorting on two threads: buckets of radix() at least grain items large
 * are left as tasks here, for whichever thread is free, instead of being
 * sorted where they were made. base is the start of the items and of
 * tmp, so that a task is three numbers.
 */
struct sort_task {
	size_t off, n, depth;
};

struct sort_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct sort_task *tasks;
	size_t ntasks, cap;
	int busy;		/* threads inside a task */
	size_t grain;
	struct sort_item *base, *tmp;
	const struct slice *keys;
};

static void
pool_push(struct sort_pool *pool, size_t off, size_t n, size_t depth)
{
	pthread_mutex_lock(&pool->lock);
	if (pool->ntasks == pool->cap) {
		pool->cap = alloc_nr(pool->cap, pool->ntasks + 1);
		pool->tasks = xreallocarray(pool->tasks, pool->cap,
		    sizeof(*pool->tasks));
	}
	pool->tasks[pool->ntasks++] = (struct sort_task){ off, n, depth };
	pthread_cond_signal(&pool->cond);
	pthread_mutex_unlock(&pool->lock);
}

static void radix(struct sort_item *a, struct sort_item *tmp, size_t n,
    size_t depth, const struct slice *keys, struct sort_pool *pool);

/*
 * Groups of this many keys, below the first chunk, are sorted on a copy
 * of their bytes if that takes at most LOCAL_BYTES.
 */
#define LOCAL_MIN 256
#define LOCAL_MAX 16384
#define LOCAL_BYTES ((size_t)8 << 20)
static _Thread_local int in_local;	/* sorting such a copy */

/*
 * Sort a group on a copy of its keys' bytes from depth on, laid out in
 * the group's order: keys that lie all over memory are read once, and
 * the passes that follow find them close together, in cache. Returns
 * false, having done nothing, if the copy would be too large.
 */
static bool
sort_local(struct sort_item *a, struct sort_item *tmp, size_t n,
    size_t depth, const struct slice *keys)
{
	struct slice *local, x;
	uint32_t *orig;
	size_t k, total = 0;
	char *buf, *q;

	for (k = 0; k < n; k++) {
		if (k + 8 < n)
			__builtin_prefetch(&keys[a[k + 8].id]);
		total += keys[a[k].id].n - depth;
	}
	if (total > LOCAL_BYTES)
		return false;
	local = xreallocarray(NULL, n, sizeof(*local));
	orig = xreallocarray(NULL, n, sizeof(*orig));
	q = buf = xmalloc(total + 1);
	for (k = 0; k < n; k++) {
		if (k + 8 < n)
			__builtin_prefetch(keys[a[k + 8].id].p + depth);
		x = keys[a[k].id];
		memcpy(q, x.p + depth, x.n - depth);
		local[k] = slice_make(q, x.n - depth);
		q += x.n - depth;
		orig[k] = a[k].id;
		a[k].id = (uint32_t)k;
	}
	in_local = 1;
	radix(a, tmp, n, 0, local, NULL);
	in_local = 0;
	for (k = 0; k < n; k++)
		a[k].id = orig[a[k].id];
	free(buf);
	free(orig);
	free(local);
	return true;
}

/*
 * Sort a[0..n) from byte depth on, where a[].chunk holds the bytes at
 * depth: most significant digit radix sort through tmp (as large as a).
 * A pass counts and moves items without comparing them, so it costs no
 * mispredicted branches, where a partition of mkq costs about one per
 * item. The bytes all items share are found at once (the bits in which
 * any chunk differs from the first) and skipped; when the whole chunk is
 * shared, the keys that end in it come first, shorter first, and the
 * others go on with the next chunk. Groups below RADIX_MIN go to mkq.
 * The largest bucket is looped on, the others are at most half as large,
 * so the recursion stays below log2(n) deep. With a pool, the other
 * buckets of at least pool->grain items go to it instead.
 */
static void
radix(struct sort_item *a, struct sort_item *tmp, size_t n, size_t depth,
    const struct slice *keys, struct sort_pool *pool)
{
	size_t count[256], end[256], i, k, e, big;
	uint64_t diff, first;
	unsigned shift;

	while (n > 1) {
		if (n < RADIX_MIN) {
			mkq(a, n, depth, keys);
			return;
		}
		if (n <= LOCAL_MAX && n >= LOCAL_MIN && depth > 0 &&
		    !in_local && sort_local(a, tmp, n, depth, keys))
			return;
		first = a[0].chunk;
		for (diff = 0, k = 1; k < n; k++)
			diff |= a[k].chunk ^ first;
		if (diff == 0) {
			e = ended_first(a, n, depth, keys);
			a += e;
			tmp += e;
			n -= e;
			if (n)
				depth = refill(a, n, depth + 8, keys);
			continue;
		}
		shift = top_byte_shift(diff);
		memset(count, 0, sizeof(count));
		for (k = 0; k < n; k++)
			count[(a[k].chunk >> shift) & 0xff]++;
		for (i = k = 0, big = 0; i < 256; i++) {
			end[i] = k;	/* its start, until the items move */
			k += count[i];
			if (count[i] > count[big])
				big = i;
		}
		for (k = 0; k < n; k++)
			tmp[end[(a[k].chunk >> shift) & 0xff]++] = a[k];
		memcpy(a, tmp, n * sizeof(*a));
		for (i = 0; i < 256; i++) {
			if (i == big || count[i] < 2)
				continue;
			k = end[i] - count[i];
			if (pool && count[i] >= pool->grain)
				pool_push(pool, (size_t)(a - pool->base) + k,
				    count[i], depth);
			else
				radix(a + k, tmp + k, count[i], depth, keys,
				    pool);
		}
		k = end[big] - count[big];
		a += k;
		tmp += k;
		n = count[big];
	}
}

/*
 * Input that comes sorted, or as a few sorted runs (collapser output; the
 * stacks of two sorted files interned one after the other), is merged
 * run by run instead: the keys are then read in the order they lie in
 * memory. Finding the runs stops as soon as there are too many.
 */
#define MAX_RUNS 8

static size_t
find_runs(const uint32_t *ids, size_t n, const struct slice *keys,
    size_t *ends)
{
	size_t i, nruns = 0;

	for (i = 1; i < n; i++) {
		if (slice_cmp(keys[ids[i - 1]], keys[ids[i]]) <= 0)
			continue;
		if (nruns == MAX_RUNS - 1)
			return MAX_RUNS + 1;
		ends[nruns++] = i;
	}
	ends[nruns++] = n;
	return nruns;
}

static void
merge_runs(uint32_t *ids, size_t n, const struct slice *keys, size_t *ends,
    size_t nruns)
{
	uint32_t *tmp = xreallocarray(NULL, n, sizeof(*tmp));
	size_t r, w, start, mid, end, i, j, k;

	while (nruns > 1) {
		for (r = w = 0, start = 0; r < nruns; r += 2) {
			if (r + 1 == nruns) {
				ends[w++] = ends[r];
				break;
			}
			mid = ends[r];
			end = ends[r + 1];
			for (i = start, j = mid, k = start; i < mid && j < end; k++)
				tmp[k] = slice_cmp(keys[ids[j]], keys[ids[i]]) < 0 ?
				    ids[j++] : ids[i++];
			while (i < mid)
				tmp[k++] = ids[i++];
			while (j < end)
				tmp[k++] = ids[j++];
			memcpy(ids + start, tmp + start,
			    (end - start) * sizeof(*ids));
			ends[w++] = end;
			start = end;
		}
		nruns = w;
	}
	free(tmp);
}

void
sort_ids_by_key(uint32_t *ids, size_t n, const struct slice *keys)
{
	struct sort_item *v, *tmp;
	size_t i, ends[MAX_RUNS], nruns;

	if (n < 2)
		return;
	nruns = find_runs(ids, n, keys, ends);
	if (nruns == 1)
		return;
	if (nruns <= MAX_RUNS) {
		merge_runs(ids, n, keys, ends, nruns);
		return;
	}
	v = xreallocarray(NULL, n, sizeof(*v));
	for (i = 0; i < n; i++) {
		v[i].id = ids[i];
		v[i].chunk = chunk_at(keys[ids[i]], 0);
	}
	if (n < RADIX_MIN) {
		mkq(v, n, 0, keys);
	} else {
		tmp = xreallocarray(NULL, n, sizeof(*tmp));
		radix(v, tmp, n, 0, keys, NULL);
		free(tmp);
	}
	for (i = 0; i < n; i++)
		ids[i] = v[i].id;
	free(v);
}

/* A thread of the pool: tasks until none is left and none is running. */
static void *
pool_work(void *arg)
{
	struct sort_pool *pool = arg;
	struct sort_task t;

	pthread_mutex_lock(&pool->lock);
	for (;;) {
		if (pool->ntasks == 0 && pool->busy == 0)
			break;
		if (pool->ntasks == 0) {
			pthread_cond_wait(&pool->cond, &pool->lock);
			continue;
		}
		t = pool->tasks[--pool->ntasks];
		pool->busy++;
		pthread_mutex_unlock(&pool->lock);
		radix(pool->base + t.off, pool->tmp + t.off, t.n, t.depth,
		    pool->keys, pool);
		pthread_mutex_lock(&pool->lock);
		pool->busy--;
	}
	pthread_cond_broadcast(&pool->cond);
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

/* The first chunk of items [from, to), a job for one of two threads. */
struct chunk_job {
	struct sort_item *v;
	const uint32_t *ids;
	const struct slice *keys;
	size_t from, to;
};

static void *
chunk_run(void *arg)
{
	struct chunk_job *job = arg;
	size_t i;

	for (i = job->from; i < job->to; i++) {
		if (i + 16 < job->to)
			__builtin_prefetch(&job->keys[job->ids[i + 16]]);
		if (i + 8 < job->to)
			__builtin_prefetch(job->keys[job->ids[i + 8]].p);
		job->v[i].id = job->ids[i];
		job->v[i].chunk = chunk_at(job->keys[job->ids[i]], 0);
	}
	return NULL;
}

struct sort_job {
	uint32_t *ids;
	size_t from, to, bytes;
	const struct slice *keys;
	sort_done_fn *done;
	void *arg;
};

static void *
sort_job_run(void *arg)
{
	struct sort_job *job = arg;

	sort_ids_by_key(job->ids + job->from, job->to - job->from,
	    job->keys);
	if (job->done)
		job->done(job->arg, job->ids, job->from, job->to, job->bytes);
	return NULL;
}

static void *
done_run(void *arg)
{
	struct sort_job *job = arg;

	if (job->done)
		job->done(job->arg, job->ids, job->from, job->to, job->bytes);
	return NULL;
}

/* Below this many ids a second thread is not worth starting. */
#define SPLIT_MIN 65536
/* Odd, so that one sample is the median; enough for a split near 1:1. */
#define SAMPLES 255

/*
 * A few sorted runs: split around the median of a sample of keys (a
 * stable partition, so that each part is still a few runs) and merge
 * each part on its own thread.
 */
static void
split_runs(uint32_t *ids, size_t n, const struct slice *keys,
    sort_done_fn *done, void *arg)
{
	struct slice sample[SAMPLES], pivot, x;
	struct sort_job job[2];
	uint32_t *hi;
	size_t i, k, lo, nhi, bytes = 0;

	for (i = 0; i < SAMPLES; i++) {
		x = keys[ids[i * (n / SAMPLES)]];
		for (k = i; k > 0 && slice_cmp(x, sample[k - 1]) < 0; k--)
			sample[k] = sample[k - 1];
		sample[k] = x;
	}
	pivot = sample[SAMPLES / 2];
	hi = xreallocarray(NULL, n, sizeof(*hi));
	for (i = lo = nhi = 0; i < n; i++) {
		x = keys[ids[i]];
		if (slice_cmp(x, pivot) < 0) {
			bytes += x.n;
			ids[lo++] = ids[i];
		} else {
			hi[nhi++] = ids[i];
		}
	}
	memcpy(ids + lo, hi, nhi * sizeof(*ids));
	free(hi);
	job[0] = (struct sort_job){ ids, 0, lo, 0, keys, done, arg };
	job[1] = (struct sort_job){ ids, lo, n, bytes, keys, done, arg };
	par_both(sort_job_run, &job[0], &job[1], true);
}

void
sort_ids_by_key_2(uint32_t *ids, size_t n, const struct slice *keys,
    sort_done_fn *done, void *arg)
{
	struct sort_pool pool;
	struct chunk_job cj[2];
	struct sort_job job[2];
	size_t i, mid, ends[MAX_RUNS], nruns, bytes = 0;
	struct sort_item *v;

	if (n < SPLIT_MIN || diag_exit_hook) {
		job[0] = (struct sort_job){ ids, 0, n, 0, keys, done, arg };
		sort_job_run(&job[0]);
		return;
	}
	nruns = find_runs(ids, n, keys, ends);
	if (nruns == 1) {
		job[0] = (struct sort_job){ ids, 0, n, 0, keys, done, arg };
		done_run(&job[0]);
		return;
	}
	if (nruns <= MAX_RUNS) {
		split_runs(ids, n, keys, done, arg);
		return;
	}
	v = xreallocarray(NULL, n, sizeof(*v));
	cj[0] = (struct chunk_job){ v, ids, keys, 0, n / 2 };
	cj[1] = (struct chunk_job){ v, ids, keys, n / 2, n };
	par_both(chunk_run, &cj[0], &cj[1], true);

	memset(&pool, 0, sizeof(pool));
	pthread_mutex_init(&pool.lock, NULL);
	pthread_cond_init(&pool.cond, NULL);
	pool.grain = n / 64 > 4096 ? n / 64 : 4096;
	pool.base = v;
	pool.tmp = xreallocarray(NULL, n, sizeof(*pool.tmp));
	pool.keys = keys;
	pool.tasks = xreallocarray(NULL, 1, sizeof(*pool.tasks));
	pool.cap = 1;
	pool.tasks[pool.ntasks++] = (struct sort_task){ 0, n, 0 };
	par_both(pool_work, &pool, &pool, true);
	free(pool.tasks);
	free(pool.tmp);
	pthread_cond_destroy(&pool.cond);
	pthread_mutex_destroy(&pool.lock);

	for (i = 0; i < n; i++)
		ids[i] = v[i].id;
	free(v);
	if (!done)
		return;
	/* Two parts for done, equal keys never apart. */
	for (mid = n / 2; mid < n && slice_eq(keys[ids[mid]],
	    keys[ids[mid - 1]]); mid++)
		;
	for (i = 0; i < mid; i++)
		bytes += keys[ids[i]].n;
	job[0] = (struct sort_job){ ids, 0, mid, 0, keys, done, arg };
	job[1] = (struct sort_job){ ids, mid, n, bytes, keys, done, arg };
	par_both(done_run, &job[0], &job[1], true);
}
