/*
 * stacks: two hash tables, both owned by the thread that files lines in.
 * The stack table maps the hash of a stack's text to its id; a hit is
 * confirmed against the kept text of the stack, or, if none was kept,
 * against its names joined by ';' (names never contain ';'). Only a new
 * stack is split into names, by one word-at-a-time pass that finds the
 * ';' separators and hashes each name for the name table; when most
 * stacks are new, the reading thread does that pass ahead of time.
 *
 * Sorting (sorted mode) is an MSD radix sort over token ranks, see
 * "Radix sorting" below; it orders stacks exactly as inferno orders
 * their lines, and notes on the way how many names neighbours share, so
 * that the merge need not compare them again.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "folded.h"
#include "hash.h"
#include "lr.h"
#include "sort.h"
#include "stacks.h"
#include "utf8.h"
#include "xmalloc.h"

#define STACKS_SEED 0x9ae16a3b2f90404full
#define NAME_SEED 0x2d358dccaa6c78a5ull
#define TEXT_BUDGET ((size_t)32 << 20)

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR_SCAN 1
#endif
#else
#define PREFETCH(p) ((void)0)
#endif

struct stacks_slot {
	uint32_t tag;		/* high hash bits, 0 = empty */
	uint32_t id;
};

static inline uint32_t
tag_of(uint64_t h)
{
	uint32_t t = (uint32_t)(h >> 32);
	return t ? t : 1;
}

static void
slots_grow(struct stacks_slot **slots, size_t *maskp, const uint64_t *hash)
{
	size_t nslots = st_mult(*maskp + 1, 2), mask = nslots - 1, i;
	struct stacks_slot *s = xcalloc(nslots, sizeof(*s));

	for (i = 0; i <= *maskp; i++) {
		struct stacks_slot e = (*slots)[i];
		size_t j;

		if (!e.tag)
			continue;
		j = (size_t)hash[e.id] & mask;
		while (s[j].tag)
			j = (j + 1) & mask;
		s[j] = e;
	}
	free(*slots);
	*slots = s;
	*maskp = mask;
}

/*
 * Names.
 */

static inline uint64_t
rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t
mix_word(uint64_t h, uint64_t w)
{
	return (rotl64(h, 23) ^ w) * 0x9e3779b97f4a7c15ull;
}

static inline uint64_t
finish_hash(uint64_t h, size_t n)
{
	h = (h ^ n) * 0xff51afd7ed558ccdull;
	return h ^ (h >> 32);
}

/*
 * Length of the name starting at p (up to the next ';' or end) and its
 * hash. Bytes are hashed in 8-byte groups counted from the name's start,
 * the last group zero-padded, so both paths below agree. The fast path
 * reads whole words, up to 8 bytes past end: callers keep that much
 * readable slack after their text (the batch text does, see pad_batch).
 */
