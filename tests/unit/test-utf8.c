/*
 * Unit tests for the Rust-compatible UTF-8 helpers (collapse/utf8.h).
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "slice.h"
#include "utf8.h"

static int test_no;
static int test_failed;

static void
check(int ok, const char *name)
{
	test_no++;
	printf("%sok %d - %s\n", ok ? "" : "not ", test_no, name);
	if (!ok)
		test_failed = 1;
}

#define FFFD "\xef\xbf\xbd"

static void
check_lossy(const char *in, size_t n, const char *want, const char *name)
{
	struct buf scratch = BUF_INIT;
	struct slice s = slice_make(in, n);
	struct slice got = utf8_lossy(s, &scratch);

	check(slice_eq_str(got, want), name);
	buf_release(&scratch);
}

int
main(void)
{
	struct buf scratch = BUF_INIT;
	struct slice s;

	s = SLICE_LIT("plain ascii");
	check(utf8_lossy(s, &scratch).p == s.p, "valid input is returned as is");
	s = SLICE_LIT("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5");
	check(utf8_lossy(s, &scratch).p == s.p && scratch.len == 0,
	    "valid multi-byte input is returned as is");
	buf_release(&scratch);

	check_lossy("a\xff" "b", 3, "a" FFFD "b", "invalid lead byte");
	check_lossy("\xc0\xaf", 2, FFFD FFFD, "overlong lead C0: two bytes, two");
	check_lossy("\xe0\x80\x80", 3, FFFD FFFD FFFD, "E0 80: each byte replaced");
	check_lossy("\xed\xa0\x80", 3, FFFD FFFD FFFD, "surrogate: three");
	check_lossy("\xe2\x82", 2, FFFD, "truncated 3-byte sequence: one");
	check_lossy("\xf0\x9f\x94", 3, FFFD, "truncated 4-byte sequence: one");
	check_lossy("\xf0\x9f\x94x", 4, FFFD "x", "cut 4-byte sequence, then ASCII");
	check_lossy("\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD,
	    "past U+10FFFF: four");
	check_lossy("\xf5", 1, FFFD, "F5 is never a lead byte");
	check_lossy("x\x80\x80y", 4, "x" FFFD FFFD "y", "stray continuation bytes");

	check(utf8_valid(SLICE_LIT("\xf4\x8f\xbf\xbf")) &&
	    !utf8_valid(SLICE_LIT("\xf4\x90\x80\x80")), "utf8_valid at U+10FFFF");

	s = utf8_trim(SLICE_LIT(" \t\xc2\xa0\xe2\x80\x83x y\xe3\x80\x80\r\n"));
	check(slice_eq_lit(s, "x y"), "trim ASCII and Unicode white space");
	s = utf8_rtrim(SLICE_LIT("x\xc2\xa1"));
	check(slice_eq_lit(s, "x\xc2\xa1"), "U+00A1 is not white space");
	s = utf8_ltrim(SLICE_LIT("\xe2\x80\x8bx"));
	check(slice_eq_lit(s, "\xe2\x80\x8bx"), "U+200B is not white space");
	s = utf8_trim(SLICE_LIT("\xe1\x9a\x80\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xaf"
	    "\xe2\x81\x9f\xc2\x85"));
	check(s.n == 0, "U+1680 2028 2029 202F 205F 0085 are white space");
	s = utf8_trim(SLICE_LIT("\x1c\x1f"));
	check(s.n == 2, "ASCII separators 1C..1F are not (Rust's rule)");

	printf("1..%d\n", test_no);
	return test_failed;
}
