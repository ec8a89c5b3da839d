/*
 * fgopts: the command line of flamegraph and flamechart (the same tool;
 * flamechart is flamegraph --flamechart), and the run that follows it:
 * read the inputs, merge, write the SVG.
 *
 * Options use inferno-flamegraph's spellings (and accept flamegraph.pl's
 * --total, --encoding and --random). Usage errors exit 2, bad input or
 * I/O exits 1.
 */
#ifndef FGOPTS_H
#define FGOPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svg.h"

struct fgopts {
	struct svg_opts svg;
	bool chart;		/* flame chart: input order, last line leftmost */
	bool no_sort;
	bool reverse;
	bool cp;		/* --cp: ./palette.map */
	const char *nameattr_path;
	double minwidth;	/* percent of the total */
	uint64_t total;		/* --total (Perl), 0 when not given */
	const char **base;	/* --base symbols */
	size_t nbase;
	char **files;		/* operands; none means stdin */
	size_t nfiles;
};

/*
 * Parse argv into *o (chart: the program is flamechart). Handles --help
 * and --version itself and dies on misuse.
 */
void fgopts_parse(struct fgopts *o, int argc, char **argv, bool chart);

/* Do the whole run; returns the exit status. */
int fgopts_run(struct fgopts *o);

#endif
