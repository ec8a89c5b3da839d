/*
 * stacks: folded lines in, distinct stacks (or runs of lines) out, in the
 * order the flame graph merge wants them.
 *
 * Memory grows with the number of distinct stacks, not with the input:
 * frame names are interned once, and a stack is kept as the sequence of
 * its name ids (4 bytes per frame), found again through a hash of its
 * text. The text itself is kept only for stacks seen more than once, up to
 * a fixed budget, to confirm hash hits cheaply; others are confirmed
 * against their names. Nothing is stored per input line
 * except in ordered mode, where a line whose stack differs from the line
 * before starts a new "run".
 *
 * Reading runs in two stages, on two threads when it can start one: a
 * reader parses lines (warning about bad lines in input order), and the
 * calling thread files them into the tables. Names, stacks and records get
 * the same ids either way, in first-seen order.
 *
 * Records. Sorted mode (the default) has one record per distinct stack;
 * ordered mode (flame charts, --no-sort) one per run of identical adjacent
 * stacks. A record holds the summed counts of its lines and the
 * differential data of its representative line: inferno gives a frame the
 * delta of the line that opened it, which is the first line of a run (the
 * last for a flame chart, drawn backwards), or of a group of duplicates
 * the one whose count text sorts first.
 *
 * Line rules (see folded.h): trimmed, "# " comments and empty lines
 * skipped, the count after the last space, a second count making the line
 * differential. A bad line gets one warning with file and line, and is
 * counted in st->ignored.
 */
#ifndef STACKS_H
#define STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "slice.h"

struct stacks_opts {
	bool ordered;		/* keep input order (flamechart, --no-sort) */
	bool check_sorted;	/* --no-sort: die on out-of-order lines */
	bool reverse;		/* --reverse: reverse each stack's frames */
	bool last_line_wins;	/* a run's delta comes from its last line */
	const char *const *base;	/* --base symbols, or NULL */
	size_t nbase;
};

struct stacks_slot;

struct stacks {
	struct stacks_opts opts;

	/* Frame names by id; id 0 is "", the root. */
	struct slice *names;
	uint64_t *name_hash;
	unsigned char *name_use;	/* 1: seen inside a stack, 2: as leaf */
	uint32_t nnames, names_cap;
	struct stacks_slot *name_slots;
	size_t name_mask;
	struct arena name_bytes;

	/* Distinct stacks, by id: name ids at seq[off[id] .. + len[id]). */
	uint32_t *seq;
	size_t seq_n, seq_cap;
	size_t *off;
	uint32_t *len;
	uint32_t nstacks, stacks_cap;
	uint32_t maxlen;	/* longest stack, in frames */

	/* Lookup by text; dropped by stacks_order(). */
	uint64_t *hash;		/* of the stack text, to regrow the table */
	const char **text;	/* [u32 length][bytes], or NULL */
	struct arena text_bytes;
	size_t text_budget;
	struct stacks_slot *slots;
	size_t mask;

	/* Records: by stack id (sorted) or by run (ordered). */
	uint32_t *rec_stack;	/* ordered mode only */
	uint64_t *count;	/* summed last-column counts */
	uint64_t *before;	/* summed middle-column counts; NULL until
				   the first differential line */
	uint64_t *rep_before;	/* representative line's counts */
	uint64_t *rep_after;
	unsigned char *rep_diff;	/* representative had two counts */
	size_t nrec, rec_cap;

	uint64_t total;		/* sum of counts, wrapping like inferno */
	uint64_t delta_max;	/* largest |after - before|, at least 1 */
	uint32_t *order;	/* from stacks_order */
	uint32_t *lcp;		/* from stacks_order, sorted mode with more
				   than one record (else NULL): how many
				   leading names record order[i] shares with
				   order[i - 1] (lcp[0] = 0) */

	/* Written only by the reading thread while reading. */
	uint64_t ignored;	/* bad lines */
	bool warned_fraction;
	struct buf scratch;	/* reversed stack text */
	size_t *cuts;		/* where its pieces start */
	size_t cuts_cap;
	struct buf prev;	/* --no-sort: previous stack text */
	bool have_prev;
};

void stacks_init(struct stacks *st, const struct stacks_opts *opts);

/*
 * Read the files in turn (none: standard input; "-" is standard input
 * too). A file that cannot be opened or read is fatal.
 */
void stacks_read_files(struct stacks *st, char *const *files, size_t nfiles);

/*
 * The records in merge order, once all lines are in: sorted mode sorts
 * the stacks the way inferno sorts whole lines (byte order of
 * "stack count", so "a;b" comes before "a;b!x" before "a;b;c"); ordered
 * mode keeps the runs in input order. Returns nrec record indexes, owned
 * by st. No line may be added afterwards.
 */
const uint32_t *stacks_order(struct stacks *st);

/* The name ids of record rec's stack, root excluded. */
static inline const uint32_t *
stacks_frames(const struct stacks *st, uint32_t rec, uint32_t *len)
{
	uint32_t id = st->rec_stack ? st->rec_stack[rec] : rec;

	*len = st->len[id];
	return st->seq + st->off[id];
}

static inline struct slice
stacks_name(const struct stacks *st, uint32_t name)
{
	return st->names[name];
}

void stacks_release(struct stacks *st);

#endif
