/*
 * hash: fast non-cryptographic 64-bit hash of a byte string.
 * Reads 8 bytes at a time; any length and alignment. The same bytes and
 * seed give the same value on every platform of the same endianness.
 */
#ifndef HASH_H
#define HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t hash_bytes(const void *p, size_t n, uint64_t seed);

#endif
