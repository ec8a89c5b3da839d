/*
 * folded: parsing and writing `stack count` lines.
 */
#include "folded.h"
#include "out.h"

/*
 * Length of the Unicode white space character (as Rust's char::is_whitespace
 * defines it) that starts at p, or 0.
 */
static size_t
uspace_at(const unsigned char *p, size_t n)
{
	if (n >= 1 && (p[0] == ' ' || (p[0] >= '\t' && p[0] <= '\r')))
		return 1;
	if (n >= 2 && p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0))
		return 2;
	if (n >= 3 && p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80)
		return 3;
	if (n >= 3 && p[0] == 0xe2 && p[1] == 0x80 &&
	    (p[2] <= 0x8a || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
		return p[2] >= 0x80 ? 3 : 0;
	if (n >= 3 && p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f)
		return 3;
	if (n >= 3 && p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80)
		return 3;
	return 0;
}

static struct slice
utrim_start(struct slice s)
{
	size_t k;

	while ((k = uspace_at((const unsigned char *)s.p, s.n)))
		s = slice_from(s, k);
	return s;
}

static struct slice
utrim_end(struct slice s)
{
	for (;;) {
		size_t k = 0;
		if (s.n >= 1)
			k = uspace_at((const unsigned char *)s.p + s.n - 1, 1);
		if (!k && s.n >= 2)
			k = uspace_at((const unsigned char *)s.p + s.n - 2, 2) == 2 ? 2 : 0;
		if (!k && s.n >= 3)
			k = uspace_at((const unsigned char *)s.p + s.n - 3, 3) == 3 ? 3 : 0;
		if (!k)
			return s;
		s.n -= k;
	}
}

/*
 * Take the count after the last space of *line. On success *line loses the
 * count and the blanks before it. Sets *fractional when the count has a
 * non-zero fraction, even if the count is then rejected (as inferno does).
 */
static bool
take_count(struct slice *line, uint64_t *count, bool *fractional)
{
	const char *end = line->p + line->n, *q = end;
	struct slice num, ip;
	size_t i, dot = (size_t)-1;

	/* The count is what follows the last space: scan back to it. */
	while (q > line->p && (is_digit((unsigned char)q[-1]) || q[-1] == '.'))
		q--;
	if (q == line->p || q[-1] != ' ')
		return false;
	num = slice_make(q, (size_t)(end - q));
	for (i = 0; i < num.n; i++) {
		if (num.p[i] != '.')
			continue;
		if (dot != (size_t)-1)
			return false;
		dot = i;
	}
	ip = num;
	if (dot != (size_t)-1) {
		for (i = dot + 1; i < num.n; i++)
			if (num.p[i] != '0')
				*fractional = true;
		ip = slice_head(num, dot);
	}
	if (!slice_u64(ip, count))
		return false;
	*line = utrim_end(slice_head(*line, (size_t)(q - 1 - line->p)));
	return true;
}

enum folded_kind
folded_split(struct slice line, struct folded_line *fl)
{
	struct slice rest;
	uint64_t before;

	fl->ncounts = 0;
	fl->fractional = false;
	fl->before = 0;
	fl->count = 0;
	line = utrim_end(utrim_start(line));
	if (line.n == 0 || slice_starts(line, "# "))
		return FOLDED_SKIP;
	if (!take_count(&line, &fl->count, &fl->fractional))
		return FOLDED_BAD;
	fl->ncounts = 1;
	rest = line;
	if (take_count(&rest, &before, &fl->fractional)) {
		fl->ncounts = 2;
		fl->before = before;
		line = rest;
	}
	if (line.n == 0)
		return FOLDED_BAD;
	fl->stack = line;
	return FOLDED_OK;
}

void
folded_write(struct slice stack, uint64_t count)
{
	out_slice(stack);
	out_char(' ');
	out_u64(count);
	out_char('\n');
}

void
folded_write2(struct slice stack, uint64_t before, uint64_t after)
{
	out_slice(stack);
	out_char(' ');
	out_u64(before);
	out_char(' ');
	out_u64(after);
	out_char('\n');
}
