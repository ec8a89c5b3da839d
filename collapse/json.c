/*
 * json: the grammar is a small state machine. `need` says what may come
 * next (a value, a member name, a comma or closing bracket, or nothing);
 * a bit per open container says whether it is an object or an array, so
 * a closing bracket is checked without recursion. Strings are scanned
 * eight bytes at a time until a quote, backslash or control byte shows up,
 * and digits are converted eight at a time, without a branch per digit.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "json.h"

enum {
	NEED_VALUE,		/* at the start, after ':' or an array's ',' */
	NEED_VALUE_OR_CLOSE,	/* just after '[' */
	NEED_KEY,		/* after an object's ',' */
	NEED_KEY_OR_CLOSE,	/* just after '{' */
	NEED_COMMA_OR_CLOSE,	/* after a value inside a container */
	NEED_EOF,		/* the top-level value is complete */
};

/* Byte classes. */
#define C_WS	0x01	/* JSON whitespace */
#define C_STR	0x02	/* ends a run of plain string bytes */
#define C_SKIP	0x04	/* matters to json_skip_unchecked */

#define S C_STR
static const unsigned char cls[256] = {
	/* The NUL after the text (json.h) ends every scan. */
	S | C_SKIP, S, S, S, S, S, S, S,
	S, S | C_WS, S | C_WS, S, S, S | C_WS, S, S,
	S, S, S, S, S, S, S, S,
	S, S, S, S, S, S, S, S,
	[' '] = C_WS, ['"'] = C_STR | C_SKIP, ['\\'] = C_STR,
	['['] = C_SKIP, [']'] = C_SKIP, ['{'] = C_SKIP, ['}'] = C_SKIP,
};
#undef S

static void
init_at(struct json *j, const char *p, size_t n, const char *name,
    size_t off)
{
	memset(j, 0, sizeof(*j));
	j->p = p;
	j->n = n;
	j->name = name;
	j->pos = off;
	j->need = NEED_VALUE;
	j->line_no = 1;
}

void
json_init(struct json *j, const char *p, size_t n, const char *name)
{
	init_at(j, p, n, name, 0);
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		j->pos = 3;
}

/* Reads nothing before off: the caller may have released it. */
void
json_init_at(struct json *j, const char *p, size_t n, const char *name,
    size_t off)
{
	init_at(j, p, n, name, off);
	j->one_value = 1;
}

const char *
json_type_name(enum json_type type)
{
	switch (type) {
	case JSON_END:
		return "the end of input";
	case JSON_OBJECT:
		return "an object";
	case JSON_OBJECT_END:
		return "'}'";
	case JSON_ARRAY:
		return "an array";
	case JSON_ARRAY_END:
		return "']'";
	case JSON_KEY:
		return "a member name";
	case JSON_STRING:
		return "a string";
	case JSON_NUMBER:
		return "a number";
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
		return "null";
	}
	return "a value";
}

void
json_where(struct json *j, size_t off, uint64_t *line, uint64_t *col)
{
	const char *nl;

	if (off > j->n)
		off = j->n;
	if (off < j->line_off) {
		j->line_off = 0;
		j->line_no = 1;
		j->line_start = 0;
	}
	while ((nl = memchr(j->p + j->line_off, '\n', off - j->line_off))) {
		j->line_no++;
		j->line_off = (size_t)(nl - j->p) + 1;
		j->line_start = j->line_off;
	}
	j->line_off = off;
	*line = j->line_no;
	*col = off - j->line_start + 1;
}

_Thread_local jmp_buf *json_trap;

void
json_seek(struct json *j, size_t pos)
{
	j->pos = pos;
}

noreturn void
json_die(struct json *j, size_t off, const char *fmt, ...)
{
	char msg[512];
	uint64_t line, col;
	va_list ap;

	if (json_trap)
		longjmp(*json_trap, 1);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_where(j, off, &line, &col);
	die("%s:%llu:%llu: %s", j->name, (unsigned long long)line,
	    (unsigned long long)col, msg);
}

static noreturn void
die_eof(struct json *j)
{
	json_die(j, j->n, "unexpected end of input");
}

