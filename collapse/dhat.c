/*
 * dhat: the steps, so that key order never matters and memory stays near
 * the input size, whatever the size of the output.
 *
 * 1. One pass over the top-level object notes where the members we need
 *    are (the last of repeated keys wins) and checks the grammar. The
 *    program points are read as soon as their array shows up if the
 *    members they depend on (the version and the metric's flag) came
 *    first, as every producer writes them; otherwise the array is only
 *    bracket-matched, and read after the whole-file checks (version,
 *    flags, metric, arrays present). Reading a point checks it and notes
 *    its value and "fs" indexes in a flat list.
 * 2. "ftbl" comes last in the files, so the noted indexes are only checked
 *    against it now. Then every "ftbl" string is rendered (dhat_frame)
 *    into the JSON buffer itself, over text already read (a rendered
 *    frame is never longer than its JSON string plus one byte, and a
 *    separator follows each string, so the writing never catches up with
 *    the reading), and the buffer is cut down to the rendered frames:
 *    the rest of the JSON text is freed before anything else is built.
 *    The frames are ranked (below) and each noted stack becomes, in
 *    place, a string of ranks.
 * 3. The values are summed per stack in the stacks table. The table's
 *    sorted ids give the output order; each stack's text is spelled out
 *    from its ranks as it is written.
 *
 * Ranks. A stack's text is name;name;...;name, and its frames could be
 * keyed by ftbl index, but then equal texts would get different keys and
 * the text order would differ from the key order. So each frame gets two
 * ranks: one for the frame followed by ';' (key "name;") and one for the
 * frame at the end of the stack (key "name" and nothing after). These
 * keys never contain ';' but as the terminator, so no key is a prefix of
 * another, and comparing two stacks' texts is comparing their rank
 * strings: equal texts give equal keys, and memcmp order of big-endian
 * ranks is the text order. A rank takes 1 to 4 bytes, as few as the
 * number of distinct keys allows.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "dhat.h"
#include "folded.h"
#include "intern.h"
#include "json.h"
#include "out.h"
#include "sort.h"
#include "vec.h"
#include "xmalloc.h"

enum needs { NEEDS_NOTHING, NEEDS_BKLT, NEEDS_BKACC };

static const struct metric_info {
	const char *name;
	const char *alias;	/* the version 2 field name */
	const char *v1;		/* the version 1 field name */
	enum needs needs;
} metrics[DHAT_NMETRICS] = {
	[DHAT_TOTAL_BYTES] = { "total-bytes", "tb", "tb", NEEDS_NOTHING },
	[DHAT_TOTAL_BLOCKS] = { "total-blocks", "tbk", "tbk", NEEDS_NOTHING },
	[DHAT_PEAK_BYTES] = { "peak-bytes", "gb", "gb", NEEDS_BKLT },
	[DHAT_PEAK_BLOCKS] = { "peak-blocks", "gbk", "gbk", NEEDS_BKLT },
	[DHAT_END_BYTES] = { "end-bytes", "eb", "fb", NEEDS_BKLT },
	[DHAT_END_BLOCKS] = { "end-blocks", "ebk", "fbk", NEEDS_BKLT },
	[DHAT_MAX_BYTES] = { "max-bytes", "mb", "mb", NEEDS_BKLT },
	[DHAT_MAX_BLOCKS] = { "max-blocks", "mbk", "mbk", NEEDS_BKLT },
	[DHAT_LIFETIMES] = { "lifetimes", "tl", "tli", NEEDS_BKLT },
	[DHAT_READS] = { "reads", "rb", "rb", NEEDS_BKACC },
	[DHAT_WRITES] = { "writes", "wb", "wb", NEEDS_BKACC },
};

int
dhat_metric_parse(const char *name)
{
	int m;

	for (m = 0; m < DHAT_NMETRICS; m++)
		if (strcmp(name, metrics[m].name) == 0 ||
		    strcmp(name, metrics[m].alias) == 0)
			return m;
	return -1;
}

const char *
dhat_metric_name(enum dhat_metric m)
{
	return metrics[m].name;
}

/* A top-level member, as last seen: its value's first token. */
struct member {
	bool seen;
	struct json_tok tok;
};

/* A rendered frame in the names buffer. */
struct name_ref {
	size_t off;
	size_t len;
};

/*
 * A point as read: its index in the array, its value and its "fs"
 * (innermost frame first), followed by the frames as uint32_t.
 * After step 2 the list holds key records instead: a uint32_t key
 * length, the uint64_t value and the key bytes.
 */
struct point_head {
	uint32_t nframes;	/* BAD_POINT: set aside in step 2 */
	uint32_t idx;
	uint64_t value;
};
#define BAD_POINT 0x80000000u

/* A point whose "fs" names a frame ftbl lacks, found in step 2. */
struct bad_frame {
	size_t idx;
	size_t at;		/* position in "fs" */
	uint64_t frame;
};

