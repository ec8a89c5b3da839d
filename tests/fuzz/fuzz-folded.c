/*
 * fuzz-folded: the folded-line readers, folded_split (flamegraph's) and
 * difffold_split, and diff-folded over two halves of the input.
 *
 * Input: two option bytes, then folded text.
 *   byte 0: bit 0 --strip-hex, bit 1 --normalize, bit 2 pthread_create
 *           fails (the one-thread fallbacks)
 *   byte 1: where the text is cut into before and after (n * byte1 / 255)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "difffold.h"
#include "folded.h"
#include "harness.h"
#include "lr.h"
#include "out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

struct job {
	const char *p;
	size_t n, cut;
	bool strip_hex, normalize;
};

static bool
inside(struct slice part, struct slice whole)
{
	return part.p >= whole.p && part.n <= whole.n &&
	    (size_t)(part.p - whole.p) <= whole.n - part.n;
}

/* Both line parsers on every line: borrowed slices stay in the line. */
static int
call_split(void *arg)
{
	struct job *jb = arg;
	struct lr in;
	struct slice line, stack;
	struct folded_line fl;
	enum folded_kind k;
	uint64_t count;
	bool frac = false;

	lr_open_mem(&in, jb->p, jb->n, "in.folded", 0);
	while (lr_next(&in, &line)) {
		memset(&fl, 0, sizeof(fl));
		k = folded_split(line, &fl);
		if (k != FOLDED_BAD && k != FOLDED_SKIP && k != FOLDED_OK)
			fz_fail("folded_split returned %d", (int)k);
		if (k == FOLDED_OK) {
			if (!inside(fl.stack, line))
				fz_fail("folded_split stack outside the line");
			if (fl.ncounts != 1 && fl.ncounts != 2)
				fz_fail("folded_split: %d counts", fl.ncounts);
			if (fl.stack.n >= line.n)
				fz_fail("folded_split: no room left for a count");
		}
		if (difffold_split(line, &stack, &count, &frac) ==
		    DIFFFOLD_LINE_OK) {
			if (!inside(stack, line) || stack.n >= line.n)
				fz_fail("difffold_split stack outside the line");
		}
	}
	lr_close(&in);
	return 0;
}

static int
call_diff(void *arg)
{
	struct job *jb = arg;
	struct difffold d;
	struct lr before, after;

	lr_open_mem(&before, jb->p, jb->cut, "before", 0);
	lr_open_mem(&after, jb->p + jb->cut, jb->n - jb->cut, "after", 0);
	difffold_init(&d, jb->strip_hex);
	difffold_read(&d, DIFFFOLD_BEFORE, &before);
	difffold_read(&d, DIFFFOLD_AFTER, &after);
	if (jb->normalize)
		difffold_normalize(&d);
	difffold_write(&d);
	out_finish();
	difffold_release(&d);
	lr_close(&before);
	lr_close(&after);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct job jb;
	struct slice out;
	const char *why;
	int st;

	if (n < 2)
		return 0;
	jb.strip_hex = data[0] & 1;
	jb.normalize = (data[0] >> 1) & 1;
	jb.p = (const char *)data + 2;
	jb.n = n - 2;
	jb.cut = jb.n * data[1] / 255;
	fz_run(call_split, &jb, 0);
	fz_no_threads = (data[0] >> 2) & 1;
	st = fz_run(call_diff, &jb, FZ_OUT);
	fz_no_threads = false;
	if (st != 0)
		fz_fail("diff-folded exited %d on in-memory input", st);
	out = fz_out();
	if ((why = fz_check_folded(out.p, out.n, 2, false)))
		fz_fail("diff-folded output: %s", why);
	return 0;
}
