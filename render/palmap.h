/*
 * palmap: the consistent palette of --cp, a file of "NAME->rgb(R,G,B)"
 * lines (palette.map in the current directory) that keeps a function's
 * colour the same from one graph to the next.
 *
 * Read at start if it exists, extended with the colour of every new name
 * drawn, and written back sorted by name after a successful run. Names are
 * raw frame names (annotations included), taken as written: not trimmed.
 */
#ifndef PALMAP_H
#define PALMAP_H

#include <stdbool.h>
#include "color.h"
#include "intern.h"

struct palmap {
	struct intern names;
	struct rgb *colors;	/* by name id */
	size_t cap;
};

void palmap_init(struct palmap *pm);

/*
 * Load path if it exists (a missing file is an empty map; any other error
 * is fatal). Invalid lines are dropped with one warning that counts them.
 */
void palmap_load(struct palmap *pm, const char *path);

/* The stored colour of name into *c; false when name has none. */
bool palmap_get(const struct palmap *pm, struct slice name, struct rgb *c);

void palmap_put(struct palmap *pm, struct slice name, struct rgb c);

/* Write every entry, sorted by name; dies on a write error. */
void palmap_save(struct palmap *pm, const char *path);

void palmap_release(struct palmap *pm);

#endif
