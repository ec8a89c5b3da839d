/*
 * arena: bump allocator for data that lives until the end of the run
 * (stack keys, frame names, frame nodes).
 *
 * Allocation never fails: running out of memory is fatal (die()).
 * Memory is only ever freed all at once by arena_release(); pointers stay
 * valid until then and nothing is ever moved.
 */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;	/* block being carved, newest first */
	size_t block_size;		/* size of ordinary blocks */
	size_t total;			/* bytes obtained from malloc, for stats */
};
#define ARENA_INIT { NULL, (size_t)1 << 20, 0 }

void arena_init(struct arena *a);

/* n bytes aligned for any type; n may be 0. */
void *arena_alloc(struct arena *a, size_t n);

/* n bytes with no alignment promise (denser for strings). */
void *arena_alloc_bytes(struct arena *a, size_t n);

/*
 * Copy n bytes and add a NUL. A request bigger than a quarter block gets a
 * block of its own, so huge keys do not waste the rest of a block.
 */
char *arena_memdup(struct arena *a, const void *p, size_t n);

/* Free every block; leaves *a as ARENA_INIT (reusable). */
void arena_release(struct arena *a);

#endif
