/*
 * dtrace: the DTrace stack()/ustack() aggregation format, as a collapser
 * for the shared driver (driver.h).
 *
 * Input: a header, ended by the first blank line of each file (inferno
 * skips exactly that; a file with no blank line warns "File ended while
 * skipping headers"). Then stacks: frame lines, leaf first, each stack
 * ended by a line holding only its count. Lines are trimmed of Unicode
 * white space and invalid UTF-8 is replaced by U+FFFD first, as inferno
 * reads them; blank lines are ignored; a line that is a whole unsigned
 * 64-bit number (an optional `+` allowed) is a count; anything else is a
 * frame.
 *
 * Frame names are tidied the way inferno-collapse-dtrace does it:
 *   - the offset goes: everything from the last `+` (kept with
 *     includeoffset, where only the leaf loses it);
 *   - C++: after the first `::`, the name is cut at the last `(` or `<`;
 *   - an empty name becomes `-`;
 *   - Rust legacy symbols after the first backquote are repaired (rust.h);
 *   - an inline chain `a->b->c` becomes the frames `a;b_[i];c_[i]`, each
 *     without leading `L`s; `;` inside names becomes `:`. With
 *     includeoffset every frame is treated as a (one-part) chain.
 * A count line with no frames before it counts the empty stack (printed
 * as ` COUNT`). Input that ends between a frame and its count is an error
 * (the run fails, nothing is printed).
 */
#ifndef DTRACE_H
#define DTRACE_H

#include <stdbool.h>

#include "driver.h"

struct dtrace_opts {
	bool includeoffset;	/* keep +0x... on all but the leaf frame */
};

/* The format, for collapse_run(&dtrace_collapser, &opts, ...). */
extern const struct collapser dtrace_collapser;

#endif