static inline size_t
scan_name(const char *p, const char *end, uint64_t *hash)
{
	uint64_t h = NAME_SEED, tail = 0;
	const char *q = p;
	unsigned k = 0;

#ifdef SWAR_SCAN
	for (;;) {
		uint64_t w, x, m;
		size_t rem = (size_t)(end - q);

		memcpy(&w, q, 8);
		x = w ^ 0x3b3b3b3b3b3b3b3bull;
		m = (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
		/* The end of the text stops the name like a ';'. */
		if (rem < 8)
			m |= 0x80ull << (8 * rem);
		if (m) {
			unsigned b = (unsigned)__builtin_ctzll(m) >> 3;
			if (b)
				h = mix_word(h, w & ((1ull << (8 * b)) - 1));
			q += b;
			*hash = finish_hash(h, (size_t)(q - p));
			return (size_t)(q - p);
		}
		h = mix_word(h, w);
		q += 8;
	}
#endif
	while (q < end && *q != ';') {
		tail |= (uint64_t)(unsigned char)*q << (8 * k);
		q++;
		if (++k == 8) {
			h = mix_word(h, tail);
			tail = 0;
			k = 0;
		}
	}
	if (k)
		h = mix_word(h, tail);
	*hash = finish_hash(h, (size_t)(q - p));
	return (size_t)(q - p);
}

/* memcmp(a, b, n) == 0, inlined: names are mostly short. */
static inline bool
bytes_equal(const char *a, const char *b, size_t n)
{
	uint64_t x, y;

	while (n >= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return false;
		a += 8;
		b += 8;
		n -= 8;
	}
	while (n--)
		if (*a++ != *b++)
			return false;
	return true;
}

/*
 * Is the stored name a (kept with 8 zero bytes after it) spelled by
 * b[0..n)? b may be read up to 8 bytes past its end (the batch text keeps
 * that much slack), so the last piece is one masked word, not a loop.
 */
static inline bool
name_is(const char *a, const char *b, size_t n)
{
#ifdef SWAR_SCAN
	uint64_t x, y;

	while (n >= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return false;
		a += 8;
		b += 8;
		n -= 8;
	}
	if (!n)
		return true;
	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	return ((x ^ y) & ((1ull << (8 * n)) - 1)) == 0;
#else
	return bytes_equal(a, b, n);
#endif
}

/* A new name, to go in slot j of the name table. */
static uint32_t
name_add(struct stacks *st, const char *p, size_t n, uint64_t h, size_t j)
{
	uint32_t id = st->nnames;
	char *copy;

	if (id == UINT32_MAX - 1)
		die("more than %u distinct frame names", (unsigned)id);
	if (id == st->names_cap) {
		size_t cap = alloc_nr(st->names_cap, (size_t)id + 1);
		if (cap > UINT32_MAX)
			cap = UINT32_MAX;
		st->names = xreallocarray(st->names, cap, sizeof(*st->names));
		st->name_hash = xreallocarray(st->name_hash, cap,
		    sizeof(*st->name_hash));
		st->name_use = xreallocarray(st->name_use, cap,
		    sizeof(*st->name_use));
		st->names_cap = (uint32_t)cap;
	}
	copy = arena_alloc_bytes(&st->name_bytes, st_add(n, 8));
	memcpy(copy, p, n);
	memset(copy + n, 0, 8);
	st->names[id] = slice_make(copy, n);
	st->name_hash[id] = h;
	st->name_use[id] = 0;
	st->name_slots[j].tag = tag_of(h);
	st->name_slots[j].id = id;
	st->nnames++;
	if (st->nnames > (st->name_mask + 1) / 10 * 7)
		slots_grow(&st->name_slots, &st->name_mask, st->name_hash);
	return id;
}

/* The id of the name p[0..n) (hash h; p readable 8 bytes past n). */
static inline uint32_t
name_id(struct stacks *st, const char *p, size_t n, uint64_t h)
{
	uint32_t tag = tag_of(h);
	size_t j = (size_t)h & st->name_mask;

	for (;;) {
		struct stacks_slot s = st->name_slots[j];
		if (!s.tag)
			break;
		if (s.tag == tag && st->names[s.id].n == n &&
		    name_is(st->names[s.id].p, p, n))
			return s.id;
		j = (j + 1) & st->name_mask;
	}
	return name_add(st, p, n, h, j);
}

void
stacks_init(struct stacks *st, const struct stacks_opts *opts)
{
	static const char none[8];
	uint64_t h;

	memset(st, 0, sizeof(*st));
	st->opts = *opts;
	arena_init(&st->name_bytes);
	arena_init(&st->text_bytes);
	buf_init(&st->scratch);
	buf_init(&st->prev);
	st->cuts_cap = 64;
	st->cuts = xreallocarray(NULL, st->cuts_cap, sizeof(*st->cuts));
	st->name_mask = 255;
	st->name_slots = xcalloc(st->name_mask + 1, sizeof(*st->name_slots));
	st->mask = 1023;
	st->slots = xcalloc(st->mask + 1, sizeof(*st->slots));
	st->text_budget = TEXT_BUDGET;
	st->delta_max = 1;
	scan_name(none, none, &h);
	name_id(st, none, 0, h);
}

/*
 * Stacks, found by the hash of their text.
 */

/* Does text spell stack id? */
static bool
stack_is(const struct stacks *st, uint32_t id, struct slice text)
{
	const uint32_t *q = st->seq + st->off[id];
	const char *p = text.p, *end = text.p + text.n;
	uint32_t i, n = st->len[id], tn;

	if (st->text && st->text[id]) {
		memcpy(&tn, st->text[id], sizeof(tn));
		return tn == text.n &&
		    memcmp(st->text[id] + sizeof(tn), text.p, text.n) == 0;
	}
	for (i = 0; i < n; i++) {
		struct slice name = st->names[q[i]];
		if (i) {
			if (p == end || *p != ';')
				return false;
			p++;
		}
		if ((size_t)(end - p) < name.n ||
		    !bytes_equal(p, name.p, name.n))
			return false;
		p += name.n;
	}
	return p == end;
}

/*
 * A stack seen a second time is likely to come again (the input repeats
 * its stacks): keep its text, within the budget, so later hits cost one
 * memcmp instead of a walk over its names.
 */
static void
keep_text(struct stacks *st, uint32_t id, struct slice text)
{
	uint32_t tn = (uint32_t)text.n;
	char *t;

	if (text.n > UINT32_MAX || text.n + 4 > st->text_budget)
		return;
	if (!st->text)
		st->text = xcalloc(st->stacks_cap, sizeof(*st->text));
	t = arena_alloc_bytes(&st->text_bytes, text.n + 4);
	memcpy(t, &tn, 4);
	memcpy(t + 4, text.p, text.n);
	st->text[id] = t;
	st->text_budget -= text.n + 4;
}

/*
 * Where the names of a new stack are: either scanned by the reader
 * (lengths and hashes), or to be scanned here.
 */
struct name_scan {
	const uint32_t *len;	/* NULL: not scanned yet */
	const uint64_t *hash;
};

/* Store a new stack: split text at ';' and intern the frame names. */
static uint32_t
add_stack(struct stacks *st, struct slice text, uint64_t h, size_t slot,
    const struct name_scan *ns)
{
	uint32_t id = st->nstacks, n = 0;
	const char *p = text.p, *end = text.p + text.n;

	if (id == UINT32_MAX - 1)
		die("more than %u distinct stacks", (unsigned)id);
	for (;;) {
		uint64_t nh;
		size_t len;
		uint32_t name;

		if (ns->len) {
			len = ns->len[n];
			nh = ns->hash[n];
		} else {
			len = scan_name(p, end, &nh);
		}
		name = name_id(st, p, len, nh);
		if (st->seq_n + n + 1 > st->seq_cap) {
			st->seq_cap = alloc_nr(st->seq_cap, st->seq_n + n + 1);
			st->seq = xreallocarray(st->seq, st->seq_cap,
			    sizeof(*st->seq));
		}
		st->seq[st->seq_n + n++] = name;
		p += len;
		if (p == end) {
			st->name_use[name] |= 2;
			break;
		}
		st->name_use[name] |= 1;
		p++;	/* the ';' */
	}
	if (id == st->stacks_cap) {
		size_t cap = alloc_nr(st->stacks_cap, (size_t)id + 1);
		if (cap > UINT32_MAX)
			cap = UINT32_MAX;
		st->off = xreallocarray(st->off, cap, sizeof(*st->off));
		st->len = xreallocarray(st->len, cap, sizeof(*st->len));
		st->hash = xreallocarray(st->hash, cap, sizeof(*st->hash));
		if (st->text)
			st->text = xreallocarray(st->text, cap,
			    sizeof(*st->text));
		st->stacks_cap = (uint32_t)cap;
	}
	st->off[id] = st->seq_n;
	st->len[id] = n;
	st->hash[id] = h;
	if (st->text)
		st->text[id] = NULL;
	st->seq_n += n;
	if (n > st->maxlen)
		st->maxlen = n;
	st->slots[slot].tag = tag_of(h);
	st->slots[slot].id = id;
	st->nstacks++;
	if (st->nstacks > (st->mask + 1) / 10 * 7)
		slots_grow(&st->slots, &st->mask, st->hash);
	return id;
}

/* The id of the stack spelled text (hash h), adding it when new. */
static uint32_t
stack_id(struct stacks *st, struct slice text, uint64_t h,
    const struct name_scan *ns, bool *is_new)
{
	uint32_t tag = tag_of(h);
	size_t j = (size_t)h & st->mask;

	for (;;) {
		struct stacks_slot s = st->slots[j];
		if (!s.tag)
			break;
		if (s.tag == tag && stack_is(st, s.id, text)) {
			if (!st->text || !st->text[s.id])
				keep_text(st, s.id, text);
			*is_new = false;
			return s.id;
		}
		j = (j + 1) & st->mask;
	}
	*is_new = true;
	return add_stack(st, text, h, j, ns);
}

/*
 * Records.
 */

static void
grow_records(struct stacks *st)
{
	size_t cap = alloc_nr(st->rec_cap, st->nrec + 1);

	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	if (st->nrec >= cap)
		die("more than %zu input runs", st->nrec);
	if (st->opts.ordered)
		st->rec_stack = xreallocarray(st->rec_stack, cap,
		    sizeof(*st->rec_stack));
	st->count = xreallocarray(st->count, cap, sizeof(*st->count));
	if (st->before) {
		st->before = xreallocarray(st->before, cap, sizeof(*st->before));
		st->rep_before = xreallocarray(st->rep_before, cap,
		    sizeof(*st->rep_before));
		st->rep_after = xreallocarray(st->rep_after, cap,
		    sizeof(*st->rep_after));
		st->rep_diff = xreallocarray(st->rep_diff, cap,
		    sizeof(*st->rep_diff));
	}
	st->rec_cap = cap;
}

/*
 * The first differential line: from now on every record also carries the
 * differential arrays. Earlier records had one count per line, which reads
 * as "unchanged": before == after.
 */
static void
start_differential(struct stacks *st)
{
	size_t cap = st->rec_cap ? st->rec_cap : 1, i;

	st->before = xreallocarray(NULL, cap, sizeof(*st->before));
	st->rep_before = xreallocarray(NULL, cap, sizeof(*st->rep_before));
	st->rep_after = xreallocarray(NULL, cap, sizeof(*st->rep_after));
	st->rep_diff = xreallocarray(NULL, cap, sizeof(*st->rep_diff));
	for (i = 0; i < st->nrec; i++) {
		st->before[i] = st->count[i];
		st->rep_before[i] = 0;
		st->rep_after[i] = st->count[i];
		st->rep_diff[i] = 0;
	}
}

/* Decimal digits of v into d (no NUL); returns the length. */
static size_t
u64_digits(uint64_t v, char *d)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		d[i] = tmp[n - 1 - i];
	return n;
}

