/*
 * lr: one buffer holds [start, end) of unconsumed input. When no '\n' is
 * left in it, the unconsumed tail is moved to the front and the buffer is
 * refilled (doubled first if the tail already fills it, which is how a
 * line of any length fits). `scan` remembers how far the tail was already
 * searched, so a huge line is not searched again after every read.
 */
/* madvise() is not POSIX; where it is missing, pages are simply kept. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "lr.h"
#include "xmalloc.h"

static void
init(struct lr *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

int
lr_open(struct lr *r, const char *path)
{
	struct stat st;
	int fd;

	init(r);
	if (strcmp(path, "-") == 0) {
		fd = 0;
		r->name = "<stdin>";
	} else {
		do
			fd = open(path, O_RDONLY);
		while (fd < 0 && errno == EINTR);
		if (fd < 0)
			return -1;
		r->name = path;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (fd != 0)
			close(fd);
		errno = EISDIR;
		return -1;
	}
	r->fd = fd;
	r->cap = LR_BLOCK;
	r->buf = xmalloc(r->cap);
	r->own_buf = 1;
	return 0;
}

void
lr_open_or_die(struct lr *r, const char *path)
{
	if (lr_open(r, path) < 0)
		die_errno("cannot open '%s'", strcmp(path, "-") ? path : "<stdin>");
}

void
lr_open_map_or_die(struct lr *r, const char *path)
{
	if (lr_open_map(r, path) < 0)
		die_errno("cannot open '%s'", strcmp(path, "-") ? path : "<stdin>");
}

int
lr_open_map(struct lr *r, const char *path)
{
	struct stat st;
	void *map;

	if (lr_open(r, path) < 0)
		return -1;
	if (r->fd <= 0 || fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size <= 0 || (uintmax_t)st.st_size >= SIZE_MAX)
		return 0;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, r->fd, 0);
	if (map == MAP_FAILED)
		return 0;
	free(r->buf);
	r->own_buf = 0;
	r->keep = xcalloc((size_t)st.st_size / LR_PART + 1, 1);
	r->map = map;
	r->buf = map;
	r->cap = r->end = (size_t)st.st_size;
	r->eof = 1;
	return 0;
}

void
lr_open_mem(struct lr *r, const char *p, size_t n, const char *name,
    uint64_t lineno0)
{
	init(r);
	r->name = name;
	r->lineno = lineno0;
	r->buf = (char *)p;
	r->cap = n;
	r->end = n;
	r->eof = 1;
}

/*
 * Read once more into the buffer, compacting or growing it first.
 * Returns the number of bytes added (0 at end of input).
 */
static size_t
fill(struct lr *r, size_t min_room)
{
	ssize_t n;

	if (r->eof)
		return 0;
	if (r->start) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->scan = r->scan > r->start ? r->scan - r->start : 0;
		r->start = 0;
	}
	if (r->cap - r->end < min_room) {
		size_t cap = r->cap;
		while (cap - r->end < min_room)
			cap = st_add(cap, cap);
		r->buf = xrealloc(r->buf, cap);
		r->cap = cap;
	}
	do
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die_errno("read error on '%s'", r->name);
	if (n == 0)
		r->eof = 1;
	r->end += (size_t)n;
	return (size_t)n;
}

void
lr_keep(struct lr *r, const char *p, size_t n)
{
	size_t from, to;

	if (!r->map || n == 0)
		return;
	from = (size_t)(p - (const char *)r->map) / LR_PART;
	to = (size_t)(p + n - 1 - (const char *)r->map) / LR_PART;
	while (from <= to)
		r->keep[from++] = 1;
}

/*
 * Give back the parts of a mapped file the reader is a whole part past,
 * unless kept: runs of them in one call, on page boundaries.
 */
static void
drop_parts(struct lr *r)
{
	size_t last = r->start / LR_PART, from, to;

	while (r->parts_done + 1 < last) {
		if (r->keep[r->parts_done]) {
			r->parts_done++;
			continue;
		}
		from = r->parts_done;
		while (r->parts_done + 1 < last && !r->keep[r->parts_done])
			r->parts_done++;
		to = r->parts_done;
#ifdef MADV_DONTNEED
		madvise((char *)r->map + from * LR_PART, (to - from) * LR_PART,
		    MADV_DONTNEED);
#endif
	}
}

