/*
 * lr: block line reader. Reads a file or stdin with large read(2)s and
 * hands out lines as slices into its own buffer, found with memchr.
 *
 * A line is the bytes before '\n' (the '\n' and one '\r' right before it
 * are removed); the last line needs no '\n'. Lines may be of any length
 * (the buffer grows to hold the longest) and may contain NUL bytes.
 * A slice from lr_next() stays valid until the next call on the reader.
 * Memory stays at one block plus the longest line, whatever the input size.
 *
 * r->name is what diagnostics print: the path, or "<stdin>" for "-".
 * r->lineno is the 1-based number of the line last returned.
 */
#ifndef LR_H
#define LR_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "slice.h"

/*
 * A mapped file is read in parts of LR_PART bytes; each part read is given
 * back unless lr_keep() was called on bytes in it.
 */
#define LR_PART ((size_t)64 << 10)
#define LR_BLOCK ((size_t)1 << 20)

struct lr {
	const char *name;
	uint64_t lineno;
	int fd;			/* -1 for a memory reader */
	int eof;		/* read(2) has returned 0 */
	int err;		/* errno of a failed read, else 0 */
	char *buf;
	size_t cap;
	size_t start;		/* first unconsumed byte */
	size_t end;		/* one past the last byte read */
	size_t scan;		/* [start, scan) holds no '\n' */
	int own_buf;
	void *map;		/* lr_open_map: the mapping, else NULL */
	unsigned char *keep;	/* per part of it: lr_keep was called */
	size_t parts_done;	/* parts before this are kept or given back */
};

/*
 * Open path ("-" for stdin). Returns 0, or -1 with errno set (the caller
 * reports it; see lr_open_or_die). A directory fails here with EISDIR.
 */
int lr_open(struct lr *r, const char *path);

/*
 * lr_open, and a regular file is then mapped and read from memory: its
 * lines stay valid, where they are, until lr_close (check r->map), so
 * that a caller can keep them rather than copy them. What was read is
 * given back to the system part by part, except the parts the caller
 * named with lr_keep: memory grows with what is kept, not with the file
 * (a line given back and read again is read again from the file, at the
 * cost of a page fault). Anything that cannot be mapped (stdin, a pipe,
 * an empty file) is read as lr_open reads it. A file shortened by another
 * process meanwhile ends us with SIGBUS.
 */
int lr_open_map(struct lr *r, const char *path);

/*
 * Of a mapped reader: n bytes at p, from a line it returned, will be read
 * again; keep them in memory. The lines of the last few kilobytes read
 * can still be named: a part is given back only once the reader is a
 * whole part past it.
 */
void lr_keep(struct lr *r, const char *p, size_t n);

/* lr_open, or die with "cannot open 'path': strerror" (exit 1). */
void lr_open_or_die(struct lr *r, const char *path);
void lr_open_map_or_die(struct lr *r, const char *path);

/*
 * A reader over n bytes in memory (not copied; they must outlive the reader).
 * Lines are numbered from lineno0 + 1; name is used for diagnostics.
 */
void lr_open_mem(struct lr *r, const char *p, size_t n, const char *name,
    uint64_t lineno0);

/*
 * Next line into *line. Returns 1 for a line, 0 at end of input, and dies
 * with "read error on 'name': strerror" if read(2) fails.
 */
int lr_next(struct lr *r, struct slice *line);

/*
 * Read the rest of the input as whole lines into *into (which is reset
 * first), at least want bytes unless the input ends first. The cut is made
 * where boundary() says: it is given the unconsumed bytes and returns how
 * many of them to take (0 = no cut point yet, read more); NULL cuts after
 * the last '\n'. Returns the bytes taken, 0 at end of input. Line numbers
 * are not counted. For handing chunks to worker threads.
 */
size_t lr_chunk(struct lr *r, struct buf *into, size_t want,
    size_t (*boundary)(const char *p, size_t n));

/* The whole rest of the input appended to *into (for JSON). */
void lr_slurp(struct lr *r, struct buf *into);

/* Close the fd (not stdin's) and free the buffer. */
void lr_close(struct lr *r);

#endif