/* The count columns of a line as text: "after" or "before after". */
static size_t
count_text(int diff, uint64_t before, uint64_t after, char *d)
{
	size_t n = 0;

	if (diff) {
		n = u64_digits(before, d);
		d[n++] = ' ';
	}
	return n + u64_digits(after, d + n);
}

/*
 * Of two lines with the same stack, inferno sorts the one whose count
 * text is smaller first, and only that one's delta counts.
 */
static bool
counts_sort_first(int diff_a, uint64_t before_a, uint64_t after_a,
    int diff_b, uint64_t before_b, uint64_t after_b)
{
	char a[48], b[48];
	size_t na = count_text(diff_a, before_a, after_a, a);
	size_t nb = count_text(diff_b, before_b, after_b, b);
	int c = memcmp(a, b, na < nb ? na : nb);

	return c < 0 || (c == 0 && na < nb);
}

static void
update_record(struct stacks *st, uint32_t rec, bool fresh, uint64_t count,
    uint64_t before_col, bool diff)
{
	uint64_t before = diff ? before_col : count;

	if (fresh) {
		st->count[rec] = count;
		if (st->before) {
			st->before[rec] = before;
			st->rep_before[rec] = before_col;
			st->rep_after[rec] = count;
			st->rep_diff[rec] = (unsigned char)diff;
		}
		return;
	}
	st->count[rec] += count;
	if (!st->before)
		return;
	st->before[rec] += before;
	if (st->opts.ordered ? st->opts.last_line_wins :
	    counts_sort_first(diff, before_col, count, st->rep_diff[rec],
	    st->rep_before[rec], st->rep_after[rec])) {
		st->rep_before[rec] = before_col;
		st->rep_after[rec] = count;
		st->rep_diff[rec] = (unsigned char)diff;
	}
}

/*
 * Lines.
 */

/*
 * --reverse: the ';'-separated pieces of the stack in reverse order, the
 * result trimmed (inferno's rules; a name containing ';' does not survive).
 */
static struct slice
reverse_stack(struct stacks *st, struct slice stack)
{
	struct buf *b = &st->scratch;
	size_t n = 0, i, at = 0;
	char *out;

	/* Where the pieces start. */
	if (st->cuts_cap < stack.n + 1) {
		st->cuts_cap = alloc_nr(st->cuts_cap, stack.n + 1);
		st->cuts = xreallocarray(st->cuts, st->cuts_cap,
		    sizeof(*st->cuts));
	}
	st->cuts[n++] = 0;
	i = 0;
#ifdef SWAR_SCAN
	for (; i + 8 <= stack.n; i += 8) {
		uint64_t w, x, m;

		memcpy(&w, stack.p + i, 8);
		x = w ^ 0x3b3b3b3b3b3b3b3bull;
		/* Exact per byte (no borrows): high bit set where x is 0. */
		m = ~(((x & 0x7f7f7f7f7f7f7f7full) + 0x7f7f7f7f7f7f7f7full) | x) &
		    0x8080808080808080ull;
		while (m) {
			st->cuts[n++] = i + ((unsigned)__builtin_ctzll(m) >> 3) + 1;
			m &= m - 1;
		}
	}
#endif
	for (; i < stack.n; i++)
		if (stack.p[i] == ';')
			st->cuts[n++] = i + 1;
	buf_reset(b);
	buf_grow(b, stack.n);
	out = b->p;
	for (i = n; i-- > 0;) {
		size_t from = st->cuts[i];
		size_t to = i + 1 < n ? st->cuts[i + 1] - 1 : stack.n;

		memcpy(out + at, stack.p + from, to - from);
		at += to - from;
		if (i)
			out[at++] = ';';
	}
	buf_setlen(b, at);
	return utf8_trim(slice_make(b->p, b->len));
}

/*
 * --base: the line from the innermost frame equal to a base symbol on.
 * Returns false when the line is to be dropped. Like inferno, the last
 * piece is compared together with the count text, and a symbol found only
 * as the first frame does not count.
 */
