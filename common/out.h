/*
 * out: the buffered standard output every tool writes through.
 *
 * Output is collected in a 64 KiB buffer and written with write(2).
 * A write error other than a closed pipe is fatal: "write error: ..."
 * and exit 1. A closed pipe ends the process quietly: through SIGPIPE
 * (diag_init restores its default action), or, should the signal be
 * blocked, by exiting 0 without a message on EPIPE.
 * Call out_finish() before exiting normally.
 */
#ifndef OUT_H
#define OUT_H

#include <stddef.h>
#include <stdint.h>
#include "slice.h"

#define OUT_BUFSZ ((size_t)1 << 16)

struct out {
	char buf[OUT_BUFSZ];
	size_t len;
	int fd;
};
extern struct out out_stdout;

void out_flush(void);
void out_write(const void *p, size_t n);

static inline void
out_char(char c)
{
	if (out_stdout.len == OUT_BUFSZ)
		out_flush();
	out_stdout.buf[out_stdout.len++] = c;
}

static inline void
out_slice(struct slice s)
{
	out_write(s.p, s.n);
}

void out_str(const char *s);
void out_u64(uint64_t v);	/* decimal, no locale */

/* Flush, then check that stdout was really written; dies on error. */
void out_finish(void);

#endif