struct dhat {
	const struct dhat_opts *opts;
	const char *name;
	const char *text;		/* the JSON, until step 2 frees it */
	size_t len;
	struct json top;		/* step 1 */
	struct member version, mode, bklt, bkacc, pps, aps, ftbl;
	struct u64vec unchecked;	/* arrays step 1 did not check */
	unsigned long long vers;
	struct slice field;		/* the metric's field in this version */
	const char *array;		/* "pps" or "aps" */

	struct buf points;		/* the flat list of points */
	size_t points_off;		/* the array read, or SIZE_MAX */
	struct slice points_field;	/* the field it was read for */
	struct u32vec fs;		/* the current point's frame indexes */

	size_t nframes;			/* step 2; frame nframes is [root] */
	char *text_names;		/* the rendered frames */
	struct name_ref *refs;
	uint32_t *rank;			/* 2 * frame (+1 at the end) */
	struct slice *rank_name;	/* the frame text of each rank */
	unsigned width;			/* bytes per rank in a stack key */
	unsigned char *used;		/* frames of the points kept */
	struct bad_frame *bad;
	size_t nbad;

	struct intern stacks;		/* step 3 */
	struct u64vec counts;
	struct slice prev;		/* the key last spelled into line */
	struct u64vec cut;		/* where its frames end in line */
	struct buf scratch;
	struct buf line;
};

/* Short description of a value for messages: its text, or its kind. */
static const char *
describe(const struct json *j, const struct json_tok *t, char *tmp,
    size_t size)
{
	if (t->type == JSON_NUMBER || t->type == JSON_TRUE ||
	    t->type == JSON_FALSE || t->type == JSON_NULL) {
		if (t->len > 40)
			snprintf(tmp, size, "%.36s...", j->p + t->off);
		else
			snprintf(tmp, size, "%.*s", (int)t->len, j->p + t->off);
		return tmp;
	}
	return json_type_name(t->type);
}

/* One warning about program point idx, whose '{' (or value) is at off. */
static void ATTR_PRINTF(5, 6)
warn_pp(struct dhat *d, struct json *j, size_t idx, size_t off,
    const char *fmt, ...)
{
	char msg[512];
	uint64_t line, col;
	va_list ap;

	if (diag_level < DIAG_WARN)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_where(j, off, &line, &col);
	warn_at(d->name, line, "%s[%zu]: %s", d->array, idx, msg);
}

static inline bool
key_is(struct slice key, struct slice name)
{
	return key.n == name.n && key.n && key.p[0] == name.p[0] &&
	    memcmp(key.p, name.p, key.n) == 0;
}

enum fs_state { FS_MISSING, FS_OK, FS_NOT_ARRAY, FS_BAD_ENTRY };

/*
 * The frame indexes of one "fs" array into d->fs. Whether they are in
 * range is only known once "ftbl" is read (step 2).
 */
static enum fs_state
read_fs(struct dhat *d, struct json *j, struct json_tok *bad, size_t *bad_at)
{
	enum fs_state st = FS_OK;
	struct json_tok t;
	uint64_t x;
	size_t i;

	d->fs.n = 0;
	for (i = 0; json_next(j, &t) != JSON_ARRAY_END; i++) {
		if (LIKELY(json_u64(&t, &x) && x < UINT32_MAX)) {
			if (LIKELY(d->fs.n < d->fs.cap))
				d->fs.v[d->fs.n++] = (uint32_t)x;
			else
				u32vec_push(&d->fs, (uint32_t)x);
			continue;
		}
		if (st == FS_OK) {
			st = FS_BAD_ENTRY;
			*bad = t;
			*bad_at = i;
		}
		json_skip(j, &t);
	}
	return st;
}

/* Note a good point in the flat list. */
static void
add_point(struct dhat *d, size_t idx, uint64_t value)
{
	struct point_head h;
	size_t fbytes = d->fs.n * sizeof(*d->fs.v);

	if (idx > UINT32_MAX)
		die("%s: more than 2^32 program points", d->name);
	/* Keys of up to 4 bytes a frame must fit a uint32_t length. */
	if (d->fs.n > UINT32_MAX / 4)
		die("%s: %s[%zu]: a stack of %zu frames is too deep", d->name,
		    d->array, idx, d->fs.n);
	h.nframes = (uint32_t)d->fs.n;
	h.idx = (uint32_t)idx;
	h.value = value;
	buf_grow(&d->points, sizeof(h) + fbytes);
	memcpy(d->points.p + d->points.len, &h, sizeof(h));
	if (fbytes)
		memcpy(d->points.p + d->points.len + sizeof(h), d->fs.v,
		    fbytes);
	buf_setlen(&d->points, d->points.len + sizeof(h) + fbytes);
}

