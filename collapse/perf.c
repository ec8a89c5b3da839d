/*
 * perf: parser for `perf script` output (see perf.h and the perf spec).
 *
 * Speed: a frame line is scanned a word (8 bytes) at a time for the few
 * bytes that matter, a line seen before is looked up in a small memo
 * instead of being parsed again, and each frame name is written once:
 * frames arrive leaf first, so the stack is built from the back of one
 * buffer toward its front, and at the end of the sample stk[pos, cap) is
 * already the folded key `root;caller;...;leaf`, hashed once. Nothing is
 * allocated per line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compat.h"
#include "driver.h"
#include "perf.h"
#include "rust.h"
#include "slice.h"
#include "utf8.h"
#include "xmalloc.h"

enum perf_mode {
	PERF_KEEP,		/* collect the frames of this sample */
	PERF_SKIP,		/* another event: ignore the sample */
	PERF_SKIP_REST,		/* --skip-after matched: ignore the callers */
};

struct perf {
	const struct perf_opts *opts;
	struct buf filter;	/* the event kept, when has_filter */
	bool has_filter;

	/* The open sample. */
	bool in_event;
	enum perf_mode mode;
	bool java;		/* root starts with "java": tidy JVM names */
	uint64_t count;
	struct buf root;
	struct buf root_key;	/* the header bytes root was made from */
	char *stk;		/* frames in stk[pos, cap), root side first */
	size_t pos;
	size_t cap;
	size_t nframes;

	struct buf event;	/* tracepoint name being assembled */
	struct buf rust;	/* repaired Rust symbol */
	struct buf name;	/* a frame name that is not a slice of the line */
	struct perf_memo *memo;	/* recent frame lines, allocated on first use */
};

/*
 * Memo of frame lines. Profiles repeat the same frame lines (the same
 * return addresses) over and over, and what a line turns into depends
 * only on its text and on whether the process is a JVM. So the tidied
 * frames of a line are kept in a direct-mapped table keyed by the line
 * (lines up to PERF_MEMO_LINE bytes); a repeated line costs a hash of a
 * few words, one memcmp and one memcpy. A slot is simply overwritten by
 * a newer line that maps to it.
 */
#define PERF_MEMO_SLOTS 8192
#define PERF_MEMO_LINE 104
#define PERF_MEMO_OUT 128

struct perf_memo_slot {
	uint64_t hash;			/* 0: empty */
	uint8_t line_n;
	uint8_t out_n;
	uint8_t nframes;		/* frames in out (0: line skipped) */
	uint8_t cut;			/* --skip-after matched */
	uint8_t java;			/* made for a JVM process */
	char line[PERF_MEMO_LINE];
	char out[PERF_MEMO_OUT];	/* frames, ';'-joined, no ';' after */
};

struct perf_memo {
	struct perf_memo_slot slot[PERF_MEMO_SLOTS];
};

/* A frame line split into its fields; module.p == NULL: no module. */
struct perf_frame {
	struct slice addr;
	struct slice sym;
	struct slice module;
};

#define PERF_STK_INIT ((size_t)4096)

/*
 * Keeps header parsing and warnings out of the per-line path, whose
 * stack frame and register spills they would otherwise inflate.
 */
#if defined(__GNUC__) || defined(__clang__)
#define PERF_NOINLINE __attribute__((noinline))
#else
#define PERF_NOINLINE
#endif

static void
perf_init_common(struct perf *p, const struct perf_opts *opts)
{
	p->opts = opts;
	buf_init(&p->filter);
	buf_init(&p->root);
	buf_init(&p->root_key);
	buf_init(&p->event);
	buf_init(&p->rust);
	buf_init(&p->name);
	p->cap = PERF_STK_INIT;
	p->stk = xmalloc(p->cap);
	p->pos = p->cap;
	p->mode = PERF_KEEP;
	p->count = 1;
}

static void
perf_init(void *state, const void *opts)
{
	struct perf *p = state;
	const struct perf_opts *o = opts;

	perf_init_common(p, o);
	if (o->event_filter) {
		buf_adds(&p->filter, o->event_filter);
		p->has_filter = true;
	}
}

static void
perf_clone(void *dst, const void *src)
{
	struct perf *d = dst;
	const struct perf *s = src;

	perf_init_common(d, s->opts);
	buf_add(&d->filter, s->filter.p, s->filter.len);
	d->has_filter = s->has_filter;
}

static void
perf_release(void *state)
{
	struct perf *p = state;

	buf_release(&p->filter);
	buf_release(&p->root);
	buf_release(&p->root_key);
	buf_release(&p->event);
	buf_release(&p->rust);
	buf_release(&p->name);
	free(p->stk);
	free(p->memo);
}

