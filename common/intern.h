/*
 * intern: the hash core. Interns byte strings (stacks, frame names) and
 * hands out dense ids 0, 1, 2, ... in first-seen order, so callers keep
 * per-key values in parallel arrays (struct u64vec counts, indexed by id).
 *
 * Open addressing with linear probing over a power-of-two slot array; each
 * slot holds 32 bits of the hash and the id. The table grows x2 at 70% load
 * and never deletes. Key bytes are copied into the table's own arena (with
 * a NUL after them) only when a key is new; they never move.
 *
 * Keys may be any bytes of any length, including NUL bytes. Not thread-safe:
 * threads each use their own table and merge with intern_put at the end.
 */
#ifndef INTERN_H
#define INTERN_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "slice.h"

#define INTERN_NONE UINT32_MAX

struct intern_slot;

struct intern {
	struct intern_slot *slots;
	size_t mask;		/* slot count - 1 */
	uint32_t count;		/* keys interned = next id */
	uint32_t keys_cap;
	struct slice *keys;	/* keys[id], pointing into arena */
	uint64_t *hashes;	/* hashes[id], so growth never rehashes keys */
	uint32_t *sorted;	/* from intern_sorted_ids, or NULL */
	uint64_t seed;
	struct arena arena;
};

void intern_init(struct intern *t);

/* Id of key, adding a copy of it when new (then the id is count - 1). */
uint32_t intern_put(struct intern *t, const void *key, size_t n);

/*
 * Id in t of key id of table from (same seed: every table has it), added
 * by reference, as intern_put_hashed_ref would, without hashing it again:
 * from must outlive t.
 * For tables filled on two threads and merged.
 */
uint32_t intern_put_from(struct intern *t, const struct intern *from,
    uint32_t id);

/* Start loading what intern_put_from(t, from, id) will read first. */
void intern_prefetch_from(const struct intern *t, const struct intern *from,
    uint32_t id);

/*
 * As intern_put with a caller-computed hash: that of intern_hash (after
 * intern_prefetch, for a batch of keys), or one that forces collisions,
 * in tests. It must always be the same for equal keys. The _ref variant
 * does not copy a new key: the table keeps key itself, which must stay
 * valid and unchanged as long as the table is used (a mapped file); such
 * a key has no NUL after it.
 */
uint32_t intern_put_hashed(struct intern *t, const void *key, size_t n,
    uint64_t hash);
uint32_t intern_put_hashed_ref(struct intern *t, const void *key, size_t n,
    uint64_t hash);

/* The hash intern_put computes for key. */
uint64_t intern_hash(const struct intern *t, const void *key, size_t n);

/* Start loading the slot a put or find of a key with hash looks at first. */
void intern_prefetch(const struct intern *t, uint64_t hash);

/* Id of key, or INTERN_NONE. */
uint32_t intern_find(const struct intern *t, const void *key, size_t n);

/*
 * The key of id (valid until intern_release); key.p[key.n] == '\0' unless
 * it came from intern_put_hashed_ref or intern_put_from.
 */
static inline struct slice
intern_key(const struct intern *t, uint32_t id)
{
	return t->keys[id];
}

static inline uint32_t
intern_count(const struct intern *t)
{
	return t->count;
}

/*
 * All ids ordered by their keys' bytes (memcmp order, prefix first).
 * The array has intern_count() entries and belongs to the table; it is
 * valid until the next intern_put or intern_release.
 */
const uint32_t *intern_sorted_ids(struct intern *t);

/* Free everything; *t must be intern_init'ed again before reuse. */
void intern_release(struct intern *t);

#endif
