/*
 * flamegraph: folded stacks -> interactive SVG flame graph.
 */
#include "fgopts.h"

int
main(int argc, char **argv)
{
	struct fgopts o;

	fgopts_parse(&o, argc, argv, false);
	return fgopts_run(&o);
}
