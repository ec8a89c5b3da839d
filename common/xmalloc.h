/*
 * xmalloc: allocation that dies on failure, and checked size arithmetic.
 * Sizes that overflow size_t are treated like an allocation failure.
 */
#ifndef XMALLOC_H
#define XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* realloc for arrays: nmemb * size, checked. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);

size_t st_add(size_t a, size_t b);	/* a + b or die */
size_t st_mult(size_t a, size_t b);	/* a * b or die */

/* Next capacity for a growable array: at least need, about x1.5 of cap. */
size_t alloc_nr(size_t cap, size_t need);

#endif