/* One element of the points array: check it and note it. */
static void
read_pp(struct dhat *d, struct json *j, const struct json_tok *pp, size_t idx)
{
	struct json_tok k, v, value, bad = { 0 };
	enum fs_state fs = FS_MISSING;
	bool have = false;
	struct slice key;
	size_t bad_at = 0;
	uint64_t val = 0;
	char tmp[64];

	if (pp->type != JSON_OBJECT) {
		warn_pp(d, j, idx, pp->off, "%s, not an object",
		    describe(j, pp, tmp, sizeof(tmp)));
		json_skip(j, pp);
		return;
	}
	value.type = JSON_END;
	while (json_next(j, &k) == JSON_KEY) {
		key = k.flags & JSON_ESCAPED ? json_str(j, &k, &d->scratch) :
		    json_str_raw(j, &k);
		json_next(j, &v);
		if (key_is(key, d->field)) {
			have = true;
			value = v;
		} else if (key.n == 2 && key.p[0] == 'f' && key.p[1] == 's') {
			if (v.type == JSON_ARRAY) {
				fs = read_fs(d, j, &bad, &bad_at);
				continue;
			}
			fs = FS_NOT_ARRAY;
		}
		if (v.type == JSON_ARRAY || v.type == JSON_OBJECT)
			json_skip(j, &v);
	}

	if (!have) {
		warn_pp(d, j, idx, pp->off, "no '%.*s' field",
		    (int)d->field.n, d->field.p);
		return;
	}
	if (!json_u64(&value, &val)) {
		warn_pp(d, j, idx, value.off, "'%.*s' is %s, not an integer "
		    "in 0..2^64-1", (int)d->field.n, d->field.p,
		    describe(j, &value, tmp, sizeof(tmp)));
		return;
	}
	if (fs == FS_MISSING || fs == FS_NOT_ARRAY) {
		warn_pp(d, j, idx, pp->off, fs == FS_MISSING ?
		    "no 'fs' field" : "'fs' is not an array");
		return;
	}
	if (fs == FS_BAD_ENTRY) {
		warn_pp(d, j, idx, bad.off, "fs[%zu] is %s, not an index "
		    "into 'ftbl'", bad_at, describe(j, &bad, tmp, sizeof(tmp)));
		return;
	}
	if (val)
		add_point(d, idx, val);
}

/* The points array whose '[' j has just returned; arr is where it is. */
static void
read_points(struct dhat *d, struct json *j, size_t arr)
{
	struct json_tok t;
	size_t idx;

	buf_reset(&d->points);
	d->points_off = arr;
	d->points_field = d->field;
	for (idx = 0; json_next(j, &t) != JSON_ARRAY_END; idx++)
		read_pp(d, j, &t, idx);
}

/*
 * The version, array name and field, if what came before the array m
 * says how to read it. Sets d->vers, d->array and d->field.
 */
static bool
points_readable(struct dhat *d, const struct member *m)
{
	const struct metric_info *mi = &metrics[d->opts->metric];
	uint64_t v;

	if (!d->version.seen || !json_u64(&d->version.tok, &v) ||
	    (v != 1 && v != 2) || m != (v == 1 ? &d->aps : &d->pps))
		return false;
	if (v == 2 && mi->needs == NEEDS_BKLT &&
	    (!d->bklt.seen || d->bklt.tok.type != JSON_TRUE))
		return false;
	if (v == 2 && mi->needs == NEEDS_BKACC &&
	    (!d->bkacc.seen || d->bkacc.tok.type != JSON_TRUE))
		return false;
	d->vers = v;
	d->array = v == 1 ? "aps" : "pps";
	d->field = slice_cstr(v == 1 ? mi->v1 : mi->alias);
	return true;
}

/* Step 1: the top-level members, and the grammar of everything else. */
static void
read_top(struct dhat *d)
{
	struct json *j = &d->top;
	struct json_tok t, v;
	struct slice key;
	struct member *m;

	json_init(j, d->text, d->len, d->name);
	if (json_next(j, &t) != JSON_OBJECT)
		die("%s: not a DHAT profile: the top-level value is %s, "
		    "not an object", d->name, json_type_name(t.type));
	while (json_next(j, &t) == JSON_KEY) {
		key = json_str(j, &t, &d->scratch);
		json_next(j, &v);
		m = NULL;
		if (slice_eq_lit(key, "pps"))
			m = &d->pps;
		else if (slice_eq_lit(key, "ftbl"))
			m = &d->ftbl;
		else if (slice_eq_lit(key, "aps"))
			m = &d->aps;
		else if (slice_eq_lit(key, "dhatFileVersion"))
			m = &d->version;
		else if (slice_eq_lit(key, "bklt"))
			m = &d->bklt;
		else if (slice_eq_lit(key, "bkacc"))
			m = &d->bkacc;
		else if (slice_eq_lit(key, "mode"))
			m = &d->mode;
		if (m) {
			m->seen = true;
			m->tok = v;
		}
		if (v.type != JSON_ARRAY ||
		    (m != &d->pps && m != &d->aps && m != &d->ftbl)) {
			json_skip(j, &v);
		} else if (m != &d->ftbl && points_readable(d, m)) {
			read_points(d, j, v.off);
		} else {
			json_skip_unchecked(j, &v);
			u64vec_push(&d->unchecked, v.off);
		}
	}
	json_next(j, &t);	/* JSON_END, or dies on trailing data */
}