/* What was found at pos, for "expected X, found Y" messages. */
static const char *
found(const struct json *j, size_t pos, char *tmp, size_t size)
{
	unsigned char c = (unsigned char)j->p[pos];
	size_t end = pos;

	/* A bare word (NaN, Infinity, True) is quoted whole. */
	while (end < j->n && end - pos < 24 &&
	    (((unsigned char)j->p[end] | 0x20) >= 'a' &&
	    ((unsigned char)j->p[end] | 0x20) <= 'z'))
		end++;
	if (end > pos)
		snprintf(tmp, size, "'%.*s'", (int)(end - pos), j->p + pos);
	else if (c > 0x20 && c < 0x7f)
		snprintf(tmp, size, "'%c'", c);
	else
		snprintf(tmp, size, "byte 0x%02x", c);
	return tmp;
}

static noreturn void
die_expected(struct json *j, size_t pos, const char *what)
{
	char tmp[40];

	json_die(j, pos, "expected %s, found %s", what,
	    found(j, pos, tmp, sizeof(tmp)));
}

/* The bit of the innermost open container: 1 for an object. */
static inline int
top_is_object(const struct json *j, unsigned depth)
{
	unsigned d = depth - 1;
	return (j->objects[d >> 3] >> (d & 7)) & 1;
}

static inline int
in_object(const struct json *j)
{
	return j->in_obj;
}

static inline void
push(struct json *j, size_t pos, int object)
{
	unsigned d = j->depth;

	if (d == JSON_MAX_DEPTH)
		json_die(j, pos, "nesting deeper than %d levels",
		    JSON_MAX_DEPTH);
	if (object)
		j->objects[d >> 3] |= (unsigned char)(1u << (d & 7));
	else
		j->objects[d >> 3] &= (unsigned char)~(1u << (d & 7));
	j->depth = d + 1;
	j->in_obj = object;
	j->need = object ? NEED_KEY_OR_CLOSE : NEED_VALUE_OR_CLOSE;
}

/* After a complete value: inside a container a ',' or close may follow. */
static inline void
value_done(struct json *j)
{
	j->need = j->depth ? NEED_COMMA_OR_CLOSE : NEED_EOF;
}

/* After a closing bracket: back in the container around it, if any. */
static inline void
pop(struct json *j)
{
	j->depth--;
	j->in_obj = j->depth ? top_is_object(j, j->depth) : 0;
	value_done(j);
}

/*
 * A mask with the high bit set in each of the 8 bytes at p that is '"',
 * '\\' or below 0x20. Bytes above the first such byte may be marked
 * wrongly (borrows), but the lowest mark is always exact.
 */
static inline uint64_t
special_mask(const char *p)
{
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t high = 0x8080808080808080ull;
	uint64_t x, q, b;

	memcpy(&x, p, 8);
	q = x ^ (ones * '"');
	b = x ^ (ones * '\\');
	return (((q - ones) & ~q) | ((b - ones) & ~b) |
	    ((x - ones * 0x20) & ~x)) & high;
}

/* Offset of the first marked byte of a nonzero special_mask. */
static inline size_t
first_marked(uint64_t m, const char *p)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	(void)p;
	return (size_t)__builtin_ctzll(m) / 8;
#else
	size_t i = 0;

	(void)m;
	while (!(cls[(unsigned char)p[i]] & C_STR))
		i++;
	return i;
#endif
}

/*
 * Forced inline where a call per token would cost a fair part of reading
 * it: numbers and member names are most of the tokens of a large profile.
 */
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/*
 * The rest of a string from pos (inside it) on: escapes, the last bytes
 * of the text, errors. Returns the offset just past the closing quote.
 */
static size_t
scan_string_rest(struct json *j, size_t pos, unsigned *flags)
{
	const char *p = j->p;
	size_t n = j->n;
	uint64_t m;
	unsigned char c;
	int k;

	for (;;) {
		/* Eight bytes at a time while they last, then the NUL stops. */
		for (;;) {
			if (n - pos < 8) {
				while (!(cls[(unsigned char)p[pos]] & C_STR))
					pos++;
				break;
			}
			if ((m = special_mask(p + pos)) != 0) {
				pos += first_marked(m, p + pos);
				break;
			}
			pos += 8;
		}
		c = (unsigned char)p[pos];
		if (LIKELY(c == '"'))
			return pos + 1;
		if (pos == n)
			die_eof(j);
		if (c != '\\')
			json_die(j, pos, "control character 0x%02x in a string "
			    "(it must be escaped)", c);
		*flags |= JSON_ESCAPED;
		if (++pos == n)
			die_eof(j);
		switch (p[pos]) {
		case '"': case '\\': case '/':
		case 'b': case 'f': case 'n': case 'r': case 't':
			pos++;
			break;
		case 'u':
			for (k = 1; k <= 4; k++) {
				if (pos + k >= n)
					die_eof(j);
				if (!is_hex((unsigned char)p[pos + k]))
					json_die(j, pos - 1, "bad \\u escape: "
					    "four hex digits must follow");
			}
			pos += 5;
			break;
		default:
			json_die(j, pos - 1, "bad escape '\\%c' in a string",
			    p[pos] >= 0x20 && p[pos] < 0x7f ? p[pos] : '?');
		}
	}
}

