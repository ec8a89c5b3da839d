/*
 * escape: runs of harmless bytes are found with a 256-entry class table and
 * copied in one go; only the bytes the table flags are looked at one by one.
 */
#include <string.h>

#include "escape.h"

enum {
	C_PLAIN = 0,	/* copied as is */
	C_SPECIAL,	/* ASCII with a meaning in the target syntax */
	C_CTRL,		/* C0 control that XML does not allow */
	C_HIGH,		/* start of a multi-byte sequence (or a stray byte) */
};

static const char replacement[] = "\xef\xbf\xbd";	/* U+FFFD */

static unsigned char xml_class[256];
static unsigned char text_class[256];
static unsigned char js_class[256];
static unsigned char css_class[256];
static int classes_ready;

static void
classes_init(void)
{
	int c;

	for (c = 0; c < 256; c++) {
		unsigned char k = c < 0x20 ? C_CTRL : c >= 0x80 ? C_HIGH : C_PLAIN;
		xml_class[c] = text_class[c] = js_class[c] = css_class[c] = k;
	}
	xml_class['\t'] = xml_class['\n'] = xml_class['\r'] = C_SPECIAL;
	xml_class['&'] = xml_class['<'] = xml_class['>'] = C_SPECIAL;
	xml_class['"'] = xml_class['\''] = C_SPECIAL;
	memcpy(text_class, xml_class, sizeof(text_class));
	text_class['\t'] = text_class['\n'] = C_PLAIN;
	for (c = 0; c < 0x20; c++)
		js_class[c] = css_class[c] = C_SPECIAL;
	js_class['\\'] = js_class['"'] = js_class['\''] = C_SPECIAL;
	js_class['<'] = js_class['>'] = js_class['&'] = C_SPECIAL;
	js_class[0x7f] = C_SPECIAL;
	css_class['\\'] = css_class['"'] = C_SPECIAL;
	css_class['<'] = css_class['>'] = css_class['&'] = C_SPECIAL;
	css_class[0x7f] = C_SPECIAL;
	classes_ready = 1;
}

/* The allowed range of the byte after lead byte c (c in 0xc2..0xf4). */
static void
second_range(unsigned char c, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (c == 0xe0)
		*lo = 0xa0;	/* no overlongs */
	else if (c == 0xed)
		*hi = 0x9f;	/* no surrogates */
	else if (c == 0xf0)
		*lo = 0x90;	/* no overlongs */
	else if (c == 0xf4)
		*hi = 0x8f;	/* nothing above U+10FFFF */
}

/*
 * How many bytes at p form a well-formed sequence (need == got) or, if
 * not, the longest start of one (its "maximal subpart", at least 1 byte):
 * *need is the sequence length the lead byte asks for (0 if it cannot
 * lead), *got how many bytes fit that pattern.
 */
static void
utf8_scan(const unsigned char *p, size_t n, size_t *need, size_t *got)
{
	unsigned char c = p[0], lo, hi;
	size_t k, len;

	if (c < 0x80) {
		*need = *got = 1;
		return;
	}
	if (c < 0xc2 || c > 0xf4) {
		*need = 0;
		*got = 1;
		return;
	}
	len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	second_range(c, &lo, &hi);
	for (k = 1; k < len && k < n; k++) {
		if (p[k] < lo || p[k] > hi)
			break;
		lo = 0x80;
		hi = 0xbf;
	}
	*need = len;
	*got = k;
}

size_t
escape_utf8_len(const unsigned char *p, size_t n)
{
	size_t need, got;

	utf8_scan(p, n, &need, &got);
	return need == got ? got : 0;
}

/* Bytes of the character (or the invalid stretch) at p: at least 1. */
static size_t
char_len(const unsigned char *p, size_t n)
{
	size_t need, got;

	if (p[0] < 0x80)
		return 1;
	utf8_scan(p, n, &need, &got);
	return got;
}

/* U+FFFE and U+FFFF are well-formed UTF-8 but not XML characters. */
static int
is_xml_nonchar(const unsigned char *p, size_t len)
{
	return len == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe;
}

size_t
escape_utf8_prefix(const char *p, size_t n, size_t nchars)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;

	while (i < n && nchars) {
		i += char_len(u + i, n - i);
		nchars--;
	}
	return i;
}

size_t
escape_utf8_count(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, chars = 0;

	while (i < n) {
		i += char_len(u + i, n - i);
		chars++;
	}
	return chars;
}

/*
 * Copy the multi-byte sequence at p (or replace it) and return how many
 * input bytes it used.
 */
