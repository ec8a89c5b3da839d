/*
 * sort: stable sort of ids by the bytes of their keys (memcmp order,
 * a prefix before its extensions), O(n log n) with cheap comparisons:
 * the first 8 bytes of each key are compared as one integer.
 */
#ifndef SORT_H
#define SORT_H

#include <stddef.h>
#include <stdint.h>
#include "slice.h"

/* Reorder ids[0..n) so that keys[ids[i]] ascend. Equal keys keep order. */
void sort_ids_by_key(uint32_t *ids, size_t n, const struct slice *keys);

#endif
