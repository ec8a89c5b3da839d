/*
 * json: a pull parser over a JSON document held in memory (RFC 8259).
 *
 * The document is not copied and no tree is built: json_next() hands out
 * one token at a time, and a token is an offset and a length into the
 * caller's bytes. Memory use is the struct json itself, whatever the
 * input size, so a file of hundreds of megabytes costs its own size and
 * nothing more. Nesting is tracked in a fixed bit stack (no recursion);
 * deeper than JSON_MAX_DEPTH is an error.
 *
 * Every byte json_next() passes over is checked against the grammar.
 * The first error is fatal: die() with "FILE:LINE:COL: message" (exit 1),
 * where LINE and COL are 1-based and COL counts bytes. Input that ends
 * inside a value always gives the message "unexpected end of input", so
 * a truncated file is told apart from a malformed one.
 *
 * Numbers are never converted to floating point, so nothing is rounded.
 * The tokenizer computes the exact value of the integer part when it fits
 * in 64 bits and flags everything else (sign, fraction, exponent, too
 * big). Callers that want integers use json_u64(); when it says no, they
 * report the number by its text as written (json_text), "7.5" or
 * "18446744073709551616", never by a converted value.
 *
 * Strings are checked (escapes, no raw control characters) but not
 * decoded; json_str() decodes one only when asked, into a caller's buffer,
 * and only if it holds escapes. \u escapes become UTF-8, surrogate pairs
 * are joined, and a lone surrogate becomes U+FFFD. Other bytes, valid
 * UTF-8 or not, are passed through untouched.
 *
 * A UTF-8 byte order mark before the document is skipped.
 */
#ifndef JSON_H
#define JSON_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "compat.h"
#include "slice.h"

#define JSON_MAX_DEPTH 512

enum json_type {
	JSON_END = 0,		/* the document (or the value) is done */
	JSON_OBJECT,		/* '{' */
	JSON_OBJECT_END,	/* '}' */
	JSON_ARRAY,		/* '[' */
	JSON_ARRAY_END,		/* ']' */
	JSON_KEY,		/* a member name; its ':' is consumed already */
	JSON_STRING,
	JSON_NUMBER,
	JSON_TRUE,
	JSON_FALSE,
	JSON_NULL,
};

/* Token flags. */
#define JSON_ESCAPED	0x01u	/* string or key holds at least one '\' */
#define JSON_NEG	0x02u	/* number starts with '-' */
#define JSON_FRAC	0x04u	/* number has a '.' part */
#define JSON_EXP	0x08u	/* number has an exponent */
#define JSON_BIG	0x10u	/* integer part exceeds 2^64 - 1 */

struct json_tok {
	enum json_type type;
	unsigned flags;
	size_t off;	/* offset of the first byte (a string's opening '"') */
	size_t len;	/* bytes of the token text, quotes included */
	uint64_t num;	/* numbers: the integer part, exact unless JSON_BIG */
};

struct json {
	const char *p;		/* the document; not owned */
	size_t n;
	size_t pos;		/* next byte to look at */
	const char *name;	/* file name for messages */
	unsigned depth;		/* open containers */
	int in_obj;		/* the innermost one is an object */
	int need;		/* what the grammar allows next (json.c) */
	int one_value;		/* json_init_at: stop after one value */
	/* Line of line_off, so that json_where() moves forward cheaply. */
	size_t line_off;
	uint64_t line_no;
	size_t line_start;
	unsigned char objects[JSON_MAX_DEPTH / 8];	/* bit set: an object */
};

/*
 * Parse the whole document p[0..n); name is used in messages. p[n] must
 * be a readable NUL byte, as a struct buf always has: the scanners stop
 * on it instead of checking the length at every byte.
 */
void json_init(struct json *j, const char *p, size_t n, const char *name);

/*
 * Parse the single value that starts at p[off] (for a second look at a
 * part of a document parsed before); after it json_next() returns
 * JSON_END without looking at what follows. Positions in messages and
 * tokens stay relative to p; the bytes before off are never read (while
 * a message is not made: its line number counts the newlines before).
 */
void json_init_at(struct json *j, const char *p, size_t n, const char *name,
    size_t off);