/*
 * Check the string whose opening quote is at pos; returns the offset just
 * past its closing quote and sets JSON_ESCAPED in *flags if needed. Plain
 * strings end here; the rest goes to scan_string_rest.
 */
static ALWAYS_INLINE size_t
scan_string(struct json *j, size_t pos, unsigned *flags)
{
	const char *p = j->p;
	uint64_t m;

	pos++;
	while (j->n - pos >= 8) {
		if ((m = special_mask(p + pos)) != 0) {
			pos += first_marked(m, p + pos);
			if (LIKELY(p[pos] == '"'))
				return pos + 1;
			break;
		}
		pos += 8;
	}
	return scan_string_rest(j, pos, flags);
}

/* The rest of a number with more than 19 digits: check for overflow. */
static uint64_t
big_integer(const char *p, size_t start, size_t end, unsigned *flags)
{
	uint64_t v = 0;
	unsigned d;

	for (; start < end; start++) {
		d = (unsigned)(p[start] - '0');
		if (v > (UINT64_MAX - d) / 10) {
			*flags |= JSON_BIG;
			return 0;
		}
		v = v * 10 + d;
	}
	return v;
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR_DIGITS 1

static const uint64_t pow10[9] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
};

/*
 * How many of the 8 bytes at p are leading ASCII digits (0..8), with
 * their value in *v: one branch-free step instead of a loop whose end
 * the processor cannot predict. The first byte is the lowest (little
 * endian), so the digits are shifted to the top, zeros in front.
 */
static inline unsigned
digits8(const char *p, uint64_t *v)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t x, t, other;
	unsigned len;

	memcpy(&x, p, 8);
	t = x - ones * '0';
	/* Bytes that are not 0..9 now; the lowest one is exact. */
	other = ((t + ones * 0x76) | t) & (ones * 0x80);
	len = other ? (unsigned)__builtin_ctzll(other) / 8 : 8;
	if (len == 0) {
		*v = 0;
		return 0;
	}
	t = (t << (8 * (8 - len))) & (ones * 0x0f);
	t = (t * 10 + (t >> 8)) & 0x00ff00ff00ff00ffull;
	t = (t * 100 + (t >> 16)) & 0x0000ffff0000ffffull;
	*v = (t * 10000 + (t >> 32)) & 0xffffffffull;
	return len;
}
#else
#define SWAR_DIGITS 0
#endif

/* The number starting at pos (a '-' or a digit) into *t. */
static ALWAYS_INLINE size_t
scan_number(struct json *j, size_t pos, struct json_tok *t)
{
	const char *p = j->p;
	size_t n = j->n, start;
	uint64_t v = 0;

	if (p[pos] == '-') {
		t->flags |= JSON_NEG;
		if (++pos == n)
			die_eof(j);
	}
	start = pos;
	if (p[pos] == '0') {
		pos++;
		if (is_digit((unsigned char)p[pos]))
			json_die(j, pos - 1, "number with a leading zero");
	} else if (is_digit((unsigned char)p[pos])) {
		/* Unchecked: 19 digits always fit; longer ones are redone. */
#if SWAR_DIGITS
		uint64_t part;
		unsigned len;

		while (n - pos >= 8) {
			len = digits8(p + pos, &part);
			v = v * pow10[len] + part;
			pos += len;
			if (len < 8)
				break;
		}
#endif
		while (is_digit((unsigned char)p[pos]))
			v = v * 10 + (unsigned)(p[pos++] - '0');
		if (pos - start > 19)
			v = big_integer(p, start, pos, &t->flags);
	} else {
		die_expected(j, pos, "a digit after '-'");
	}
	if (p[pos] == '.') {
		t->flags |= JSON_FRAC;
		if (++pos == n)
			die_eof(j);
		if (!is_digit((unsigned char)p[pos]))
			die_expected(j, pos, "a digit after '.'");
		while (is_digit((unsigned char)p[pos]))
			pos++;
	}
	if ((p[pos] | 0x20) == 'e') {
		t->flags |= JSON_EXP;
		if (p[++pos] == '+' || p[pos] == '-')
			pos++;
		if (pos == n)
			die_eof(j);
		if (!is_digit((unsigned char)p[pos]))
			die_expected(j, pos, "a digit in the exponent");
		while (is_digit((unsigned char)p[pos]))
			pos++;
	}
	t->num = v;
	return pos;
}

