/*
 * test-json: the pull parser of collapse/json.h. Tokens, exact numbers
 * (including the eight-digits-at-a-time path near the end of the input),
 * string decoding, positions, skipping, and every fatal error, which is
 * checked in a child process: exit 1, one message with line and column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "json.h"
#include "tap.h"

/* A document as a buf, so that the NUL after it is there (json.h). */
static struct buf doc = BUF_INIT;

static void
load(struct json *j, const char *text, size_t n)
{
	buf_reset(&doc);
	buf_add(&doc, text, n);
	json_init(j, doc.p, doc.len, "t.json");
}

#define LOAD(j, lit) load((j), (lit), sizeof(lit) - 1)

static void
test_tokens(void)
{
	static const enum json_type want[] = {
		JSON_OBJECT, JSON_KEY, JSON_ARRAY, JSON_NUMBER, JSON_STRING,
		JSON_TRUE, JSON_FALSE, JSON_NULL, JSON_OBJECT, JSON_OBJECT_END,
		JSON_ARRAY, JSON_ARRAY_END, JSON_ARRAY_END, JSON_KEY,
		JSON_NUMBER, JSON_OBJECT_END, JSON_END,
	};
	struct json j;
	struct json_tok t;
	size_t i;
	int good = 1;

	LOAD(&j, " {\"a\" : [1, \"x\", true,false ,null,{},[]],\n"
	    "\"b\":-2.5e3}\n");
	for (i = 0; i < ARRAY_SIZE(want); i++)
		if (json_next(&j, &t) != want[i] || t.type != want[i])
			good = 0;
	ok(good, "token types in document order");

	LOAD(&j, "{\"key\":\"val\\n\"}");
	json_next(&j, &t);
	json_next(&j, &t);
	ok(t.type == JSON_KEY && t.off == 1 && t.len == 5 &&
	    slice_eq_lit(json_str_raw(&j, &t), "key") &&
	    !(t.flags & JSON_ESCAPED), "key token: offset, length, raw text");
	json_next(&j, &t);
	ok(t.type == JSON_STRING && t.off == 7 && t.len == 7 &&
	    (t.flags & JSON_ESCAPED) &&
	    slice_eq_lit(json_str_raw(&j, &t), "val\\n"),
	    "string token keeps its escapes raw");
	json_next(&j, &t);
	ok(json_next(&j, &t) == JSON_END && json_next(&j, &t) == JSON_END,
	    "JSON_END at the end, again and again");

	LOAD(&j, "\xef\xbb\xbf[1]");
	ok(json_next(&j, &t) == JSON_ARRAY && t.off == 3,
	    "a UTF-8 byte order mark is skipped");
	LOAD(&j, "\"top\"");
	ok(json_next(&j, &t) == JSON_STRING && json_next(&j, &t) == JSON_END,
	    "a scalar top-level value");
}

/* Parse text as one number token. */
static struct json_tok
number(const char *text)
{
	struct json j;
	struct json_tok t;

	load(&j, text, strlen(text));
	json_next(&j, &t);
	return t;
}

