/*
 * out: a single buffered writer on fd 1. write(2) directly rather than
 * stdio, so a short or failed write is seen where it happens.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "out.h"

struct out out_stdout = { .fd = 1 };

static void
write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(out_stdout.fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE)
				diag_exit(EXIT_OK);	/* reader went away: not our error */
			die_errno("write error");
		}
		p += w;
		n -= (size_t)w;
	}
}

void
out_flush(void)
{
	if (out_stdout.len) {
		write_all(out_stdout.buf, out_stdout.len);
		out_stdout.len = 0;
	}
}

void
out_write(const void *p, size_t n)
{
	if (n > OUT_BUFSZ - out_stdout.len) {
		out_flush();
		if (n >= OUT_BUFSZ) {
			write_all(p, n);
			return;
		}
	}
	memcpy(out_stdout.buf + out_stdout.len, p, n);
	out_stdout.len += n;
}

void
out_str(const char *s)
{
	out_write(s, strlen(s));
}

void
out_u64(uint64_t v)
{
	char tmp[20];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_write(tmp + i, sizeof(tmp) - i);
}

void
out_finish(void)
{
	out_flush();
}
