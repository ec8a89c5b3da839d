/*
 * test-core: arena, buf, slice, vec and hash invariants.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "hash.h"
#include "slice.h"
#include "tap.h"
#include "vec.h"

int
main(void)
{
	struct arena a = ARENA_INIT;
	struct buf b = BUF_INIT;
	struct u64vec v = U64VEC_INIT;
	struct slice head, tail;
	uint64_t x;
	char big[70000];
	char *p, *q;
	int i, aligned = 1;

	/* arena */
	for (i = 0; i < 10000; i++) {
		p = arena_alloc_bytes(&a, (size_t)(i % 7));
		q = arena_alloc(&a, 24);
		if ((uintptr_t)q % alignof(max_align_t))
			aligned = 0;
		(void)p;
	}
	ok(aligned, "arena_alloc is aligned after odd-sized byte allocations");
	memset(big, 'x', sizeof(big));
	p = arena_memdup(&a, "abc", 3);
	q = arena_memdup(&a, big, sizeof(big));
	ok(strcmp(p, "abc") == 0 && q[sizeof(big)] == '\0' && q[0] == 'x',
	    "memdup copies and terminates, small and big");
	p = malloc(5 << 20);
	memset(p, 'z', 5 << 20);
	q = arena_memdup(&a, p, 5 << 20);
	ok(q[0] == 'z' && q[(5 << 20) - 1] == 'z' && q[5 << 20] == '\0',
	    "a request larger than a block");
	free(p);
	p = arena_memdup(&a, "abc", 3);
	ok(strcmp(p, "abc") == 0, "earlier pointers stay valid");
	arena_release(&a);
	ok(a.head == NULL && a.total == 0, "release empties the arena");

	/* buf */
	ok(b.p != NULL && b.p[0] == '\0' && b.len == 0, "fresh buf is empty string");
	for (i = 0; i < 100000; i++)
		buf_addc(&b, 'y');
	ok(b.len == 100000 && b.p[b.len] == '\0', "buf grows and stays terminated");
	buf_reset(&b);
	buf_add_u64(&b, 0);
	buf_addc(&b, ' ');
	buf_add_u64(&b, UINT64_MAX);
	ok(strcmp(b.p, "0 18446744073709551615") == 0, "buf_add_u64 edges");
	buf_reset(&b);
	buf_addf(&b, "%s-%d", "x", 42);
	ok(strcmp(b.p, "x-42") == 0, "buf_addf");
	buf_release(&b);

	/* slice */
	ok(slice_u64(slice_cstr("18446744073709551615"), &x) && x == UINT64_MAX,
	    "slice_u64 max");
	ok(!slice_u64(slice_cstr("18446744073709551616"), &x), "slice_u64 overflow");
	ok(!slice_u64(slice_cstr(""), &x) && !slice_u64(slice_cstr("1a"), &x) &&
	    !slice_u64(slice_cstr("-1"), &x), "slice_u64 rejects junk");
	ok(slice_cut(slice_cstr("a:b:c"), ':', &head, &tail) &&
	    slice_eq_lit(head, "a") && slice_eq_lit(tail, "b:c"), "slice_cut");
	ok(slice_rcut(slice_cstr("a:b:c"), ':', &head, &tail) &&
	    slice_eq_lit(head, "a:b") && slice_eq_lit(tail, "c"), "slice_rcut");
	ok(slice_find(slice_cstr("xx+0x1+0x2"), SLICE_LIT("+0x")) == 2 &&
	    slice_rfind(slice_cstr("xx+0x1+0x2"), SLICE_LIT("+0x")) == 6 &&
	    slice_find(slice_cstr("abc"), SLICE_LIT("abcd")) == -1,
	    "slice_find and slice_rfind");
	ok(slice_eq_lit(slice_trim(slice_cstr(" \t a b \r\n")), "a b"), "slice_trim");

	/* vec */
	*u64vec_at_grow(&v, 1000) += 5;
	ok(v.n == 1001 && v.v[1000] == 5 && v.v[999] == 0, "vec grows zero-filled");
	u64vec_release(&v);

	/* hash: equal bytes, any alignment, equal hash; lengths matter. */
	memset(big, 'q', 64);
	ok(hash_bytes(big, 33, 1) == hash_bytes(big + 1, 33, 1),
	    "hash does not depend on alignment");
	ok(hash_bytes(big, 8, 1) != hash_bytes(big, 9, 1), "hash sees length");
	ok(hash_bytes("", 0, 1) != hash_bytes("", 0, 2), "hash sees seed");
	return tap_done();
}
