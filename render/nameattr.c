/*
 * nameattr: inferno's line format, without its spurious warnings: its
 * parser of g_extra/a_extra complains after every quoted value and at the
 * end of every list even when nothing is wrong; ours only warns about
 * real mistakes.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "lr.h"
#include "nameattr.h"
#include "utf8.h"
#include "xmalloc.h"

void
nameattr_init(struct nameattr *na)
{
	memset(na, 0, sizeof(*na));
	intern_init(&na->names);
	arena_init(&na->text);
}

static struct slice
keep(struct nameattr *na, struct slice s)
{
	return slice_make(arena_memdup(&na->text, s.p, s.n), s.n);
}

/*
 * An attribute name we can write without breaking the document: an ASCII
 * XML name, with no namespace prefix other than xlink: or xml:.
 */
static bool
attr_name_ok(struct slice k)
{
	size_t i;
	ptrdiff_t colon = slice_chr(k, ':');

	if (k.n == 0)
		return false;
	if (colon >= 0 && !slice_starts(k, "xlink:") && !slice_starts(k, "xml:"))
		return false;
	for (i = 0; i < k.n; i++) {
		unsigned char c = (unsigned char)k.p[i];
		bool alpha = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';

		if (alpha || c == '_' || (c == ':' && (ptrdiff_t)i == colon &&
		    i > 0 && i + 1 < k.n))
			continue;
		if (i > 0 && (is_digit(c) || c == '.' || c == '-'))
			continue;
		return false;
	}
	return true;
}

static void
set_attr(struct nameattr *na, struct nameattr_entry *e, struct slice func,
    struct slice key, struct slice value)
{
	size_t i;

	if (!attr_name_ok(key)) {
		warn("invalid attribute name '%.*s' found for %.*s",
		    (int)key.n, key.p, (int)func.n, func.p);
		return;
	}
	for (i = 0; i < e->nattrs; i++) {
		if (!slice_eq(e->attrs[i].key, key))
			continue;
		warn("duplicate attribute `%.*s` in nameattr file for `%.*s`; "
		    "replacing value \"%.*s\" with \"%.*s\"", (int)key.n, key.p,
		    (int)func.n, func.p, (int)e->attrs[i].value.n,
		    e->attrs[i].value.p, (int)value.n, value.p);
		e->attrs[i].value = keep(na, value);
		return;
	}
	if (e->nattrs == e->cap) {
		e->cap = alloc_nr(e->cap, e->nattrs + 1);
		e->attrs = xreallocarray(e->attrs, e->cap, sizeof(*e->attrs));
	}
	e->attrs[e->nattrs].key = keep(na, key);
	e->attrs[e->nattrs].value = keep(na, value);
	e->nattrs++;
	if (slice_eq_lit(key, "xlink:href"))
		e->has_href = true;
}

static size_t
skip_blanks(struct slice s, size_t i)
{
	while (i < s.n && is_ascii_space((unsigned char)s.p[i]))
		i++;
	return i;
}

/* g_extra / a_extra: blank-separated k=v and k="v w" pairs. */
static void
parse_extra(struct nameattr *na, struct nameattr_entry *e, struct slice func,
    struct slice s)
{
	size_t i = 0;

	for (;;) {
		size_t kstart, kend, vstart, vend;

		i = skip_blanks(s, i);
		if (i == s.n)
			return;
		kstart = i;
		while (i < s.n && s.p[i] != '=' && !is_ascii_space((unsigned char)s.p[i]))
			i++;
		kend = i;
		if (i == s.n || s.p[i] != '=') {
			warn("extra attribute %.*s has no value (did you mean to "
			    "quote the value?)", (int)(kend - kstart), s.p + kstart);
			continue;
		}
		if (kend == kstart) {
			warn("\"=\" found with no name in extra attributes");
			return;
		}
		i++;
		if (i < s.n && s.p[i] == '"') {
			const char *q = memchr(s.p + i + 1, '"', s.n - i - 1);
			if (!q) {
				warn("no end quote found for extra attribute %.*s",
				    (int)(kend - kstart), s.p + kstart);
				return;
			}
			vstart = i + 1;
			vend = (size_t)(q - s.p);
			i = vend + 1;
		} else {
			vstart = i;
			while (i < s.n && !is_ascii_space((unsigned char)s.p[i]))
				i++;
			vend = i;
			if (vend == vstart)
				warn("no value after \"=\" for extra attribute %.*s",
				    (int)(kend - kstart), s.p + kstart);
		}
		set_attr(na, e, func, slice_make(s.p + kstart, kend - kstart),
		    slice_make(s.p + vstart, vend - vstart));
	}
}

