/*
 * rust: see rust.h for the rules. The check for the hash is a fixed-size
 * look at the last 17 bytes, so symbols that are not Rust cost almost
 * nothing; decoding copies runs of plain bytes at a time.
 */
#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "compat.h"
#include "rust.h"
#include "slice.h"

#define HASH_LEN 17	/* 'h' and 16 hex digits */

struct rust_escape {
	const char *code;	/* the escape, both dollars included */
	size_t n;
	char c;			/* what it stands for */
};

#define ESC(s, c) { s, sizeof(s) - 1, c }
static const struct rust_escape rust_escapes[] = {
	ESC("$SP$", '@'), ESC("$BP$", '*'), ESC("$RF$", '&'),
	ESC("$LT$", '<'), ESC("$GT$", '>'), ESC("$LP$", '('),
	ESC("$RP$", ')'), ESC("$C$", ','), ESC("$u7e$", '~'),
	ESC("$u20$", ' '), ESC("$u27$", '\''), ESC("$u3d$", '='),
	ESC("$u5b$", '['), ESC("$u5d$", ']'), ESC("$u7b$", '{'),
	ESC("$u7d$", '}'), ESC("$u3b$", ';'), ESC("$u2b$", '+'),
	ESC("$u21$", '!'), ESC("$u22$", '"'),
};
#undef ESC

bool
rust_has_legacy_hash(struct slice sym)
{
	const char *h;
	size_t i;

	if (sym.n < HASH_LEN)
		return false;
	h = sym.p + sym.n - HASH_LEN;
	if (h[0] != 'h')
		return false;
	for (i = 1; i < HASH_LEN; i++)
		if (!is_hex((unsigned char)h[i]))
			return false;
	return true;
}

/* The escape that s starts with (s.p[0] == '$'), or NULL. */
static const struct rust_escape *
rust_escape_at(struct slice s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rust_escapes); i++) {
		const struct rust_escape *e = &rust_escapes[i];
		if (s.n >= e->n && memcmp(s.p, e->code, e->n) == 0)
			return e;
	}
	return NULL;
}

static void
rust_decode(struct slice s, struct buf *out)
{
	while (s.n) {
		const struct rust_escape *e;
		size_t run = 0;

		while (run < s.n && s.p[run] != '.' && s.p[run] != '$')
			run++;
		buf_add(out, s.p, run);
		s = slice_from(s, run);
		if (!s.n)
			break;
		if (s.p[0] == '.') {
			if (s.n >= 2 && s.p[1] == '.') {
				buf_add(out, "::", 2);
				s = slice_from(s, 2);
			} else {
				buf_addc(out, '.');
				s = slice_from(s, 1);
			}
			continue;
		}
		e = rust_escape_at(s);
		if (!e) {
			/* Not ours to decode: keep the rest as written. */
			buf_add(out, s.p, s.n);
			break;
		}
		buf_addc(out, e->c);
		s = slice_from(s, e->n);
	}
}

struct slice
rust_fix_legacy(struct slice sym, struct buf *scratch)
{
	struct slice body;

	if (!rust_has_legacy_hash(sym))
		return sym;
	body = slice_head(sym, sym.n - HASH_LEN);
	if (slice_ends(body, "::"))
		body.n -= 2;
	if (slice_starts(body, "_$"))
		body = slice_from(body, 1);
	buf_reset(scratch);
	rust_decode(body, scratch);
	return slice_make(scratch->p, scratch->len);
}
