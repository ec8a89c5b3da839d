/*
 * flamechart: folded stacks in time order -> interactive SVG flame chart
 * (flamegraph --flamechart).
 */
#include "fgopts.h"

int
main(int argc, char **argv)
{
	struct fgopts o;

	fgopts_parse(&o, argc, argv, true);
	return fgopts_run(&o);
}
