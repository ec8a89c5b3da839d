/*
 * utf8: the two pieces of Rust string handling that collapsers must mimic
 * to match inferno byte for byte: trimming with char::is_whitespace, and
 * String::from_utf8_lossy.
 *
 * Both have a fast path for pure ASCII, which is what profiler output
 * almost always is.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "slice.h"

/*
 * Trim Unicode White_Space from the start, the end or both ends:
 * ASCII \t \n \v \f \r and space, U+0085, U+00A0, U+1680, U+2000-200A,
 * U+2028, U+2029, U+202F, U+205F, U+3000 (written in UTF-8).
 */
struct slice utf8_ltrim(struct slice s);
struct slice utf8_rtrim(struct slice s);
struct slice utf8_trim(struct slice s);

/* Whether s is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
bool utf8_valid(struct slice s);

/*
 * s with every ill-formed sequence replaced by U+FFFD, one per maximal
 * invalid subpart (Rust's from_utf8_lossy, the Unicode recommendation).
 * Returns s itself when it is valid; otherwise scratch is reset and the
 * result points into it (valid until scratch is next modified).
 */
struct slice utf8_lossy(struct slice s, struct buf *scratch);

#endif
