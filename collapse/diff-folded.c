/*
 * diff-folded: compare two folded profiles; writes `stack before after`
 * for flamegraph's differential colouring.
 */
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

#include "cli.h"
#include "diag.h"
#include "difffold.h"
#include "lr.h"
#include "out.h"

#define USAGE \
	"usage: diff-folded [-hnqsVv] [--normalize] [--strip-hex] before after\n"

static const char help[] = USAGE
	"\n"
	"Compare two folded stack files and print every stack found in either\n"
	"as `stack before after` (0 where absent), sorted by stack.\n"
	"\n"
	"  -h, --help       show this help and exit\n"
	"  -n, --normalize  scale the before counts so both totals match\n"
	"  -q, --quiet      print no warnings\n"
	"  -s, --strip-hex  replace hex numbers (0x...) in stacks by 0x...\n"
	"  -V, --version    show the version and exit\n"
	"  -v, --verbose    print more (repeat for debugging output)\n";

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "normalize", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "strip-hex", no_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	bool normalize = false, strip_hex = false;
	struct difffold d;
	struct lr before, after;
	int c;

	diag_init("diff-folded", USAGE);
	opterr = 0;	/* die_usage reports it, with the usage line */
	while ((c = getopt_long(argc, argv, ":hnqsVv", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			normalize = true;
			break;
		case 's':
			strip_hex = true;
			break;
		default:
			cli_common_option(c, argv, help);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		die_usage(argc < 2 ? "two files are needed, before and after" :
		    "too many operands");

	/* Open both first: a missing file fails before any work is done. */
	lr_open_map_or_die(&before, argv[0]);
	lr_open_map_or_die(&after, argv[1]);
	difffold_init(&d, strip_hex);
	difffold_read_both(&d, &before, &after);
	if (normalize)
		difffold_normalize(&d);
	difffold_write(&d);
	out_finish();
	difffold_release(&d);
	lr_close(&before);
	lr_close(&after);
	return EXIT_OK;
}
