/*
 * dtrace: see dtrace.h for the format and the naming rules.
 *
 * Frames arrive leaf first but are printed root first, so the stack is
 * built from the right: each tidied frame is copied in front of the ones
 * before it, and at the count line the key is already one contiguous run
 * of bytes, ready for collapse_add. Every frame line costs one trim, one
 * scan over its bytes for the few characters that matter (`+ - > : ;`,
 * and non-ASCII, which sends the line through the UTF-8 repair) and one
 * copy; only frames that need rewriting go through a scratch buffer.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "driver.h"
#include "dtrace.h"
#include "rust.h"
#include "slice.h"
#include "utf8.h"
#include "xmalloc.h"

struct dtrace_state {
	const struct dtrace_opts *opts;
	bool in_header;		/* skipping up to the first blank line */

	/* The stack so far, right-aligned: bytes rb[rpos, rcap). */
	char *rb;
	size_t rcap, rpos;
	size_t nframes;		/* frame lines since the last count */
	size_t leaf_len;	/* bytes of the first (leaf) frame line */

	struct buf lossy;	/* a line after UTF-8 repair */
	struct buf fixed;	/* a frame after the Rust repair */
	struct buf rust;	/* scratch for rust_fix_legacy */
	struct buf unit;	/* a frame line split into inline frames */
};

#define RB_INIT ((size_t)1 << 14)

static void
dtrace_setup(struct dtrace_state *st, const struct dtrace_opts *opts)
{
	st->opts = opts;
	st->in_header = true;
	st->rcap = st->rpos = RB_INIT;
	st->rb = xmalloc(st->rcap);
	st->nframes = 0;
	st->leaf_len = 0;
	buf_init(&st->lossy);
	buf_init(&st->fixed);
	buf_init(&st->rust);
	buf_init(&st->unit);
}

static void
dtrace_init(void *state, const void *opts)
{
	dtrace_setup(state, opts);
}

static void
dtrace_release(void *state)
{
	struct dtrace_state *st = state;

	free(st->rb);
	st->rb = NULL;
	buf_release(&st->lossy);
	buf_release(&st->fixed);
	buf_release(&st->rust);
	buf_release(&st->unit);
}

/* Make room for need more bytes in front of the stack. */
static void
rb_grow(struct dtrace_state *st, size_t need)
{
	size_t used = st->rcap - st->rpos;
	size_t cap = st_add(st->rcap, st->rcap);
	char *nb;

	if (cap < st_add(used, need))
		cap = st_add(used, need);
	nb = xmalloc(cap);
	memcpy(nb + cap - used, st->rb + st->rpos, used);
	free(st->rb);
	st->rb = nb;
	st->rpos = cap - used;
	st->rcap = cap;
}

/* Put one tidied frame line (maybe several `;`-joined frames) in front. */
static void
push_frame(struct dtrace_state *st, const char *p, size_t n)
{
	size_t need = n + (st->nframes != 0);

	if (UNLIKELY(need > st->rpos))
		rb_grow(st, need);
	if (st->nframes)
		st->rb[--st->rpos] = ';';
	else
		st->leaf_len = n;
	st->rpos -= n;
	memcpy(st->rb + st->rpos, p, n);
	st->nframes++;
}

/* Rust's str::parse::<u64>: an optional `+`, then digits, no overflow. */
static bool
parse_count(struct slice s, uint64_t *count)
{
	if (s.n > 1 && s.p[0] == '+')
		s = slice_from(s, 1);
	return slice_u64(s, count);
}

/* What a line contains, found in one pass. */
struct frame_scan {
	size_t last_plus;	/* index of the last '+', or n */
	size_t first_scope;	/* index of the first "::", or n */
	bool arrow;		/* "->" somewhere */
	bool semicolon;
	bool high;		/* a byte >= 0x80: maybe not UTF-8 */
};

/*
 * The scan looks at 8 bytes at a time: a word that holds none of
 * `+ > : ;` and no non-ASCII byte (the common case) costs a few integer
 * operations. On little-endian GCC/clang builds the position of the last
 * '+' comes straight from the match mask; elsewhere, and for the rare
 * bytes, the word is stepped through byte by byte.
 */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SCAN_FAST_PLUS 1
