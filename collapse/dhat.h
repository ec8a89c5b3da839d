/*
 * dhat: fold a DHAT heap profile (Valgrind's --tool=dhat, file versions
 * 1 and 2, or the Rust crate dhat) into one folded line per stack, for
 * one metric.
 *
 * Promises, whatever the layout or key order of the JSON:
 *  - stacks are written root first (each program point's "fs" reversed),
 *    values of equal stacks summed, zero sums left out, lines sorted by
 *    the bytes of the stack;
 *  - nothing is written unless the whole file was read and checked:
 *    every whole-file problem (bad JSON, wrong version, a metric the file
 *    does not record, a sum above 2^64 - 1) dies with exit 1 first;
 *  - one bad program point is one warning "FILE:LINE: pps[N]: ..." and is
 *    left out; the rest still counts.
 */
#ifndef DHAT_H
#define DHAT_H

#include <stdbool.h>
#include "buf.h"
#include "slice.h"

enum dhat_metric {
	DHAT_TOTAL_BYTES,
	DHAT_TOTAL_BLOCKS,
	DHAT_PEAK_BYTES,
	DHAT_PEAK_BLOCKS,
	DHAT_END_BYTES,
	DHAT_END_BLOCKS,
	DHAT_MAX_BYTES,
	DHAT_MAX_BLOCKS,
	DHAT_LIFETIMES,
	DHAT_READS,
	DHAT_WRITES,
	DHAT_NMETRICS
};

struct dhat_opts {
	enum dhat_metric metric;
	bool addrs;	/* keep each frame's "0x...: " address */
	bool location;	/* keep each frame's " (file:line)" / " (in obj)" */
};
#define DHAT_OPTS_INIT { DHAT_TOTAL_BYTES, false, false }

/* Metric by its name or field alias ("peak-bytes" or "gb"); -1 if none. */
int dhat_metric_parse(const char *name);
const char *dhat_metric_name(enum dhat_metric m);

/*
 * Fold the profile in *json (all of it, as lr_slurp gives it) and write
 * the folded lines through out (the caller calls out_finish). name is the
 * file name for messages. *json is taken over and left as BUF_INIT: its
 * memory is reused, then freed as soon as possible, to keep peak memory
 * near the input size. Large profiles use a second thread for parts of
 * the work, each joined before the step that needs it: reading the second
 * half of the program points, then counting the frame table (both done
 * from a guess of where they start, and dropped unless the guess is
 * proved, so that output and messages are those of one thread), rendering
 * frames, the two sorts, and spelling out the second half of the lines.
 * All that work is done when this returns.
 */
void dhat_fold(struct buf *json, const char *name,
    const struct dhat_opts *opts);

/*
 * As dhat_fold, for a regular file open on fd at offset 0: the file is
 * mapped rather than read, which saves copying it, and the parts already
 * read are unmapped as early as possible. The file must not shrink while
 * it is read (as with any mapped file, that would be SIGBUS). Returns
 * false, having read nothing, when fd cannot be mapped (a pipe, a
 * terminal, an empty file, an offset other than 0, a size that is a
 * whole number of pages: the NUL the scanners stop on would be missing);
 * the caller then reads it with lr_slurp and calls dhat_fold.
 */
bool dhat_fold_fd(int fd, const char *name, const struct dhat_opts *opts);

/*
 * Append the display form of one frame string (already JSON-decoded) to
 * out: address and location removed unless asked for, "??? (in /x/obj)"
 * shown as "[obj]", an empty name as "???", ';' turned into ':' and
 * control characters into spaces.
 */
void dhat_frame(struct slice frame, const struct dhat_opts *opts,
    struct buf *out);

#endif
