/*
 * diag: all messages go to stderr through one formatter, so the prefix
 * and the trailing newline are the same everywhere. stdout is flushed
 * first so that interleaved output stays in order on a terminal.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"

const char *diag_prog = "flamekit";
int diag_level = DIAG_WARN;
static const char *diag_usage;
void (*diag_exit_hook)(int status);
_Thread_local struct buf *diag_defer;

noreturn void
diag_exit(int status)
{
	if (diag_exit_hook)
		diag_exit_hook(status);
	exit(status);
}

void
diag_init(const char *prog, const char *usage)
{
	struct sigaction sa;

	diag_prog = prog;
	diag_usage = usage;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

/* A message line; fatal ones are never deferred (see diag_defer). */
static void
vreport(const char *where, const char *fmt, va_list ap, const char *suffix,
    int fatal)
{
	char msg[4096];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);

	if (n < 0)
		msg[0] = '\0';
	if (diag_defer && !fatal) {
		buf_addf(diag_defer, "%s: %s%s%s\n", diag_prog,
		    where ? where : "", msg, suffix ? suffix : "");
		return;
	}
	fprintf(stderr, "%s: %s%s%s\n", diag_prog, where ? where : "", msg,
	    suffix ? suffix : "");
}

void
diag_flush(struct buf *b)
{
	if (b->len)
		fwrite(b->p, 1, b->len, stderr);
	buf_reset(b);
}

noreturn void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(NULL, fmt, ap, NULL, 1);
	va_end(ap);
	diag_exit(EXIT_INPUT);
}

noreturn void
die_errno(const char *fmt, ...)
{
	char suffix[256];
	va_list ap;
	int e = errno;

	snprintf(suffix, sizeof(suffix), ": %s", strerror(e));
	va_start(ap, fmt);
	vreport(NULL, fmt, ap, suffix, 1);
	va_end(ap);
	diag_exit(EXIT_INPUT);
}

noreturn void
die_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(NULL, fmt, ap, NULL, 1);
	va_end(ap);
	if (diag_usage)
		fprintf(stderr, "%s", diag_usage);
	fprintf(stderr, "Try '%s --help' for more information.\n", diag_prog);
	diag_exit(EXIT_USAGE);
}

int
warn(const char *fmt, ...)
{
	va_list ap;

	if (diag_level < DIAG_WARN)
		return -1;
	va_start(ap, fmt);
	vreport(NULL, fmt, ap, NULL, 0);
	va_end(ap);
	return -1;
}

int
warn_at(const char *file, uint64_t lineno, const char *fmt, ...)
{
	char where[1024];
	va_list ap;

	if (diag_level < DIAG_WARN)
		return -1;
	snprintf(where, sizeof(where), "%s:%llu: ", file,
	    (unsigned long long)lineno);
	va_start(ap, fmt);
	vreport(where, fmt, ap, NULL, 0);
	va_end(ap);
	return -1;
}

void
info(const char *fmt, ...)
{
	va_list ap;

	if (diag_level < DIAG_INFO)
		return;
	va_start(ap, fmt);
	vreport(NULL, fmt, ap, NULL, 0);
	va_end(ap);
}

void
debug(const char *fmt, ...)
{
	va_list ap;

	if (diag_level < DIAG_DEBUG)
		return;
	va_start(ap, fmt);
	vreport(NULL, fmt, ap, NULL, 0);
	va_end(ap);
}