static bool
rebase(const struct stacks *st, struct slice *line)
{
	struct slice l = *line;
	size_t end = l.n;

	for (;;) {
		ptrdiff_t semi = slice_rchr(slice_head(l, end), ';');
		size_t start = semi < 0 ? 0 : (size_t)semi + 1;
		struct slice piece = slice_make(l.p + start, end - start);
		size_t k;

		if (start == 0)
			return false;
		for (k = 0; k < st->opts.nbase; k++)
			if (slice_eq_str(piece, st->opts.base[k])) {
				*line = slice_from(l, start);
				return true;
			}
		end = (size_t)semi;
	}
}

/*
 * --no-sort: inferno compares the previous line's stack with the whole of
 * the current line.
 */
static void
check_order(struct stacks *st, struct slice stack, struct slice line)
{
	struct slice whole = utf8_rtrim(slice_make(stack.p,
	    (size_t)(line.p + line.n - stack.p)));

	if (st->have_prev &&
	    slice_cmp(slice_make(st->prev.p, st->prev.len), whole) > 0)
		die("unsorted input lines detected");
	buf_reset(&st->prev);
	buf_add(&st->prev, stack.p, stack.n);
	st->have_prev = true;
}

/*
 * The reading pipeline. The reader turns lines into batches of parsed
 * lines (counts, stack text and its hash); the filer puts each into the
 * stack table and the records. Batches go round a small ring, so the
 * reader can fill one while the filer works through another.
 *
 * When most stacks are new (many distinct stacks), splitting them into
 * names is most of the work, so the reader also finds the names (lengths
 * and hashes) of some of the lines, as many as keeps both threads busy
 * (the filer does the rest); when stacks repeat, it does not bother.
 */
#define RING 3
#define BATCH_LINES 4096
#define BATCH_TEXT ((size_t)1 << 20)

struct parsed {
	uint64_t hash;		/* of the stack text */
	uint64_t count, before;
	size_t text, len;	/* stack text in the batch's text */
	size_t names;		/* first name in the batch's name arrays, or
				   SIZE_MAX when not scanned */
	bool diff;
};

struct batch {
	struct parsed *lines;
	size_t nlines;
	struct buf text;
	uint32_t *name_len;
	uint64_t *name_hash;
	size_t nnames, names_cap;
	unsigned scan;		/* find the names of this many lines in 8 */
	bool last;		/* no batch follows */
	bool full;		/* ready for the filer */
};

