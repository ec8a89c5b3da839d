/*
 * vec: growable integer arrays; see vec.h.
 */
#include <stdlib.h>
#include <string.h>

#include "vec.h"
#include "xmalloc.h"

#define VEC_GROW(v, i) do {						\
	if ((i) >= (v)->cap) {						\
		size_t cap = alloc_nr((v)->cap, st_add((i), 1));	\
		(v)->v = xreallocarray((v)->v, cap, sizeof(*(v)->v));	\
		memset((v)->v + (v)->cap, 0,				\
		    (cap - (v)->cap) * sizeof(*(v)->v));		\
		(v)->cap = cap;						\
	}								\
	if ((i) >= (v)->n)						\
		(v)->n = (i) + 1;					\
} while (0)

uint64_t *
u64vec_at_grow(struct u64vec *v, size_t i)
{
	VEC_GROW(v, i);
	return &v->v[i];
}

void
u64vec_push(struct u64vec *v, uint64_t x)
{
	*u64vec_at_grow(v, v->n) = x;
}

void
u64vec_release(struct u64vec *v)
{
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}

uint32_t *
u32vec_at_grow(struct u32vec *v, size_t i)
{
	VEC_GROW(v, i);
	return &v->v[i];
}

void
u32vec_reserve(struct u32vec *v, size_t extra)
{
	size_t n = v->n;

	if (extra == 0 || v->cap - n >= extra)
		return;
	VEC_GROW(v, st_add(n, extra) - 1);
	v->n = n;
}

void
u32vec_push(struct u32vec *v, uint32_t x)
{
	*u32vec_at_grow(v, v->n) = x;
}

void
u32vec_release(struct u32vec *v)
{
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}