static size_t
scan_literal(struct json *j, size_t pos, const char *lit, size_t len)
{
	size_t avail = j->n - pos;

	if (avail >= len && memcmp(j->p + pos, lit, len) == 0)
		return pos + len;
	if (avail < len && memcmp(j->p + pos, lit, avail) == 0)
		die_eof(j);
	die_expected(j, pos, "a value");
}

static inline size_t
skip_ws(const struct json *j, size_t pos)
{
	while (cls[(unsigned char)j->p[pos]] & C_WS)
		pos++;
	return pos;
}

/*
 * The member name starting at the '"' at pos into *t, then its ':'; the
 * next token must be the member's value.
 */
static ALWAYS_INLINE void
read_key(struct json *j, size_t pos, struct json_tok *t)
{
	const char *p = j->p;

	j->pos = scan_string(j, pos, &t->flags);
	t->type = JSON_KEY;
	t->len = j->pos - pos;
	pos = skip_ws(j, j->pos);
	if (pos == j->n)
		die_eof(j);
	if (p[pos] != ':')
		die_expected(j, pos, "':' after the member name");
	j->pos = pos + 1;
	j->need = NEED_VALUE;
}

enum json_type
json_next(struct json *j, struct json_tok *t)
{
	const char *p = j->p;
	size_t pos;
	unsigned char c;

	t->flags = 0;
	t->num = 0;
	if (j->need == NEED_EOF && j->one_value) {
		t->type = JSON_END;
		t->off = j->pos;
		t->len = 0;
		return JSON_END;
	}
again:
	pos = skip_ws(j, j->pos);
	t->off = pos;
	if (pos == j->n) {
		if (j->need != NEED_EOF) {
			if (j->need == NEED_VALUE && !j->depth &&
			    !j->one_value)
				json_die(j, pos, "empty input");
			die_eof(j);
		}
		t->type = JSON_END;
		t->len = 0;
		j->pos = pos;
		return JSON_END;
	}
	c = (unsigned char)p[pos];
	switch (j->need) {
	case NEED_EOF:
		json_die(j, pos, "unexpected data after the end of the "
		    "top-level value");
	case NEED_COMMA_OR_CLOSE:
		if (c == ',') {
			j->pos = pos + 1;
			j->need = in_object(j) ? NEED_KEY : NEED_VALUE;
			goto again;
		}
		if (c == (in_object(j) ? '}' : ']'))
			goto close;
		die_expected(j, pos, in_object(j) ? "',' or '}'" :
		    "',' or ']'");
	case NEED_KEY_OR_CLOSE:
		if (c == '}')
			goto close;
		/* FALLTHROUGH */
	case NEED_KEY:
		if (c != '"')
			die_expected(j, pos, "a member name in double quotes");
		read_key(j, pos, t);
		return JSON_KEY;
	case NEED_VALUE_OR_CLOSE:
		if (c == ']')
			goto close;
		/* FALLTHROUGH */
	case NEED_VALUE:
		break;
	}

	switch (c) {
	case '{':
	case '[':
		push(j, pos, c == '{');
		t->type = c == '{' ? JSON_OBJECT : JSON_ARRAY;
		j->pos = pos + 1;
		t->len = 1;
		return t->type;
	case '"':
		j->pos = scan_string(j, pos, &t->flags);
		t->type = JSON_STRING;
		break;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		j->pos = scan_number(j, pos, t);
		t->type = JSON_NUMBER;
		break;
	case 't':
		j->pos = scan_literal(j, pos, "true", 4);
		t->type = JSON_TRUE;
		break;
	case 'f':
		j->pos = scan_literal(j, pos, "false", 5);
		t->type = JSON_FALSE;
		break;
	case 'n':
		j->pos = scan_literal(j, pos, "null", 4);
		t->type = JSON_NULL;
		break;
	default:
		die_expected(j, pos, "a value");
	}
	t->len = j->pos - pos;
	value_done(j);
	return t->type;

close:
	t->type = c == '}' ? JSON_OBJECT_END : JSON_ARRAY_END;
	t->len = 1;
	j->pos = pos + 1;
	pop(j);
	return t->type;
}

