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

/*
 * What to do with a sorted part, on the thread that sorted it: ids[from,
 * to) are in their final order, and bytes is the length of all the keys
 * before from.
 */
typedef void sort_done_fn(void *arg, const uint32_t *ids, size_t from,
    size_t to, size_t bytes);

/*
 * sort_ids_by_key on two threads: the ids are split around the median of
 * a sample of keys (those below it first, equal keys never apart, order
 * otherwise kept) and the parts sorted at the same time, each then handed
 * to done (unless NULL) on its thread. Small inputs, or a thread that
 * cannot be started, take one thread.
 */
void sort_ids_by_key_2(uint32_t *ids, size_t n, const struct slice *keys,
    sort_done_fn *done, void *arg);

#endif