#else
#define SCAN_FAST_PLUS 0
#endif

/* 0x80 in every byte of w that equals c, 0 elsewhere (exact). */
static inline uint64_t
word_eq(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (ONES * c);

	return ~(((x & ~HIGHS) + ~HIGHS) | x | ~HIGHS);
}

static inline void
scan_byte(const unsigned char *p, size_t i, struct frame_scan *fs, size_t n)
{
	switch (p[i]) {
	case '+':
		fs->last_plus = i;
		break;
	case '>':
		if (i && p[i - 1] == '-')
			fs->arrow = true;
		break;
	case ':':
		if (i && p[i - 1] == ':' && fs->first_scope == n)
			fs->first_scope = i - 1;
		break;
	case ';':
		fs->semicolon = true;
		break;
	default:
		if (p[i] >= 0x80)
			fs->high = true;
		break;
	}
}

/* Scan the 8 bytes at p + i, of which the first skip were seen already. */
static inline void
scan_word(const unsigned char *p, size_t i, size_t skip, struct frame_scan *fs,
    size_t n)
{
	uint64_t w, plus, rare;
	size_t j;

	memcpy(&w, p + i, 8);
	plus = word_eq(w, '+');
	/* b | 5 == '?' holds for exactly ':' ';' '>' '?' ('?' is harmless). */
	rare = (w & HIGHS) | word_eq(w | ONES * 5, '?');
	if (LIKELY(!(plus | rare)))
		return;
	if (SCAN_FAST_PLUS && !rare) {
#if SCAN_FAST_PLUS
		plus &= ~(uint64_t)0 << (8 * skip);
		if (plus)
			fs->last_plus = i + (size_t)(63 - __builtin_clzll(plus)) / 8;
#endif
		return;
	}
	for (j = i + skip; j < i + 8; j++)
		scan_byte(p, j, fs, n);
}

static void
scan_frame(struct slice s, struct frame_scan *fs)
{
	const unsigned char *p = (const unsigned char *)s.p;
	size_t i = 0;

	fs->last_plus = fs->first_scope = s.n;
	fs->arrow = fs->semicolon = fs->high = false;
	if (s.n < 8) {
		for (; i < s.n; i++)
			scan_byte(p, i, fs, s.n);
		return;
	}
	for (; i + 8 <= s.n; i += 8)
		scan_word(p, i, 0, fs, s.n);
	/* The tail as one word overlapping bytes already seen. */
	if (i < s.n)
		scan_word(p, s.n - 8, 8 - (s.n - i), fs, s.n);
}

/* ASCII blanks off both ends; 8 at a time for DTrace's deep indent. */
static struct slice
trim_blanks(struct slice s)
{
	while (s.n >= 8) {
		uint64_t w;

		memcpy(&w, s.p, 8);
		w ^= ONES * ' ';
		if (w) {
#if SCAN_FAST_PLUS
			s = slice_from(s, (size_t)__builtin_ctzll(w) / 8);
#endif
			break;
		}
		s = slice_from(s, 8);
	}
	return slice_trim(s);
}

/*
 * C++ names: after the first "::" (at scope), cut at the last '(' or '<'
 * (what stackcollapse.pl's substitution of "(::.*)[(<].*" by "$1" does).
 */
static struct slice
strip_cpp_args(struct slice f, size_t scope)
{
	size_t i;

	if (scope + 2 > f.n)
		return f;
	for (i = f.n; i > scope + 2; i--)
		if (f.p[i - 1] == '(' || f.p[i - 1] == '<')
			return slice_head(f, i - 1);
	return f;
}

/*
 * The Rust repair of the part after the first backquote, right-trimmed
 * first; with includeoffset the repair stops at the last '+' and the
 * offset is put back. The frame itself is returned when nothing changes.
 */
