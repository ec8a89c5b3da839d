/*
 * diag: diagnostics and exit status, the same for every tool.
 *
 *   prog: message                    die(), warn()
 *   prog: file:line: message         warn_at()
 *
 * Messages start lower-case and have no full stop. Exit status: 0 ok,
 * 1 bad input or I/O (die), 2 bad usage (die_usage).
 * -q sets diag_level to DIAG_QUIET (warnings silenced, errors still shown);
 * each -v raises it (info, debug).
 */
#ifndef DIAG_H
#define DIAG_H

#include <stdint.h>
#include "compat.h"

#define EXIT_OK 0
#define EXIT_INPUT 1
#define EXIT_USAGE 2

enum diag_level { DIAG_QUIET = 0, DIAG_WARN = 1, DIAG_INFO = 2, DIAG_DEBUG = 3 };

extern const char *diag_prog;
extern int diag_level;

/*
 * Set the program name used as prefix and the usage line printed by
 * die_usage; restore SIGPIPE to its default so `| head` ends us quietly.
 */
void diag_init(const char *prog, const char *usage);

/*
 * Every exit of the toolkit's code goes through diag_exit(), so a test
 * harness (the fuzzers) can set diag_exit_hook to unwind with longjmp
 * instead of ending the process. The hook must not return.
 */
extern void (*diag_exit_hook)(int status);
noreturn void diag_exit(int status);

/*
 * Per thread: when set, warnings and info lines are appended to this
 * buffer instead of going to stderr, for a thread whose messages must
 * follow another's; diag_flush() prints and empties it. Errors (die) are
 * never deferred.
 */
struct buf;
extern _Thread_local struct buf *diag_defer;
void diag_flush(struct buf *b);

noreturn void die(const char *fmt, ...) ATTR_PRINTF(1, 2);
/* die() with ": strerror(errno)" appended. */
noreturn void die_errno(const char *fmt, ...) ATTR_PRINTF(1, 2);
/* Message, the usage line and a --help hint on stderr; exit 2. */
noreturn void die_usage(const char *fmt, ...) ATTR_PRINTF(1, 2);

/* Warnings (shown unless quiet). Both return -1. */
int warn(const char *fmt, ...) ATTR_PRINTF(1, 2);
int warn_at(const char *file, uint64_t lineno, const char *fmt, ...)
    ATTR_PRINTF(3, 4);
/* Shown only with -v (info) or -vv (debug). */
void info(const char *fmt, ...) ATTR_PRINTF(1, 2);
void debug(const char *fmt, ...) ATTR_PRINTF(1, 2);

#endif
