/*
 * sort: most significant digit radix sort over 8-byte chunks of the keys,
 * with multikey quicksort (Bentley and Sedgewick) for small groups. Each
 * item carries the 8 key bytes at the depth being sorted, packed
 * big-endian so that integer order is memcmp order; just the items whose
 * chunks tie are read again, 8 bytes further on. Folded stacks share long
 * prefixes (the same callers over and over): a comparison sort would
 * memcmp those prefixes at every comparison, with a cache miss on each of
 * two keys, while here a shared prefix costs one read per key per 8
 * bytes, in a sequential pass that can be prefetched. Input already in
 * order, or in a few ordered runs, is only merged.
 */
#include <stdlib.h>
#include <string.h>

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

/*
 * Sort a[0..n) from byte depth on; a[].chunk holds the bytes at depth.
 * Recursion goes to the two smaller parts only, the largest is looped
 * on, so the stack stays below log2(n) frames however long the keys.
 */
static void
mkq(struct sort_item *a, size_t n, size_t depth, const struct slice *keys)
{
	size_t lt, gt, i, j, k, e, sizes[3], base[3], big;
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
		for (k = e; k < gt; k++) {
			if (k + 8 < gt)
				__builtin_prefetch(keys[a[k + 8].id].p + depth + 8);
			a[k].chunk = chunk_at(keys[a[k].id], depth + 8);
		}
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
				mkq(a + base[k], sizes[k],
				    depth + (k == 1 ? 8 : 0), keys);
		a += base[big];
		n = sizes[big];
		depth += big == 1 ? 8 : 0;
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
 * Sort a[0..n) from byte depth on, where a[].chunk holds the bytes at
 * depth: most significant digit radix sort through tmp (as large as a).
 * A pass counts and moves items without comparing them, so it costs no
 * mispredicted branches, where a partition of mkq costs about one per
 * item. The bytes all items share are found at once (the bits in which
 * any chunk differs from the first) and skipped; when the whole chunk is
 * shared, the keys that end in it come first, shorter first, and the
 * others go on with the next chunk. Groups below RADIX_MIN go to mkq.
 * The largest bucket is looped on, the others are at most half as large,
 * so the recursion stays below log2(n) deep.
 */
static void
radix(struct sort_item *a, struct sort_item *tmp, size_t n, size_t depth,
    const struct slice *keys)
{
	size_t count[256], end[256], i, k, e, big;
	uint64_t diff, first;
	unsigned shift;

	while (n > 1) {
		if (n < RADIX_MIN) {
			mkq(a, n, depth, keys);
			return;
		}
		first = a[0].chunk;
		for (diff = 0, k = 1; k < n; k++)
			diff |= a[k].chunk ^ first;
		if (diff == 0) {
			e = ended_first(a, n, depth, keys);
			a += e;
			tmp += e;
			n -= e;
			depth += 8;
			for (k = 0; k < n; k++) {
				if (k + 8 < n)
					__builtin_prefetch(keys[a[k + 8].id].p +
					    depth);
				a[k].chunk = chunk_at(keys[a[k].id], depth);
			}
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
		for (i = 0; i < 256; i++)
			if (i != big && count[i] > 1)
				radix(a + end[i] - count[i],
				    tmp + end[i] - count[i], count[i], depth,
				    keys);
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
		radix(v, tmp, n, 0, keys);
		free(tmp);
	}
	for (i = 0; i < n; i++)
		ids[i] = v[i].id;
	free(v);
}
