/*
 * lrblock: the line reader rebuilt with its block size in a variable, so
 * that fuzzer-sized files cross block boundaries (a line split across
 * reads, a line longer than the buffer, a '\r' at the end of a block) as
 * multi-megabyte files do with the real 1 MiB blocks. Linked into every
 * target ahead of the library, whose lr.o is then not pulled in.
 */
#include "harness.h"
#include "lr.h"

#undef LR_BLOCK
#define LR_BLOCK fz_lr_block
size_t fz_lr_block = (size_t)1 << 20;

#include "../../common/lr.c"