struct reader {
	struct stacks *st;
	char *const *files;
	size_t nfiles, next;
	struct lr lr;
	bool open;
	/* Shared with the filer, under mu: */
	unsigned scan;		/* its advice for the next batch (b->scan) */
	bool waited;		/* the reader found no free batch */
	struct batch ring[RING];
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void
scan_names(struct batch *b, struct parsed *p)
{
	const char *q, *end;

	buf_grow(&b->text, 8);		/* scan_name's slack */
	memset(b->text.p + b->text.len, 0, 8);
	q = b->text.p + p->text;
	end = q + p->len;
	p->names = b->nnames;
	for (;;) {
		uint64_t h;
		size_t len = scan_name(q, end, &h);

		if (b->nnames == b->names_cap) {
			b->names_cap = alloc_nr(b->names_cap, b->nnames + 1);
			b->name_len = xreallocarray(b->name_len, b->names_cap,
			    sizeof(*b->name_len));
			b->name_hash = xreallocarray(b->name_hash, b->names_cap,
			    sizeof(*b->name_hash));
		}
		b->name_len[b->nnames] = (uint32_t)len;
		b->name_hash[b->nnames++] = h;
		q += len;
		if (q == end)
			break;
		q++;
	}
}

static void
parse_line(struct reader *rd, struct batch *b, struct slice line)
{
	struct stacks *st = rd->st;
	struct folded_line fl;
	struct slice stack;
	enum folded_kind kind;
	struct parsed *p;

	if (st->opts.nbase && !rebase(st, &line))
		return;
	kind = folded_split(line, &fl);
	if (UNLIKELY(fl.fractional) && !st->warned_fraction) {
		st->warned_fraction = true;
		warn_at(rd->lr.name, rd->lr.lineno, "The input data has "
		    "fractional sample counts that will be truncated to "
		    "integers. If you need to retain the extra precision you "
		    "can scale up the sample data and use the --factor option "
		    "to scale it back down.");
	}
	if (kind != FOLDED_OK) {
		if (kind == FOLDED_BAD) {
			st->ignored++;
			warn_at(rd->lr.name, rd->lr.lineno, "invalid line: no "
			    "stack followed by a sample count");
		}
		return;
	}
	stack = fl.stack;
	if (st->opts.check_sorted)
		check_order(st, stack, line);
	if (st->opts.reverse)
		stack = reverse_stack(st, stack);
	p = &b->lines[b->nlines++];
	p->count = fl.count;
	p->before = fl.before;
	p->diff = fl.ncounts == 2;
	p->hash = hash_bytes(stack.p, stack.n, STACKS_SEED);
	p->text = b->text.len;
	p->len = stack.n;
	buf_add(&b->text, stack.p, stack.n);
	p->names = SIZE_MAX;
	if ((b->nlines & 7) < b->scan)
		scan_names(b, p);
}

/*
 * Eight zero bytes after the batch text, so that names in it can be read
 * a word at a time (see name_is).
 */
static void
pad_batch(struct batch *b)
{
	buf_grow(&b->text, 8);
	memset(b->text.p + b->text.len, 0, 8);
}

/* Fill b; returns false once the input is exhausted (b->last is set). */
static bool
fill_batch(struct reader *rd, struct batch *b)
{
	struct slice line;

	b->nlines = b->nnames = 0;
	buf_reset(&b->text);
	b->last = false;
	while (b->nlines < BATCH_LINES && b->text.len < BATCH_TEXT) {
		if (!rd->open) {
			const char *path;
			if (rd->nfiles ? rd->next == rd->nfiles : rd->next) {
				b->last = true;
				return false;
			}
			path = rd->nfiles ? rd->files[rd->next] : "-";
			rd->next++;
			lr_open_or_die(&rd->lr, path);
			rd->open = true;
		}
		if (!lr_next(&rd->lr, &line)) {
			lr_close(&rd->lr);
			rd->open = false;
			continue;
		}
		parse_line(rd, b, line);
	}
	return true;
}

/* fill_batch, then pad. */
static bool
read_batch(struct reader *rd, struct batch *b)
{
	bool more = fill_batch(rd, b);

	pad_batch(b);
	return more;
}

/*
 * File a batch into the stack table and the records. Returns whether
 * most of its lines brought a new stack.
 */
static bool
file_batch(struct stacks *st, const struct batch *b)
{
	size_t i, fresh_stacks = 0;

	for (i = 0; i < b->nlines; i++) {
		const struct parsed *p = &b->lines[i];
		struct slice text = slice_make(b->text.p + p->text, p->len);
		struct name_scan ns = { NULL, NULL };
		uint32_t id, rec;
		bool is_new, fresh;

		/* The slot of a line a few ahead is probably not cached. */
		if (i + 8 < b->nlines)
			PREFETCH(&st->slots[b->lines[i + 8].hash & st->mask]);
		if (p->names != SIZE_MAX) {
			ns.len = b->name_len + p->names;
			ns.hash = b->name_hash + p->names;
		}
		if (p->diff) {
			uint64_t d = p->count >= p->before ?
			    p->count - p->before : p->before - p->count;
			if (d > st->delta_max)
				st->delta_max = d;
			if (!st->before)
				start_differential(st);
		}
		st->total += p->count;
		id = stack_id(st, text, p->hash, &ns, &is_new);
		fresh_stacks += is_new;
		if (st->opts.ordered) {
			fresh = st->nrec == 0 || st->rec_stack[st->nrec - 1] != id;
			if (fresh) {
				if (st->nrec == st->rec_cap)
					grow_records(st);
				st->rec_stack[st->nrec++] = id;
			}
			rec = (uint32_t)st->nrec - 1;
		} else {
			fresh = is_new;
			if (fresh) {
				if (st->nrec == st->rec_cap)
					grow_records(st);
				st->nrec++;
			}
			rec = id;
		}
		update_record(st, rec, fresh, p->count, p->before, p->diff);
	}
	return fresh_stacks * 4 > b->nlines;
}

static void *
reader_main(void *arg)
{
	struct reader *rd = arg;
	size_t k = 0;
	bool more;

	do {
		struct batch *b = &rd->ring[k];

		pthread_mutex_lock(&rd->mu);
		while (b->full) {
			rd->waited = true;
			pthread_cond_wait(&rd->cv, &rd->mu);
		}
		b->scan = rd->scan;
		pthread_mutex_unlock(&rd->mu);
		more = read_batch(rd, b);
		pthread_mutex_lock(&rd->mu);
		b->full = true;
		pthread_cond_broadcast(&rd->cv);
		pthread_mutex_unlock(&rd->mu);
		k = (k + 1) % RING;
	} while (more);
	return NULL;
}

void
stacks_read_files(struct stacks *st, char *const *files, size_t nfiles)
{
	struct reader rd;
	pthread_t tid;
	size_t k;

	memset(&rd, 0, sizeof(rd));
	rd.st = st;
	rd.files = files;
	rd.nfiles = nfiles;
	rd.scan = 8;
	for (k = 0; k < RING; k++) {
		rd.ring[k].lines = xreallocarray(NULL, BATCH_LINES,
		    sizeof(*rd.ring[k].lines));
		buf_init(&rd.ring[k].text);
	}
	pthread_mutex_init(&rd.mu, NULL);
	pthread_cond_init(&rd.cv, NULL);
	if (pthread_create(&tid, NULL, reader_main, &rd) != 0) {
		/* No thread: the same stages, one batch at a time. */
		bool more;
		do {
			rd.ring[0].scan = 0;
			more = read_batch(&rd, &rd.ring[0]);
			file_batch(st, &rd.ring[0]);
		} while (more);
	} else {
		/*
		 * While stacks are mostly new, the names of some lines are
		 * found by the reader and the rest here; share (in eighths of
		 * the lines) moves towards whichever thread waits less.
		 */
		unsigned share = 8;
		bool last = false;

		for (k = 0; !last; k = (k + 1) % RING) {
			struct batch *b = &rd.ring[k];
			bool starved = false, fresh;

			pthread_mutex_lock(&rd.mu);
			while (!b->full) {
				starved = true;
				pthread_cond_wait(&rd.cv, &rd.mu);
			}
			pthread_mutex_unlock(&rd.mu);
			fresh = file_batch(st, b);
			last = b->last;
			pthread_mutex_lock(&rd.mu);
			b->full = false;
			if (fresh && starved && share > 0)
				share--;
			else if (fresh && rd.waited && share < 8)
				share++;
			rd.waited = false;
			rd.scan = fresh ? share : 0;
			pthread_cond_broadcast(&rd.cv);
			pthread_mutex_unlock(&rd.mu);
		}
		pthread_join(tid, NULL);
		debug("reader finds the names of %u/8 lines", share);
	}
	pthread_mutex_destroy(&rd.mu);
	pthread_cond_destroy(&rd.cv);
	for (k = 0; k < RING; k++) {
		free(rd.ring[k].lines);
		buf_release(&rd.ring[k].text);
		free(rd.ring[k].name_len);
		free(rd.ring[k].name_hash);
	}
}

/*
 * Radix sorting. Each position of a stack is a token: a name followed by
 * ';', or for the leaf by ' ' and the count. Ranks are the tokens' places
 * in byte order (from 1; 0 stands for "stack ended", so a shorter stack
 * sorts first, as a line that is a prefix of another does), so comparing
 * rank sequences compares lines. The count only matters where a leaf
 * token is a proper prefix of another token ("f " as a leaf against
 * "f 2x;"): those leaves get a token per record, "f COUNT", and with it
 * rank order is line order everywhere.
 */
struct ranks {
	uint32_t *inner;	/* by name id: rank of "name;" */
	uint32_t *leaf;		/* by name id: rank of "name ", or 0 when
				   the count decides (see by_rec) */
	uint32_t *by_rec;	/* by record: rank of "name COUNT" of those */
	uint32_t *name_of;	/* by rank: the token's name id */
	unsigned bits;		/* bits per rank */
	unsigned per_key;	/* ranks packed in one 64-bit key */
};

/* Token t: TOKEN_INNER | name, TOKEN_LEAF | name or TOKEN_REC | record. */
#define TOKEN_INNER ((uint64_t)0 << 32)
#define TOKEN_LEAF ((uint64_t)1 << 32)
#define TOKEN_REC ((uint64_t)2 << 32)

struct tokens {
	struct buf text;
	size_t *at;		/* start of token i in text */
	uint64_t *who;
	size_t n, cap;
};

static void
token_add(struct tokens *tk, uint64_t who, struct slice name, char sep,
    const char *count, size_t ncount)
{
	if (tk->n == tk->cap) {
		tk->cap = alloc_nr(tk->cap, tk->n + 1);
		tk->at = xreallocarray(tk->at, tk->cap, sizeof(*tk->at));
		tk->who = xreallocarray(tk->who, tk->cap, sizeof(*tk->who));
	}
	tk->at[tk->n] = tk->text.len;
	tk->who[tk->n++] = who;
	buf_add(&tk->text, name.p, name.n);
	buf_addc(&tk->text, sep);
	buf_add(&tk->text, count, ncount);
}

/* The tokens in byte order: ids[0..n) index tk; keys are their texts. */
static uint32_t *
tokens_sort(struct tokens *tk, struct slice **keysp)
{
	struct slice *keys = xreallocarray(NULL, tk->n ? tk->n : 1,
	    sizeof(*keys));
	uint32_t *ids = xreallocarray(NULL, tk->n ? tk->n : 1, sizeof(*ids));
	size_t i;

	for (i = 0; i < tk->n; i++) {
		size_t end = i + 1 < tk->n ? tk->at[i + 1] : tk->text.len;
		keys[i] = slice_make(tk->text.p + tk->at[i], end - tk->at[i]);
		ids[i] = (uint32_t)i;
	}
	sort_ids_by_key(ids, tk->n, keys);
	*keysp = keys;
	return ids;
}

static void
rank_tokens(const struct stacks *st, struct ranks *rk)
{
	struct tokens tk = { BUF_INIT, NULL, NULL, 0, 0 };
	unsigned char *counted = NULL;
	struct slice *keys;
	uint32_t *ids, i, rank = 0;

	memset(rk, 0, sizeof(*rk));
	for (i = 0; i < st->nnames; i++) {
		if (st->name_use[i] & 1)
			token_add(&tk, TOKEN_INNER | i, st->names[i], ';', "", 0);
		if (st->name_use[i] & 2)
			token_add(&tk, TOKEN_LEAF | i, st->names[i], ' ', "", 0);
	}
	ids = tokens_sort(&tk, &keys);
	for (i = 0; i + 1 < tk.n; i++) {
		struct slice a = keys[ids[i]], b = keys[ids[i + 1]];
		if (a.n < b.n && memcmp(a.p, b.p, a.n) == 0) {
			if (!counted)
				counted = xcalloc(st->nnames, 1);
			counted[tk.who[ids[i]] & UINT32_MAX] = 1;
		}
	}
	if (counted) {
		/* Again, with "name COUNT" for the leaves that need it. */
		size_t k = 0;
		uint32_t rec;

		for (i = 0; i < tk.n; i++)
			if (!(tk.who[i] >> 32 == 1 && counted[tk.who[i] & UINT32_MAX])) {
				tk.at[k] = tk.at[i];
				tk.who[k++] = tk.who[i];
			}
		/* Texts of dropped tokens stay in the buffer, unused. */
		tk.n = k;
		for (rec = 0; rec < st->nrec; rec++) {
			uint32_t leaf = st->seq[st->off[rec] + st->len[rec] - 1];
			char d[24];

			if (counted[leaf])
				token_add(&tk, TOKEN_REC | rec, st->names[leaf], ' ',
				    d, u64_digits(st->count[rec], d));
		}
		free(ids);
		free(keys);
		ids = tokens_sort(&tk, &keys);
		rk->by_rec = xcalloc(st->nrec, sizeof(*rk->by_rec));
	}
	rk->inner = xcalloc(st->nnames, sizeof(*rk->inner));
	rk->leaf = xcalloc(st->nnames, sizeof(*rk->leaf));
	rk->name_of = xcalloc((size_t)tk.n + 1, sizeof(*rk->name_of));
	for (i = 0; i < tk.n; i++) {
		uint64_t who = tk.who[ids[i]];
		uint32_t x = (uint32_t)(who & UINT32_MAX);

		/* Equal texts (two records' "f 5") share a rank. */
		if (i == 0 || !slice_eq(keys[ids[i]], keys[ids[i - 1]]))
			rank++;
		if (who >> 32 == 0) {
			rk->inner[x] = rank;
			rk->name_of[rank] = x;
		} else if (who >> 32 == 1) {
			rk->leaf[x] = rank;
			rk->name_of[rank] = x;
		} else {
			rk->by_rec[x] = rank;
			rk->name_of[rank] = st->seq[st->off[x] + st->len[x] - 1];
		}
	}
	rk->bits = 1;
	while (rk->bits < 34 && (rank >> rk->bits))
		rk->bits++;
	rk->per_key = 64 / rk->bits;
	free(ids);
	free(keys);
	free(tk.at);
	free(tk.who);
	free(counted);
	buf_release(&tk.text);
}

struct ritem {
	uint64_t key;
	uint32_t id;
	uint32_t len;		/* st->len[id], carried along: one less
				   scattered read per key */
};

static uint64_t
load_key(const struct stacks *st, const struct ranks *rk, uint32_t id,
    uint32_t n, uint32_t depth)
{
	uint32_t k;
	const uint32_t *q = st->seq + st->off[id];
	uint64_t key = 0;

	for (k = 0; k < rk->per_key; k++) {
		uint32_t j = depth + k, r = 0;

		if (j + 1 < n)
			r = rk->inner[q[j]];
		else if (j + 1 == n)
			r = rk->leaf[q[j]] ? rk->leaf[q[j]] : rk->by_rec[id];
		key = (key << rk->bits) | r;
	}
	return key;
}

/*
 * Sort v[0..n) by key: LSD radix, 11 bits a pass for big groups (the
 * histogram stays in the first-level cache), 8 for medium ones,
 * insertion sort for small ones. Only the bits that differ somewhere in
 * the group are sorted on: deeper groups share most of their key. cnt
 * has room for 2^11 counters.
 */
static void
sort_by_key(struct ritem *v, struct ritem *tmp, size_t *cnt, size_t n,
    unsigned keybits)
{
	struct ritem *src = v, *dst = tmp;
	unsigned shift, width = n >= 4096 ? 11 : 8;
	size_t i, nb = (size_t)1 << width, mask = nb - 1;
	uint64_t any = 0, every = ~(uint64_t)0, vary;

	if (n < 48) {
		for (i = 1; i < n; i++) {
			struct ritem t = v[i];
			size_t j;
			for (j = i; j > 0 && t.key < v[j - 1].key; j--)
				v[j] = v[j - 1];
			v[j] = t;
		}
		return;
	}
	for (i = 0; i < n; i++) {
		any |= v[i].key;
		every &= v[i].key;
	}
	vary = any ^ every;
	for (shift = 0; shift < keybits && !((vary >> shift) & 1); shift++)
		;
	for (; shift < keybits && (vary >> shift); shift += width) {
		size_t sum = 0, d;

		if (!((vary >> shift) & mask))
			continue;
		memset(cnt, 0, nb * sizeof(*cnt));
		for (i = 0; i < n; i++)
			cnt[(src[i].key >> shift) & mask]++;
		for (d = 0; d < nb; d++) {
			size_t c = cnt[d];
			cnt[d] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[cnt[(src[i].key >> shift) & mask]++] = src[i];
		src = dst;
		dst = src == v ? tmp : v;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
}

struct rwork {
	size_t lo, n;
	uint32_t depth;
	bool loaded;		/* keys for depth already in place */
};

struct rsorter {
	const struct stacks *st;
	const struct ranks *rk;
	struct ritem *v, *tmp;	/* a group uses the same range of both */
	unsigned keybits;
	uint64_t last_mask;
	uint32_t *lcp;		/* by position: names shared with the one
				   before */
};

/* A sorting thread's own list of groups still to sort. */
struct rlist {
	const struct rsorter *rs;
	struct rwork *w;
	size_t n, cap;
	size_t *cnt;		/* radix histogram */
};

static void
rlist_push(struct rlist *l, struct rwork w)
{
	if (l->n == l->cap) {
		l->cap = alloc_nr(l->cap, l->n + 1);
		l->w = xreallocarray(l->w, l->cap, sizeof(*l->w));
	}
	l->w[l->n++] = w;
}

/*
 * How many names two stacks share, given that they agree up to depth and
 * their keys there are a and b: the equal ranks, plus one when the first
 * unequal tokens still have the same name (a leaf "f " against an inner
 * "f;"; one of the two stacks ends there, so nothing more is shared).
 */
static uint32_t
keys_lcp(const struct rsorter *rs, uint64_t a, uint64_t b, uint32_t depth)
{
	const struct ranks *rk = rs->rk;
	unsigned k, shift = rs->keybits;

	for (k = 0; k < rk->per_key; k++) {
		uint32_t ra, rb;

		shift -= rk->bits;
		ra = (uint32_t)((a >> shift) & rs->last_mask);
		rb = (uint32_t)((b >> shift) & rs->last_mask);
		if (ra != rb)
			return depth + k + (ra && rb &&
			    rk->name_of[ra] == rk->name_of[rb]);
		if (!ra)
			break;
	}
	return depth + k;
}

/*
 * Sort one group by its next key; its runs of equal keys become groups.
 * Where two neighbours part, their shared length is known from the keys.
 */
static void
rsort_group(struct rlist *l, struct rwork w)
{
	const struct rsorter *rs = l->rs;
	const struct stacks *st = rs->st;
	struct ritem *g = rs->v + w.lo;
	uint32_t *lcp = rs->lcp + w.lo;
	size_t i, a, b;

	for (i = 0; i < w.n && !w.loaded; i++) {
		if (i + 16 < w.n)
			PREFETCH(&st->off[g[i + 16].id]);
		if (i + 8 < w.n)
			PREFETCH(st->seq + st->off[g[i + 8].id] + w.depth);
		g[i].key = load_key(st, rs->rk, g[i].id, g[i].len, w.depth);
	}
	sort_by_key(g, rs->tmp + w.lo, l->cnt, w.n, rs->keybits);
	for (a = 0; a < w.n; a = b) {
		for (b = a + 1; b < w.n && g[b].key == g[a].key; b++)
			;
		if (b < w.n)
			lcp[b] = keys_lcp(rs, g[b - 1].key, g[b].key, w.depth);
		if (b - a < 2)
			continue;
		/* Equal keys ending in "stack ended" are equal stacks. */
		if ((g[a].key & rs->last_mask) == 0) {
			uint32_t all = keys_lcp(rs, g[a].key, g[a].key, w.depth);
			for (i = a + 1; i < b; i++)
				lcp[i] = all;
			continue;
		}
		rlist_push(l, (struct rwork){ w.lo + a, b - a,
		    w.depth + rs->rk->per_key, false });
	}
}

/*
 * The first pass over many stacks, as one most significant digit of the
 * first key (2^11 buckets), so that both threads share the rest of it.
 * The items end up in rs->tmp, which the caller swaps with rs->v. The
 * buckets are pushed as groups with their keys loaded; where two buckets
 * meet, the neighbours are the largest key of one and the smallest of
 * the next, kept on the way.
 */
static void
rsort_split(struct rlist *l, struct rsorter *rs, size_t n)
{
	enum { NB = 1 << 11 };
	struct ritem *v = rs->v, *tmp = rs->tmp;
	uint64_t any = 0, every = ~(uint64_t)0, vary, *lo_key, *hi_key;
	size_t *cnt = l->cnt, i, d, sum = 0, prev = NB;
	unsigned shift = 0;

	for (i = 0; i < n; i++) {
		v[i].key = load_key(rs->st, rs->rk, v[i].id, v[i].len, 0);
		any |= v[i].key;
		every &= v[i].key;
	}
	vary = any ^ every;
	while (shift + 11 < 64 && (vary >> (shift + 11)))
		shift++;
	lo_key = xreallocarray(NULL, NB, sizeof(*lo_key));
	hi_key = xreallocarray(NULL, NB, sizeof(*hi_key));
	memset(cnt, 0, NB * sizeof(*cnt));
	for (i = 0; i < n; i++) {
		uint64_t k = v[i].key;

		d = (size_t)(k >> shift) & (NB - 1);
		if (!cnt[d]++)
			lo_key[d] = hi_key[d] = k;
		else if (k < lo_key[d])
			lo_key[d] = k;
		else if (k > hi_key[d])
			hi_key[d] = k;
	}
	for (d = 0; d < NB; d++) {
		size_t c = cnt[d];

		if (!c)
			continue;
		if (prev != NB)
			rs->lcp[sum] = keys_lcp(rs, hi_key[prev], lo_key[d], 0);
		if (c > 1)
			rlist_push(l, (struct rwork){ sum, c, 0, true });
		prev = d;
		cnt[d] = sum;
		sum += c;
	}
	for (i = 0; i < n; i++)
		tmp[cnt[(v[i].key >> shift) & (NB - 1)]++] = v[i];
	free(lo_key);
	free(hi_key);
}

static void
rsort_drain(struct rlist *l)
{
	while (l->n)
		rsort_group(l, l->w[--l->n]);
}

/*
 * Groups shared by the sorting threads, biggest first: each thread takes
 * the next one and sorts it to the end on its own list.
 */
struct rshare {
	struct rwork *w;
	size_t n, next;
	pthread_mutex_t mu;
};

struct rworker {
	struct rlist list;
	struct rshare *share;
};

static void *
rworker_main(void *arg)
{
	struct rworker *rw = arg;
	struct rshare *sh = rw->share;

	for (;;) {
		struct rwork w;

		pthread_mutex_lock(&sh->mu);
		if (sh->next == sh->n) {
			pthread_mutex_unlock(&sh->mu);
			return NULL;
		}
		w = sh->w[sh->next++];
		pthread_mutex_unlock(&sh->mu);
		rsort_group(&rw->list, w);
		rsort_drain(&rw->list);
	}
}

static int
rwork_bigger(const void *a, const void *b)
{
	const struct rwork *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

static void
rlist_init(struct rlist *l, const struct rsorter *rs)
{
	memset(l, 0, sizeof(*l));
	l->rs = rs;
	l->cnt = xreallocarray(NULL, (size_t)1 << 11, sizeof(*l->cnt));
}

/*
 * After the first pass the groups are independent: with enough items, a
 * second thread helps sort them.
 * spare: two blocks to reuse (realloc) for the work arrays, then free.
 */
static void
sort_radix(const struct stacks *st, const struct ranks *rk, uint32_t *order,
    uint32_t *lcp, void *spare[2])
{
	size_t n = st->nrec, i;
	struct rsorter rs = { st, rk, NULL, NULL, rk->bits * rk->per_key,
	    ((uint64_t)1 << rk->bits) - 1, lcp };
	struct rworker main_w, side_w;
	struct rshare share;
	pthread_t tid;

	rs.v = xreallocarray(spare[0], n, sizeof(*rs.v));
	rs.tmp = xreallocarray(spare[1], n, sizeof(*rs.tmp));
	for (i = 0; i < n; i++) {
		rs.v[i].id = (uint32_t)i;
		rs.v[i].len = st->len[i];
	}
	lcp[0] = 0;
	rlist_init(&main_w.list, &rs);
	rlist_init(&side_w.list, &rs);
	if (n < 100000) {
		rsort_group(&main_w.list, (struct rwork){ 0, n, 0, false });
		rsort_drain(&main_w.list);
	} else {
		struct ritem *t;

		rsort_split(&main_w.list, &rs, n);
		t = rs.v;
		rs.v = rs.tmp;
		rs.tmp = t;
		/* The groups move to the shared list, biggest first. */
		qsort(main_w.list.w, main_w.list.n, sizeof(*main_w.list.w),
		    rwork_bigger);
		share.w = main_w.list.w;
		share.n = main_w.list.n;
		share.next = 0;
		main_w.list.w = NULL;
		main_w.list.n = main_w.list.cap = 0;
		pthread_mutex_init(&share.mu, NULL);
		main_w.share = side_w.share = &share;
		if (pthread_create(&tid, NULL, rworker_main, &side_w) == 0) {
			rworker_main(&main_w);
			pthread_join(tid, NULL);
		} else {
			rworker_main(&main_w);
		}
		pthread_mutex_destroy(&share.mu);
		free(share.w);
	}
	for (i = 0; i < n; i++)
		order[i] = rs.v[i].id;
	free(rs.v);
	free(rs.tmp);
	free(main_w.list.w);
	free(main_w.list.cnt);
	free(side_w.list.w);
	free(side_w.list.cnt);
}

const uint32_t *
stacks_order(struct stacks *st)
{
	void *spare[2];
	uint32_t *order;
	size_t i;

	if (st->order)
		return st->order;
	/*
	 * The lookup structures are done with. The two biggest become the
	 * sort's work arrays: memory already touched costs no page faults.
	 */
	spare[0] = st->slots;
	spare[1] = st->hash;
	free(st->text);
	st->slots = NULL;
	st->hash = NULL;
	st->text = NULL;
	arena_release(&st->text_bytes);
	free(st->name_slots);
	free(st->name_hash);
	st->name_slots = NULL;
	st->name_hash = NULL;

	order = xreallocarray(NULL, st->nrec ? st->nrec : 1, sizeof(*order));
	for (i = 0; i < st->nrec; i++)
		order[i] = (uint32_t)i;
	if (!st->opts.ordered && st->nrec > 1) {
		struct ranks rk;

		rank_tokens(st, &rk);
		st->lcp = xreallocarray(NULL, st->nrec, sizeof(*st->lcp));
		sort_radix(st, &rk, order, st->lcp, spare);
		spare[0] = spare[1] = NULL;
		free(rk.inner);
		free(rk.leaf);
		free(rk.by_rec);
		free(rk.name_of);
	}
	free(spare[0]);
	free(spare[1]);
	st->order = order;
	return order;
}

void
stacks_release(struct stacks *st)
{
	free(st->names);
	free(st->name_hash);
	free(st->name_use);
	free(st->name_slots);
	arena_release(&st->name_bytes);
	free(st->seq);
	free(st->off);
	free(st->len);
	free(st->hash);
	free(st->text);
	arena_release(&st->text_bytes);
	free(st->slots);
	free(st->rec_stack);
	free(st->count);
	free(st->before);
	free(st->rep_before);
	free(st->rep_after);
	free(st->rep_diff);
	free(st->order);
	free(st->lcp);
	buf_release(&st->scratch);
	buf_release(&st->prev);
	free(st->cuts);
	memset(st, 0, sizeof(*st));
}