static void
test_numbers(void)
{
	static const struct {
		const char *text;
		uint64_t value;
	} exact[] = {
		{ "0", 0 }, { "7", 7 }, { "10", 10 }, { "99999999", 99999999 },
		{ "100000000", 100000000 }, { "1234567", 1234567 },
		{ "12345678", 12345678 }, { "123456789", 123456789 },
		{ "1234567890123456", 1234567890123456ull },
		{ "9999999999999999999", 9999999999999999999ull },
		{ "12345678901234567890", 12345678901234567890ull },
		{ "18446744073709551615", UINT64_MAX },
	};
	struct json j;
	struct json_tok t;
	uint64_t v;
	size_t i;
	int good;
	char text[64];

	for (i = 0, good = 1; i < ARRAY_SIZE(exact); i++) {
		/* Alone (short tail) and in a longer text (8-byte steps). */
		t = number(exact[i].text);
		if (!json_u64(&t, &v) || v != exact[i].value ||
		    t.len != strlen(exact[i].text))
			good = 0;
		snprintf(text, sizeof(text), "[%s, 1234567890123]",
		    exact[i].text);
		load(&j, text, strlen(text));
		json_next(&j, &t);
		json_next(&j, &t);
		if (!json_u64(&t, &v) || v != exact[i].value)
			good = 0;
	}
	ok(good, "integers are exact, up to 2^64-1");

	t = number("18446744073709551616");
	ok(t.type == JSON_NUMBER && (t.flags & JSON_BIG) && !json_u64(&t, &v),
	    "2^64 is flagged too big");
	t = number("123456789012345678901234567890");
	ok((t.flags & JSON_BIG) && t.len == 30,
	    "30 digits: too big, whole token");
	t = number("-0");
	ok((t.flags & JSON_NEG) && !json_u64(&t, &v), "-0 is negative");
	t = number("-12");
	ok((t.flags & JSON_NEG) && t.num == 12 && !json_u64(&t, &v),
	    "a negative number keeps its magnitude");
	t = number("7.5");
	ok((t.flags & JSON_FRAC) && !json_u64(&t, &v) && t.len == 3,
	    "a fraction is not an integer");
	t = number("1e3");
	ok((t.flags & JSON_EXP) && !json_u64(&t, &v), "1e3 is not plain");
	t = number("2.50E+10");
	ok((t.flags & (JSON_FRAC | JSON_EXP)) == (JSON_FRAC | JSON_EXP) &&
	    t.len == 8, "fraction and exponent");
	LOAD(&j, "[12345678,9,123456789012]");
	json_next(&j, &t);
	json_next(&j, &t);
	good = json_u64(&t, &v) && v == 12345678;
	json_next(&j, &t);
	good = good && json_u64(&t, &v) && v == 9;
	json_next(&j, &t);
	ok(good && json_u64(&t, &v) && v == 123456789012ull,
	    "numbers ending exactly at an 8-byte step");
	ok(!json_u64(&(struct json_tok){ .type = JSON_TRUE }, &v),
	    "true is not a number");
}

static int
decodes_to(const char *json_text, const char *want, size_t want_n)
{
	struct json j;
	struct json_tok t;
	struct buf scratch = BUF_INIT;
	struct slice s;
	int good;

	load(&j, json_text, strlen(json_text));
	json_next(&j, &t);
	s = json_str(&j, &t, &scratch);
	good = s.n == want_n && memcmp(s.p, want, want_n) == 0;
	buf_release(&scratch);
	return good;
}

#define DECODES(text, lit) decodes_to((text), (lit), sizeof(lit) - 1)

static void
test_strings(void)
{
	ok(DECODES("\"plain\"", "plain"), "a string without escapes");
	ok(DECODES("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t"),
	    "the two-character escapes");
	ok(DECODES("\"caf\\u00e9 \\u20AC\"", "caf\xc3\xa9 \xe2\x82\xac"),
	    "\\u escapes to UTF-8 (2 and 3 bytes, either case)");
	ok(DECODES("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80"),
	    "a surrogate pair is one 4-byte character");
	ok(DECODES("\"a\\ud800b\"", "a\xef\xbf\xbd" "b"),
	    "a lone high surrogate becomes U+FFFD");
	ok(DECODES("\"\\udc00\"", "\xef\xbf\xbd"),
	    "a lone low surrogate becomes U+FFFD");
	ok(DECODES("\"\\ud800\\u0041\"", "\xef\xbf\xbd" "A"),
	    "a high surrogate before a non-surrogate");
	ok(DECODES("\"x\\u0000y\"", "x\0y"), "\\u0000 is a NUL byte");
	ok(DECODES("\"\xff\xfe bytes\"", "\xff\xfe bytes"),
	    "bytes that are not UTF-8 pass through");
	ok(DECODES("\"long string with no escapes at all, longer than 8\"",
	    "long string with no escapes at all, longer than 8"),
	    "a long string (8-byte steps)");
	ok(DECODES("\"12345678\\\"9\"", "12345678\"9"),
	    "an escaped quote after an 8-byte step");
}

