/*
 * utf8: see utf8.h. Validation follows the well-formed byte sequence
 * table of the Unicode standard (chapter 3, table 3-7): the second byte's
 * range depends on the lead byte, later bytes are always 80..BF.
 */
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "slice.h"
#include "utf8.h"

/* Length of the white space character that starts at p (n > 0), or 0. */
static size_t
space_at(const unsigned char *p, size_t n)
{
	if (p[0] < 0x80)
		return is_ascii_space(p[0]) ? 1 : 0;
	if (n >= 2 && p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0))
		return 2;
	if (n < 3)
		return 0;
	if (p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80)
		return 3;
	if (p[0] == 0xe2 && p[1] == 0x80 &&
	    ((p[2] >= 0x80 && p[2] <= 0x8a) || p[2] == 0xa8 || p[2] == 0xa9 ||
	    p[2] == 0xaf))
		return 3;
	if (p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f)
		return 3;
	if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80)
		return 3;
	return 0;
}

/* Length of the white space character that ends the n bytes at p, or 0. */
static size_t
space_before(const unsigned char *p, size_t n)
{
	if (!n)
		return 0;
	if (p[n - 1] < 0x80)
		return is_ascii_space(p[n - 1]) ? 1 : 0;
	if (n >= 2 && space_at(p + n - 2, 2) == 2)
		return 2;
	if (n >= 3 && space_at(p + n - 3, 3) == 3)
		return 3;
	return 0;
}

struct slice
utf8_ltrim(struct slice s)
{
	size_t k;

	while (s.n && (k = space_at((const unsigned char *)s.p, s.n)) != 0)
		s = slice_from(s, k);
	return s;
}

struct slice
utf8_rtrim(struct slice s)
{
	size_t k;

	while ((k = space_before((const unsigned char *)s.p, s.n)) != 0)
		s.n -= k;
	return s;
}

struct slice
utf8_trim(struct slice s)
{
	return utf8_rtrim(utf8_ltrim(s));
}

/*
 * Length of the well-formed sequence at p (n > 0), or, as a negative
 * number, the length of the maximal invalid subpart to replace.
 */
static ptrdiff_t
seq_at(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4;
	else
		return -1;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	for (i = 1; i < need; i++) {
		if (i >= n || p[i] < lo || p[i] > hi)
			return -(ptrdiff_t)i;
		lo = 0x80;
		hi = 0xbf;
	}
	return (ptrdiff_t)need;
}

static size_t
ascii_prefix(struct slice s)
{
	size_t i = 0;

	while (i < s.n && (unsigned char)s.p[i] < 0x80)
		i++;
	return i;
}

bool
utf8_valid(struct slice s)
{
	size_t i = ascii_prefix(s);

	while (i < s.n) {
		ptrdiff_t k = seq_at((const unsigned char *)s.p + i, s.n - i);
		if (k < 0)
			return false;
		i += (size_t)k;
	}
	return true;
}

struct slice
utf8_lossy(struct slice s, struct buf *scratch)
{
	size_t i = ascii_prefix(s), done = 0;

	if (i == s.n || utf8_valid(slice_from(s, i)))
		return s;
	buf_reset(scratch);
	while (i < s.n) {
		ptrdiff_t k = seq_at((const unsigned char *)s.p + i, s.n - i);
		if (k > 0) {
			i += (size_t)k;
			continue;
		}
		buf_add(scratch, s.p + done, i - done);
		buf_add(scratch, "\xef\xbf\xbd", 3);
		i += (size_t)-k;
		done = i;
	}
	buf_add(scratch, s.p + done, s.n - done);
	return slice_make(scratch->p, scratch->len);
}
