/*
 * rust: repair of half-decoded Rust legacy symbols.
 *
 * DTrace, macOS sample and some perf setups print Rust legacy-mangled names
 * with the outer mangling removed but the inner escapes left in, e.g.
 * `_$LT$alloc..vec..Vec$LT$T$GT$$u20$as$u20$Foo$GT$::from::hf1c5bb9dd6c517cb`.
 * This module turns them into `<alloc::vec::Vec<T> as Foo>::from`, the
 * way inferno's collapsers do.
 *
 * Rules (the symbol is taken as given: a caller that wants trailing blanks
 * ignored, as collapse-dtrace does, trims first):
 *   - only a symbol ending in `h` plus 16 hex digits (the legacy hash) is
 *     touched; every other symbol is returned as it was given;
 *   - the hash goes, then a `::` right before it, then the `_` of a
 *     leading `_$`;
 *   - `..` becomes `::`, a lone `.` stays, and the escapes $SP$ $BP$ $RF$
 *     $LT$ $GT$ $LP$ $RP$ $C$ and $uXX$ (7e 20 27 3d 5b 5d 7b 7d 3b 2b 21
 *     22) become @ * & < > ( ) , ~ space ' = [ ] { } ; + ! ";
 *   - at a `$` that starts no known escape, the rest is copied unchanged.
 * So a symbol with a hash always changes, even when nothing else needed
 * decoding (`std::rt::lang_start::h0123456789abcdef` -> `std::rt::lang_start`).
 */
#ifndef RUST_H
#define RUST_H

#include <stdbool.h>

#include "buf.h"
#include "slice.h"

/*
 * The repaired form of sym. When nothing changes the result is sym itself
 * (same pointer, same length, nothing copied); otherwise scratch is reset,
 * the repaired text is written into it and the result points into scratch
 * (valid until scratch is next modified). Any bytes are accepted.
 */
struct slice rust_fix_legacy(struct slice sym, struct buf *scratch);

/* Whether sym ends with a legacy hash `h` + 16 hex digits. */
bool rust_has_legacy_hash(struct slice sym);

#endif
