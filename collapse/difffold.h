/*
 * difffold: two folded profiles -> one differential profile
 * (`stack before after`), the engine of diff-folded.
 *
 * Each input is interned into a table of its own (on a thread of its own
 * when both are mapped files), with its counts in an array indexed by
 * stack id; the two are merged in key order as they are written (see
 * difffold_write). Memory
 * grows with the number of distinct stacks only, never with the input
 * size (the stacks of a mapped file are kept where they lie in the
 * mapping, not copied; a file of a gigabyte or more is given back as it
 * is read, see lr_open_map). Lines are read the way
 * inferno-diff-folded reads them (see difffold_split), not with the
 * flame graph reader: an empty stack (` 5`) is valid, a line that is not
 * `stack count` gets one warning and is skipped.
 *
 * Counts and totals are uint64_t and wrap on overflow, as inferno's do.
 */
#ifndef DIFFFOLD_H
#define DIFFFOLD_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "intern.h"
#include "lr.h"
#include "slice.h"
#include "vec.h"

enum difffold_side { DIFFFOLD_BEFORE = 0, DIFFFOLD_AFTER = 1 };

/* One input: its own stacks and counts (counts.v[id]; short = zeros). */
struct difffold_input {
	struct intern stacks;
	struct u64vec counts;
	uint64_t total;			/* sum of the parsed counts */
	struct buf scratch;		/* the stack after strip_hex */
};

struct difffold {
	struct difffold_input in[2];	/* in[side] */
	bool strip_hex;			/* rewrite 0x<hex digits> to 0x... */
};

void difffold_init(struct difffold *d, bool strip_hex);

/*
 * Result of difffold_split. DIFFFOLD_LINE_BAD lines are warned about and
 * skipped by difffold_read; there is no "skip silently" class: inferno
 * rejects even an empty line.
 */
enum difffold_line { DIFFFOLD_LINE_BAD = -1, DIFFFOLD_LINE_OK = 1 };

/*
 * Parse one line (without its '\n'): the count is the text after the last
 * space with trailing whitespace removed, `digits` or `digits.digits`
 * (either side of the dot may be empty; a leading `+` is allowed when there
 * is no dot, as Rust's integer parser allows it); the fraction is dropped.
 * The stack is the text before that space with trailing whitespace removed
 * (it may be empty). *fractional is set when a fraction with a non-zero
 * digit was seen, even on a line that then fails (`.5`); it is never
 * cleared. *stack borrows from line.
 */
enum difffold_line difffold_split(struct slice line, struct slice *stack,
    uint64_t *count, bool *fractional);

/*
 * Read every line of in into column side. Each bad line gets one warning
 * (`file:line: Unable to parse line: '...'`); the first fractional count of
 * the file gets one warning. Dies only on a read error. The stacks of a
 * mapped reader (lr_open_map) are not copied: in must stay open until
 * difffold_release.
 */
void difffold_read(struct difffold *d, enum difffold_side side,
    struct lr *in);

/*
 * difffold_read of both inputs; when both are mapped, on two threads, the
 * warnings about after still printed after those about before.
 */
void difffold_read_both(struct difffold *d, struct lr *before,
    struct lr *after);

/*
 * Scale the before column so that its total matches the after column's:
 * before = trunc(before * total_after / total_before), computed in double
 * and saturated to the uint64_t range. Nothing happens when the totals are
 * already equal.
 */
void difffold_normalize(struct difffold *d);

/*
 * Write `stack before after` for every stack, in byte order of the stacks.
 * Inputs in that order already (as collapsers write them) are merged
 * without a sort. Afterwards d holds the union in in[0] (difffold_release
 * is all that is left to call).
 */
void difffold_write(struct difffold *d);

void difffold_release(struct difffold *d);

#endif