/*
 * The same steps json_next takes for a number where a value may come, a
 * comma before it included, without the general dispatch: numbers make
 * up most of the tokens of a large profile.
 */
static ALWAYS_INLINE bool
next_number(struct json *j, struct json_tok *t)
{
	const char *p = j->p;
	size_t pos;
	unsigned char c;

	if (j->need == NEED_COMMA_OR_CLOSE) {
		pos = skip_ws(j, j->pos);
		if (p[pos] != ',' || in_object(j))
			return false;
		pos = skip_ws(j, pos + 1);
	} else if (j->need == NEED_VALUE || j->need == NEED_VALUE_OR_CLOSE) {
		pos = skip_ws(j, j->pos);
	} else {
		return false;
	}
	/* The NUL after the text is neither, so pos < j->n here. */
	c = (unsigned char)p[pos];
	if (c != '-' && !is_digit(c))
		return false;
	t->flags = 0;
	t->num = 0;
	t->off = pos;
	j->pos = scan_number(j, pos, t);
	t->type = JSON_NUMBER;
	t->len = j->pos - pos;
	value_done(j);
	return true;
}

/*
 * The run of numbers that comes next in the open array, as a loop of
 * json_next_number would read them but without a call and a token per
 * number: acc and fs arrays hold most of the numbers of a profile. With
 * out, only plain integers below UINT32_MAX are taken (up to max), and
 * the run stops before any other number, unread; without, every number
 * is skipped. Returns how many were read.
 */
static ALWAYS_INLINE size_t
number_run(struct json *j, uint32_t *out, size_t max)
{
	const char *p = j->p;
	struct json_tok t;
	size_t pos, end, k = 0;

	if (in_object(j))
		return 0;
	while (k < max) {
		if (j->need == NEED_COMMA_OR_CLOSE) {
			pos = skip_ws(j, j->pos);
			if (p[pos] != ',')
				break;
			pos = skip_ws(j, pos + 1);
		} else if (j->need == NEED_VALUE ||
		    j->need == NEED_VALUE_OR_CLOSE) {
			pos = skip_ws(j, j->pos);
		} else {
			break;
		}
		if (p[pos] != '-' && !is_digit((unsigned char)p[pos]))
			break;
		t.flags = 0;
		end = scan_number(j, pos, &t);
		if (out) {
			if (t.flags || t.num >= UINT32_MAX)
				break;
			out[k] = (uint32_t)t.num;
		}
		k++;
		j->pos = end;
		j->need = NEED_COMMA_OR_CLOSE;
	}
	return k;
}

size_t
json_next_u32s(struct json *j, uint32_t *out, size_t max)
{
	return number_run(j, out, max);
}

bool
json_next_number(struct json *j, struct json_tok *t)
{
	return next_number(j, t);
}

/* As json_next_number, for a member name and its ':'. */
static ALWAYS_INLINE bool
next_key(struct json *j, struct json_tok *t)
{
	const char *p = j->p;
	size_t pos;

	if (j->need == NEED_COMMA_OR_CLOSE) {
		pos = skip_ws(j, j->pos);
		if (p[pos] != ',' || !in_object(j))
			return false;
		pos = skip_ws(j, pos + 1);
	} else if (j->need == NEED_KEY || j->need == NEED_KEY_OR_CLOSE) {
		pos = skip_ws(j, j->pos);
	} else {
		return false;
	}
	if (p[pos] != '"')
		return false;
	t->flags = 0;
	t->num = 0;
	t->off = pos;
	read_key(j, pos, t);
	return true;
}

bool
json_next_key(struct json *j, struct json_tok *t)
{
	return next_key(j, t);
}

bool
json_next_member(struct json *j, struct json_tok *k, struct json_tok *v)
{
	if (!next_key(j, k))
		return false;
	if (!next_number(j, v))
		v->type = JSON_END;
	return true;
}

void
json_skip(struct json *j, const struct json_tok *t)
{
	struct json_tok tok;
	unsigned depth = j->depth;

	if (t->type != JSON_OBJECT && t->type != JSON_ARRAY)
		return;
	while (j->depth >= depth)
		if (!number_run(j, NULL, SIZE_MAX))
			json_next(j, &tok);
}

