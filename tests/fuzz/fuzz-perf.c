/*
 * fuzz-perf: the perf script parser (collapse-perf), every flag
 * combination, one thread and several, one file or two.
 *
 * Input: two option bytes, then the perf script text.
 *   byte 0: bit 0 --pid, 1 --tid, 2 --kernel, 3 --jit, 4 --addrs,
 *           5 split the text into two files, 6-7 -q / normal / -v / -vv
 *   byte 1: bits 0-2 --event-filter, 3-4 --skip-after, 5-6 threads - 2,
 *           7 tiny chunks (see fz_chunk_size)
 * Every input is collapsed with one thread, then with 2 to 5 threads on
 * small chunks, and the results must be identical (chunked.h).
 */
#include <stdint.h>
#include <stddef.h>

#include "chunked.h"
#include "diag.h"
#include "harness.h"
#include "perf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static const char *const events[8] = {
	NULL, NULL, NULL, NULL, "cycles", "cpu-clock", "sched:sched_switch", "",
};
static const char *const skip_main[] = { "main" };
static const char *const skip_two[] = { "main", "start_thread" };
static const char *const skip_unknown[] = { "[unknown]" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct perf_opts o = { 0 };
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
	o.pid = b0 & 1;
	o.tid = (b0 >> 1) & 1;
	if (o.tid)
		o.pid = true;	/* as --tid sets both */
	o.kernel = (b0 >> 2) & 1;
	o.jit = (b0 >> 3) & 1;
	o.addrs = (b0 >> 4) & 1;
	o.event_filter = events[b1 & 7];
	switch ((b1 >> 3) & 3) {
	case 1:
		o.skip_after = skip_main;
		o.nskip_after = 1;
		break;
	case 2:
		o.skip_after = skip_two;
		o.nskip_after = 2;
		break;
	case 3:
		o.skip_after = skip_unknown;
		o.nskip_after = 1;
		break;
	}
	nthreads = 2 + ((b1 >> 5) & 3);
	chunk = fz_chunk_size(n, b1 >> 7);
	if (b0 & 0x20)
		split = n ? fz_mix(n ^ 0x5bd1e995) % (n + 1) : 0;
	fz_collapse_diff(&perf_collapser, &o, data, n, split, nthreads, chunk,
	    levels[b0 >> 6]);
	return 0;
}
