/*
 * slice: the out-of-line helpers of slice.h.
 */
#include "slice.h"

ptrdiff_t
slice_find(struct slice s, struct slice needle)
{
	const char *p = s.p, *end = s.p + s.n;

	if (needle.n == 0)
		return 0;
	while ((size_t)(end - p) >= needle.n) {
		const char *q = memchr(p, needle.p[0], (size_t)(end - p) - needle.n + 1);
		if (!q)
			return -1;
		if (memcmp(q, needle.p, needle.n) == 0)
			return q - s.p;
		p = q + 1;
	}
	return -1;
}

ptrdiff_t
slice_rfind(struct slice s, struct slice needle)
{
	size_t i;

	if (needle.n > s.n)
		return -1;
	i = s.n - needle.n + 1;
	while (i--)
		if (s.p[i] == needle.p[0] && memcmp(s.p + i, needle.p, needle.n) == 0)
			return (ptrdiff_t)i;
	return -1;
}

bool
slice_u64(struct slice s, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (s.n == 0)
		return false;
	for (i = 0; i < s.n; i++) {
		unsigned d = (unsigned char)s.p[i] - '0';
		if (d > 9)
			return false;
		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}
