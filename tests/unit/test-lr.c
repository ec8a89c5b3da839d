/*
 * test-lr: lines across read boundaries, a line longer than the block,
 * CRLF, NUL bytes, no final newline, empty input, and chunks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lr.h"
#include "tap.h"

static char path[] = "/tmp/test-lr-XXXXXX";

static void
write_file(const char *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	fwrite(p, 1, n, f);
	fclose(f);
}

int
main(void)
{
	struct lr r;
	struct slice line;
	struct buf b = BUF_INIT, chunk = BUF_INIT;
	size_t i, total, nlines;
	int fd = mkstemp(path), good;

	close(fd);

	/* 3 MiB of numbered lines: some straddle the 1 MiB read boundary. */
	for (i = 0; b.len < 3 * LR_BLOCK; i++)
		buf_addf(&b, "line %zu\n", i);
	write_file(b.p, b.len);
	lr_open_or_die(&r, path);
	good = 1;
	for (i = 0; lr_next(&r, &line) == 1; i++) {
		char want[32];
		int n = snprintf(want, sizeof(want), "line %zu", i);
		if (line.n != (size_t)n || memcmp(line.p, want, line.n))
			good = 0;
	}
	ok(good && r.lineno == i, "lines across block boundaries (%zu lines)", i);
	lr_close(&r);

	/* One line of 5 MiB, then a short one without final newline. */
	buf_reset(&b);
	for (i = 0; i < 5 * LR_BLOCK; i++)
		buf_addc(&b, (char)('a' + i % 26));
	buf_adds(&b, "\r\nend\r");
	write_file(b.p, b.len);
	lr_open_or_die(&r, path);
	ok(lr_next(&r, &line) == 1 && line.n == 5 * LR_BLOCK && line.p[0] == 'a'
	    && line.p[line.n - 1] == (char)('a' + (line.n - 1) % 26),
	    "a line longer than the block, CR stripped");
	ok(lr_next(&r, &line) == 1 && slice_eq_lit(line, "end"),
	    "last line without newline, CR stripped");
	ok(lr_next(&r, &line) == 0 && r.lineno == 2, "then end of input");
	lr_close(&r);

	/* NUL bytes and empty lines. */
	write_file("a\0b\n\n\nc", 7);
	lr_open_or_die(&r, path);
	ok(lr_next(&r, &line) == 1 && line.n == 3 && line.p[1] == '\0',
	    "NUL byte kept inside a line");
	ok(lr_next(&r, &line) == 1 && line.n == 0, "empty line");
	ok(lr_next(&r, &line) == 1 && line.n == 0, "second empty line");
	ok(lr_next(&r, &line) == 1 && slice_eq_lit(line, "c"), "last line");
	lr_close(&r);

	write_file("", 0);
	lr_open_or_die(&r, path);
	ok(lr_next(&r, &line) == 0, "empty input has no lines");
	lr_close(&r);

	ok(lr_open(&r, "/nonexistent/x") < 0, "missing file fails to open");
	ok(lr_open(&r, "/") < 0, "a directory fails to open");

	/* Chunks cover the input exactly and end at line boundaries. */
	buf_reset(&b);
	for (i = 0; b.len < 3 * LR_BLOCK + 17; i++)
		buf_addf(&b, "sample %zu\n", i);
	buf_adds(&b, "tail");
	write_file(b.p, b.len);
	lr_open_or_die(&r, path);
	total = 0;
	good = 1;
	nlines = 0;
	while (lr_chunk(&r, &chunk, 1 << 19, NULL)) {
		if (memcmp(chunk.p, b.p + total, chunk.len))
			good = 0;
		if (total + chunk.len < b.len && chunk.p[chunk.len - 1] != '\n')
			good = 0;
		total += chunk.len;
		nlines++;
	}
	ok(good && total == b.len && nlines > 3, "chunks (%zu) tile the input", nlines);
	lr_close(&r);

	/* Memory reader numbers lines from the given base. */
	lr_open_mem(&r, "x\ny", 3, "mem", 10);
	ok(lr_next(&r, &line) == 1 && r.lineno == 11 && slice_eq_lit(line, "x"),
	    "memory reader line numbers");
	ok(lr_next(&r, &line) == 1 && slice_eq_lit(line, "y"), "memory reader tail");
	ok(lr_next(&r, &line) == 0, "memory reader end");
	lr_close(&r);

	/* lr_slurp returns everything not yet read. */
	write_file("head\nrest of\nit", 15);
	lr_open_or_die(&r, path);
	lr_next(&r, &line);
	buf_reset(&b);
	lr_slurp(&r, &b);
	ok(b.len == 10 && memcmp(b.p, "rest of\nit", 10) == 0, "slurp the rest");
	lr_close(&r);

	unlink(path);
	buf_release(&b);
	buf_release(&chunk);
	return tap_done();
}
