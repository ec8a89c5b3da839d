/*
 * fuzz-dtrace: the DTrace aggregation parser (collapse-dtrace), one thread
 * and several, one file or two.
 *
 * Input: two option bytes, then the DTrace text.
 *   byte 0: bit 0 --includeoffset, 5 split the text into two files,
 *           6-7 -q / normal / -v / -vv
 *   byte 1: bits 5-6 threads - 2, 7 tiny chunks (see fz_chunk_size)
 * Every input is collapsed with one thread, then with 2 to 5 threads on
 * small chunks, and the results must be identical (chunked.h).
 */
#include <stdint.h>
#include <stddef.h>

#include "chunked.h"
#include "diag.h"
#include "dtrace.h"
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct dtrace_opts o = { false };
	static const int levels[4] = { DIAG_WARN, DIAG_QUIET, DIAG_INFO,
		DIAG_DEBUG };
	unsigned b0, b1, nthreads;
	size_t split = (size_t)-1, chunk;

	if (n < 2)
		return 0;
	b0 = data[0];
	b1 = data[1];
	data += 2;
	n -= 2;
	o.includeoffset = b0 & 1;
	nthreads = 2 + ((b1 >> 5) & 3);
	chunk = fz_chunk_size(n, b1 >> 7);
	if (b0 & 0x20)
		split = n ? fz_mix(n ^ 0x5bd1e995) % (n + 1) : 0;
	fz_collapse_diff(&dtrace_collapser, &o, data, n, split, nthreads,
	    chunk, levels[b0 >> 6]);
	return 0;
}
