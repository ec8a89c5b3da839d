/*
 * collapse-dtrace: DTrace stack()/ustack() aggregations -> folded stacks.
 */
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>

#include "cli.h"
#include "diag.h"
#include "driver.h"
#include "dtrace.h"

#define USAGE \
	"usage: collapse-dtrace [-hqVv] [--includeoffset] [-n nthreads] " \
	"[file ...]\n"

static const char help[] = USAGE
	"\n"
	"Fold DTrace stack() and ustack() aggregation output into one line per\n"
	"stack, `frame;frame;... count`, root first, sorted. With no file, or\n"
	"when file is -, read standard input.\n"
	"\n"
	"  -h, --help           show this help and exit\n"
	"      --includeoffset  keep the +0x... offsets (except on the leaf)\n"
	"  -n, --nthreads N     parse with N threads (default: CPUs online)\n"
	"  -q, --quiet          print no warnings\n"
	"  -V, --version        show the version and exit\n"
	"  -v, --verbose        print more (repeat for debugging output)\n";

enum { OPT_INCLUDEOFFSET = CHAR_MAX + 1 };

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "includeoffset", no_argument, NULL, OPT_INCLUDEOFFSET },
		{ "nthreads", required_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct dtrace_opts opts = { false };
	unsigned nthreads = collapse_ncpus();
	int c;

	diag_init("collapse-dtrace", USAGE);
	opterr = 0;	/* die_usage reports it, with the usage line */
	while ((c = getopt_long(argc, argv, ":hn:qVv", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_INCLUDEOFFSET:
			opts.includeoffset = true;
			break;
		case 'n':
			nthreads = (unsigned)cli_u64("--nthreads", optarg, 0,
			    1024);
			break;
		default:
			cli_common_option(c, argv, help);
		}
	}
	return collapse_run(&dtrace_collapser, &opts, argv + optind,
	    argc - optind, nthreads);
}