static void
test_where_and_skip(void)
{
	struct json j, k;
	struct json_tok t;
	uint64_t line, col;

	LOAD(&j, "{\n  \"a\": [1,\n    2]\n}");
	json_where(&j, 0, &line, &col);
	ok(line == 1 && col == 1, "where: the first byte is 1:1");
	json_where(&j, 4, &line, &col);
	ok(line == 2 && col == 3, "where: after a newline");
	json_where(&j, 18, &line, &col);
	ok(line == 3 && col == 6, "where: further on");
	json_where(&j, 2, &line, &col);
	ok(line == 2 && col == 1, "where: going back");
	json_where(&j, 21, &line, &col);
	ok(line == 4 && col == 2, "where: the end of input");

	LOAD(&j, "[[1,{\"a\":[\"]\",\"\\\"]\",\"\\\\\"]}],{\"b\":2},3]");
	json_next(&j, &t);
	json_next(&j, &t);
	json_skip(&j, &t);
	json_next(&j, &t);
	ok(t.type == JSON_OBJECT, "json_skip ends after the value");
	k = j;
	json_skip(&j, &t);
	json_skip_unchecked(&k, &t);
	ok(j.pos == k.pos && j.depth == k.depth,
	    "json_skip_unchecked agrees with json_skip");
	json_next(&j, &t);
	json_next(&k, &t);
	ok(t.type == JSON_NUMBER && t.num == 3 && j.pos == k.pos,
	    "parsing goes on after either skip");

	LOAD(&j, "[[1,{\"a\":[\"]\",\"\\\"]\",\"\\\\\"]}],{\"b\":2},3]");
	json_next(&j, &t);
	json_next(&j, &t);
	json_skip_unchecked(&j, &t);
	json_next(&j, &t);
	ok(t.type == JSON_OBJECT && t.off == 28,
	    "json_skip_unchecked over brackets and quotes in strings");

	json_init_at(&k, doc.p, doc.len, "t.json", 28);
	ok(json_next(&k, &t) == JSON_OBJECT && (json_skip(&k, &t), 1) &&
	    json_next(&k, &t) == JSON_END, "json_init_at reads one value");
}

/*
 * Run the parser over text in a child; true if it died with status 1 and
 * one line "test-json: t.json:WHERE: ..." containing what.
 */
/* Whether dies_with's parser tries json_next_number first. */
static int via_number;

static int
dies_with(const char *text, size_t n, const char *where, const char *what)
{
	char out[1024], prefix[64];
	int fd[2], status;
	ssize_t got, len = 0;
	pid_t pid;

	fflush(stdout);
	if (pipe(fd) < 0 || (pid = fork()) < 0)
		return 0;
	if (pid == 0) {
		struct json j;
		struct json_tok t, u;

		close(fd[0]);
		dup2(fd[1], 2);
		load(&j, text, n);
		for (;;) {
			uint32_t v[4];

			if (via_number == 2 && (json_next_u32s(&j, v, 4) ||
			    json_next_member(&j, &t, &u)))
				continue;
			if (via_number && (json_next_number(&j, &t) ||
			    json_next_key(&j, &t)))
				continue;
			if (json_next(&j, &t) == JSON_END)
				break;
		}
		_exit(0);
	}
	close(fd[1]);
	while ((got = read(fd[0], out + len,
	    sizeof(out) - 1 - (size_t)len)) > 0)
		len += got;
	close(fd[0]);
	out[len] = '\0';
	waitpid(pid, &status, 0);
	snprintf(prefix, sizeof(prefix), "test-json: t.json:%s: ", where);
	if (!(WIFEXITED(status) && WEXITSTATUS(status) == 1 &&
	    strncmp(out, prefix, strlen(prefix)) == 0 && strstr(out, what) &&
	    strchr(out, '\n') == out + len - 1)) {
		printf("#   got status %d, stderr: %s", status, out);
		return 0;
	}
	return 1;
}

#define DIES(text, where, what) \
	dies_with((text), sizeof(text) - 1, (where), (what))

