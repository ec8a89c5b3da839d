/*
 * nameattr: the --nameattr file, extra SVG attributes per function name.
 *
 * One function per line: the exact frame name, a TAB, then TAB-separated
 * key=value pairs. Keys: title (replaces the tooltip), href (the frame
 * becomes a link, written xlink:href), target (default "_top" with an
 * href), id, class, and g_extra / a_extra, whose value is a list of
 * blank-separated k=v or k="v w" attributes. Lines for the same name add
 * up; a repeated attribute warns and the last value wins, in the place of
 * the first. Unknown keys and attribute names that are not XML names warn
 * and are skipped.
 */
#ifndef NAMEATTR_H
#define NAMEATTR_H

#include <stdbool.h>
#include <stdint.h>
#include "intern.h"
#include "slice.h"

struct nameattr_pair {
	struct slice key, value;	/* raw (unescaped) text */
};

struct nameattr_entry {
	struct slice title;
	bool has_title;
	bool has_href;		/* wrap the frame in <a>, not <g> */
	struct nameattr_pair *attrs;	/* in file order */
	size_t nattrs, cap;
};

struct nameattr {
	struct intern names;
	struct nameattr_entry *entries;	/* by name id */
	size_t cap;
	struct arena text;	/* keys and values */
};

void nameattr_init(struct nameattr *na);

/* Read path; an unreadable file is fatal (exit 1). */
void nameattr_load(struct nameattr *na, const char *path);

/* The entry of frame name, or NULL. */
const struct nameattr_entry *nameattr_find(const struct nameattr *na,
    struct slice name);

void nameattr_release(struct nameattr *na);

#endif
