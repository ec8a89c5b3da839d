/*
 * test-intern: ids are dense and stable, equal keys give equal ids, the
 * table survives many growths and fully colliding hashes, and the sorted
 * order is memcmp order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intern.h"
#include "sort.h"
#include "tap.h"

static int
cmp_str(const void *a, const void *b)
{
	const struct slice *x = a, *y = b;
	return slice_cmp(*x, *y);
}

int
main(void)
{
	struct intern t;
	char key[64];
	uint32_t i, id, bad;
	const uint32_t *ids;
	struct slice *ref;

	intern_init(&t);
	ok(intern_put(&t, "a;b", 3) == 0, "first key gets id 0");
	ok(intern_put(&t, "a;b;c", 5) == 1, "second key gets id 1");
	ok(intern_put(&t, "a;b", 3) == 0, "equal key gets the same id");
	ok(intern_put(&t, "", 0) == 2, "empty key is a key");
	ok(intern_put(&t, "a\0b", 3) == 3, "NUL byte is part of the key");
	ok(intern_find(&t, "a;b;c", 5) == 1, "find existing");
	ok(intern_find(&t, "zz", 2) == INTERN_NONE, "find missing");
	ok(intern_key(&t, 1).n == 5 && intern_key(&t, 1).p[5] == '\0',
	    "key is NUL-terminated");
	intern_release(&t);

	/* Many growths: 300k keys, then every key again. */
	intern_init(&t);
	for (i = 0; i < 300000; i++) {
		int n = snprintf(key, sizeof(key), "main;f%u;g%u", i, i * 7);
		if (intern_put(&t, key, (size_t)n) != i)
			break;
	}
	ok(i == 300000, "300000 distinct keys get ids in order (stopped at %u)", i);
	bad = 0;
	for (i = 0; i < 300000; i++) {
		int n = snprintf(key, sizeof(key), "main;f%u;g%u", i, i * 7);
		if (intern_find(&t, key, (size_t)n) != i)
			bad++;
	}
	ok(bad == 0, "all keys found after growth (%u missing)", bad);
	ok(t.mask + 1 >= 300000 / 7 * 10, "table grew to keep load under 70%%");

	ids = intern_sorted_ids(&t);
	ref = malloc(sizeof(*ref) * 300000);
	for (i = 0; i < 300000; i++)
		ref[i] = intern_key(&t, i);
	qsort(ref, 300000, sizeof(*ref), cmp_str);
	bad = 0;
	for (i = 0; i < 300000; i++)
		if (!slice_eq(intern_key(&t, ids[i]), ref[i]))
			bad++;
	ok(bad == 0, "sorted ids follow memcmp order (%u out of place)", bad);
	free(ref);
	intern_release(&t);

	/* Every key with the same hash: one probe chain, still exact. */
	intern_init(&t);
	for (i = 0; i < 2000; i++) {
		int n = snprintf(key, sizeof(key), "k%u", i);
		intern_put_hashed(&t, key, (size_t)n, 42);
	}
	bad = 0;
	for (i = 0; i < 2000; i++) {
		int n = snprintf(key, sizeof(key), "k%u", i);
		id = intern_put_hashed(&t, key, (size_t)n, 42);
		if (id != i)
			bad++;
	}
	ok(intern_count(&t) == 2000 && bad == 0,
	    "colliding hashes keep keys apart (%u wrong)", bad);
	intern_release(&t);

	/* Sorted runs (two sorted files interned in turn) are merged. */
	intern_init(&t);
	for (i = 0; i < 100000; i += 2) {
		int n = snprintf(key, sizeof(key), "main;f%06u", i);
		intern_put(&t, key, (size_t)n);
	}
	for (i = 1; i < 100000; i += 2) {
		int n = snprintf(key, sizeof(key), "main;f%06u", i);
		intern_put(&t, key, (size_t)n);
	}
	ids = intern_sorted_ids(&t);
	bad = 0;
	for (i = 0; i < 100000; i++)
		if (ids[i] != (i % 2 ? 50000 + i / 2 : i / 2))
			bad++;
	ok(bad == 0, "two sorted runs merge into order (%u out of place)", bad);
	intern_release(&t);

	/* Byte order: "a;b" < "a;b2" < "a;b;c" (0x32 < 0x3b); 8-byte ties. */
	intern_init(&t);
	intern_put(&t, "a;b2", 4);
	intern_put(&t, "a;b;c", 5);
	intern_put(&t, "a;b", 3);
	intern_put(&t, "abcdefgh", 8);
	intern_put(&t, "abcdefgh\x01", 9);
	intern_put(&t, "abcdefg", 7);
	ids = intern_sorted_ids(&t);
	ok(ids[0] == 2 && ids[1] == 0 && ids[2] == 1, "prefix sorts first, then bytes");
	ok(ids[3] == 5 && ids[4] == 3 && ids[5] == 4, "ties on 8 bytes resolved");
	intern_release(&t);
	return tap_done();
}