static bool
perf_settled(const void *state)
{
	const struct perf *p = state;

	return p->has_filter && !p->in_event;
}

/*
 * Word-at-a-time byte tests (SWAR). Frame lines are scanned 8 bytes per
 * step, and the place where a scan stops is computed from a mask rather
 * than found by a byte loop: loops that end after a varying number of
 * bytes cost a branch miss each, and a frame line has several of them.
 * Words are read as little-endian numbers on every host, so byte k of
 * the text is bits 8k..8k+7 and the first match is the lowest set bit.
 */
#define ONES ((uint64_t)0x0101010101010101ull)
#define LOWS ((uint64_t)0x7f7f7f7f7f7f7f7full)
#define HIGHS ((uint64_t)0x8080808080808080ull)

static inline uint64_t
load64(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint64_t)u[0] | (uint64_t)u[1] << 8 |
	    (uint64_t)u[2] << 16 | (uint64_t)u[3] << 24 |
	    (uint64_t)u[4] << 32 | (uint64_t)u[5] << 40 |
	    (uint64_t)u[6] << 48 | (uint64_t)u[7] << 56;
}

/* The high bit of exactly the bytes of w that equal c. */
static inline uint64_t
eq_mask(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (ONES * c);

	return ~(((x & LOWS) + LOWS) | x) & HIGHS;
}

/* Non-zero iff some byte of w is c (cheaper; positions not exact). */
static inline uint64_t
has_byte(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (ONES * c);

	return (x - ONES) & ~x & HIGHS;
}

/* The high bit of the bytes of w that are ASCII hex digits. */
static inline uint64_t
hex_mask(uint64_t w)
{
	uint64_t x = w & LOWS, l = x | (ONES * 0x20);
	uint64_t digit = (x + ONES * (0x80 - '0')) & ~(x + ONES * (0x7f - '9'));
	uint64_t alpha = (l + ONES * (0x80 - 'a')) & ~(l + ONES * (0x7f - 'f'));

	return (digit | alpha) & ~w & HIGHS;
}

/* Index of the first / last byte flagged in a non-zero mask. */
static inline unsigned
first_byte(uint64_t m)
{
#if defined(__GNUC__) || defined(__clang__)
	return (unsigned)__builtin_ctzll(m) / 8;
#else
	unsigned k = 0;
	while (!(m & 0x80)) {
		m >>= 8;
		k++;
	}
	return k;
#endif
}

static inline unsigned
last_byte(uint64_t m)
{
#if defined(__GNUC__) || defined(__clang__)
	return (63 - (unsigned)__builtin_clzll(m)) / 8;
#else
	unsigned k = 7;
	while (!(m & ((uint64_t)0x80 << 56))) {
		m <<= 8;
		k--;
	}
	return k;
#endif
}

/* The high bits of bytes 0..k-1 (k <= 8). */
static inline uint64_t
first_bytes(unsigned k)
{
	return k >= 8 ? HIGHS : (((uint64_t)1 << (8 * k)) - 1) & HIGHS;
}

/*
 * Trimming as inferno does (Unicode White_Space), with the ASCII blanks
 * perf indents and pads with handled inline: the Unicode trim runs only
 * when a non-ASCII byte is next.
 */
static inline struct slice
perf_ltrim(struct slice s)
{
	size_t i = 0;

	/* perf indents frames with a tab and a run of spaces. */
	while (i < s.n && s.p[i] == '\t')
		i++;
	while (i + 8 <= s.n) {
		uint64_t m = ~eq_mask(load64(s.p + i), ' ') & HIGHS;
		if (m) {
			i += first_byte(m);
			break;
		}
		i += 8;
	}
	while (i < s.n && is_ascii_space((unsigned char)s.p[i]))
		i++;
	s = slice_from(s, i);
	if (UNLIKELY(s.n && (unsigned char)s.p[0] >= 0x80))
		s = utf8_ltrim(s);
	return s;
}

static inline struct slice
perf_rtrim(struct slice s)
{
	while (s.n && is_ascii_space((unsigned char)s.p[s.n - 1]))
		s.n--;
	if (UNLIKELY(s.n && (unsigned char)s.p[s.n - 1] >= 0x80))
		s = utf8_rtrim(s);
	return s;
}

static inline struct slice
perf_trim(struct slice s)
{
	return perf_rtrim(perf_ltrim(s));
}