static struct slice
fix_rust(struct dtrace_state *st, struct slice f)
{
	struct slice module, func, off = { NULL, 0 }, rep;
	bool has_off = false;

	if (!slice_cut(f, '`', &module, &func))
		return f;
	if (st->opts->includeoffset) {
		struct slice head, tail;
		if (slice_rcut(func, '+', &head, &tail)) {
			func = head;
			off = tail;
			has_off = true;
		}
	}
	func = utf8_rtrim(func);
	rep = rust_fix_legacy(func, &st->rust);
	if (rep.p == func.p && rep.n == func.n)
		return f;
	buf_reset(&st->fixed);
	buf_add(&st->fixed, module.p, module.n);
	buf_addc(&st->fixed, '`');
	buf_add(&st->fixed, rep.p, rep.n);
	if (has_off) {
		buf_addc(&st->fixed, '+');
		buf_add(&st->fixed, off.p, off.n);
	}
	return slice_make(st->fixed.p, st->fixed.len);
}

/*
 * Cheap first test for fix_rust: a legacy hash ends the name, so its 'h'
 * is 17 bytes from the end, unless blanks (or, after repair, U+FFFD or
 * Unicode blanks) follow it.
 */
static inline bool
maybe_rust_hash(struct slice f)
{
	unsigned char last;

	/*
	 * Empty when the frame is only "+..." and --includeoffset looks
	 * before its last '+' (found by fuzzing, issue 6): no hash there.
	 */
	if (f.n == 0)
		return false;
	last = (unsigned char)f.p[f.n - 1];
	if (last >= 0x80 || is_ascii_space(last))
		return rust_has_legacy_hash(utf8_rtrim(f));
	return f.n >= 17 && f.p[f.n - 17] == 'h';
}

/*
 * Append one frame to unit: without its leading L's when it is part of a
 * chain (Java class names), ';' -> ':' when asked, then `_[i]` when it
 * was inlined into the frame before it.
 */
static void
add_part(struct buf *unit, struct slice part, bool chain, bool semicolon,
    bool inlined)
{
	size_t i;

	if (chain)
		while (part.n && part.p[0] == 'L')
			part = slice_from(part, 1);
	if (semicolon) {
		buf_grow(unit, part.n);
		for (i = 0; i < part.n; i++)
			unit->p[unit->len + i] = part.p[i] == ';' ? ':' : part.p[i];
		buf_setlen(unit, unit->len + part.n);
	} else {
		buf_add(unit, part.p, part.n);
	}
	if (inlined)
		buf_add(unit, "_[i]", 4);
}

static void
on_frame(struct dtrace_state *st, struct slice line,
    const struct frame_scan *fs)
{
	bool withoff = st->opts->includeoffset;
	struct slice f = line, rest;
	bool chain, semicolon, inlined = false, has_arrow, has_semicolon;
	ptrdiff_t at;

	/* With offsets inferno handles every frame as a chain and as C++. */
	chain = withoff || fs->arrow;
	semicolon = withoff || fs->semicolon;
	if (!withoff)
		f = slice_head(f, fs->last_plus);
	f = strip_cpp_args(f, fs->first_scope);
	if (f.n == 0) {
		f = SLICE_LIT("-");
	} else if (!withoff ? maybe_rust_hash(f) : f.n < line.n ||
	    maybe_rust_hash(f) || maybe_rust_hash(slice_head(f, fs->last_plus))) {
		/*
		 * With offsets the hash may also sit before the last '+';
		 * when the C++ rule shortened the frame, that '+' is unknown.
		 */
		f = fix_rust(st, f);
	}

	/*
	 * f is line or a prefix of it unless the Rust repair rewrote it, so
	 * the scan of the line says when there is no "->" or ';' to look for.
	 */
	has_arrow = fs->arrow || f.p < line.p || f.p >= line.p + line.n;
	has_semicolon = fs->semicolon || f.p < line.p || f.p >= line.p + line.n;
	if ((!chain || ((!f.n || f.p[0] != 'L') && (!has_arrow ||
	    slice_find(f, SLICE_LIT("->")) < 0))) &&
	    (!semicolon || !has_semicolon || slice_chr(f, ';') < 0)) {
		push_frame(st, f.p, f.n);	/* nothing to rewrite */
		return;
	}
	buf_reset(&st->unit);
	rest = f;
	while (chain && (at = slice_find(rest, SLICE_LIT("->"))) >= 0) {
		add_part(&st->unit, slice_head(rest, (size_t)at), true,
		    semicolon, inlined);
		buf_addc(&st->unit, ';');
		rest = slice_from(rest, (size_t)at + 2);
		inlined = true;
	}
	add_part(&st->unit, rest, chain, semicolon, inlined);
	push_frame(st, st->unit.p, st->unit.len);
}

