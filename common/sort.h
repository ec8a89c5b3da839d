/*
 * sort: ids ordered by the bytes of their keys (memcmp order, a prefix
 * before its extensions). Keys may hold any bytes, NUL included. Equal
 * keys end up next to each other in no promised order. Long shared
 * prefixes are cheap: each key is read about once per 8 bytes of the
 * prefix it shares with others.
 */
#ifndef SORT_H
#define SORT_H

#include <stddef.h>
#include <stdint.h>
#include "slice.h"

/* Reorder ids[0..n) so that keys[ids[i]] ascend. */
void sort_ids_by_key(uint32_t *ids, size_t n, const struct slice *keys);

#endif
