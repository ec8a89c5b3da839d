/*
 * chunked: the collapse driver rebuilt with a chunk size chosen per run,
 * so that the threaded path (which normally starts only past 1 MiB of
 * input) runs on fuzzer-sized inputs, and a differential check of the
 * driver's promise: with threads, stdout, stderr and the exit status are
 * byte-identical to one thread. The threaded run also reads with a
 * small block size (lrblock.c), which must not change anything either.
 *
 * driver.c is compiled into this file with COLLAPSE_CHUNK turned into a
 * variable: the targets that link it get this copy instead of the
 * library's (the archive member is not pulled in, since every symbol it
 * defines is defined here first).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "chunked.h"
#include "harness.h"

#undef COLLAPSE_CHUNK
#define COLLAPSE_CHUNK fz_chunk
size_t fz_chunk = (size_t)1 << 20;

#include "../../collapse/driver.c"

struct collapse_call {
	const struct collapser *c;
	const void *opts;
	char **files;
	int nfiles;
	unsigned nthreads;
	int level;
};

static int
call_collapse(void *arg)
{
	struct collapse_call *cc = arg;

	diag_init("collapse", NULL);
	diag_level = cc->level;
	return collapse_run(cc->c, cc->opts, cc->files, cc->nfiles,
	    cc->nthreads);
}

static void
show(const char *what, struct slice s)
{
	fprintf(stderr, "---- %s (%zu bytes)\n%.*s\n", what, s.n,
	    (int)(s.n > 4000 ? 4000 : s.n), s.p);
}

void
fz_collapse_diff(const struct collapser *c, const void *opts,
    const uint8_t *data, size_t n, size_t split, unsigned nthreads,
    size_t chunk, int level)
{
	static char f1[] = "in1.txt", f2[] = "in2.txt";
	char *files[2] = { f1, f2 };
	struct collapse_call cc = { c, opts, files, 1, 1, level };
	struct slice out1, err1, out2, err2;
	char *save_out, *save_err;
	int st1, st2;
	const char *why;

	if (split < n) {
		fz_write_file(f1, data, split);
		fz_write_file(f2, data + split, n - split);
		cc.nfiles = 2;
	} else {
		fz_write_file(f1, data, n);
	}

	/* The reference: one thread, the real block size. */
	fz_chunk = (size_t)1 << 20;
	fz_lr_block = (size_t)1 << 20;
	st1 = fz_run(call_collapse, &cc, FZ_OUT | FZ_ERR);
	out1 = fz_out();
	err1 = fz_err();
	if (st1 == 0) {
		if ((why = fz_check_folded(out1.p, out1.n, 1, false)))
			fz_fail("collapse output: %s", why);
		if (!fz_utf8_valid(out1.p, out1.n))
			fz_fail("collapse output is not valid UTF-8");
	} else if (out1.n) {
		fz_fail("exit %d with %zu bytes on stdout", st1, out1.n);
	}
	if (nthreads < 2)
		return;

	/* Keep copies: the second run reuses the capture buffers. */
	save_out = malloc(out1.n + 1);
	save_err = malloc(err1.n + 1);
	if (!save_out || !save_err)
		abort();
	memcpy(save_out, out1.p, out1.n);
	memcpy(save_err, err1.p, err1.n);
	out1.p = save_out;
	err1.p = save_err;

	chunk = chunk ? chunk : 1;
	fz_chunk = chunk;
	fz_lr_block = fz_block_size(n ^ chunk);
	cc.nthreads = nthreads;
	st2 = fz_run(call_collapse, &cc, FZ_OUT | FZ_ERR);
	out2 = fz_out();
	err2 = fz_err();
	fz_chunk = (size_t)1 << 20;
	if (st1 != st2 || !slice_eq(out1, out2) ||
	    (level < DIAG_DEBUG && !slice_eq(err1, err2))) {
		show("stdout, 1 thread", out1);
		show("stderr, 1 thread", err1);
		show("stdout, threads", out2);
		show("stderr, threads", err2);
		fz_fail("%u threads with %zu-byte chunks and %zu-byte blocks "
		    "differ from one thread (exit %d vs %d)", nthreads, chunk,
		    fz_lr_block, st2, st1);
	}
	fz_lr_block = (size_t)1 << 20;
	free(save_out);
	free(save_err);
}
