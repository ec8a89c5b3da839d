/*
 * buf: growable byte string.
 *
 * Invariants: b->p is never NULL after init, b->p[b->len] == '\0', and
 * b->len < b->cap unless cap is 0 (then p points at a shared empty string).
 * Growth is geometric; buf_grow() then writing into p + len is the fast path.
 * Running out of memory is fatal.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>
#include <stdint.h>
#include "compat.h"

extern char buf_empty[];

struct buf {
	char *p;
	size_t len;
	size_t cap;
};
#define BUF_INIT { buf_empty, 0, 0 }

void buf_init(struct buf *b);
/* Make room for extra more bytes plus the NUL. */
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_add_u64(struct buf *b, uint64_t v);	/* decimal, no locale */
void buf_addf(struct buf *b, const char *fmt, ...) ATTR_PRINTF(2, 3);
/* Set len (<= cap - 1) and re-terminate; used after writing into p directly. */
void buf_setlen(struct buf *b, size_t len);
void buf_reset(struct buf *b);		/* len = 0, memory kept */
void buf_release(struct buf *b);	/* free memory, back to BUF_INIT */
/* Hand the bytes to the caller (free() them); *b is left as BUF_INIT. */
char *buf_detach(struct buf *b, size_t *len);

static inline void
buf_addc(struct buf *b, char c)
{
	if (b->len + 1 >= b->cap)
		buf_grow(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

#endif
