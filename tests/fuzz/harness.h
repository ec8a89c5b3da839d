/*
 * harness: what every libFuzzer target of the toolkit shares.
 *
 * The toolkit's code ends the process on errors (die, die_usage, --help).
 * fz_run() calls it under setjmp and sets diag_exit_hook, so such an exit
 * unwinds back into fz_run instead, which then returns the exit status.
 * Around every call fz_run:
 *   - resets the static state of the code (getopt, diag_level, out_stdout);
 *   - points out_stdout at a scratch file (FZ_OUT: readable with fz_out()
 *     afterwards) or at /dev/null, and the stdio stream stderr (glibc)
 *     at memory (FZ_ERR: fz_err()) or at /dev/null;
 *   - makes the target's private scratch directory the current one, so
 *     that files a tool reads or writes by a relative name (palette.map)
 *     are its own;
 *   - after an unwinding exit (also one in a thread the code started),
 *     frees every block allocated during the call (the targets are linked
 *     with -Wl,--wrap for malloc and friends) and closes the descriptors
 *     the call opened, so that millions of runs that end in die() neither
 *     leak nor run out of descriptors. After a normal return nothing is
 *     freed: leaks are real findings.
 *
 * A broken invariant is reported with fz_fail(), which aborts: libFuzzer
 * saves the input as a crash.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "slice.h"

#define FZ_OUT 0x1u	/* keep what the code writes on out_stdout */
#define FZ_ERR 0x2u	/* keep what the code prints on stderr */

/* Once, from LLVMFuzzerInitialize or the first run: scratch dir, hook. */
void fz_init(void);

/*
 * Call fn(arg) as the code under test. Returns fn's return value, or the
 * status given to diag_exit() when the code exited.
 */
int fz_run(int (*fn)(void *), void *arg, unsigned flags);

/* Whether the last fz_run ended through diag_exit(). */
extern bool fz_exited;

/* Output of the last fz_run with FZ_OUT / FZ_ERR (valid until the next). */
struct slice fz_out(void);
struct slice fz_err(void);

/*
 * Threads the code starts are followed (harness.c): an exit in any of
 * them unwinds the call, and none may outlive it. With fz_no_threads set,
 * pthread_create fails during calls, so the code's fallbacks run.
 */
extern bool fz_no_threads;

/*
 * The line reader's block size (lrblock.c), 1 MiB as in the tools unless
 * a target changes it; fz_block_size(seed) picks one: the real size or,
 * as often, a few bytes to a few KiB.
 */
extern size_t fz_lr_block;
size_t fz_block_size(uint64_t seed);

/* Write n bytes as the file name in the scratch directory; returns name. */
const char *fz_write_file(const char *name, const void *p, size_t n);

/* Open that file of the scratch directory for reading; aborts on failure. */
int fz_open_file(const char *name);

/* Remove that file from the scratch directory, if it exists. */
void fz_remove_file(const char *name);

/* Report a broken invariant with the input's context and abort. */
_Noreturn void fz_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Whether p[0, n) is valid UTF-8 (no overlong forms, no surrogates). */
bool fz_utf8_valid(const char *p, size_t n);

/*
 * Check collapse-style output: lines `stack count` (ncounts 1) or `stack
 * before after` (2), each ending in '\n', counts plain decimal in 64 bits,
 * stacks strictly increasing in memcmp order. positive: counts (the last
 * column) must not be 0. Returns NULL, or what is wrong.
 */
const char *fz_check_folded(const char *p, size_t n, int ncounts,
    bool positive);

/*
 * Check that p[0, n) is a well-formed XML 1.0 document that is also
 * namespace-well-formed (what a browser needs to show an SVG): valid UTF-8
 * of XML characters, balanced and matching tags, quoted attributes without
 * '<', no attribute twice, declared prefixes, references that exist,
 * comments without "--", one root element. Returns NULL, or what is
 * wrong and where.
 */
const char *fz_check_xml(const char *p, size_t n);

/* A small deterministic generator for choices derived from the input. */
static inline uint64_t
fz_mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ull;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dull;
	x ^= x >> 33;
	return x;
}

#endif
