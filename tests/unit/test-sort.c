/*
 * test-sort: sort_ids_by_key against qsort on keys made to stress each
 * path: small alphabets with NUL, ';' and 0xff bytes, many duplicates,
 * keys that are prefixes of others, long shared prefixes (radix groups
 * whose whole chunk is shared), and a chain of prefixes deep enough to
 * overflow the stack if the recursion followed it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"
#include "tap.h"

static const struct slice *cmp_keys;

static int
cmp_id(const void *a, const void *b)
{
	return slice_cmp(cmp_keys[*(const uint32_t *)a],
	    cmp_keys[*(const uint32_t *)b]);
}

static uint64_t rng = 88172645463325252ull;

static uint32_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* How many ids are not in key order, compared with a qsort of the ids. */
static size_t
misplaced(const uint32_t *ids, const struct slice *keys, size_t n)
{
	uint32_t *ref = malloc(n * sizeof(*ref));
	size_t i, bad = 0;

	for (i = 0; i < n; i++)
		ref[i] = (uint32_t)i;
	cmp_keys = keys;
	qsort(ref, n, sizeof(*ref), cmp_id);
	for (i = 0; i < n; i++)
		if (!slice_eq(keys[ids[i]], keys[ref[i]]))
			bad++;
	free(ref);
	return bad;
}

/*
 * n keys over an alphabet, each after a shared prefix of plen bytes
 * (some cut short), of up to maxlen more bytes; sorted and checked.
 */
static void
check_random(const char *what, size_t n, const char *alpha, size_t nalpha,
    size_t plen, size_t maxlen)
{
	struct slice *keys = malloc(n * sizeof(*keys));
	uint32_t *ids = malloc(n * sizeof(*ids));
	char *text = malloc(n * (plen + maxlen) + 1), *q = text;
	size_t i, k, len, pre;

	for (i = 0; i < n; i++) {
		pre = next_rand() % 8 ? plen : next_rand() % (plen + 1);
		len = next_rand() % (maxlen + 1);
		keys[i] = slice_make(q, pre + len);
		for (k = 0; k < pre; k++)
			*q++ = (char)('a' + k % 3);
		for (k = 0; k < len; k++)
			*q++ = alpha[next_rand() % nalpha];
		ids[i] = (uint32_t)(n - 1 - i);
	}
	sort_ids_by_key(ids, n, keys);
	ok(misplaced(ids, keys, n) == 0, "%s: %zu keys in memcmp order", what,
	    n);
	free(keys);
	free(ids);
	free(text);
}

int
main(void)
{
	static const char bin[] = { '\0', '\x01', ';', 'a', '\xff' };
	static const char two[] = { '\0', 'a' };
	static const char text[] = "abcdefghijklmnopqrstuvwxyz;_:()";
	struct slice *keys;
	uint32_t *ids;
	char *chain;
	size_t i, n, bad;

	check_random("NUL, ';', 0xff", 200000, bin, sizeof(bin), 0, 12);
	check_random("two letters, many equal", 100000, two, sizeof(two), 0,
	    10);
	check_random("shared prefix of 20", 100000, text, sizeof(text) - 1,
	    20, 6);
	check_random("shared prefix of 8", 50000, bin, sizeof(bin), 8, 3);
	check_random("short keys", 50, text, sizeof(text) - 1, 0, 4);

	/* "", "a", "aa", ...: each a prefix of the next; given reversed. */
	n = 20000;
	chain = malloc(n);
	memset(chain, 'a', n);
	keys = malloc(n * sizeof(*keys));
	ids = malloc(n * sizeof(*ids));
	for (i = 0; i < n; i++) {
		keys[i] = slice_make(chain, i);
		ids[i] = (uint32_t)(n - 1 - i);
	}
	sort_ids_by_key(ids, n, keys);
	for (bad = i = 0; i < n; i++)
		bad += ids[i] != i;
	ok(bad == 0, "a chain of %zu prefixes sorts shortest first", n);

	/* Keys that differ only in length, NULs after a shared chunk. */
	for (i = 0; i < n; i++) {
		keys[i] = slice_make("abcdefgh\0\0\0\0\0\0\0\0", 8 + i % 9);
		ids[i] = (uint32_t)i;
	}
	sort_ids_by_key(ids, n, keys);
	ok(misplaced(ids, keys, n) == 0,
	    "NUL-padded keys of %zu lengths sort by length", (size_t)9);
	free(chain);
	free(keys);
	free(ids);
	return tap_done();
}