void
json_skip_unchecked(struct json *j, const struct json_tok *t)
{
	const char *p = j->p;
	size_t n = j->n, pos = j->pos, start = j->pos;
	unsigned depth0 = j->depth, depth = j->depth;
	unsigned char c;

	if (t->type != JSON_OBJECT && t->type != JSON_ARRAY)
		return;
	for (;;) {
		while (!(cls[(unsigned char)p[pos]] & C_SKIP))
			pos++;
		c = (unsigned char)p[pos++];
		if (c == '"') {
			for (;;) {
				uint64_t m;

				while (n - pos >= 8 &&
				    !(m = special_mask(p + pos)))
					pos += 8;
				while (!(cls[(unsigned char)p[pos]] & C_STR))
					pos++;
				c = (unsigned char)p[pos];
				if (c == '"')
					break;
				if (c != '\\' || n - pos < 2)
					goto checked;	/* control byte or end */
				pos += 2;
			}
			pos++;
		} else if (c == '[' || c == '{') {
			if (depth == JSON_MAX_DEPTH)
				goto checked;
			if (c == '{')
				j->objects[depth >> 3] |=
				    (unsigned char)(1u << (depth & 7));
			else
				j->objects[depth >> 3] &=
				    (unsigned char)~(1u << (depth & 7));
			depth++;
		} else if (c == ']' || c == '}') {
			if (top_is_object(j, depth) != (c == '}'))
				goto checked;
			if (--depth < depth0)
				break;
		} else {
			goto checked;	/* the end, or a stray NUL byte */
		}
	}
	j->pos = pos;
	j->depth = depth + 1;
	pop(j);
	return;

checked:
	/*
	 * Something is wrong in there: read it again with the real grammar,
	 * which stops at the first error and says exactly where it is.
	 */
	j->pos = start;
	j->depth = depth0;
	j->in_obj = t->type == JSON_OBJECT;
	j->need = t->type == JSON_OBJECT ? NEED_KEY_OR_CLOSE :
	    NEED_VALUE_OR_CLOSE;
	json_skip(j, t);
}

static void
add_utf8(struct buf *out, uint32_t cp)
{
	char u[4];
	size_t len;

	if (cp < 0x80) {
		u[0] = (char)cp;
		len = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		len = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		len = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		len = 4;
	}
	buf_add(out, u, len);
}

static uint32_t
hex4(const char *p)
{
	uint32_t v = 0;
	int k;

	for (k = 0; k < 4; k++) {
		unsigned char c = (unsigned char)p[k];
		v = v << 4 |
		    (uint32_t)(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

/* Only called on strings json_next has checked, so escapes are whole. */
void
json_str_decode(const struct json *j, const struct json_tok *t,
    struct buf *out)
{
	struct slice s = json_str_raw(j, t);
	size_t i = 0, run;
	uint32_t cp, lo;

	while (i < s.n) {
		const char *bs = memchr(s.p + i, '\\', s.n - i);

		run = bs ? (size_t)(bs - s.p) - i : s.n - i;
		buf_add(out, s.p + i, run);
		i += run;
		if (i == s.n)
			break;
		i++;
		switch (s.p[i++]) {
		case 'b': buf_addc(out, '\b'); break;
		case 'f': buf_addc(out, '\f'); break;
		case 'n': buf_addc(out, '\n'); break;
		case 'r': buf_addc(out, '\r'); break;
		case 't': buf_addc(out, '\t'); break;
		case 'u':
			cp = hex4(s.p + i);
			i += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && s.n - i >= 6 &&
			    s.p[i] == '\\' && s.p[i + 1] == 'u' &&
			    (lo = hex4(s.p + i + 2)) >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 6;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = 0xfffd;	/* a lone surrogate */
			}
			add_utf8(out, cp);
			break;
		default:	/* '"', '\\', '/' stand for themselves */
			buf_addc(out, s.p[i - 1]);
			break;
		}
	}
}

struct slice
json_str(const struct json *j, const struct json_tok *t, struct buf *scratch)
{
	if (!(t->flags & JSON_ESCAPED))
		return json_str_raw(j, t);
	buf_reset(scratch);
	json_str_decode(j, t, scratch);
	return slice_make(scratch->p, scratch->len);
}
