/*
 * folded: the `stack count` line format (see the folded-format spec).
 *
 * Reading follows inferno-flamegraph: the line is trimmed of Unicode
 * whitespace; an empty line or one starting with "# " is skipped; the count
 * is the text after the last ASCII space, digits with an optional fraction
 * that is truncated; a second count before it makes the line differential
 * (`stack before after`).
 */
#ifndef FOLDED_H
#define FOLDED_H

#include <stdbool.h>
#include <stdint.h>
#include "slice.h"

enum folded_kind {
	FOLDED_BAD = -1,	/* not a folded line: warn and skip */
	FOLDED_SKIP = 0,	/* empty or comment: skip silently */
	FOLDED_OK = 1,
};

struct folded_line {
	struct slice stack;	/* borrowed from the input line */
	uint64_t count;		/* the last column ("after" when differential) */
	uint64_t before;	/* middle column when ncounts == 2 */
	int ncounts;		/* 1 or 2 */
	bool fractional;	/* a non-zero fraction was truncated */
};

/* Parse one line (without its '\n'). */
enum folded_kind folded_split(struct slice line, struct folded_line *fl);

/* `stack count\n` on out. */
void folded_write(struct slice stack, uint64_t count);
/* `stack before after\n` on out. */
void folded_write2(struct slice stack, uint64_t before, uint64_t after);

#endif
