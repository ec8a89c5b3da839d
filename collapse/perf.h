/*
 * perf: the `perf script` text format, as a collapser for the driver.
 *
 * A sample is an event header line (`comm pid/tid [cpu] time: period
 * event:`), frame lines leaf first (`addr symbol+off (module)`), and an
 * empty line. It becomes the stack `comm;caller;...;leaf`, counted with
 * the sample's period (1 when there is none). Only samples of one event
 * are kept: the one asked for, else the first one seen. Naming rules follow
 * inferno-collapse-perf; where inferno misreads real perf output (padded
 * periods, tracepoints, side-band records, custom -F field lists, module
 * paths with blanks or parentheses, -F +srcline lines) the intent wins.
 *
 * Threads: the state is settled once the event filter is known and no
 * sample is open; chunks are cut after whitespace-only lines.
 */
#ifndef PERF_H
#define PERF_H

#include <stdbool.h>
#include <stddef.h>

#include "driver.h"

struct perf_opts {
	bool pid;			/* root frame `comm-PID` */
	bool tid;			/* root frame `comm-PID/TID` (wins) */
	bool kernel;			/* `_[k]` on kernel frames */
	bool jit;			/* `_[j]` on JIT frames */
	bool addrs;			/* `[module <ADDR>]` for unknown symbols */
	const char *event_filter;	/* NULL: the first event seen */
	const char *const *skip_after;	/* cut stacks above these symbols */
	size_t nskip_after;
};

extern const struct collapser perf_collapser;

#endif