/* As the parser sees it: nothing left after trimming (Unicode blanks). */
static bool
is_blank_line(const char *p, size_t n)
{
	return perf_rtrim(slice_make(p, n)).n == 0;
}

/*
 * Chunks end after a whitespace-only line: it ends any sample, so the
 * state after it is the settled one whatever came before.
 */
static size_t
perf_boundary(const char *p, size_t n)
{
	size_t end = n;

	/* p[0, end) ends just after a '\n', or at n on the first round. */
	while (end) {
		size_t e = end, s;

		while (e && p[e - 1] != '\n')
			e--;
		if (!e)
			return 0;
		e--;			/* the '\n' ending the line */
		s = e;
		while (s && p[s - 1] != '\n')
			s--;
		if (is_blank_line(p + s, e - s))
			return e + 1;
		end = s;
	}
	return 0;
}

/* Make room for at least n more bytes in front of the stack. */
PERF_NOINLINE static void
perf_grow(struct perf *p, size_t n)
{
	size_t used = p->cap - p->pos;
	size_t cap = st_add(st_mult(p->cap, 2), n);
	char *stk = xmalloc(cap);

	memcpy(stk + cap - used, p->stk + p->pos, used);
	free(p->stk);
	p->stk = stk;
	p->pos = cap - used;
	p->cap = cap;
}

/* Room for n more bytes in front of the stack; returns where they go. */
static inline char *
perf_reserve(struct perf *p, size_t n)
{
	if (UNLIKELY(p->pos < n))
		perf_grow(p, n);
	p->pos -= n;
	return p->stk + p->pos;
}

static void
perf_reset_sample(struct perf *p)
{
	p->in_event = false;
	p->mode = PERF_KEEP;
	p->pos = p->cap;
	p->nframes = 0;
	p->count = 1;
}

static void
perf_end_sample(struct perf *p, struct collapse_ctx *cx)
{
	if (p->nframes) {
		if (p->mode != PERF_SKIP_REST) {
			char *d = perf_reserve(p, p->root.len + 1);
			memcpy(d, p->root.p, p->root.len);
			d[p->root.len] = ';';
		}
		collapse_add(cx, p->stk + p->pos, p->cap - p->pos, p->count);
	}
	perf_reset_sample(p);
}

/*
 * Index of the '(' that matches the ')' at p[n - 1] (n > 0), scanning
 * backward over nested pairs, or -1 if there is none.
 */
static ptrdiff_t
matching_open(const char *p, size_t n)
{
	size_t i = n - 1;
	int depth = 1;

	for (;;) {
		while (i >= 8) {
			uint64_t w = load64(p + i - 8);
			uint64_t open = eq_mask(w, '('), close = eq_mask(w, ')');

			if (!(open | close)) {
				i -= 8;
				continue;
			}
			if (!close && depth == 1)
				return (ptrdiff_t)(i - 8 + last_byte(open));
			break;
		}
		if (!i)
			return -1;
		/* A word with nesting: its bytes one by one. */
		for (size_t k = 0; k < 8 && i; k++) {
			char c = p[--i];
			if (c == ')')
				depth++;
			else if (c == '(' && --depth == 0)
				return (ptrdiff_t)i;
		}
	}
}

static bool
parens_balance(struct slice s)
{
	long depth = 0;
	size_t i;

	for (i = 0; i < s.n; i++) {
		if (s.p[i] == '(')
			depth++;
		else if (s.p[i] == ')' && --depth < 0)
			return false;
	}
	return depth == 0;
}

/*
 * Length of the hex address that starts s, if a space or the end of s
 * follows it; else 0.
 */
static size_t
addr_len(struct slice s)
{
	size_t i = 0;

	while (i + 8 <= s.n) {
		uint64_t w = load64(s.p + i), sp = eq_mask(w, ' ');
		uint64_t hex = hex_mask(w);

		if (sp) {
			unsigned k = first_byte(sp);
			uint64_t need = first_bytes(k);
			return (hex & need) == need ? i + k : 0;
		}
		if (hex != HIGHS)
			return 0;
		i += 8;
	}
	while (i < s.n && is_hex((unsigned char)s.p[i]))
		i++;
	return i < s.n && s.p[i] != ' ' ? 0 : i;
}

/*
 * Split a frame line (trimmed both sides) into address, symbol and
 * module. The module is the text inside the outermost parentheses that
 * end the line, if they follow a blank, so `(/opt/My Game/x)` and
 * `(/memfd:x (deleted))` stay whole. The address must be hex: that is
 * what tells frames from -F +srcline lines and from junk.
 */
