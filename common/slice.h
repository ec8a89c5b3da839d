/*
 * slice: a borrowed view of bytes (pointer + length), never NUL-terminated
 * by promise. Whoever hands out a slice says how long it stays valid
 * (a line from lr_next() lives until the next lr_next()).
 *
 * All helpers are pure and ASCII-only; nothing here looks at the locale.
 */
#ifndef SLICE_H
#define SLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct slice {
	const char *p;
	size_t n;
};

#define SLICE_LIT(s) ((struct slice){ (s), sizeof(s) - 1 })

static inline struct slice
slice_make(const char *p, size_t n)
{
	struct slice s = { p, n };
	return s;
}

static inline struct slice
slice_cstr(const char *s)
{
	return slice_make(s, strlen(s));
}

/* Bytes [from, n) of s; from must be <= s.n. */
static inline struct slice
slice_from(struct slice s, size_t from)
{
	return slice_make(s.p + from, s.n - from);
}

/* The first n bytes of s; n must be <= s.n. */
static inline struct slice
slice_head(struct slice s, size_t n)
{
	return slice_make(s.p, n);
}

static inline bool
slice_eq(struct slice a, struct slice b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static inline bool
slice_eq_str(struct slice a, const char *s)
{
	return slice_eq(a, slice_cstr(s));
}
#define slice_eq_lit(a, lit) slice_eq((a), SLICE_LIT(lit))

static inline bool
slice_starts(struct slice a, const char *s)
{
	size_t n = strlen(s);
	return a.n >= n && memcmp(a.p, s, n) == 0;
}

static inline bool
slice_ends(struct slice a, const char *s)
{
	size_t n = strlen(s);
	return a.n >= n && memcmp(a.p + a.n - n, s, n) == 0;
}

/* memcmp order, shorter prefix first (the order of LC_ALL=C sort). */
static inline int
slice_cmp(struct slice a, struct slice b)
{
	size_t n = a.n < b.n ? a.n : b.n;
	int c = n ? memcmp(a.p, b.p, n) : 0;
	if (c)
		return c;
	return a.n < b.n ? -1 : a.n > b.n;
}

/* ASCII blank: space, tab, CR, LF, VT, FF. */
static inline bool
is_ascii_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_hex(unsigned char c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static inline struct slice
slice_ltrim(struct slice s)
{
	while (s.n && is_ascii_space((unsigned char)*s.p)) {
		s.p++;
		s.n--;
	}
	return s;
}

static inline struct slice
slice_rtrim(struct slice s)
{
	while (s.n && is_ascii_space((unsigned char)s.p[s.n - 1]))
		s.n--;
	return s;
}

static inline struct slice
slice_trim(struct slice s)
{
	return slice_rtrim(slice_ltrim(s));
}

/* Index of the first / last c in s, or -1. */
static inline ptrdiff_t
slice_chr(struct slice s, char c)
{
	const char *q = s.n ? memchr(s.p, c, s.n) : NULL;
	return q ? q - s.p : -1;
}

static inline ptrdiff_t
slice_rchr(struct slice s, char c)
{
	size_t i = s.n;
	while (i)
		if (s.p[--i] == c)
			return (ptrdiff_t)i;
	return -1;
}

/* Index of the first occurrence of needle in s, or -1 (portable memmem). */
ptrdiff_t slice_find(struct slice s, struct slice needle);
/* Index of the last occurrence of needle in s, or -1. */
ptrdiff_t slice_rfind(struct slice s, struct slice needle);

/*
 * Split s at the first c: *head gets the bytes before it, *tail those after.
 * Returns false (and leaves *head = s, *tail empty) when c is absent.
 */
static inline bool
slice_cut(struct slice s, char c, struct slice *head, struct slice *tail)
{
	ptrdiff_t i = slice_chr(s, c);
	if (i < 0) {
		*head = s;
		*tail = slice_make(s.p + s.n, 0);
		return false;
	}
	*head = slice_make(s.p, (size_t)i);
	*tail = slice_make(s.p + i + 1, s.n - (size_t)i - 1);
	return true;
}

/* As slice_cut, at the last c. */
static inline bool
slice_rcut(struct slice s, char c, struct slice *head, struct slice *tail)
{
	ptrdiff_t i = slice_rchr(s, c);
	if (i < 0) {
		*head = s;
		*tail = slice_make(s.p + s.n, 0);
		return false;
	}
	*head = slice_make(s.p, (size_t)i);
	*tail = slice_make(s.p + i + 1, s.n - (size_t)i - 1);
	return true;
}

/*
 * Parse all of s as an unsigned decimal (ASCII digits only, no sign, no
 * blanks). Returns false on an empty slice, another byte, or overflow.
 */
bool slice_u64(struct slice s, uint64_t *v);

#endif