static const char *
mode_name(struct dhat *d, char *tmp, size_t size)
{
	struct slice s;

	if (!d->mode.seen || d->mode.tok.type != JSON_STRING)
		return "this profile";
	s = json_str(&d->top, &d->mode.tok, &d->scratch);
	snprintf(tmp, size, "this '%.*s' profile",
	    (int)(s.n > 40 ? 40 : s.n), s.p);
	return tmp;
}

/* true/false of a flag; absent is false, anything else is an error. */
static bool
flag(struct dhat *d, const struct member *m, const char *key)
{
	char tmp[64];

	if (!m->seen)
		return false;
	if (m->tok.type != JSON_TRUE && m->tok.type != JSON_FALSE)
		die("%s: '%s' is %s, not true or false", d->name, key,
		    describe(&d->top, &m->tok, tmp, sizeof(tmp)));
	return m->tok.type == JSON_TRUE;
}

/* The whole-file checks of step 1, in the order a reader would ask. */
static void
check_top(struct dhat *d)
{
	const struct metric_info *mi = &metrics[d->opts->metric];
	const struct member *arr;
	char tmp[64], mode[64];
	uint64_t v;
	bool lifetimes, accesses;

	if (!d->version.seen)
		die("%s: not a DHAT profile (no 'dhatFileVersion' field)",
		    d->name);
	if (!json_u64(&d->version.tok, &v))
		die("%s: 'dhatFileVersion' is %s, not an integer", d->name,
		    describe(&d->top, &d->version.tok, tmp, sizeof(tmp)));
	if (v != 1 && v != 2)
		die("%s: unsupported DHAT file version %llu (versions 1 and 2 "
		    "are supported)", d->name, (unsigned long long)v);
	d->vers = v;
	lifetimes = flag(d, &d->bklt, "bklt") || v == 1;
	accesses = flag(d, &d->bkacc, "bkacc") || v == 1;
	if ((mi->needs == NEEDS_BKLT && !lifetimes) ||
	    (mi->needs == NEEDS_BKACC && !accesses))
		die("%s: %s has no %s data: metric '%s' needs \"%s\": true "
		    "(total-bytes and total-blocks are always there)", d->name,
		    mode_name(d, mode, sizeof(mode)),
		    mi->needs == NEEDS_BKLT ? "block lifetime" : "block access",
		    mi->name, mi->needs == NEEDS_BKLT ? "bklt" : "bkacc");
	d->field = slice_cstr(v == 1 ? mi->v1 : mi->alias);
	d->array = v == 1 ? "aps" : "pps";
	arr = v == 1 ? &d->aps : &d->pps;
	if (!arr->seen)
		die("%s: no '%s' array (a version %llu DHAT profile has one)",
		    d->name, d->array, d->vers);
	if (arr->tok.type != JSON_ARRAY)
		die("%s: '%s' is %s, not an array", d->name, d->array,
		    json_type_name(arr->tok.type));
	if (!d->ftbl.seen)
		die("%s: no 'ftbl' array (the frame table)", d->name);
	if (d->ftbl.tok.type != JSON_ARRAY)
		die("%s: 'ftbl' is %s, not an array", d->name,
		    json_type_name(d->ftbl.tok.type));
}

/*
 * The rest of step 1: check the arrays that were only bracket-matched and
 * will not be read, and read the points now if step 1 could not.
 */
static void
check_rest(struct dhat *d)
{
	const struct member *arr = d->vers == 1 ? &d->aps : &d->pps;
	struct json j;
	struct json_tok t;
	size_t i;

	for (i = 0; i < d->unchecked.n; i++) {
		size_t off = (size_t)d->unchecked.v[i];
		if (off == arr->tok.off || off == d->ftbl.tok.off)
			continue;
		json_init_at(&j, d->text, d->len, d->name, off);
		json_next(&j, &t);
		json_skip(&j, &t);
	}
	if (d->points_off != arr->tok.off ||
	    !slice_eq(d->points_field, d->field)) {
		json_init_at(&j, d->text, d->len, d->name, arr->tok.off);
		json_next(&j, &t);
		read_points(d, &j, arr->tok.off);
	}
}

/* Check that "ftbl" holds only strings and count them. */
static void
count_frames(struct dhat *d)
{
	struct json j;
	struct json_tok t;

	json_init_at(&j, d->text, d->len, d->name, d->ftbl.tok.off);
	json_next(&j, &t);
	while (json_next(&j, &t) != JSON_ARRAY_END) {
		if (t.type != JSON_STRING)
			json_die(&j, t.off, "ftbl[%zu] is %s, not a string",
			    d->nframes, json_type_name(t.type));
		d->nframes++;
	}
	if (d->nframes >= UINT32_MAX / 2)
		die("%s: 'ftbl' has too many entries", d->name);
}