static struct nameattr_entry *
entry_for(struct nameattr *na, struct slice func)
{
	uint32_t id = intern_put(&na->names, func.p, func.n);

	if (id >= na->cap) {
		size_t cap = alloc_nr(na->cap, (size_t)id + 1);
		na->entries = xreallocarray(na->entries, cap,
		    sizeof(*na->entries));
		memset(na->entries + na->cap, 0,
		    (cap - na->cap) * sizeof(*na->entries));
		na->cap = cap;
	}
	return &na->entries[id];
}

static void
parse_line(struct nameattr *na, struct slice line)
{
	struct slice func, rest, pair;
	struct nameattr_entry *e;

	line = utf8_trim(line);
	slice_cut(line, '\t', &func, &rest);
	if (func.n == 0)
		return;
	e = entry_for(na, func);
	while (rest.n) {
		struct slice key, value;

		slice_cut(rest, '\t', &pair, &rest);
		if (!slice_cut(pair, '=', &key, &value))
			continue;
		key = utf8_trim(key);
		value = utf8_trim(value);
		if (key.n == 0)
			continue;
		if (value.n >= 2 && value.p[0] == '"' && value.p[value.n - 1] == '"')
			value = slice_make(value.p + 1, value.n - 2);
		if (slice_eq_lit(key, "title")) {
			e->title = keep(na, value);
			e->has_title = true;
		} else if (slice_eq_lit(key, "href")) {
			set_attr(na, e, func, SLICE_LIT("xlink:href"), value);
		} else if (slice_eq_lit(key, "target") || slice_eq_lit(key, "id") ||
		    slice_eq_lit(key, "class")) {
			set_attr(na, e, func, key, value);
		} else if (slice_eq_lit(key, "g_extra") ||
		    slice_eq_lit(key, "a_extra")) {
			parse_extra(na, e, func, value);
		} else {
			warn("invalid attribute %.*s found for %.*s", (int)key.n,
			    key.p, (int)func.n, func.p);
		}
	}
}

void
nameattr_load(struct nameattr *na, const char *path)
{
	struct lr r;
	struct slice line;
	uint32_t i;

	lr_open_or_die(&r, path);
	while (lr_next(&r, &line))
		parse_line(na, line);
	lr_close(&r);
	/* A link opens in the whole window unless told otherwise. */
	for (i = 0; i < intern_count(&na->names); i++) {
		struct nameattr_entry *e = &na->entries[i];
		size_t k;
		bool has_target = false;

		if (!e->has_href)
			continue;
		for (k = 0; k < e->nattrs; k++)
			if (slice_eq_lit(e->attrs[k].key, "target"))
				has_target = true;
		if (!has_target)
			set_attr(na, e, slice_make("", 0), SLICE_LIT("target"),
			    SLICE_LIT("_top"));
	}
}

const struct nameattr_entry *
nameattr_find(const struct nameattr *na, struct slice name)
{
	uint32_t id = intern_find(&na->names, name.p, name.n);

	return id == INTERN_NONE ? NULL : &na->entries[id];
}

void
nameattr_release(struct nameattr *na)
{
	uint32_t i;

	for (i = 0; i < intern_count(&na->names); i++)
		free(na->entries[i].attrs);
	free(na->entries);
	intern_release(&na->names);
	arena_release(&na->text);
	memset(na, 0, sizeof(*na));
}
