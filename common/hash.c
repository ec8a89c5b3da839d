/*
 * hash: multiply-rotate over 64-bit words, two independent lanes so the
 * multiplies of consecutive words overlap, then a murmur-style finaliser
 * so that every input bit reaches the low bits used as table index.
 */
#include <string.h>

#include "hash.h"

#define K1 0x9e3779b97f4a7c15ull
#define K2 0xc2b2ae3d27d4eb4full
#define K3 0x165667b19e3779f9ull

static inline uint64_t
load64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t
rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t
fmix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

uint64_t
hash_bytes(const void *key, size_t n, uint64_t seed)
{
	const unsigned char *p = key;
	uint64_t a = seed ^ (n * K1), b = rotl(seed, 32) + K3;
	uint64_t tail = 0;

	while (n >= 16) {
		a = rotl(a ^ (load64(p) * K2), 31) * K1;
		b = rotl(b ^ (load64(p + 8) * K2), 29) * K3;
		p += 16;
		n -= 16;
	}
	if (n >= 8) {
		a = rotl(a ^ (load64(p) * K2), 31) * K1;
		p += 8;
		n -= 8;
	}
	if (n) {
		memcpy(&tail, p, n);
		b = rotl(b ^ (tail * K2), 29) * K3;
	}
	return fmix(a ^ rotl(b, 17));
}
