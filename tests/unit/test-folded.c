/*
 * test-folded: folded_split against the examples of the folded format
 * spec (inferno's reader).
 */
#include <string.h>

#include "folded.h"
#include "tap.h"

static void
check(const char *line, enum folded_kind kind, const char *stack,
    uint64_t count, int ncounts, uint64_t before)
{
	struct folded_line fl;
	enum folded_kind k = folded_split(slice_cstr(line), &fl);
	int good = k == kind;

	if (good && k == FOLDED_OK)
		good = slice_eq_str(fl.stack, stack) && fl.count == count &&
		    fl.ncounts == ncounts && (ncounts == 1 || fl.before == before);
	ok(good, "'%s'", line);
}

int
main(void)
{
	struct folded_line fl;

	check("main;a;b 3", FOLDED_OK, "main;a;b", 3, 1, 0);
	check("  a;b 3\r  ", FOLDED_OK, "a;b", 3, 1, 0);
	check("", FOLDED_SKIP, NULL, 0, 0, 0);
	check("   ", FOLDED_SKIP, NULL, 0, 0, 0);
	check("# comment 3", FOLDED_SKIP, NULL, 0, 0, 0);
	check("#x 3", FOLDED_OK, "#x", 3, 1, 0);
	check("a +5", FOLDED_BAD, NULL, 0, 0, 0);
	check("a 1e3", FOLDED_BAD, NULL, 0, 0, 0);
	check("a\t5", FOLDED_BAD, NULL, 0, 0, 0);
	check(" 5", FOLDED_BAD, NULL, 0, 0, 0);
	check("a", FOLDED_BAD, NULL, 0, 0, 0);
	check("a 18446744073709551616", FOLDED_BAD, NULL, 0, 0, 0);
	check("a 18446744073709551615", FOLDED_OK, "a", UINT64_MAX, 1, 0);
	check("a 5 .5", FOLDED_BAD, NULL, 0, 0, 0);
	check("a 5.", FOLDED_OK, "a", 5, 1, 0);
	check("a 3.000", FOLDED_OK, "a", 3, 1, 0);
	check("a 2. 3", FOLDED_OK, "a", 3, 2, 2);
	check("a .5 3", FOLDED_OK, "a .5", 3, 1, 0);
	check("a;b 10 20", FOLDED_OK, "a;b", 20, 2, 10);
	check("a  5", FOLDED_OK, "a", 5, 1, 0);
	check("a \xe3\x80\x80", FOLDED_BAD, NULL, 0, 0, 0);
	check("\xc2\xa0" "a 7\xe2\x80\x83", FOLDED_OK, "a", 7, 1, 0);

	folded_split(slice_cstr("a 5.25"), &fl);
	ok(fl.fractional && fl.count == 5, "fraction truncated and flagged");
	folded_split(slice_cstr("a 3.000"), &fl);
	ok(!fl.fractional, "zero fraction not flagged");
	ok(folded_split(slice_cstr("a .5"), &fl) == FOLDED_BAD && fl.fractional,
	    "rejected .5 still flagged");
	return tap_done();
}