static bool
perf_split_frame(struct slice s, struct perf_frame *f)
{
	struct slice rest;
	size_t i = addr_len(s);

	if (!i)
		return false;
	f->addr = slice_head(s, i);
	rest = i < s.n ? slice_from(s, i + 1) : slice_make(s.p + s.n, 0);
	f->module = slice_make(NULL, 0);
	if (rest.n && rest.p[rest.n - 1] == ')') {
		ptrdiff_t open = matching_open(rest.p, rest.n);

		if (open == 0 || (open > 0 && rest.p[open - 1] == ' ')) {
			f->module = slice_make(rest.p + open + 1,
			    rest.n - (size_t)open - 2);
			rest.n = (size_t)open;
		}
	}
	/*
	 * No module (-F ip,sym): still a frame, unless its parentheses do
	 * not pair up, which is what a line cut short looks like.
	 */
	if (UNLIKELY(!f->module.p) && !parens_balance(rest))
		return false;
	f->sym = perf_trim(rest);
	return true;
}

/* -F +srcline lines: `file.c:12`, `file.c:12 (inlined)`, `lib.so[1f2]`. */
static bool
is_srcline(struct slice s)
{
	size_t n;

	if (slice_ends(s, " (inlined)"))
		s.n -= sizeof(" (inlined)") - 1;
	n = s.n;
	if (n >= 3 && s.p[n - 1] == ']') {
		n--;
		while (n && is_hex((unsigned char)s.p[n - 1]))
			n--;
		return n >= 2 && n < s.n - 1 && s.p[n - 1] == '[';
	}
	while (n && is_digit((unsigned char)s.p[n - 1]))
		n--;
	return n >= 2 && n < s.n && s.p[n - 1] == ':';
}

static bool
is_vmlinux(struct slice m)
{
	ptrdiff_t at = slice_rfind(m, SLICE_LIT("vmlinux"));
	size_t i;

	if (at < 0)
		return false;
	for (i = (size_t)at; i < m.n; i++) {
		unsigned char c = (unsigned char)m.p[i];
		if (!(is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
		    c == '-' || c == '.' || c == '_'))
			return false;
	}
	return true;
}

static bool
is_kernel(struct slice m)
{
	if (slice_eq_lit(m, "[unknown]"))
		return false;
	return (m.n && m.p[0] == '[') || slice_ends(m, ".ko") ||
	    is_vmlinux(m);
}

static bool
is_jit(struct slice m)
{
	return (slice_starts(m, "/tmp/perf-") && slice_ends(m, ".map")) ||
	    (slice_find(m, SLICE_LIT("/jitted-")) >= 0 && slice_ends(m, ".so"));
}

static bool
contains(struct slice s, struct slice needle)
{
	return slice_find(s, needle) >= 0;
}

/* What a symbol contains, from one word-at-a-time pass (sym_scan). */
enum {
	SYM_DASH = 1,		/* '-': maybe an inline chain `a->b` */
	SYM_PAREN = 2,		/* '(': maybe an argument list */
	SYM_SEMI = 4,		/* ';': becomes ':' */
};

static unsigned
sym_scan(struct slice s)
{
	uint64_t dash = 0, paren = 0, semi = 0, w;
	size_t i;

#define SYM_WORD(w) do { \
		dash |= has_byte((w), '-'); \
		paren |= has_byte((w), '('); \
		semi |= has_byte((w), ';'); \
	} while (0)
	if (s.n >= 8) {
		/* The last word may overlap the others: flags only OR up. */
		for (i = 0; i + 8 < s.n; i += 8)
			SYM_WORD(load64(s.p + i));
		SYM_WORD(load64(s.p + s.n - 8));
	} else {
		w = 0;		/* NUL padding matches none of the three */
		for (i = 0; i < s.n; i++)
			w |= (uint64_t)(unsigned char)s.p[i] << (8 * i);
		SYM_WORD(w);
	}
#undef SYM_WORD
	return (dash ? SYM_DASH : 0) | (paren ? SYM_PAREN : 0) |
	    (semi ? SYM_SEMI : 0);
}

/*
 * Where the argument list starts: the first '(' outside <>, {}, [] and
 * () pairs that neither follows a '.' (Go's `pkg.(*T).M`) nor opens
 * `(anonymous namespace)`; s.n when there is none.
 */
