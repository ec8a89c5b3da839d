/*
 * sort: merge sort of (prefix, id) pairs. The prefix is the key's first
 * 8 bytes packed big-endian, so comparing prefixes as integers agrees with
 * memcmp; only ties fall back to memcmp on the rest. Merge sort keeps it
 * O(n log n) on any input and stable; the scratch array is one allocation.
 * A large array is sorted as two halves on two threads, then merged: the
 * time goes into cache misses on key bytes, and two cores wait on twice
 * as many at once.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"
#include "xmalloc.h"

struct sort_item {
	uint64_t prefix;
	uint32_t id;
};

static uint64_t
prefix_of(struct slice k)
{
	unsigned char b[8] = { 0 };
	uint64_t v = 0;
	size_t i;

	memcpy(b, k.p, k.n < 8 ? k.n : 8);
	for (i = 0; i < 8; i++)
		v = (v << 8) | b[i];
	return v;
}

static inline int
item_cmp(const struct sort_item *x, const struct sort_item *y,
    const struct slice *keys)
{
	struct slice a, b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	a = keys[x->id];
	b = keys[y->id];
	/* Equal prefixes: either both keys are >= 8 bytes or NUL padding hid a length. */
	if (a.n <= 8 || b.n <= 8)
		return a.n < b.n ? -1 : a.n > b.n;
	return slice_cmp(slice_from(a, 8), slice_from(b, 8));
}

static void
insertion_sort(struct sort_item *v, size_t n, const struct slice *keys)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct sort_item t = v[i];
		for (j = i; j > 0 && item_cmp(&t, &v[j - 1], keys) < 0; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
}

static void
merge_runs(struct sort_item *v, struct sort_item *tmp, size_t mid, size_t n,
    const struct slice *keys)
{
	size_t i = 0, j = mid, k = 0;

	if (item_cmp(&v[mid - 1], &v[mid], keys) <= 0)
		return;		/* already in order: common for sorted input */
	memcpy(tmp, v, n * sizeof(*v));
	while (i < mid && j < n)
		v[k++] = item_cmp(&tmp[j], &tmp[i], keys) < 0 ? tmp[j++] : tmp[i++];
	while (i < mid)
		v[k++] = tmp[i++];
	while (j < n)
		v[k++] = tmp[j++];
}

/* Sort v[0..n) using tmp[0..n) as scratch; the result ends up in v. */
static void
merge_sort(struct sort_item *v, struct sort_item *tmp, size_t n,
    const struct slice *keys)
{
	size_t mid;

	if (n <= 24) {
		insertion_sort(v, n, keys);
		return;
	}
	mid = n / 2;
	merge_sort(v, tmp, mid, keys);
	merge_sort(v + mid, tmp + mid, n - mid, keys);
	merge_runs(v, tmp, mid, n, keys);
}

struct half {
	struct sort_item *v, *tmp;
	size_t n;
	const struct slice *keys;
};

static void *
sort_half(void *arg)
{
	struct half *h = arg;

	merge_sort(h->v, h->tmp, h->n, h->keys);
	return NULL;
}

/* Below this many keys a second thread costs more than it saves. */
#define PARALLEL_MIN 65536

void
sort_ids_by_key(uint32_t *ids, size_t n, const struct slice *keys)
{
	struct sort_item *v, *tmp;
	struct half h;
	pthread_t th;
	size_t i, mid = n / 2;

	if (n < 2)
		return;
	v = xreallocarray(NULL, n, sizeof(*v));
	tmp = xreallocarray(NULL, n, sizeof(*tmp));
	for (i = 0; i < n; i++) {
		v[i].id = ids[i];
		v[i].prefix = prefix_of(keys[ids[i]]);
	}
	h.v = v + mid;
	h.tmp = tmp + mid;
	h.n = n - mid;
	h.keys = keys;
	if (n >= PARALLEL_MIN && pthread_create(&th, NULL, sort_half, &h) == 0) {
		merge_sort(v, tmp, mid, keys);
		pthread_join(th, NULL);
		merge_runs(v, tmp, mid, n, keys);
	} else {
		merge_sort(v, tmp, n, keys);
	}
	for (i = 0; i < n; i++)
		ids[i] = v[i].id;
	free(v);
	free(tmp);
}
