/*
 * escape: make arbitrary bytes safe for the contexts of an SVG document.
 *
 * Every function appends to a struct buf and accepts any bytes, including
 * NUL and invalid UTF-8. Whatever the input, the output keeps the document
 * well-formed:
 *   - invalid UTF-8 (overlong, surrogate, beyond U+10FFFF, truncated,
 *     stray bytes) becomes U+FFFD, one for each maximal ill-formed
 *     stretch, as the Unicode standard recommends (and Rust's
 *     from_utf8_lossy and Python's "replace" do);
 *   - the C0 controls other than TAB, LF and CR, and the non-characters
 *     U+FFFE and U+FFFF, which XML 1.0 forbids even as references, become
 *     U+FFFD as well;
 *   - valid UTF-8 is copied unchanged.
 * Nothing here looks at the locale.
 */
#ifndef ESCAPE_H
#define ESCAPE_H

#include <stddef.h>
#include "buf.h"

/*
 * XML character data, for element text and for attribute values in either
 * quote style: & < > " ' become entities, TAB LF CR numeric references (so
 * attribute-value normalisation cannot turn them into blanks).
 */
void escape_xml(struct buf *b, const char *p, size_t n);

/*
 * As escape_xml, for element text only: TAB and LF stay as they are (text
 * keeps them); CR is still a reference, which a parser would otherwise
 * turn into LF.
 */
void escape_xml_text(struct buf *b, const char *p, size_t n);

/*
 * Text inside an XML comment: as escape_xml, and a '-' that is followed by
 * another '-' or ends the text is written "&#45;", so the comment can
 * neither contain "--" nor end in "--->".
 */
void escape_xml_comment(struct buf *b, const char *p, size_t n);

/*
 * The inside of a JavaScript string literal (either quote) in a <script>
 * CDATA section: backslash, both quotes and line terminators get backslash
 * escapes; < > & become \x3c \x3e \x26, so neither "]]>" nor "</script>"
 * can appear; other controls become \xHH; invalid UTF-8 becomes \ufffd.
 * The result contains no byte that needs XML escaping.
 */
void escape_js_str(struct buf *b, const char *p, size_t n);

/*
 * The inside of a double-quoted CSS string: " and \ get a backslash;
 * controls and < > & become CSS hex escapes ("\3c "). Run the result
 * through escape_xml before writing it into a <style> element.
 */
void escape_css_str(struct buf *b, const char *p, size_t n);

/*
 * Length of the well-formed UTF-8 sequence at p (1 to 4 bytes), or 0 when
 * the bytes there are not one (a lone continuation byte, a truncated or
 * overlong sequence, a surrogate, a code point above U+10FFFF).
 */
size_t escape_utf8_len(const unsigned char *p, size_t n);

/*
 * Characters in p[0..n) as they will be shown, an ill-formed stretch
 * counting as the one U+FFFD it becomes.
 */
size_t escape_utf8_count(const char *p, size_t n);

/* Bytes taken by the first nchars of those characters (all of p if fewer). */
size_t escape_utf8_prefix(const char *p, size_t n, size_t nchars);

#endif