int
lr_next(struct lr *r, struct slice *line)
{
	for (;;) {
		size_t from = r->scan > r->start ? r->scan : r->start;
		char *nl = from < r->end ?
		    memchr(r->buf + from, '\n', r->end - from) : NULL;
		size_t len;

		if (nl) {
			len = (size_t)(nl - (r->buf + r->start));
			*line = slice_make(r->buf + r->start, len);
			r->start += len + 1;
			r->scan = r->start;
			break;
		}
		r->scan = r->end;
		if (!r->eof) {
			fill(r, LR_BLOCK / 2);
			continue;
		}
		if (r->start == r->end)
			return 0;
		*line = slice_make(r->buf + r->start, r->end - r->start);
		r->start = r->end;
		break;
	}
	if (line->n && line->p[line->n - 1] == '\r')
		line->n--;
	r->lineno++;
	if (UNLIKELY(r->map && r->start / LR_PART > r->parts_done + 1))
		drop_parts(r);
	return 1;
}

static size_t
after_last_newline(const char *p, size_t n)
{
	while (n && p[n - 1] != '\n')
		n--;
	return n;
}

/*
 * read(2) up to max bytes (at least 64 KiB, so looking for a cut point
 * does not crawl) into b; returns bytes read, 0 at end of input.
 */
static size_t
read_into(struct lr *r, struct buf *b, size_t max)
{
	ssize_t n;

	if (max < 65536)
		max = 65536;
	buf_grow(b, max);
	do
		n = read(r->fd, b->p + b->len, max);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die_errno("read error on '%s'", r->name);
	if (n == 0)
		r->eof = 1;
	buf_setlen(b, b->len + (size_t)n);
	return (size_t)n;
}

/*
 * Chunks are read straight into the caller's buffer, so the bytes are
 * copied only once; what lies past the cut (a partial sample, small)
 * goes back into the reader's own buffer for the next chunk.
 */
size_t
lr_chunk(struct lr *r, struct buf *into,
    size_t want, size_t (*boundary)(const char *p, size_t n))
{
	size_t take;

	buf_reset(into);
	if (!boundary)
		boundary = after_last_newline;
	if (r->fd < 0) {
		/* A memory reader: its bytes are not ours to move. */
		take = r->end - r->start;
		if (take && !(take = boundary(r->buf + r->start, take)))
			take = r->end - r->start;
		buf_add(into, r->buf + r->start, take);
		r->start = r->scan = r->start + take;
		return take;
	}
	buf_add(into, r->buf + r->start, r->end - r->start);
	r->start = r->end = r->scan = 0;
	while (!r->eof && into->len < want)
		read_into(r, into, want - into->len);
	for (;;) {
		if (!into->len)
			return 0;
		take = boundary(into->p, into->len);
		if (take)
			break;
		if (r->eof) {
			take = into->len;
			break;
		}
		read_into(r, into, into->len);
	}
	if (take < into->len) {
		size_t rest = into->len - take;
		if (r->cap < rest) {
			r->buf = xrealloc(r->buf, rest);
			r->cap = rest;
		}
		memcpy(r->buf, into->p + take, rest);
		r->end = rest;
		buf_setlen(into, take);
	}
	return take;
}

void
lr_slurp(struct lr *r, struct buf *into)
{
	struct stat st;
	ssize_t n;

	buf_add(into, r->buf + r->start, r->end - r->start);
	r->start = r->scan = r->end;
	if (r->eof)
		return;
	if (fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		buf_grow(into, (size_t)st.st_size);
	for (;;) {
		if (into->cap - into->len < LR_BLOCK)
			buf_grow(into, LR_BLOCK);
		do
			n = read(r->fd, into->p + into->len, into->cap - into->len - 1);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			die_errno("read error on '%s'", r->name);
		if (n == 0)
			break;
		buf_setlen(into, into->len + (size_t)n);
	}
	r->eof = 1;
}

void
lr_close(struct lr *r)
{
	if (r->fd > 0)
		close(r->fd);
	if (r->map)
		munmap(r->map, r->cap);
	free(r->keep);
	if (r->own_buf)
		free(r->buf);
	init(r);
}
