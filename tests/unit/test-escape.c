/*
 * test-escape: the SVG escapers, byte for byte, and the UTF-8 helpers
 * they share (one U+FFFD per maximal ill-formed stretch).
 */
#include <string.h>

#include "escape.h"
#include "tap.h"

#define FFFD "\xef\xbf\xbd"

/* s with bytes outside printable ASCII as \xHH, for one-line messages. */
static const char *
shown(struct buf *out, const char *s, size_t n)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf_addc(out, (char)c);
		else
			buf_addf(out, "\\x%02x", c);
	}
	return out->p;
}

static void
check(void (*fn)(struct buf *, const char *, size_t), const char *name,
    const char *in, size_t n, const char *want)
{
	struct buf b = BUF_INIT, s1 = BUF_INIT, s2 = BUF_INIT;

	fn(&b, in, n);
	ok(b.len == strlen(want) && memcmp(b.p, want, b.len) == 0,
	    "%s: '%s' gives '%s'", name, shown(&s1, in, n),
	    shown(&s2, b.p, b.len));
	buf_release(&b);
	buf_release(&s1);
	buf_release(&s2);
}

#define XML(in, want) check(escape_xml, "xml", in, sizeof(in) - 1, want)
#define TEXT(in, want) check(escape_xml_text, "text", in, sizeof(in) - 1, want)
#define COMMENT(in, want) \
	check(escape_xml_comment, "comment", in, sizeof(in) - 1, want)
#define JS(in, want) check(escape_js_str, "js", in, sizeof(in) - 1, want)
#define CSS(in, want) check(escape_css_str, "css", in, sizeof(in) - 1, want)

int
main(void)
{
	XML("plain text", "plain text");
	XML("<script>&\"'</script>", "&lt;script&gt;&amp;&quot;&apos;&lt;/script&gt;");
	XML("]]>", "]]&gt;");
	XML("a\tb\nc\rd", "a&#9;b&#10;c&#13;d");
	XML("nul\0x", "nul" FFFD "x");
	XML("\x01\x08\x0b\x0c\x1b\x1f", FFFD FFFD FFFD FFFD FFFD FFFD);
	XML("del\x7f", "del\x7f");
	XML("\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\xa5", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\xa5");
	XML("\xff\xfe", FFFD FFFD);
	XML("\x80", FFFD);
	XML("\xc0\xaf", FFFD FFFD);		/* overlong lead: each byte */
	XML("\xe0\x80\x80", FFFD FFFD FFFD);	/* overlong 3-byte */
	XML("\xed\xa0\x80", FFFD FFFD FFFD);	/* surrogate */
	XML("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);	/* > U+10FFFF */
	XML("\xe2\x82x", FFFD "x");		/* truncated: one U+FFFD */
	XML("\xf0\x9f\x94", FFFD);		/* truncated at the end */
	XML("\xef\xbf\xbe\xef\xbf\xbf", FFFD FFFD);	/* non-characters */
	XML("\xef\xbf\xbd", FFFD);

	TEXT("a\tb\nc\rd<&>\"'", "a\tb\nc&#13;d&lt;&amp;&gt;&quot;&apos;");
	TEXT("\x01\xff", FFFD FFFD);

	COMMENT("a--b", "a&#45;-b");
	COMMENT("line\none", "line\none");
	COMMENT("a---", "a&#45;&#45;&#45;");
	COMMENT("x -", "x &#45;");
	COMMENT("-->", "&#45;-&gt;");
	COMMENT("a-b", "a-b");

	JS("Function:", "Function:");
	JS("it's \\ \"q\"", "it\\'s \\\\ \\\"q\\\"");
	JS("]]></script><b>&", "]]\\x3e\\x3c/script\\x3e\\x3cb\\x3e\\x26");
	JS("a\nb\rc\td", "a\\nb\\rc\\td");
	JS("\x01\x1b\x7f", "\\x01\\x1b\\x7f");
	JS("\xff", "\\ufffd");
	JS("\xe2\x80\xa8\xe2\x80\xa9", "\\u2028\\u2029");
	JS("\xc3\xa9", "\xc3\xa9");

	CSS("Andale Mono", "Andale Mono");
	CSS("a\"b\\c", "a\\\"b\\\\c");
	CSS("</style>", "\\3c /style\\3e ");
	CSS("&\n", "\\26 \\a ");
	CSS("\xff", "\\fffd ");

	ok(escape_utf8_count("a\xc3\xa9\xe2\x82x", 6) == 4,
	    "count: a, e-acute, one U+FFFD for the cut euro sign, x");
	ok(escape_utf8_prefix("\xc3\xa9\xc3\xa9\xc3\xa9", 6, 2) == 4,
	    "prefix: two two-byte characters");
	ok(escape_utf8_prefix("abc", 3, 9) == 3, "prefix: fewer characters");
	ok(escape_utf8_len((const unsigned char *)"\xf0\x9f\x94\xa5", 4) == 4,
	    "len: four-byte sequence");
	ok(escape_utf8_len((const unsigned char *)"\xf0\x9f\x94", 3) == 0,
	    "len: truncated sequence");
	return tap_done();
}