static void
test_errors(void)
{
	char *deep;
	size_t i;

	ok(DIES("", "1:1", "empty input"), "empty input");
	ok(DIES(" \n\t ", "2:3", "empty input"), "only whitespace");
	ok(DIES("{\"a\": [1, 2", "1:12", "unexpected end of input"),
	    "truncated in an array");
	ok(DIES("{\"a\": \"tex", "1:11", "unexpected end of input"),
	    "truncated in a string");
	ok(DIES("{\"a\": \"x\\u12", "1:13", "unexpected end of input"),
	    "truncated in a \\u escape");
	ok(DIES("[tr", "1:4", "unexpected end of input"),
	    "truncated in a literal");
	ok(DIES("[1.", "1:4", "unexpected end of input"),
	    "truncated in a number");
	ok(DIES("{\"a\"", "1:5", "unexpected end of input"),
	    "truncated after a member name");
	ok(DIES("{} {}", "1:4", "after the end of the top-level value"),
	    "trailing data");
	ok(DIES("[NaN]", "1:2", "found 'NaN'"), "NaN");
	ok(DIES("[-Infinity]", "1:3", "a digit after '-'"), "-Infinity");
	ok(DIES("[trux]", "1:2", "expected a value"), "a misspelt literal");
	ok(DIES("[01]", "1:2", "leading zero"), "a leading zero");
	ok(DIES("[1.e5]", "1:4", "a digit after '.'"), "no digit after '.'");
	ok(DIES("[1e]", "1:4", "a digit in the exponent"), "empty exponent");
	ok(DIES("[1,]", "1:4", "expected a value, found ']'"),
	    "a trailing comma");
	ok(DIES("[1 2]", "1:4", "expected ',' or ']'"), "a missing comma");
	ok(DIES("{\"a\" 1}", "1:6", "':' after the member name"),
	    "a missing colon");
	ok(DIES("{1:2}", "1:2", "a member name"), "a key that is no string");
	ok(DIES("{\"a\":1]", "1:7", "expected ',' or '}'"),
	    "a mismatched bracket");
	ok(DIES("[\"a\tb\"]", "1:4", "control character 0x09"),
	    "a raw tab in a string");
	ok(DIES("[\"a\\x\"]", "1:4", "bad escape '\\x'"), "a bad escape");
	ok(DIES("[\"\\u12G4\"]", "1:3", "bad \\u escape"), "a bad \\u escape");
	ok(DIES("[1,\0]", "1:4", "byte 0x00"), "a NUL byte");
	ok(DIES("[// c\n1]", "1:2", "expected a value"), "a comment");

	deep = malloc(JSON_MAX_DEPTH + 2);
	for (i = 0; i < JSON_MAX_DEPTH + 1; i++)
		deep[i] = '[';
	ok(dies_with(deep, JSON_MAX_DEPTH + 1, "1:513", "nesting deeper"),
	    "one level too deep");
	free(deep);
}

/*
 * The grammar errors of numbers and members, through the fast paths
 * (via: 1 json_next_number and json_next_key, 2 json_next_u32s and
 * json_next_member first): the same message at the same place.
 */
static int
fast_errors(int via)
{
	static const struct {
		const char *text, *where, *what;
	} cases[] = {
		{ "[1,01]", "1:4", "leading zero" },
		{ "[1,-]", "1:5", "a digit after '-'" },
		{ "[1,2.]", "1:6", "a digit after '.'" },
		{ "[1,2", "1:5", "unexpected end of input" },
		{ "[1,,2]", "1:4", "expected a value" },
		{ "{\"a\":01}", "1:6", "leading zero" },
		{ "{\"a\":1,2}", "1:8", "a member name" },
		{ "{\"a\" 1}", "1:6", "':' after the member name" },
		{ "{\"a\":1,\"b", "1:10", "unexpected end of input" },
		{ "{\"a\":1,\"b\"", "1:11", "unexpected end of input" },
		{ "{\"a\":1,\"\tb\":2}", "1:9", "control character" },
		{ "{\"a\\q\":1}", "1:4", "bad escape" },
	};
	size_t i;
	int good = 1;

	via_number = via;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		good &= dies_with(cases[i].text, strlen(cases[i].text),
		    cases[i].where, cases[i].what);
	via_number = 0;
	return good;
}

/*
 * json_next_number and json_next_key: tokens as json_next gives them,
 * anything else left for it.
 */
