/*
 * driver: the machinery every collapser shares. A format (perf, dtrace,
 * ...) supplies a line-by-line state machine; the driver reads the file
 * operands, feeds it, counts the finished stacks and prints them.
 *
 * What the driver promises:
 *   - The operands are read in order, as one run: the format's state
 *     carries over from one file to the next, except that end() is called
 *     at the end of each file. Each file numbers its lines from 1, and
 *     "-" (or no operand at all) is standard input. A file that cannot be
 *     opened ends the run: "cannot open 'x': No such file or directory",
 *     exit 1, nothing written on stdout.
 *   - Each finished stack is interned once per sample (one hash lookup) and
 *     its count added; a stack seen only with count 0 is still printed.
 *     At the end the stacks are written in memcmp order as `stack count`
 *     lines (folded_write), then out_finish().
 *   - Warnings are printed as `prog: FILE:LINE: message`, in input order,
 *     one per call, also when several threads parse.
 *   - With nthreads > 1 a large file is parsed by nthreads threads (the
 *     main thread, which also reads, and nthreads - 1 workers), and the
 *     output and the warnings are byte-identical to one thread. Memory
 *     grows with the number of distinct stacks, not with the input: at
 *     most nthreads + 2 chunks of about COLLAPSE_CHUNK bytes are held, and
 *     if boundary() finds no cut in 4 * COLLAPSE_CHUNK bytes, the rest of
 *     that file is parsed by the main thread alone.
 *
 * How a file is parallelised: the main thread feeds lines to the format
 * until settled() says the state no longer depends on earlier input in a
 * way the other threads cannot know (perf: the default event is known
 * and no sample is open). From there the rest of the file is cut into
 * chunks, each ending right after a line where boundary() allows a cut.
 * Each parsing thread clone()s that settled state once per file and
 * parses the chunks it gets, in whatever order, one after the other with
 * it; the clone that parses the file's last chunk gets end(). So a format
 * must guarantee: after a line that boundary() would cut after, its state
 * is equivalent to the settled state it was cloned from (caches aside).
 * The settled state itself then also gets end() (with nothing pending, it
 * must only reset what is per file) and carries on with the next file.
 * Formats without settled(), clone() or boundary() are always parsed by
 * the main thread alone.
 */
#ifndef DRIVER_H
#define DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "slice.h"

/* Bytes a chunk is aimed at (it ends at the last cut point after that). */
#define COLLAPSE_CHUNK ((size_t)1 << 20)

/* Per-thread context handed to the format's callbacks (opaque). */
struct collapse_ctx;

struct collapser {
	/* Size of the format's parser state; the driver allocates it. */
	size_t state_size;

	/*
	 * Set up a zeroed *state for the start of the run. opts is what was
	 * given to collapse_run, and must outlive it.
	 */
	void (*init)(void *state, const void *opts);

	/* One line, without its '\n' and without one '\r' before it. */
	void (*line)(void *state, struct collapse_ctx *cx, struct slice line);

	/*
	 * End of one file operand: flush whatever is pending. May call
	 * collapse_fail() (e.g. input ends inside a stack).
	 */
	void (*end)(void *state, struct collapse_ctx *cx);

	/* Free what *state owns (not the state itself). */
	void (*release)(void *state);

	/*
	 * Optional, for threads (all three or none). settled(): whether the
	 * rest of the current file may be split into chunks now. clone():
	 * set up a zeroed *dst as a copy of the settled *src, to parse a
	 * chunk with. boundary(): given the unconsumed bytes p[0, n) (p
	 * starts a line), return the offset just after the *last* line in
	 * them that a chunk may end with, or 0 if there is none yet.
	 */
	bool (*settled)(const void *state);
	void (*clone)(void *dst, const void *src);
	size_t (*boundary)(const char *p, size_t n);
};

/*
 * Collapse the files (nfiles == 0: standard input) with format c and
 * print the result. nthreads 0 works like 1. Returns the exit status
 * (0); errors end the process through die().
 */
int collapse_run(const struct collapser *c, const void *opts,
    char *const *files, int nfiles, unsigned nthreads);

/*
 * Count one finished stack (the folded key, frames joined by ';'). The
 * bytes are copied when the stack is new; they may be reused right after.
 * Invalid UTF-8 in it becomes U+FFFD, one per maximal invalid sequence,
 * as inferno's lossy reading of its input does.
 */
void collapse_add(struct collapse_ctx *cx, const char *stack, size_t n,
    uint64_t count);

/*
 * Warning about the line being parsed: `prog: FILE:LINE: message`, shown
 * unless -q. Returns -1 (so `return collapse_warn(...)` reads well).
 */
int collapse_warn(struct collapse_ctx *cx, const char *fmt, ...)
    ATTR_PRINTF(2, 3);

/* Info message (shown with -v), kept in input order like warnings. */
void collapse_info(struct collapse_ctx *cx, const char *fmt, ...)
    ATTR_PRINTF(2, 3);

/*
 * Fatal input error at the line being parsed (or at the end of the file):
 * the run stops after the warnings of earlier input, prints
 * `prog: FILE:LINE: message` and exits 1 with nothing on stdout. The
 * format should stop parsing; further adds are ignored.
 */
void collapse_fail(struct collapse_ctx *cx, const char *fmt, ...)
    ATTR_PRINTF(2, 3);

/*
 * s made printable for a message: invalid UTF-8 becomes U+FFFD and NUL
 * bytes the two characters \0. The result lives in cx until the next
 * collapse_quote() call.
 */
const char *collapse_quote(struct collapse_ctx *cx, struct slice s);

/* Name of the file being parsed ("<stdin>" for standard input). */
const char *collapse_file(const struct collapse_ctx *cx);

/* Number of online CPUs (at least 1): the default for --nthreads. */
unsigned collapse_ncpus(void);

#endif