static size_t
args_start(struct slice s)
{
	int depth = 0;
	size_t i;

	for (i = 0; i < s.n; i++) {
		switch (s.p[i]) {
		case '<': case '{': case '[':
			depth++;
			break;
		case '>': case '}': case ']': case ')':
			depth--;
			break;
		case '(':
			if (depth == 0 && !(i && s.p[i - 1] == '.') &&
			    !slice_starts(slice_from(s, i),
			    "(anonymous namespace)"))
				return i;
			depth++;
			break;
		}
	}
	return s.n;
}

/*
 * Copy n bytes in 16-byte pieces, the last one overlapping:
 * compilers turn a variable small memcpy into `rep movs`, whose start-up
 * cost is larger than the whole copy here.
 */
static inline void
copy_small(char *d, const char *s, size_t n)
{
	size_t i;

	if (n >= 16) {
		for (i = 0; i + 16 < n; i += 16)
			memcpy(d + i, s + i, 16);
		memcpy(d + n - 16, s + n - 16, 16);
	} else if (n >= 8) {
		memcpy(d, s, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else {
		for (i = 0; i < n; i++)
			d[i] = s[i];
	}
}

/*
 * Prepend one frame name, tidied and annotated, to the stack. f->module
 * decides the [unknown] replacement and the kernel/JIT suffixes.
 */
static void
perf_push_name(struct perf *p, struct slice name, unsigned flags,
    const struct perf_frame *f, bool inlined)
{
	const struct perf_opts *o = p->opts;
	const char *suffix = NULL;
	size_t total;
	char *d;

	if (UNLIKELY(slice_eq_lit(name, "[unknown]")) && f->module.p) {
		struct slice m = f->module, base = m;
		ptrdiff_t slash = slice_rchr(m, '/');

		if (slash >= 0)
			base = slice_from(m, (size_t)slash + 1);
		if (slice_eq_lit(m, "[unknown]")) {
			if (o->addrs)
				base = SLICE_LIT("unknown");
			else
				base = slice_make(NULL, 0);
		}
		if (base.p) {
			buf_reset(&p->name);
			buf_addc(&p->name, '[');
			buf_add(&p->name, base.p, base.n);
			if (o->addrs) {
				buf_add(&p->name, " <", 2);
				buf_add(&p->name, f->addr.p, f->addr.n);
				buf_addc(&p->name, '>');
			}
			buf_addc(&p->name, ']');
			name = slice_make(p->name.p, p->name.len);
			flags = sym_scan(name);
		}
	}
	if (UNLIKELY(flags & SYM_PAREN))
		name.n = args_start(name);
	if (p->java && name.n && name.p[0] == 'L' &&
	    memchr(name.p, '/', name.n)) {
		name.p++;
		name.n--;
	}
	if (inlined) {
		if (!contains(name, SLICE_LIT("_[i]")))
			suffix = "_[i]";
	} else if (o->kernel && f->module.p && is_kernel(f->module)) {
		suffix = "_[k]";
	} else if (o->jit && f->module.p && is_jit(f->module)) {
		if (!contains(name, SLICE_LIT("_[j]")))
			suffix = "_[j]";
	}
	total = name.n + (suffix ? 4 : 0) + (p->nframes ? 1 : 0);
	d = perf_reserve(p, total);
	copy_small(d, name.p, name.n);
	if (UNLIKELY(flags & SYM_SEMI)) {
		size_t i;
		for (i = 0; i < name.n; i++)
			if (d[i] == ';')
				d[i] = ':';
	}
	if (suffix)
		memcpy(d + name.n, suffix, 4);
	if (p->nframes)
		d[total - 1] = ';';
	p->nframes++;
}

/* Cut a `+0x1f` offset: the last "+0x" if only hex digits follow it. */
static struct slice
strip_offset(struct slice s)
{
	size_t n = s.n;

	if (s.n >= 8) {
		/* Usually `+0x` and a few digits: all in the last word. */
		uint64_t w = load64(s.p + s.n - 8), plus = eq_mask(w, '+');

		if (plus) {
			unsigned k = last_byte(plus);
			uint64_t tail = HIGHS & ~first_bytes(k + 3 > 8 ? 8 : k + 3);

			if (k + 3 <= 8 && ((w >> (8 * k)) & 0xffffff) ==
			    ('+' | '0' << 8 | 'x' << 16) &&
			    (hex_mask(w) & tail) == tail)
				s.n = s.n - 8 + k;
			return s;
		}
	}
	while (n && is_hex((unsigned char)s.p[n - 1]))
		n--;
	if (n >= 3 && memcmp(s.p + n - 3, "+0x", 3) == 0)
		s.n = n - 3;
	return s;
}

static bool
is_skip_after(const struct perf_opts *o, struct slice sym)
{
	size_t i;

	for (i = 0; i < o->nskip_after; i++)
		if (slice_eq_str(sym, o->skip_after[i]))
			return true;
	return false;
}

static void
perf_frame(struct perf *p, const struct perf_frame *f)
{
	struct slice sym = f->sym;
	const char *arrow;
	unsigned flags;
	bool cut;

	if (!sym.n) {
		/* inferno writes " " when perf printed no symbol. */
		sym = f->module.p ? SLICE_LIT(" ") : SLICE_LIT("[unknown]");
	}
	sym = strip_offset(sym);
	if (sym.n && sym.p[0] == '(')
		return;
	if (sym.n >= 17 && sym.p[sym.n - 17] == 'h')
		sym = rust_fix_legacy(sym, &p->rust);
	cut = p->opts->nskip_after && is_skip_after(p->opts, sym);

	flags = sym_scan(sym);
	arrow = NULL;
	if (UNLIKELY(flags & SYM_DASH)) {
		struct slice arr = SLICE_LIT("->");
		ptrdiff_t at = slice_find(sym, arr);
		arrow = at >= 0 ? sym.p + at : NULL;
	}
	if (LIKELY(!arrow)) {
		perf_push_name(p, sym, flags, f, false);
	} else {
		/*
		 * Java inlining `a->b->c`: frames a;b_[i];c_[i] in written
		 * order. The stack grows toward its root, so push c first.
		 */
		size_t end = sym.n, i = sym.n;

		while (i >= 2) {
			if (sym.p[i - 2] == '-' && sym.p[i - 1] == '>') {
				perf_push_name(p, slice_make(sym.p + i,
				    end - i), flags, f, true);
				end = i - 2;
				i -= 2;
			} else {
				i--;
			}
		}
		perf_push_name(p, slice_head(sym, end), flags, f, false);
	}
	if (cut)
		p->mode = PERF_SKIP_REST;
}

/* A line inside a sample that is no frame: skip it, or warn. */
PERF_NOINLINE static void
perf_not_frame(struct collapse_ctx *cx, struct slice line, struct slice s)
{
	if (is_srcline(s) || contains(s, SLICE_LIT("PERF_RECORD_")))
		return;
	collapse_warn(cx, "Weird stack line: %s", collapse_quote(cx, line));
}

/* memcmp(a, b, n) == 0 for 8 <= n, a word at a time, inline. */
static inline bool
same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t diff = load64(a + n - 8) ^ load64(b + n - 8);
	size_t i;

	for (i = 0; i + 8 < n; i += 8)
		diff |= load64(a + i) ^ load64(b + i);
	return diff == 0;
}

static inline uint64_t
memo_hash(struct slice s, bool java)
{
	uint64_t h = (uint64_t)s.n * 0x9e3779b97f4a7c15ull + java;

	h = (h ^ load64(s.p)) * 0xff51afd7ed558ccdull;
	h = (h ^ load64(s.p + 8)) * 0xc4ceb9fe1a85ec53ull;
	h = (h ^ load64(s.p + s.n / 2 - 4)) * 0xff51afd7ed558ccdull;
	h = (h ^ load64(s.p + s.n - 8)) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return h | 1;
}

/* A frame line of 16 to PERF_MEMO_LINE bytes (s: line left-trimmed). */
static void
perf_memo_frame(struct perf *p, struct collapse_ctx *cx, struct slice line,
    struct slice s)
{
	uint64_t h = memo_hash(s, p->java);
	struct perf_memo_slot *m;
	struct perf_frame f;
	size_t before, pos, n;
	char *d;

	if (UNLIKELY(!p->memo))
		p->memo = xcalloc(1, sizeof(*p->memo));
	m = &p->memo->slot[(h >> 20) & (PERF_MEMO_SLOTS - 1)];
	if (m->hash == h && m->line_n == s.n && m->java == p->java &&
	    same_bytes(m->line, s.p, s.n)) {
		if (m->nframes) {
			n = (size_t)m->out_n + (p->nframes ? 1 : 0);
			d = perf_reserve(p, n);
			copy_small(d, m->out, m->out_n);
			if (p->nframes)
				d[n - 1] = ';';
			p->nframes += m->nframes;
		}
		if (m->cut)
			p->mode = PERF_SKIP_REST;
		return;
	}
	if (UNLIKELY(!perf_split_frame(s, &f))) {
		perf_not_frame(cx, line, s);
		return;
	}
	before = p->nframes;
	pos = p->pos;
	perf_frame(p, &f);
	n = pos - p->pos - (before && p->nframes > before ? 1 : 0);
	if (n > PERF_MEMO_OUT || p->nframes - before > UINT8_MAX)
		return;
	m->hash = h;
	m->line_n = (uint8_t)s.n;
	memcpy(m->line, s.p, s.n);
	m->nframes = (uint8_t)(p->nframes - before);
	m->out_n = (uint8_t)n;
	memcpy(m->out, p->stk + p->pos, n);
	m->cut = p->mode == PERF_SKIP_REST;
	m->java = p->java;
}

static void
perf_stack_line(struct perf *p, struct collapse_ctx *cx, struct slice line)
{
	struct perf_frame f;
	struct slice s;

	if (p->mode != PERF_KEEP)
		return;
	s = perf_ltrim(line);
	if (s.n >= 16 && s.n <= PERF_MEMO_LINE) {
		perf_memo_frame(p, cx, line, s);
		return;
	}
	if (LIKELY(perf_split_frame(s, &f))) {
		perf_frame(p, &f);
		return;
	}
	perf_not_frame(cx, line, s);
}

/* perf's event modifiers, as in `cycles:uppp:` (not a tracepoint name). */
static bool
is_modifiers(struct slice s)
{
	size_t i;

	if (!s.n || s.n > 16)
		return false;
	for (i = 0; i < s.n; i++)
		if (!strchr("ukhpPGHSDIWebR", s.p[i]) || !s.p[i])
			return false;
	return true;
}

/* Whether the text before the first colon ends with a `123.456` time. */
static bool
ends_with_time(struct slice s)
{
	size_t n, dot;

	s = slice_rtrim(s);
	n = s.n;
	while (n && is_digit((unsigned char)s.p[n - 1]))
		n--;
	if (n == s.n || !n || s.p[n - 1] != '.')
		return false;
	dot = --n;
	while (n && is_digit((unsigned char)s.p[n - 1]))
		n--;
	return n < dot && (n == 0 || s.p[n - 1] == ' ' || s.p[n - 1] == '\t');
}

/*
 * Find the first "all-digit word" (digits and '/', after a space, so not
 * at the start of the line, and followed by a space or the end of the
 * line): the PID/TID. *at is its start, *end the index just after it.
 */
static bool
find_pid_word(struct slice s, size_t *at, size_t *end)
{
	const char *sp = s.n ? memchr(s.p, ' ', s.n) : NULL;

	while (sp) {
		size_t i = (size_t)(sp - s.p) + 1, j = i;

		while (j < s.n && (is_digit((unsigned char)s.p[j]) ||
		    s.p[j] == '/'))
			j++;
		/* -F comm,tid prints nothing after the number (trimmed). */
		if (j > i && (j == s.n || s.p[j] == ' ')) {
			*at = i;
			*end = j;
			return true;
		}
		sp = j < s.n ? memchr(s.p + j, ' ', s.n - j) : NULL;
	}
	return false;
}

/*
 * The root frame from the header's start, `comm pid/tid` (the number
 * starts at at). Consecutive samples mostly come from the same thread, so
 * the root is rebuilt only when those bytes change.
 */
static void
perf_set_root(struct perf *p, struct slice head, size_t at)
{
	const struct perf_opts *o = p->opts;
	struct slice comm, pid, tid, word;
	size_t i;

	if (p->root_key.len == head.n && p->root_key.len &&
	    memcmp(p->root_key.p, head.p, head.n) == 0)
		return;
	buf_reset(&p->root_key);
	buf_add(&p->root_key, head.p, head.n);
	word = slice_from(head, at);
	comm = perf_trim(slice_head(head, at - 1));
	if (!slice_rcut(word, '/', &pid, &tid)) {
		pid = SLICE_LIT("?");
		tid = word;
	}
	buf_reset(&p->root);
	buf_add(&p->root, comm.p, comm.n);
	for (i = 0; i < p->root.len; i++)
		if (p->root.p[i] == ' ')
			p->root.p[i] = '_';
	if (o->tid) {
		buf_addc(&p->root, '-');
		buf_add(&p->root, pid.p, pid.n);
		buf_addc(&p->root, '/');
		buf_add(&p->root, tid.p, tid.n);
	} else if (o->pid) {
		buf_addc(&p->root, '-');
		buf_add(&p->root, pid.p, pid.n);
	}
	p->java = slice_starts(slice_make(p->root.p, p->root.len), "java");
}

/* Index of the last space in s, or -1; a word at a time from the end. */
static ptrdiff_t
last_space(struct slice s)
{
	size_t n = s.n;

	while (n >= 8) {
		uint64_t m = eq_mask(load64(s.p + n - 8), ' ');
		if (m)
			return (ptrdiff_t)(n - 8 + last_byte(m));
		n -= 8;
	}
	while (n--)
		if (s.p[n] == ' ')
			return (ptrdiff_t)n;
	return -1;
}

PERF_NOINLINE static void
perf_event_line(struct perf *p, struct collapse_ctx *cx, struct slice line)
{
	struct slice rest, event = { NULL, 0 }, frame = { NULL, 0 };
	size_t at, end;
	uint64_t period = 1;
	const char *c1;

	if (!find_pid_word(line, &at, &end)) {
		if (!contains(line, SLICE_LIT("PERF_RECORD_")))
			collapse_warn(cx, "Weird event line: %s",
			    collapse_quote(cx, line));
		return;
	}
	rest = end < line.n ? slice_from(line, end + 1) : slice_from(line, end);
	c1 = memchr(rest.p, ':', rest.n);
	/* Side-band records (`1.0: PERF_RECORD_COMM: ...`) are no samples. */
	if (slice_starts(slice_ltrim(rest), "PERF_RECORD_") || (c1 &&
	    slice_starts(slice_ltrim(slice_from(rest, (size_t)(c1 - rest.p) + 1)),
	    "PERF_RECORD_")))
		return;
	p->in_event = true;
	p->mode = PERF_KEEP;
	if (c1) {
		struct slice head = slice_head(rest, (size_t)(c1 - rest.p));
		struct slice tail = slice_from(rest, head.n + 1);
		struct slice part, third = { NULL, 0 }, before, num;
		ptrdiff_t sp;

		/*
		 * `[cpu] time: period event:` puts the event between the
		 * first two colons; without a time (-F comm,tid,event) it
		 * comes before the first one.
		 */
		if (ends_with_time(head)) {
			if (!slice_cut(tail, ':', &part, &third))
				third.p = NULL;
		} else {
			part = head;
			third = tail;
		}
		sp = last_space(part);
		event = sp < 0 ? part : slice_from(part, (size_t)sp + 1);
		before = slice_rtrim(slice_head(part, sp < 0 ? 0 : (size_t)sp));
		sp = last_space(before);
		num = sp < 0 ? before : slice_from(before, (size_t)sp + 1);
		if (!slice_u64(num, &period))
			period = 1;
		if (third.p) {
			size_t m = 0;

			while (m < third.n && third.p[m] != ':' &&
			    third.p[m] != ' ')
				m++;
			if (m && m < third.n && third.p[m] == ':' &&
			    !is_modifiers(slice_head(third, m))) {
				/* tracepoint `sched:sched_switch: payload` */
				buf_reset(&p->event);
				buf_add(&p->event, event.p, event.n);
				buf_addc(&p->event, ':');
				buf_add(&p->event, third.p, m);
				event = slice_make(p->event.p, p->event.len);
			} else {
				frame = perf_trim(slice_from(third,
				    m < third.n ? m + 1 : 0));
			}
		}
		if (!p->has_filter) {
			buf_reset(&p->filter);
			buf_add(&p->filter, event.p, event.n);
			p->has_filter = true;
			collapse_info(cx, "Filtering for events of type: %s",
			    collapse_quote(cx, event));
		} else if (!slice_eq(event, slice_make(p->filter.p,
		    p->filter.len))) {
			p->mode = PERF_SKIP;
		}
	}
	p->count = period;
	if (p->mode == PERF_KEEP)
		perf_set_root(p, slice_head(line, end), at);
	if (frame.n) {
		/* One-frame sample: `cycles:u:  ffff sym (module)`. */
		struct perf_frame f;

		if (p->mode == PERF_KEEP && perf_split_frame(frame, &f))
			perf_frame(p, &f);
		perf_end_sample(p, cx);
	}
}

static void
perf_line(void *state, struct collapse_ctx *cx, struct slice line)
{
	struct perf *p = state;

	if (line.n && line.p[0] == '#')
		return;
	line = perf_rtrim(line);
	if (!line.n)
		perf_end_sample(p, cx);
	else if (p->in_event)
		perf_stack_line(p, cx, line);
	else
		perf_event_line(p, cx, line);
}

static void
perf_end(void *state, struct collapse_ctx *cx)
{
	perf_end_sample(state, cx);
}

const struct collapser perf_collapser = {
	.state_size = sizeof(struct perf),
	.init = perf_init,
	.line = perf_line,
	.end = perf_end,
	.release = perf_release,
	.settled = perf_settled,
	.clone = perf_clone,
	.boundary = perf_boundary,
};