/*
 * Set aside the points whose "fs" names a frame ftbl lacks (marked by
 * the top bit of nframes), and warn about each, with the line of its '{'.
 * Note which frames the other points use: only those are rendered and
 * ranked (with a sparse metric such as end-bytes, few are).
 */
static void
check_frames(struct dhat *d)
{
	char *q = d->points.p, *end = d->points.p + d->points.len;
	struct point_head h;
	size_t k, cap = 0, idx, next = 0;
	uint32_t f;
	struct json j;
	struct json_tok t;

	d->used = xcalloc(d->nframes + 1, 1);
	for (; q < end; q += sizeof(h) + h.nframes * sizeof(f)) {
		memcpy(&h, q, sizeof(h));
		for (k = 0; k < h.nframes; k++) {
			memcpy(&f, q + sizeof(h) + k * sizeof(f), sizeof(f));
			if (f >= d->nframes)
				break;
		}
		if (k == h.nframes) {
			while (k-- > 0) {
				memcpy(&f, q + sizeof(h) + k * sizeof(f),
				    sizeof(f));
				d->used[f] = 1;
			}
			if (!h.nframes)
				d->used[d->nframes] = 1;
			continue;
		}
		if (d->nbad == cap) {
			cap = alloc_nr(cap, d->nbad + 1);
			d->bad = xreallocarray(d->bad, cap, sizeof(*d->bad));
		}
		d->bad[d->nbad].idx = h.idx;
		d->bad[d->nbad].at = k;
		d->bad[d->nbad].frame = f;
		d->nbad++;
		h.nframes |= BAD_POINT;
		memcpy(q, &h, sizeof(h));
		h.nframes &= ~BAD_POINT;
	}
	if (!d->nbad || diag_level < DIAG_WARN)
		return;
	json_init_at(&j, d->text, d->len, d->name, d->points_off);
	json_next(&j, &t);
	for (idx = 0; next < d->nbad && json_next(&j, &t) != JSON_ARRAY_END;
	    idx++) {
		if (idx == d->bad[next].idx) {
			if (d->nframes)
				warn_pp(d, &j, idx, t.off, "fs[%zu] is %llu, "
				    "not an index into 'ftbl' (0..%zu)",
				    d->bad[next].at,
				    (unsigned long long)d->bad[next].frame,
				    d->nframes - 1);
			else
				warn_pp(d, &j, idx, t.off, "fs[%zu] is %llu, "
				    "but 'ftbl' is empty", d->bad[next].at,
				    (unsigned long long)d->bad[next].frame);
			next++;
		}
		json_skip(&j, &t);
	}
}

/*
 * Render every frame over the JSON text (see the top of the file), then
 * keep only the rendered frames: *json is taken over.
 */
static void
render_frames(struct dhat *d, struct buf *json)
{
	struct json j;
	struct json_tok t;
	struct slice s;
	struct buf late = BUF_INIT;	/* frames that did not fit */
	size_t i = 0, at = 0, len;

	d->refs = xreallocarray(NULL, d->nframes ? d->nframes : 1,
	    sizeof(*d->refs));
	json_init_at(&j, d->text, d->len, d->name, d->ftbl.tok.off);
	json_next(&j, &t);
	for (; json_next(&j, &t) != JSON_ARRAY_END; i++) {
		if (!d->used[i]) {
			d->refs[i].off = d->refs[i].len = 0;
			continue;
		}
		s = json_str(&j, &t, &d->scratch);
		buf_reset(&d->line);
		dhat_frame(s, d->opts, &d->line);
		d->refs[i].len = d->line.len;
		if (at + d->line.len <= t.off + t.len) {
			memmove(json->p + at, d->line.p, d->line.len);
			d->refs[i].off = at;
			at += d->line.len;
		} else {
			/* An empty name became "???": after the others. */
			d->refs[i].off = SIZE_MAX - late.len;
			buf_add(&late, d->line.p, d->line.len);
		}
	}
	buf_setlen(json, at);
	for (i = 0; late.len && i < d->nframes; i++)
		if (d->refs[i].off > at)
			d->refs[i].off = at + (SIZE_MAX - d->refs[i].off);
	buf_add(json, late.p, late.len);
	buf_release(&late);
	d->text = NULL;
	d->text_names = buf_detach(json, &len);
	d->text_names = xrealloc(d->text_names, len + 1);
}

/* The text of a frame; frame nframes is the "[root]" of an empty fs. */
static inline struct slice
frame_name(const struct dhat *d, size_t frame)
{
	if (frame == d->nframes)
		return SLICE_LIT("[root]");
	return slice_make(d->text_names + d->refs[frame].off,
	    d->refs[frame].len);
}

/* A name being sorted: 8 of its bytes from the current depth, and its id. */
struct name_item {
	uint64_t chunk;
	uint32_t id;
};

/*
 * Bytes depth..depth+7 of a key as a big-endian number, zeros past its
 * end. Frame names hold no NUL byte (dhat_frame makes it a space), so a
 * zero byte means the name ended, and shorter sorts first, as it should.
 */
