/*
 * fuzz-dhat: the JSON reader and the DHAT fold (collapse-dhat).
 *
 * Input: two option bytes, then the document.
 *   byte 0, bits 0-1: 0 and 3: dhat_fold; 1: a walk over every token
 *           with json_next, decoding strings and rendering them as DHAT
 *           frames; 2: on a valid document, json_skip against
 *           json_skip_unchecked at every container
 *   byte 1: metric (modulo the number of metrics); byte 0 bit 2
 *           --addrs, bit 3 --location
 */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "dhat.h"
#include "harness.h"
#include "json.h"
#include "out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

struct job {
	const uint8_t *data;
	size_t n;
	struct dhat_opts opts;
	unsigned mode;
};

static int
call_fold(void *arg)
{
	struct job *jb = arg;
	struct buf json = BUF_INIT;

	buf_add(&json, jb->data, jb->n);
	dhat_fold(&json, "in.json", &jb->opts);
	buf_release(&json);
	out_finish();
	return 0;
}

/* Every token; strings decoded and rendered; line numbers move forward. */
static int
call_walk(void *arg)
{
	struct job *jb = arg;
	struct buf text = BUF_INIT, scratch = BUF_INIT, frame = BUF_INIT;
	struct json j;
	struct json_tok t;
	uint64_t line, col, last_line = 1, v;

	buf_add(&text, jb->data, jb->n);
	json_init(&j, text.p, text.len, "in.json");
	while (json_next(&j, &t) != JSON_END) {
		if (t.off > text.len || t.len > text.len - t.off)
			fz_fail("token [%zu, +%zu) outside the text", t.off,
			    t.len);
		json_where(&j, t.off, &line, &col);
		if (line < last_line || col < 1)
			fz_fail("json_where went back: line %llu col %llu",
			    (unsigned long long)line, (unsigned long long)col);
		last_line = line;
		if (t.type == JSON_STRING || t.type == JSON_KEY) {
			struct slice s = json_str(&j, &t, &scratch);
			struct slice raw = json_str_raw(&j, &t);

			if (!(t.flags & JSON_ESCAPED) && !slice_eq(s, raw))
				fz_fail("unescaped string decoded differently");
			if (s.n > raw.n)
				fz_fail("decoded string longer than its text");
			buf_reset(&frame);
			dhat_frame(s, &jb->opts, &frame);
			/* dhat_fold renders frames in place over their text. */
			if (frame.len > t.len + 1)
				fz_fail("frame of %zu bytes rendered from a %zu-byte "
				    "string", frame.len, t.len);
		} else if (t.type == JSON_NUMBER && json_u64(&t, &v)) {
			(void)v;
		}
	}
	buf_release(&text);
	buf_release(&scratch);
	buf_release(&frame);
	return 0;
}

/* json_skip and json_skip_unchecked must agree on a valid document. */
static int
call_skip(void *arg)
{
	struct job *jb = arg;
	struct buf text = BUF_INIT;
	struct json j, k;
	struct json_tok t;
	unsigned step = 0;

	buf_add(&text, jb->data, jb->n);
	json_init(&j, text.p, text.len, "in.json");
	while (json_next(&j, &t) != JSON_END)
		;	/* dies unless the document is valid */
	json_init(&j, text.p, text.len, "in.json");
	while (json_next(&j, &t) != JSON_END) {
		if (t.type != JSON_OBJECT && t.type != JSON_ARRAY)
			continue;
		/* Descend into some containers, skip the others. */
		if (fz_mix(t.off + step++) & 1)
			continue;
		k = j;
		json_skip(&j, &t);
		json_skip_unchecked(&k, &t);
		if (j.pos != k.pos || j.depth != k.depth || j.need != k.need ||
		    j.in_obj != k.in_obj)
			fz_fail("skip of the container at %zu: checked ends at %zu "
			    "depth %u need %d, unchecked at %zu depth %u need %d",
			    t.off, j.pos, j.depth, j.need, k.pos, k.depth, k.need);
		/* A second look at the same value, as dhat.c takes one. */
		json_init_at(&k, text.p, text.len, "in.json", t.off);
		json_next(&k, &t);
		json_skip(&k, &t);
		if (json_next(&k, &t) != JSON_END)
			fz_fail("json_init_at did not stop after one value");
	}
	buf_release(&text);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct job jb;
	int st;
	struct slice out;
	const char *why;

	if (n < 2)
		return 0;
	memset(&jb, 0, sizeof(jb));
	jb.mode = data[0] & 3;
	jb.opts.metric = (enum dhat_metric)(data[1] % DHAT_NMETRICS);
	jb.opts.addrs = (data[0] >> 2) & 1;
	jb.opts.location = (data[0] >> 3) & 1;
	jb.data = data + 2;
	jb.n = n - 2;
	switch (jb.mode) {
	case 1:
		fz_run(call_walk, &jb, 0);
		break;
	case 2:
		fz_run(call_skip, &jb, 0);
		break;
	default:
		st = fz_run(call_fold, &jb, FZ_OUT);
		out = fz_out();
		if (st != 0 && out.n)
			fz_fail("exit %d after %zu bytes of output", st, out.n);
		if (st == 0 && (why = fz_check_folded(out.p, out.n, 1, true)))
			fz_fail("dhat output: %s", why);
	}
	return 0;
}