static void
test_next_number(void)
{
	struct json j, k;
	struct json_tok t, u;
	int good = 1;

	LOAD(&j, "[ 1 , -20,3.5e1 ,\"x\", 7 ]");
	json_next(&j, &t);
	ok(json_next_number(&j, &t) && t.type == JSON_NUMBER && t.num == 1 &&
	    t.off == 2 && t.len == 1 && !t.flags, "a number after '['");
	ok(json_next_number(&j, &t) && t.num == 20 &&
	    (t.flags & JSON_NEG) && t.off == 6 && t.len == 3,
	    "a negative number after ','");
	ok(json_next_number(&j, &t) && t.off == 10 && t.len == 5 &&
	    (t.flags & (JSON_FRAC | JSON_EXP)) == (JSON_FRAC | JSON_EXP),
	    "a fraction with an exponent");
	ok(!json_next_number(&j, &t) && json_next(&j, &t) == JSON_STRING &&
	    t.off == 17, "a string is left to json_next, comma and all");
	ok(json_next_number(&j, &t) && t.num == 7 &&
	    !json_next_number(&j, &t) && json_next(&j, &t) == JSON_ARRAY_END &&
	    json_next(&j, &t) == JSON_END, "the closing bracket is left");

	/* Token for token the same as json_next, in an object too. */
	LOAD(&j, "{\"a\":[0,1,[2],{\"b\":3}], \"c\" :-0.5,\"d\\n\":{},\n"
	    "\"e\":[{\"f\":[]},\"g\"]}");
	json_init(&k, doc.p, doc.len, "t.json");
	for (;;) {
		if (!json_next_number(&j, &t) && !json_next_key(&j, &t))
			json_next(&j, &t);
		json_next(&k, &u);
		if (t.type != u.type || t.off != u.off || t.len != u.len ||
		    t.flags != u.flags || t.num != u.num)
			good = 0;
		if (u.type == JSON_END)
			break;
	}
	ok(good, "the same tokens as json_next");
	ok(fast_errors(1), "errors as json_next has them");
}

/*
 * json_next_u32s and json_next_member: the runs and members they take,
 * what they leave, and the errors json_next would give.
 */
static void
test_fast_paths(void)
{
	struct json j, k;
	struct json_tok t, u, v;
	uint32_t out[8];
	int good = 1;

	LOAD(&j, "[1,20 , 3,4294967295,5,-6,7.0,8]");
	json_next(&j, &t);
	ok(json_next_u32s(&j, out, 8) == 3 && out[0] == 1 && out[1] == 20 &&
	    out[2] == 3, "a run of small integers");
	ok(json_next_u32s(&j, out, 8) == 0 && json_next_number(&j, &t) &&
	    t.num == 4294967295u, "2^32-1 is left, unread");
	ok(json_next_u32s(&j, out, 1) == 1 && out[0] == 5 &&
	    json_next_u32s(&j, out, 8) == 0 && json_next_number(&j, &t) &&
	    (t.flags & JSON_NEG), "at most max; a negative number is left");
	ok(json_next_u32s(&j, out, 8) == 0 && json_next_number(&j, &t) &&
	    (t.flags & JSON_FRAC) && json_next_u32s(&j, out, 8) == 1 &&
	    out[0] == 8 && json_next(&j, &t) == JSON_ARRAY_END,
	    "a fraction is left; the closing bracket too");
	LOAD(&j, "{\"a\":1}");
	json_next(&j, &t);
	ok(json_next_u32s(&j, out, 8) == 0 && json_next_member(&j, &t, &u) &&
	    u.num == 1, "no run inside an object");

	/* Member by member, the same tokens as json_next. */
	LOAD(&j, "{\"a\":12, \"b\" : [1], \"c\":\"x\",\"d\\n\":-3e2}");
	json_init(&k, doc.p, doc.len, "t.json");
	json_next(&j, &t);
	json_next(&k, &t);
	while (json_next_member(&j, &t, &u)) {
		if (json_next(&k, &v) != JSON_KEY || v.off != t.off ||
		    v.len != t.len || v.flags != t.flags)
			good = 0;
		json_next(&k, &v);
		if (u.type == JSON_END)
			json_next(&j, &u);
		if (u.type != v.type || u.off != v.off || u.len != v.len ||
		    u.flags != v.flags || u.num != v.num)
			good = 0;
		json_skip(&j, &u);
		json_skip(&k, &v);
	}
	ok(good && json_next(&j, &t) == JSON_OBJECT_END &&
	    json_next(&k, &v) == JSON_OBJECT_END,
	    "members as json_next reads them");

	ok(fast_errors(2), "errors as json_next has them");
}

int
main(void)
{
	diag_init("test-json", NULL);
	test_tokens();
	test_numbers();
	test_strings();
	test_where_and_skip();
	test_errors();
	test_next_number();
	test_fast_paths();
	buf_release(&doc);
	return tap_done();
}
