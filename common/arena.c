/*
 * arena: blocks are chained newest first; only the head block is carved.
 * A big request gets a dedicated block that is linked *behind* the head,
 * so the head keeps its free space for the small requests that follow.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "xmalloc.h"

struct arena_block {
	struct arena_block *next;
	size_t size;	/* usable bytes in data */
	size_t used;
	alignas(max_align_t) char data[];
};

#define ALIGN (alignof(max_align_t))

void
arena_init(struct arena *a)
{
	struct arena init = ARENA_INIT;
	*a = init;
}

static struct arena_block *
block_new(struct arena *a, size_t size)
{
	struct arena_block *b = xmalloc(st_add(sizeof(*b), size));
	b->size = size;
	b->used = 0;
	a->total += sizeof(*b) + size;
	return b;
}

/* Space from a new block: a dedicated one for big requests. */
static void *
alloc_fresh(struct arena *a, size_t n)
{
	struct arena_block *b;

	if (!a->block_size)
		a->block_size = (size_t)1 << 20;
	if (n > a->block_size / 4) {
		b = block_new(a, n);
		b->used = n;
		if (a->head) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = NULL;
			a->head = b;
		}
		return b->data;
	}
	b = block_new(a, a->block_size);
	b->next = a->head;
	a->head = b;
	b->used = n;
	return b->data;
}

void *
arena_alloc_bytes(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;

	if (b && b->size - b->used >= n) {
		void *p = b->data + b->used;
		b->used += n;
		return p;
	}
	return alloc_fresh(a, n);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;

	if (b) {
		size_t used = (b->used + ALIGN - 1) & ~(ALIGN - 1);
		if (used <= b->size && b->size - used >= n) {
			b->used = used + n;
			return b->data + used;
		}
	}
	return alloc_fresh(a, n);
}

char *
arena_memdup(struct arena *a, const void *p, size_t n)
{
	char *q = arena_alloc_bytes(a, st_add(n, 1));
	if (n)
		memcpy(q, p, n);
	q[n] = '\0';
	return q;
}

void
arena_release(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	arena_init(a);
}
