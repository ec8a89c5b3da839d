/*
 * collapse-dhat: fold a DHAT heap profile (Valgrind --tool=dhat or the
 * Rust dhat crate) into folded stacks for one metric.
 */
#include <getopt.h>
#include <limits.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "dhat.h"
#include "diag.h"
#include "lr.h"
#include "out.h"

#define USAGE \
	"usage: collapse-dhat [-hqV] [--addrs] [--location] [-m metric] [file]\n"

static const char help[] = USAGE
	"\n"
	"Fold a DHAT profile (JSON, file version 1 or 2) into one line per\n"
	"stack, root first: `frame;frame;... value`, sorted by stack.\n"
	"Without file, or with -, standard input is read.\n"
	"\n"
	"      --addrs          keep each frame's 0x...: address\n"
	"  -h, --help           show this help and exit\n"
	"      --location       keep each frame's (file:line) or (in object)\n"
	"  -m, --metric=METRIC  the value to write (default total-bytes)\n"
	"  -q, --quiet          print no warnings\n"
	"  -V, --version        show the version and exit\n"
	"\n"
	"Metrics (short names are the DHAT field names):\n"
	"  total-bytes   tb   bytes allocated over the run (copy: copied;\n"
	"                     ad hoc: summed weights)\n"
	"  total-blocks  tbk  allocations (copy: copy calls; ad hoc: events)\n"
	"  peak-bytes    gb   bytes live at the global heap peak (t-gmax)\n"
	"  peak-blocks   gbk  blocks live at the global heap peak\n"
	"  end-bytes     eb   bytes still live at exit (leaks)\n"
	"  end-blocks    ebk  blocks still live at exit\n"
	"  max-bytes     mb   each point's own largest live bytes\n"
	"  max-blocks    mbk  each point's own largest live blocks\n"
	"  lifetimes     tl   summed block lifetimes, in the file's time unit\n"
	"  reads         rb   bytes read from the blocks\n"
	"  writes        wb   bytes written to the blocks\n"
	"Only total-bytes and total-blocks exist in copy and ad hoc profiles;\n"
	"Rust heap profiles have no reads or writes.\n";

enum { OPT_ADDRS = CHAR_MAX + 1, OPT_LOCATION };

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "addrs", no_argument, NULL, OPT_ADDRS },
		{ "help", no_argument, NULL, 'h' },
		{ "location", no_argument, NULL, OPT_LOCATION },
		{ "metric", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct dhat_opts opts = DHAT_OPTS_INIT;
	const char *file = NULL;
	struct buf json = BUF_INIT;
	struct lr in;
	int c, m, before;

	diag_init("collapse-dhat", USAGE);
	opterr = 0;	/* die_usage reports it, with the usage line */
	/*
	 * "+": stop at the first operand and pick it up here, so options may
	 * follow the file whatever getopt's permutation habits are.
	 */
	while (optind < argc) {
		before = optind;
		c = getopt_long(argc, argv, "+:hm:qV", longopts, NULL);
		if (c == -1) {
			if (optind > before &&
			    strcmp(argv[optind - 1], "--") == 0) {
				if (optind < argc && file)
					die_usage("too many operands");
				if (optind < argc)
					file = argv[optind++];
				if (optind < argc)
					die_usage("too many operands");
				break;
			}
			if (file)
				die_usage("too many operands");
			file = argv[optind++];
			continue;
		}
		switch (c) {
		case OPT_ADDRS:
			opts.addrs = true;
			break;
		case OPT_LOCATION:
			opts.location = true;
			break;
		case 'm':
			if ((m = dhat_metric_parse(optarg)) < 0)
				die_usage("unknown metric '%s'", optarg);
			opts.metric = (enum dhat_metric)m;
			break;
		default:
			cli_common_option(c, argv, help);
		}
	}

	lr_open_or_die(&in, file ? file : "-");
	if (!dhat_fold_fd(in.fd, in.name, &opts)) {
		lr_slurp(&in, &json);
		dhat_fold(&json, in.name, &opts);
	}
	lr_close(&in);
	out_finish();
	return EXIT_OK;
}