static inline uint64_t
chunk_at(struct slice key, size_t depth)
{
	unsigned char b[8] = { 0 };
	uint64_t v = 0;
	size_t i;

	if (depth < key.n)
		memcpy(b, key.p + depth, key.n - depth < 8 ? key.n - depth : 8);
	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static inline void
swap_items(struct name_item *a, size_t i, size_t j)
{
	struct name_item t = a[i];

	a[i] = a[j];
	a[j] = t;
}

/* Whether name x sorts before name y, both known equal before depth. */
static inline bool
item_less(const struct name_item *x, const struct name_item *y, size_t depth,
    const struct slice *keys)
{
	struct slice kx = keys[x->id], ky = keys[y->id];

	if (x->chunk != y->chunk)
		return x->chunk < y->chunk;
	/* Equal chunks; one name may end right after, the other go on. */
	depth += 8;
	return slice_cmp(slice_from(kx, kx.n < depth ? kx.n : depth),
	    slice_from(ky, ky.n < depth ? ky.n : depth)) < 0;
}

/*
 * Sort names from byte depth on, where a[].chunk holds their bytes at
 * depth: a multikey quicksort (Bentley and Sedgewick) on 8-byte chunks.
 * A common prefix (a namespace, "std::vector<") is looked at once per
 * partition rather than once per comparison, and only items whose chunks
 * tie are read again further on, so the names, scattered in memory, are
 * touched seldom. Equal names end up together. Recursion goes to the two
 * smaller parts only, so its depth stays below log2(n).
 */
static void
sort_names(struct name_item *a, size_t n, size_t depth,
    const struct slice *keys)
{
	size_t lt, gt, i, j, sizes[3], base[3], big, k;
	uint64_t pivot, x, y, z, c;

	while (n > 1) {
		if (n < 8) {
			for (i = 1; i < n; i++)
				for (j = i; j > 0 && item_less(&a[j],
				    &a[j - 1], depth, keys); j--)
					swap_items(a, j, j - 1);
			return;
		}
		x = a[0].chunk;
		y = a[n / 2].chunk;
		z = a[n - 1].chunk;
		pivot = x < y ? (y < z ? y : x < z ? z : x) :
		    (x < z ? x : y < z ? z : y);
		/* a[0, lt) < pivot, a[lt, i) == pivot, a[gt, n) > pivot */
		lt = 0;
		i = 0;
		gt = n;
		while (i < gt) {
			c = a[i].chunk;
			if (c < pivot)
				swap_items(a, lt++, i++);
			else if (c > pivot)
				swap_items(a, i, --gt);
			else
				i++;
		}
		sizes[0] = lt;
		sizes[1] = gt - lt;
		sizes[2] = n - gt;
		base[0] = 0;
		base[1] = lt;
		base[2] = gt;
		/* Equal chunks with a zero byte: equal names, all ended. */
		if ((pivot & 0xff) == 0)
			sizes[1] = 0;
		else
			for (k = lt; k < gt; k++)
				a[k].chunk = chunk_at(keys[a[k].id], depth + 8);
		big = sizes[0] >= sizes[1] ? (sizes[0] >= sizes[2] ? 0 : 2) :
		    (sizes[1] >= sizes[2] ? 1 : 2);
		for (k = 0; k < 3; k++)
			if (k != big && sizes[k] > 1)
				sort_names(a + base[k], sizes[k],
				    depth + (k == 1 ? 8 : 0), keys);
		a += base[big];
		n = sizes[big];
		depth += big == 1 ? 8 : 0;
	}
}

/*
 * Rank the keys "name;" (M) and "name" (E) of every frame, as the header
 * says, from the names in order (a prefix first): E of a name comes at
 * its place; its M comes once the names that extend it with a byte below
 * ';' are past ("a" < "a.b" < "a;" < "a<b"), and an open name's
 * extensions close first. A stack of open names does this in one pass.
 * Equal names share their ranks.
 */
static void
rank_frames(struct dhat *d)
{
	size_t nf = d->nframes + 1, i, depth = 0, nused = 0;
	struct slice *keys = xreallocarray(NULL, nf, sizeof(*keys));
	struct name_item *items = xreallocarray(NULL, nf, sizeof(*items));
	struct slice *sorted, x, t;
	uint32_t *open, r = 0, f, top;

	for (i = 0; i < nf; i++) {
		if (!d->used[i])
			continue;
		keys[i] = frame_name(d, i);
		items[nused].chunk = chunk_at(keys[i], 0);
		items[nused++].id = (uint32_t)i;
	}
	nf = nused;
	sort_names(items, nf, 0, keys);
	/* The names in order, so that the pass below reads them in turn. */
	sorted = xreallocarray(NULL, nf ? nf : 1, sizeof(*sorted));
	for (i = 0; i < nf; i++)
		sorted[i] = keys[items[i].id];
	free(keys);
	open = xreallocarray(NULL, nf ? nf : 1, sizeof(*open));
	d->rank = xreallocarray(NULL, 2 * (d->nframes + 1), sizeof(*d->rank));
	d->rank_name = xreallocarray(NULL, nf ? 2 * nf : 1,
	    sizeof(*d->rank_name));
	for (i = 0; i < nf; i++) {
		f = items[i].id;
		x = sorted[i];
		if (i && slice_eq(x, sorted[i - 1])) {
			/* The ranks of the first of equal names, below. */
			continue;
		}
		while (depth) {
			top = open[depth - 1];
			t = sorted[top];
			if (x.n > t.n && memcmp(x.p, t.p, t.n) == 0 &&
			    (unsigned char)x.p[t.n] < ';')
				break;
			d->rank_name[r] = t;
			d->rank[2 * items[top].id] = r++;
			depth--;
		}
		d->rank_name[r] = x;
		d->rank[2 * f + 1] = r++;
		open[depth++] = (uint32_t)i;
	}
	while (depth) {
		top = open[--depth];
		d->rank_name[r] = sorted[top];
		d->rank[2 * items[top].id] = r++;
	}
	for (i = 1; i < nf; i++) {
		if (slice_eq(sorted[i], sorted[i - 1])) {
			f = items[i].id;
			top = items[i - 1].id;
			d->rank[2 * f] = d->rank[2 * top];
			d->rank[2 * f + 1] = d->rank[2 * top + 1];
		}
	}
	r = r ? r - 1 : 0;
	d->width = r < 0x100 ? 1 : r < 0x10000 ? 2 : r < 0x1000000 ? 3 : 4;
	free(items);
	free(sorted);
	free(open);
}

static inline void
put_rank(char *q, uint32_t r, unsigned width)
{
	switch (width) {
	case 4:
		*q++ = (char)(r >> 24);
		/* FALLTHROUGH */
	case 3:
		*q++ = (char)(r >> 16);
		/* FALLTHROUGH */
	case 2:
		*q++ = (char)(r >> 8);
		/* FALLTHROUGH */
	default:
		*q = (char)r;
	}
}

/*
 * Turn each noted point into a key record (rank string root first), in
 * place: a record never grows. Points check_frames set aside are dropped.
 */
static void
rank_points(struct dhat *d)
{
	char *rd = d->points.p, *wr = d->points.p;
	char *end = d->points.p + d->points.len;
	struct point_head h;
	unsigned w = d->width;
	uint32_t klen, *fs;
	size_t k, fbytes;

	for (; rd < end; rd += fbytes) {
		memcpy(&h, rd, sizeof(h));
		rd += sizeof(h);
		fbytes = (h.nframes & ~BAD_POINT) * sizeof(*fs);
		if (h.nframes & BAD_POINT)
			continue;
		/* Copied out first: the key is written over the frames. */
		if (h.nframes) {
			u32vec_at_grow(&d->fs, h.nframes - 1);
			memcpy(d->fs.v, rd, fbytes);
		}
		fs = d->fs.v;
		klen = (uint32_t)((h.nframes ? h.nframes : 1) * w);
		memcpy(wr, &klen, sizeof(klen));
		memcpy(wr + sizeof(klen), &h.value, sizeof(h.value));
		wr += sizeof(klen) + sizeof(h.value);
		if (h.nframes == 0) {
			put_rank(wr, d->rank[2 * d->nframes + 1], w);
			wr += w;
		}
		for (k = h.nframes; k-- > 0; wr += w)
			put_rank(wr, d->rank[2 * fs[k] + (k == 0)], w);
	}
	buf_setlen(&d->points, (size_t)(wr - d->points.p));
}

/*
 * The text of a stack key into d->line. Keys come in sorted order, so a
 * key mostly starts with the frames of the one before: those keep their
 * text, and d->cut says where each frame's text ended.
 */
static void
spell(struct dhat *d, struct slice key)
{
	const unsigned char *q = (const unsigned char *)key.p;
	const unsigned char *end = q + key.n;
	struct slice prev = d->prev;
	size_t same = 0, k, n = key.n < prev.n ? key.n : prev.n;
	unsigned w = d->width, b;
	struct slice name;
	uint32_t r;

	while (same < n && key.p[same] == prev.p[same])
		same++;
	k = same / w;
	/* A shared frame is never the last of either key: ranks differ. */
	buf_setlen(&d->line, k ? d->cut.v[k - 1] : 0);
	for (q += k * w; q < end; q += w, k++) {
		for (r = 0, b = 0; b < w; b++)
			r = r << 8 | q[b];
		name = d->rank_name[r];
		buf_add(&d->line, name.p, name.n);
		if (q + w < end) {
			buf_addc(&d->line, ';');
			*u64vec_at_grow(&d->cut, k) = d->line.len;
		}
	}
	d->prev = key;
}

/* Step 3: sum the key records into the stacks table, then drop them. */
static void
sum_stacks(struct dhat *d)
{
	const char *q = d->points.p, *end = d->points.p + d->points.len;
	uint64_t val, *sum;
	uint32_t klen;

	while (q < end) {
		memcpy(&klen, q, sizeof(klen));
		memcpy(&val, q + sizeof(klen), sizeof(val));
		q += sizeof(klen) + sizeof(val);
		sum = u64vec_at_grow(&d->counts,
		    intern_put(&d->stacks, q, klen));
		if (*sum > UINT64_MAX - val) {
			d->prev = slice_make(NULL, 0);
			spell(d, slice_make(q, klen));
			die("%s: the sum of '%.*s' for stack '%s' exceeds "
			    "2^64-1", d->name, (int)d->field.n, d->field.p,
			    d->line.p);
		}
		*sum += val;
		q += klen;
	}
	buf_release(&d->points);
}

/* Each stack's text from its ranks, in key order, which is text order. */
static void
write_stacks(struct dhat *d)
{
	const uint32_t *ids = intern_sorted_ids(&d->stacks);
	uint32_t i, n = intern_count(&d->stacks);

	for (i = 0; i < n; i++) {
#if defined(__GNUC__)
		/* Sorted order visits keys all over memory: ask early. */
		if (i + 8 < n) {
			__builtin_prefetch(
			    intern_key(&d->stacks, ids[i + 8]).p);
			__builtin_prefetch(&d->counts.v[ids[i + 8]]);
		}
#endif
		if (!d->counts.v[ids[i]])
			continue;
		spell(d, intern_key(&d->stacks, ids[i]));
		folded_write(slice_make(d->line.p, d->line.len),
		    d->counts.v[ids[i]]);
	}
}

void
dhat_fold(struct buf *json, const char *name, const struct dhat_opts *opts)
{
	struct dhat d;

	memset(&d, 0, sizeof(d));
	d.opts = opts;
	d.name = name;
	d.text = json->p;
	d.len = json->len;
	d.points_off = SIZE_MAX;
	intern_init(&d.stacks);
	buf_init(&d.points);
	buf_init(&d.scratch);
	buf_init(&d.line);

	read_top(&d);
	check_top(&d);
	check_rest(&d);
	count_frames(&d);
	check_frames(&d);
	render_frames(&d, json);
	rank_frames(&d);
	rank_points(&d);

	sum_stacks(&d);
	write_stacks(&d);

	intern_release(&d.stacks);
	u64vec_release(&d.counts);
	u64vec_release(&d.unchecked);
	u32vec_release(&d.fs);
	free(d.text_names);
	free(d.refs);
	free(d.rank);
	free(d.rank_name);
	free(d.bad);
	free(d.used);
	u64vec_release(&d.cut);
	buf_release(&d.scratch);
	buf_release(&d.line);
}

/* Where the "(location)" at the end of body starts, or 0 if none. */
static size_t
location_start(struct slice body)
{
	size_t i = body.n, open = 0;

	if (!body.n || body.p[body.n - 1] != ')')
		return 0;
	while (i-- > 0) {
		if (body.p[i] == ')')
			open++;
		else if (body.p[i] == '(' && --open == 0)
			break;
	}
	if (open || i == 0 || body.p[i - 1] != ' ')
		return 0;
	return i;
}

void
dhat_frame(struct slice frame, const struct dhat_opts *opts,
    struct buf *out)
{
	struct slice addr = slice_make(frame.p, 0), body = frame, name, loc;
	size_t i, start = out->len, at;

	/* 0x<hex>: is an address; anything else is part of the body. */
	if (slice_starts(frame, "0x")) {
		for (i = 2; i < frame.n && is_hex((unsigned char)frame.p[i]);)
			i++;
		if (i > 2 && i + 1 < frame.n && frame.p[i] == ':' &&
		    frame.p[i + 1] == ' ') {
			addr = slice_head(frame, i + 2);
			body = slice_from(frame, i + 2);
		}
	}
	if (opts->addrs)
		buf_add(out, addr.p, addr.n);

	name = body;
	if (!opts->location && (at = location_start(body)) > 0) {
		name = slice_head(body, at - 1);
		loc = slice_make(body.p + at + 1, body.n - at - 2);
		/* "??? (in /usr/bin/sort)" says at least which object. */
		if (slice_eq_lit(name, "???") && slice_starts(loc, "in ")) {
			struct slice obj = slice_from(loc, 3), base, dir;

			if (obj.n && !slice_eq_lit(obj, "???")) {
				slice_rcut(obj, '/', &dir, &base);
				if (!base.n)
					base = obj;	/* no '/', or one at the end */
				buf_addc(out, '[');
				buf_add(out, base.p, base.n);
				buf_addc(out, ']');
				goto escape;
			}
		}
	}
	if (name.n)
		buf_add(out, name.p, name.n);
	else
		buf_adds(out, "???");

escape:
	/* ';' separates frames; control bytes would break lines and SVG. */
	for (i = start; i < out->len; i++) {
		unsigned char c = (unsigned char)out->p[i];
		if (c == ';')
			out->p[i] = ':';
		else if (c < 0x20 || c == 0x7f)
			out->p[i] = ' ';
	}
}
