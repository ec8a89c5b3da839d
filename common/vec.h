/*
 * vec: typed growable arrays of integers, indexed by dense ids.
 * Growth zero-fills, so vec_at_grow(v, id) on a fresh id reads 0.
 * Running out of memory is fatal.
 */
#ifndef VEC_H
#define VEC_H

#include <stddef.h>
#include <stdint.h>

struct u64vec {
	uint64_t *v;
	size_t n;	/* elements in use (highest index + 1) */
	size_t cap;
};
#define U64VEC_INIT { NULL, 0, 0 }

struct u32vec {
	uint32_t *v;
	size_t n;
	size_t cap;
};
#define U32VEC_INIT { NULL, 0, 0 }

/* Pointer to element i, growing (zero-filled) so that n > i. */
uint64_t *u64vec_at_grow(struct u64vec *v, size_t i);
void u64vec_push(struct u64vec *v, uint64_t x);
void u64vec_release(struct u64vec *v);

uint32_t *u32vec_at_grow(struct u32vec *v, size_t i);
void u32vec_push(struct u32vec *v, uint32_t x);
/* Room for at least extra more elements past n; n stays. */
void u32vec_reserve(struct u32vec *v, size_t extra);
void u32vec_release(struct u32vec *v);

#endif
