/*
 * collapse-perf: `perf script` output to folded stacks.
 */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>

#include "cli.h"
#include "diag.h"
#include "driver.h"
#include "perf.h"
#include "xmalloc.h"

#define USAGE \
	"usage: collapse-perf [-hqVv] [--addrs] [--all] [--jit] [--kernel]" \
	" [--pid] [--tid]\n" \
	"                     [--event-filter event] [-n nthreads]" \
	" [--skip-after func]\n" \
	"                     [file ...]\n"

static const char help[] = USAGE
	"\n"
	"Fold the stacks of `perf script` output into `stack count` lines,\n"
	"counting each sample with its period. Files are read in turn; none\n"
	"or - is standard input.\n"
	"\n"
	"      --addrs             write [module <addr>] for unknown symbols\n"
	"      --all               same as --kernel --jit\n"
	"      --event-filter EVENT\n"
	"                          keep only samples of EVENT (default: the\n"
	"                          first event in the input)\n"
	"  -h, --help              show this help and exit\n"
	"      --jit               annotate JIT frames with _[j]\n"
	"      --kernel            annotate kernel frames with _[k]\n"
	"  -n, --nthreads N        parse with N threads (default: the number\n"
	"                          of online CPUs)\n"
	"      --pid               append -PID to the process name\n"
	"  -q, --quiet             print no warnings\n"
	"      --skip-after FUNC   drop the callers of FUNC (repeatable)\n"
	"      --tid               append -PID/TID to the process name\n"
	"  -V, --version           show the version and exit\n"
	"  -v, --verbose           print more (repeat for debugging output)\n";

enum {
	OPT_ADDRS = CHAR_MAX + 1,
	OPT_ALL,
	OPT_EVENT_FILTER,
	OPT_JIT,
	OPT_KERNEL,
	OPT_PID,
	OPT_SKIP_AFTER,
	OPT_TID,
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "addrs", no_argument, NULL, OPT_ADDRS },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "event-filter", required_argument, NULL, OPT_EVENT_FILTER },
		{ "help", no_argument, NULL, 'h' },
		{ "jit", no_argument, NULL, OPT_JIT },
		{ "kernel", no_argument, NULL, OPT_KERNEL },
		{ "nthreads", required_argument, NULL, 'n' },
		{ "pid", no_argument, NULL, OPT_PID },
		{ "quiet", no_argument, NULL, 'q' },
		{ "skip-after", required_argument, NULL, OPT_SKIP_AFTER },
		{ "tid", no_argument, NULL, OPT_TID },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct perf_opts opts = { 0 };
	const char **skip = NULL;
	unsigned nthreads = collapse_ncpus();
	int c;

	diag_init("collapse-perf", USAGE);
	opterr = 0;	/* die_usage reports it, with the usage line */
	while ((c = getopt_long(argc, argv, ":hn:qVv", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ADDRS:
			opts.addrs = true;
			break;
		case OPT_ALL:
			opts.kernel = opts.jit = true;
			break;
		case OPT_EVENT_FILTER:
			opts.event_filter = optarg;
			break;
		case OPT_JIT:
			opts.jit = true;
			break;
		case OPT_KERNEL:
			opts.kernel = true;
			break;
		case 'n':
			nthreads = (unsigned)cli_u64("--nthreads", optarg, 0,
			    1024);
			break;
		case OPT_PID:
			opts.pid = true;
			break;
		case OPT_SKIP_AFTER:
			skip = xreallocarray(skip, opts.nskip_after + 1,
			    sizeof(*skip));
			skip[opts.nskip_after++] = optarg;
			opts.skip_after = skip;
			break;
		case OPT_TID:
			opts.tid = opts.pid = true;
			break;
		default:
			cli_common_option(c, argv, help);
		}
	}
	c = collapse_run(&perf_collapser, &opts, argv + optind, argc - optind,
	    nthreads);
	free(skip);
	return c;
}
