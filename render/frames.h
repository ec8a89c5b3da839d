/*
 * frames: stacks in merge order -> frame rectangles, by inferno's merge.
 *
 * A virtual root frame with the empty name sits at depth 0 under every
 * stack. Walking the records in order with a running time (sum of counts),
 * each record closes the frames of the previous stack below the common
 * prefix of the two and opens its own, so identical prefixes of adjacent
 * records become one frame and nothing else is merged. Frames come out in
 * the order they close (by end, shallower first), which is the order the
 * SVG lists them and the order the default colours are drawn in.
 *
 * Frames narrower than the threshold (in samples, strictly less) are
 * dropped as they close, so memory holds only what will be drawn.
 */
#ifndef FRAMES_H
#define FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stacks.h"

struct frame {
	uint64_t start, end;	/* position on the time axis, in samples */
	uint64_t before;	/* differential: middle-column counts of the
				   lines through the frame */
	int64_t delta;		/* differential: after - before of the line
				   that opened it, if that was its leaf */
	uint32_t name;		/* id in the stacks' name table */
	uint32_t depth;		/* 0 = the root */
	bool has_delta;		/* opened by a differential line */
};

struct frames {
	struct frame *v;
	size_t n, cap;
	uint32_t depthmax;	/* deepest frame kept (0 when none) */
};
#define FRAMES_INIT { NULL, 0, 0, 0 }

/*
 * Merge the records of st in the order of stacks_order() (backwards:
 * last record first, for inferno's flame charts), dropping frames whose
 * width in samples is below threshold (a NaN threshold keeps all).
 */
void frames_build(struct frames *fr, struct stacks *st, double threshold,
    bool backwards);

void frames_release(struct frames *fr);

#endif