/*
 * The next token, also stored in *t. Objects come as JSON_OBJECT, then
 * JSON_KEY and a value per member, then JSON_OBJECT_END; arrays as
 * JSON_ARRAY, the values, JSON_ARRAY_END. Dies on a grammar error.
 */
enum json_type json_next(struct json *j, struct json_tok *t);

/*
 * When the next token is a number (after a ',' inside an array, or where
 * a value starts), read it into *t as json_next would and return true;
 * otherwise return false having consumed nothing (call json_next then).
 * A faster json_next for arrays of numbers; dies on the same errors.
 */
bool json_next_number(struct json *j, struct json_tok *t);

/*
 * Inside an array: read the numbers that come next while they are plain
 * integers below UINT32_MAX, up to max of them, into out; returns how
 * many. Stops before anything else, having consumed nothing of it (call
 * json_next_number or json_next then). Dies on the same errors.
 */
size_t json_next_u32s(struct json *j, uint32_t *out, size_t max);

/* The same for a member name: JSON_KEY in *t, its ':' consumed too. */
bool json_next_key(struct json *j, struct json_tok *t);

/*
 * json_next_key, then json_next_number for the member's value: *v is
 * JSON_END when that was not a number and is still to be read.
 */
bool json_next_member(struct json *j, struct json_tok *k, struct json_tok *v);

/* Consume the rest of the value t starts (nothing to do for a scalar). */
void json_skip(struct json *j, const struct json_tok *t);

/*
 * Jump over the container t opened by matching brackets only, without
 * checking what lies between (several times faster than json_skip). The
 * caller must check those bytes later, with json_init_at(t->off) and
 * json_skip or json_next, before it trusts the document; an input that
 * ends before the closing bracket is reported here.
 */
void json_skip_unchecked(struct json *j, const struct json_tok *t);

/* True, with *v set, when t is an integer in 0..2^64-1 written plainly. */
static inline bool
json_u64(const struct json_tok *t, uint64_t *v)
{
	if (t->type != JSON_NUMBER ||
	    (t->flags & (JSON_NEG | JSON_FRAC | JSON_EXP | JSON_BIG)))
		return false;
	*v = t->num;
	return true;
}

/* The token's text as it is in the input (a string with its quotes). */
static inline struct slice
json_text(const struct json *j, const struct json_tok *t)
{
	return slice_make(j->p + t->off, t->len);
}

/* A string's or key's bytes between the quotes, escapes not decoded. */
static inline struct slice
json_str_raw(const struct json *j, const struct json_tok *t)
{
	return slice_make(j->p + t->off + 1, t->len - 2);
}

/*
 * The decoded value of a string or key. Without escapes this is the raw
 * slice (no copy); otherwise scratch is reset, filled and returned.
 */
struct slice json_str(const struct json *j, const struct json_tok *t,
    struct buf *scratch);

/* Append the decoded value of the string or key t to out. */
void json_str_decode(const struct json *j, const struct json_tok *t,
    struct buf *out);

/*
 * Line and column (1-based, bytes) of offset off. Cheap when offsets
 * only grow from call to call; a smaller offset counts from the start.
 */
void json_where(struct json *j, size_t off, uint64_t *line, uint64_t *col);

/*
 * Continue at offset pos, as if json_next() had passed over the bytes up
 * to it and ended in the state it is in now. The caller vouches for those
 * bytes: another parser checked them (a part of an array parsed on a
 * second thread: from just after one element to just before the ']',
 * the bytes are ", value, value ... ," followed by a value and spaces).
 */
void json_seek(struct json *j, size_t pos);

/*
 * Per thread: when set, json_die() does not die but longjmp()s here with
 * the value 1, printing nothing. For a parse of a guessed part of a
 * document whose errors, if any, another parse will report.
 */
extern _Thread_local jmp_buf *json_trap;

/* "a string", "an array", ... for messages. */
const char *json_type_name(enum json_type type);

/* die() with "NAME:LINE:COL: " and the message, at offset off. */
noreturn void json_die(struct json *j, size_t off, const char *fmt, ...)
    ATTR_PRINTF(3, 4);

#endif
