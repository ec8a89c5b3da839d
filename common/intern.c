/*
 * intern: open addressing, linear probing. A slot is 8 bytes: the high 32
 * bits of the key's hash (0 is reserved for "empty", so a zero tag is
 * bumped to 1) and the id. Comparing tags first means memcmp runs, in
 * practice, only on the key that matches.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "hash.h"
#include "intern.h"
#include "sort.h"
#include "xmalloc.h"

struct intern_slot {
	uint32_t tag;
	uint32_t id;
};

#define INTERN_SEED 0x2545f4914f6cdd1dull

static inline uint32_t
tag_of(uint64_t h)
{
	uint32_t t = (uint32_t)(h >> 32);
	return t ? t : 1;
}

/*
 * Zeroed slots, written here rather than left to calloc: a fresh page
 * that is first read (a probe) and then written (an insert) costs two
 * faults, and with threads running, a TLB flush on every core.
 */
static struct intern_slot *
new_slots(size_t n)
{
	struct intern_slot *slots = xreallocarray(NULL, n, sizeof(*slots));

	memset(slots, 0, n * sizeof(*slots));
	return slots;
}

void
intern_init(struct intern *t)
{
	memset(t, 0, sizeof(*t));
	arena_init(&t->arena);
	t->seed = INTERN_SEED;
	t->mask = 1023;
	t->slots = new_slots(t->mask + 1);
}

static void
grow(struct intern *t)
{
	size_t nslots = st_mult(t->mask + 1, 2), mask = nslots - 1, i;
	struct intern_slot *slots = new_slots(nslots);

	for (i = 0; i <= t->mask; i++) {
		struct intern_slot s = t->slots[i];
		size_t j;

		if (!s.tag)
			continue;
		j = (size_t)t->hashes[s.id] & mask;
		while (slots[j].tag)
			j = (j + 1) & mask;
		slots[j] = s;
	}
	free(t->slots);
	t->slots = slots;
	t->mask = mask;
}

/*
 * Full hashes are kept per id, so growing never rehashes key bytes. A new
 * key is copied into the arena, or with copy false kept where it is.
 */
static uint32_t
put(struct intern *t, const void *key, size_t n, uint64_t h, uint32_t tag,
    bool copy)
{
	size_t j = (size_t)h & t->mask;
	struct slice k;

	for (;;) {
		struct intern_slot s = t->slots[j];
		if (!s.tag)
			break;
		if (s.tag == tag) {
			k = t->keys[s.id];
			if (k.n == n && (n == 0 || memcmp(k.p, key, n) == 0))
				return s.id;
		}
		j = (j + 1) & t->mask;
	}
	if (t->count == INTERN_NONE - 1)
		die("more than %u distinct keys", (unsigned)(INTERN_NONE - 1));
	if (t->count == t->keys_cap) {
		size_t cap = alloc_nr(t->keys_cap, (size_t)t->count + 1);
		if (cap > INTERN_NONE)
			cap = INTERN_NONE;
		t->keys = xreallocarray(t->keys, cap, sizeof(*t->keys));
		t->hashes = xreallocarray(t->hashes, cap, sizeof(*t->hashes));
		t->keys_cap = (uint32_t)cap;
	}
	k.p = copy ? arena_memdup(&t->arena, key, n) : key;
	k.n = n;
	t->keys[t->count] = k;
	t->hashes[t->count] = h;
	t->slots[j].tag = tag;
	t->slots[j].id = t->count;
	free(t->sorted);
	t->sorted = NULL;
	if (++t->count > (t->mask + 1) / 10 * 7)
		grow(t);
	return t->count - 1;
}

uint32_t
intern_put(struct intern *t, const void *key, size_t n)
{
	uint64_t h = hash_bytes(key, n, t->seed);
	return put(t, key, n, h, tag_of(h), true);
}

uint32_t
intern_put_from(struct intern *t, const struct intern *from, uint32_t id)
{
	struct slice k = from->keys[id];
	uint64_t h = from->hashes[id];

	return put(t, k.p, k.n, h, tag_of(h), false);
}

void
intern_prefetch_from(const struct intern *t, const struct intern *from,
    uint32_t id)
{
#if defined(__GNUC__)
	__builtin_prefetch(&t->slots[(size_t)from->hashes[id] & t->mask]);
	__builtin_prefetch(from->keys[id].p);
#else
	(void)t;
	(void)from;
	(void)id;
#endif
}

uint32_t
intern_put_hashed(struct intern *t, const void *key, size_t n, uint64_t hash)
{
	return put(t, key, n, hash, tag_of(hash), true);
}

uint32_t
intern_put_hashed_ref(struct intern *t, const void *key, size_t n,
    uint64_t hash)
{
	return put(t, key, n, hash, tag_of(hash), false);
}

uint64_t
intern_hash(const struct intern *t, const void *key, size_t n)
{
	return hash_bytes(key, n, t->seed);
}

void
intern_prefetch(const struct intern *t, uint64_t hash)
{
#if defined(__GNUC__)
	__builtin_prefetch(&t->slots[(size_t)hash & t->mask]);
#else
	(void)t;
	(void)hash;
#endif
}

uint32_t
intern_find(const struct intern *t, const void *key, size_t n)
{
	uint64_t h = hash_bytes(key, n, t->seed);
	uint32_t tag = tag_of(h);
	size_t j = (size_t)h & t->mask;

	for (;;) {
		struct intern_slot s = t->slots[j];
		if (!s.tag)
			return INTERN_NONE;
		if (s.tag == tag) {
			struct slice k = t->keys[s.id];
			if (k.n == n && (n == 0 || memcmp(k.p, key, n) == 0))
				return s.id;
		}
		j = (j + 1) & t->mask;
	}
}

const uint32_t *
intern_sorted_ids(struct intern *t)
{
	uint32_t i;

	if (t->sorted)
		return t->sorted;
	t->sorted = xreallocarray(NULL, t->count ? t->count : 1, sizeof(*t->sorted));
	for (i = 0; i < t->count; i++)
		t->sorted[i] = i;
	sort_ids_by_key(t->sorted, t->count, t->keys);
	return t->sorted;
}

void
intern_release(struct intern *t)
{
	free(t->slots);
	free(t->keys);
	free(t->hashes);
	free(t->sorted);
	arena_release(&t->arena);
	memset(t, 0, sizeof(*t));
	arena_init(&t->arena);
}