static void
on_count(struct dtrace_state *st, struct collapse_ctx *cx, uint64_t count)
{
	const char *key = st->rb + st->rpos;
	size_t n = st->rcap - st->rpos;

	if (st->opts->includeoffset && st->nframes) {
		/*
		 * The leaf is the last inline part of the first frame line:
		 * the bytes after the last ';' of that line's frames.
		 */
		struct slice leaf = slice_make(key + n - st->leaf_len,
		    st->leaf_len);
		ptrdiff_t semi = slice_rchr(leaf, ';');
		ptrdiff_t plus = slice_rchr(leaf, '+');

		if (plus > semi)
			n -= st->leaf_len - (size_t)plus;
	}
	collapse_add(cx, key, n, count);
	st->rpos = st->rcap;
	st->nframes = 0;
	st->leaf_len = 0;
}

static void
dtrace_line(void *state, struct collapse_ctx *cx, struct slice line)
{
	struct dtrace_state *st = state;
	struct frame_scan fs;
	uint64_t count;

	line = trim_blanks(line);
	scan_frame(line, &fs);
	if (UNLIKELY(fs.high)) {
		/* As inferno reads it: invalid UTF-8 repaired, Unicode trim. */
		line = utf8_trim(utf8_lossy(line, &st->lossy));
		scan_frame(line, &fs);
	}
	if (UNLIKELY(st->in_header)) {
		if (line.n == 0)
			st->in_header = false;
		return;
	}
	if (line.n == 0)
		return;
	if ((is_digit((unsigned char)line.p[0]) || line.p[0] == '+') &&
	    parse_count(line, &count))
		on_count(st, cx, count);
	else
		on_frame(st, line, &fs);
}

static void
dtrace_end(void *state, struct collapse_ctx *cx)
{
	struct dtrace_state *st = state;

	if (st->in_header)
		collapse_warn(cx, "File ended while skipping headers");
	else if (st->nframes)
		collapse_fail(cx, "input data ends in the middle of a stack "
		    "(frames without a count line)");
	/* The next file operand starts with its own header. */
	st->in_header = true;
	st->rpos = st->rcap;
	st->nframes = 0;
}

static bool
dtrace_settled(const void *state)
{
	const struct dtrace_state *st = state;

	return !st->in_header && st->nframes == 0;
}

static void
dtrace_clone(void *dst, const void *src)
{
	const struct dtrace_state *from = src;
	struct dtrace_state *st = dst;

	dtrace_setup(st, from->opts);
	st->in_header = false;
}

/*
 * Whether p[0, n) (one line, no '\n') is surely a count line: ASCII
 * blanks, 1 to 19 digits (so it cannot overflow), ASCII blanks. Lines
 * that are counts only by a rarer rule (a '+', Unicode blanks, 20 digits)
 * are simply not used as cut points.
 */
static bool
is_plain_count(const char *p, size_t n)
{
	size_t i = 0, d;

	while (i < n && is_ascii_space((unsigned char)p[i]))
		i++;
	d = i;
	while (i < n && is_digit((unsigned char)p[i]))
		i++;
	if (i == d || i - d > 19)
		return false;
	while (i < n && is_ascii_space((unsigned char)p[i]))
		i++;
	return i == n;
}

static size_t
dtrace_boundary(const char *p, size_t n)
{
	size_t end = n, start;

	/* Drop the unfinished last line, then walk back line by line. */
	while (end > 0 && p[end - 1] != '\n')
		end--;
	while (end > 0) {
		/* The line [start, end - 1) ends with the '\n' at end - 1. */
		for (start = end - 1; start > 0 && p[start - 1] != '\n'; start--)
			;
		if (is_plain_count(p + start, end - 1 - start))
			return end;
		end = start;
	}
	return 0;
}

const struct collapser dtrace_collapser = {
	.state_size = sizeof(struct dtrace_state),
	.init = dtrace_init,
	.line = dtrace_line,
	.end = dtrace_end,
	.release = dtrace_release,
	.settled = dtrace_settled,
	.clone = dtrace_clone,
	.boundary = dtrace_boundary,
};
