/*
 * chunked: run a collapser once with one thread and once with threads on
 * tiny chunks, and require identical results (see chunked.c).
 */
#ifndef CHUNKED_H
#define CHUNKED_H

#include <stddef.h>
#include <stdint.h>

#include "driver.h"
#include "harness.h"

/*
 * Collapse data[0, n) with format c: as one file, or as two files cut at
 * split when split < n. The one-thread run must give sorted, unique,
 * valid UTF-8 folded lines, or nothing on stdout when it fails. With
 * nthreads > 1 a second run cuts the input into chunks of about chunk
 * bytes and must give the same stdout, stderr (below -vv, which reports
 * the threads) and exit status. level is diag_level for both runs.
 */
void fz_collapse_diff(const struct collapser *c, const void *opts,
    const uint8_t *data, size_t n, size_t split, unsigned nthreads,
    size_t chunk, int level);

/*
 * A chunk size for n bytes of input: 2 to 17 chunks, or with tiny set,
 * 1 to 64 bytes when the input is small (every chunk is a hand-off
 * between threads, so thousands of them make a run slow). Derived from
 * n, so that a saved input replays the same way.
 */
static inline size_t
fz_chunk_size(size_t n, int tiny)
{
	uint64_t r = fz_mix(n);

	if (tiny && n < 4096)
		return 1 + (size_t)(r % 64);
	return n / (2 + (size_t)(r % 16)) + 1;
}

#endif
