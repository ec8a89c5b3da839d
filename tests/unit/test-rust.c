/*
 * Unit tests for the Rust legacy-symbol repair (collapse/rust.h).
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "rust.h"
#include "slice.h"

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

/* The repaired form of in must be want; the result must live in scratch. */
static void
check_fixed(const char *in, const char *want, const char *name)
{
	struct buf scratch = BUF_INIT;
	struct slice got = rust_fix_legacy(slice_cstr(in), &scratch);
	int ok = slice_eq_str(got, want) && got.p == scratch.p;

	check(ok, name);
	if (!ok)
		printf("# in   '%s'\n# want '%s'\n# got  '%.*s'\n", in, want,
		    (int)got.n, got.p);
	buf_release(&scratch);
}

/* The result must be the very same slice, and scratch untouched. */
static void
check_same(const char *in, const char *name)
{
	struct buf scratch = BUF_INIT;
	struct slice sym = slice_cstr(in);
	struct slice got = rust_fix_legacy(sym, &scratch);

	check(got.p == sym.p && got.n == sym.n && scratch.len == 0, name);
	buf_release(&scratch);
}

int
main(void)
{
	struct buf scratch = BUF_INIT;
	struct slice a, b;

	check_fixed("_$LT$alloc..vec..Vec$LT$T$GT$$u20$as$u20$core..convert.."
	    "From$LT$$RF$$u27$a$u20$$u5b$T$u5d$$GT$$GT$::from::"
	    "hf1c5bb9dd6c517cb",
	    "<alloc::vec::Vec<T> as core::convert::From<&'a [T]>>::from",
	    "escapes, leading _$ and hash");
	check_fixed("std::sys_common::thread::start_thread::he4c2173d5991c786",
	    "std::sys_common::thread::start_thread",
	    "hash removed even when nothing else changes");
	check_fixed("rg::search_parallel::_$u7b$$u7b$closure$u7d$$u7d$::"
	    "_$u7b$$u7b$closure$u7d$$u7d$::h6e849b55a66fcd85",
	    "rg::search_parallel::_{{closure}}::_{{closure}}",
	    "inner _$ keeps its underscore");
	check_fixed("$SP$$BP$$RF$$LT$$GT$$LP$$RP$$C$$u7e$$u20$$u27$$u3d$$u5b$"
	    "$u5d$$u7b$$u7d$$u3b$$u2b$$u21$$u22$::h0123456789abcdef",
	    "@*&<>(),~ '=[]{};+!\"", "every escape");
	check_fixed("a.b...c::h0123456789abcdef", "a.b::.c",
	    "lone dot kept, double dot becomes ::");
	check_fixed("foo$VARIANT$bar..baz::h0123456789abcdef",
	    "foo$VARIANT$bar..baz", "unknown escape copies the rest verbatim");
	check_fixed("foo$u20$..x$u99$..y::h0123456789abcdef", "foo ::x$u99$..y",
	    "decoding stops only at the unknown escape");
	check_fixed("foo::h0123456789ABCDEF", "foo", "upper-case hex digits");
	check_fixed("fooh0123456789abcdef", "foo", "hash without ::");
	check_fixed("h0123456789abcdef", "", "hash alone gives empty text");
	check_fixed("_$foo::h0123456789abcdef", "$foo",
	    "leading _$ loses its underscore even when $ is not an escape");
	check_fixed("foo$::h0123456789abcdef", "foo$", "lone trailing dollar");

	check_same("foo::bar", "no hash: same slice");
	check_same("h0123456789abcde", "16 bytes: too short");
	check_same("foo::h0123456789abcdeg", "non-hex digit");
	check_same("foo::g0123456789abcdef", "no h before the digits");
	check_same("foo::h0123456789abcdef+0x10", "offset after the hash");
	check_same("_$LT$foo$GT$", "escapes without a hash stay");
	check_same("", "empty symbol");
	check_same("foo  ", "no hash: trailing blanks kept");
	check_same("foo::h0123456789abcdef ", "a blank after the hash hides it");

	/* Reusing one scratch: the second result replaces the first. */
	a = rust_fix_legacy(SLICE_LIT("x..y::h0123456789abcdef"), &scratch);
	check(slice_eq_lit(a, "x::y"), "first result in shared scratch");
	b = rust_fix_legacy(SLICE_LIT("z::h0123456789abcdef"), &scratch);
	check(slice_eq_lit(b, "z") && scratch.len == 1,
	    "scratch is reset for each repair");
	check(rust_has_legacy_hash(SLICE_LIT("a::h0123456789abcdef")) &&
	    !rust_has_legacy_hash(SLICE_LIT("a::h0123456789abcdef\n")) &&
	    !rust_has_legacy_hash(SLICE_LIT("a::h0123456789abcdef.")),
	    "rust_has_legacy_hash");
	buf_release(&scratch);

	printf("1..%d\n", test_no);
	return test_failed;
}