static size_t
put_high(struct buf *b, const unsigned char *p, size_t n, int js)
{
	size_t need, k;

	utf8_scan(p, n, &need, &k);
	if (need != k || is_xml_nonchar(p, k)) {
		if (js)
			buf_add(b, "\\ufffd", 6);
		else
			buf_add(b, replacement, 3);
		return k;
	}
	/* U+2028 and U+2029 end a line in older JavaScript. */
	if (js && k == 3 && p[0] == 0xe2 && p[1] == 0x80 &&
	    (p[2] == 0xa8 || p[2] == 0xa9)) {
		buf_add(b, p[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
		return 3;
	}
	buf_add(b, p, k);
	return k;
}

static void
put_xml_special(struct buf *b, unsigned char c)
{
	switch (c) {
	case '&': buf_add(b, "&amp;", 5); break;
	case '<': buf_add(b, "&lt;", 4); break;
	case '>': buf_add(b, "&gt;", 4); break;
	case '"': buf_add(b, "&quot;", 6); break;
	case '\'': buf_add(b, "&apos;", 6); break;
	case '\t': buf_add(b, "&#9;", 4); break;
	case '\n': buf_add(b, "&#10;", 5); break;
	case '\r': buf_add(b, "&#13;", 5); break;
	default: buf_addc(b, (char)c); break;
	}
}

static void
xml_escape(struct buf *b, const char *p, size_t n, int comment,
    const unsigned char *cls)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;

	buf_grow(b, n);
	while (i < n) {
		size_t run = i;
		unsigned char k;

		while (run < n && cls[u[run]] == C_PLAIN &&
		    !(comment && u[run] == '-'))
			run++;
		if (run > i) {
			buf_add(b, p + i, run - i);
			i = run;
			if (i == n)
				break;
		}
		k = cls[u[i]];
		if (comment && u[i] == '-') {
			if (i + 1 == n || u[i + 1] == '-')
				buf_add(b, "&#45;", 5);
			else
				buf_addc(b, '-');
			i++;
		} else if (k == C_SPECIAL) {
			put_xml_special(b, u[i]);
			i++;
		} else if (k == C_CTRL) {
			buf_add(b, replacement, 3);
			i++;
		} else {
			i += put_high(b, u + i, n - i, 0);
		}
	}
}

void
escape_xml(struct buf *b, const char *p, size_t n)
{
	if (!classes_ready)
		classes_init();
	xml_escape(b, p, n, 0, xml_class);
}

void
escape_xml_text(struct buf *b, const char *p, size_t n)
{
	if (!classes_ready)
		classes_init();
	xml_escape(b, p, n, 0, text_class);
}

void
escape_xml_comment(struct buf *b, const char *p, size_t n)
{
	if (!classes_ready)
		classes_init();
	xml_escape(b, p, n, 1, text_class);
}

static const char hexdig[] = "0123456789abcdef";

/* Copy the bytes from i on that need no escape; returns where they end. */
static size_t
add_plain(struct buf *b, const char *p, size_t i, size_t n,
    const unsigned char *cls)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t run = i;

	while (run < n && cls[u[run]] == C_PLAIN)
		run++;
	buf_add(b, p + i, run - i);
	return run;
}

void
escape_js_str(struct buf *b, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;

	if (!classes_ready)
		classes_init();
	while ((i = add_plain(b, p, i, n, js_class)) < n) {
		unsigned char c = u[i];
		if (c >= 0x80) {
			i += put_high(b, u + i, n - i, 1);
			continue;
		}
		i++;
		switch (c) {
		case '\\': buf_add(b, "\\\\", 2); break;
		case '\'': buf_add(b, "\\'", 2); break;
		case '"': buf_add(b, "\\\"", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		default: {
			char e[4] = { '\\', 'x', hexdig[c >> 4], hexdig[c & 15] };
			buf_add(b, e, 4);
			break;
		}
		}
	}
}

void
escape_css_str(struct buf *b, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;

	if (!classes_ready)
		classes_init();
	while ((i = add_plain(b, p, i, n, css_class)) < n) {
		unsigned char c = u[i];
		if (c >= 0x80) {
			size_t need, k;
			utf8_scan(u + i, n - i, &need, &k);
			if (need != k || is_xml_nonchar(u + i, k))
				buf_add(b, "\\fffd ", 6);
			else
				buf_add(b, p + i, k);
			i += k;
			continue;
		}
		i++;
		if (c == '\\' || c == '"') {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
		} else {
			/* A hex escape ends at the blank after it. */
			char e[5] = { '\\', hexdig[c >> 4], hexdig[c & 15], ' ' };
			if (c < 0x10)
				buf_add(b, (char[]){ '\\', hexdig[c], ' ' }, 3);
			else
				buf_add(b, e, 4);
		}
	}
}
