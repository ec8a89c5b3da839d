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
 *    against it now. Then every "ftbl" string a kept point uses is
 *    rendered (dhat_frame). Text that was read into memory is written
 *    over: the frames go into the JSON buffer itself, over text already
 *    read (a rendered frame is never longer than its JSON string plus
 *    one byte, and a separator follows each string, so the writing never
 *    catches up with the reading), and the buffer is cut down to them.
 *    A mapped file is unmapped up to "ftbl" instead, the frames are
 *    rendered into a buffer of their own, each half of the table on its
 *    own thread, and the file is unmapped. Either way the JSON text is
 *    gone before anything else is built. The distinct names are sorted
 *    and ranked (below), and each noted stack becomes, in place, a
 *    string of ranks.
 * 3. The stacks are sorted by their rank strings, which is text order;
 *    equal stacks end up side by side and are summed there, without a
 *    hash table. Each stack's text is spelled out from its ranks as it
 *    is written. The two large sorts (names, stacks) are split in two
 *    around a sampled key and run on two threads.
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
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "dhat.h"
#include "folded.h"
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

/* Fewer frames or stacks than this are not worth a second thread. */
#define SPLIT_MIN 65536

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
	char *map;			/* the mapped file, or NULL */
	size_t map_len;			/* bytes mapped from map on */
	size_t page;			/* the page size, when mapped */
	bool by_offset;			/* mapped: note where strings are */
	size_t *str_off;		/* each ftbl string's offset */
	uint32_t *str_len;		/* and length, STR_ESCAPED if it has \ */
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
	char *sorted_names;		/* the distinct ones, in order */
	struct name_ref *refs;
	uint32_t *rank;			/* 2 * frame (+1 at the end) */
	struct slice *rank_name;	/* the frame text of each rank */
	unsigned width;			/* bytes per rank in a stack key */
	unsigned char *used;		/* frames of the points kept */
	struct bad_frame *bad;
	size_t nbad;

	struct slice *keys;		/* step 3: the key of each record */
	size_t nkeys;
	uint32_t *order;		/* records in key order */
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
	for (i = 0;; i++) {
		if (!json_next_number(j, &t) &&
		    json_next(j, &t) == JSON_ARRAY_END)
			break;
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
	while (json_next_key(j, &k) || json_next(j, &k) == JSON_KEY) {
		key = k.flags & JSON_ESCAPED ? json_str(j, &k, &d->scratch) :
		    json_str_raw(j, &k);
		if (!json_next_number(j, &v))
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

#define STR_ESCAPED 0x80000000u

/* Check that "ftbl" holds only strings and count them. */
static void
count_frames(struct dhat *d)
{
	struct json j;
	struct json_tok t;

	size_t cap = 0;

	json_init_at(&j, d->text, d->len, d->name, d->ftbl.tok.off);
	json_next(&j, &t);
	while (json_next(&j, &t) != JSON_ARRAY_END) {
		if (t.type != JSON_STRING)
			json_die(&j, t.off, "ftbl[%zu] is %s, not a string",
			    d->nframes, json_type_name(t.type));
		if (d->by_offset && t.len < STR_ESCAPED) {
			/* Noted so that the frames can be rendered in parts. */
			if (d->nframes == cap) {
				cap = alloc_nr(cap, d->nframes + 1);
				d->str_off = xreallocarray(d->str_off, cap,
				    sizeof(*d->str_off));
				d->str_len = xreallocarray(d->str_len, cap,
				    sizeof(*d->str_len));
			}
			d->str_off[d->nframes] = t.off;
			d->str_len[d->nframes] = (uint32_t)t.len |
			    (t.flags & JSON_ESCAPED ? STR_ESCAPED : 0);
		} else {
			d->by_offset = false;	/* a huge frame: in one go */
		}
		d->nframes++;
	}
	if (d->nframes >= UINT32_MAX / 2)
		die("%s: 'ftbl' has too many entries", d->name);
	if (!d->by_offset || !d->nframes) {
		free(d->str_off);
		free(d->str_len);
		d->str_off = NULL;
		d->str_len = NULL;
	}
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
 * Unmap the mapped file, up to the page that holds offset keep (all of it
 * when keep is d->len), once nothing before keep will be read again.
 */
static void
unmap_before(struct dhat *d, size_t keep)
{
	size_t cut = keep == d->len ? d->map_len : keep / d->page * d->page;

	if (!d->map || cut == 0)
		return;
	munmap(d->map, cut);
	d->map += cut;
	d->map_len -= cut;
}

/* Frames from..to of a mapped file, rendered into names. */
struct render_job {
	struct dhat *d;
	size_t from, to;
	struct buf names;
	struct buf scratch;
};

static void
render_part(struct render_job *job)
{
	struct dhat *d = job->d;
	struct json j;
	struct json_tok t;
	struct slice s;
	size_t f;

	memset(&t, 0, sizeof(t));
	/* Either way, nothing before the table is read: it is unmapped. */
	json_init_at(&j, d->text, d->len, d->name, d->ftbl.tok.off);
	if (d->str_off) {
		t.type = JSON_STRING;
	} else {
		/* Where the strings are is not known: one walk over all. */
		json_next(&j, &t);
	}
	for (f = job->from; f < job->to; f++) {
		if (!d->str_off) {
			json_next(&j, &t);
		} else {
			t.off = d->str_off[f];
			t.len = d->str_len[f] & ~STR_ESCAPED;
			t.flags = d->str_len[f] & STR_ESCAPED ?
			    JSON_ESCAPED : 0;
		}
		if (!d->used[f]) {
			d->refs[f].off = d->refs[f].len = 0;
			continue;
		}
		s = json_str(&j, &t, &job->scratch);
		d->refs[f].off = job->names.len;
		dhat_frame(s, d->opts, &job->names);
		d->refs[f].len = job->names.len - d->refs[f].off;
	}
}

static void *
render_run(void *arg)
{
	render_part(arg);
	return NULL;
}

/*
 * A mapped file: the points' text is unmapped first, then the frames are
 * rendered into buffers of their own (a private mapping written over
 * would copy every page it touches), the two halves of the table on two
 * threads, then the rest of the file is unmapped.
 */
static void
render_frames_mapped(struct dhat *d)
{
	struct render_job job[2];
	size_t f, half = d->str_off ? d->nframes / 2 : d->nframes, mid, len;
	bool threaded = false;
	pthread_t th;

	unmap_before(d, d->ftbl.tok.off);
	d->refs = xreallocarray(NULL, d->nframes ? d->nframes : 1,
	    sizeof(*d->refs));
	memset(job, 0, sizeof(job));
	job[0].d = job[1].d = d;
	job[0].to = job[1].from = half;
	job[1].to = d->nframes;
	for (f = 0; f < 2; f++) {
		buf_init(&job[f].names);
		buf_init(&job[f].scratch);
	}
	/* A part's names are never longer than its text: no regrowing. */
	mid = half < d->nframes ? d->str_off[half] : d->len;
	buf_grow(&job[0].names, mid - d->ftbl.tok.off);
	buf_grow(&job[1].names, d->len - mid);
	if (job[1].to - job[1].from >= SPLIT_MIN / 2)
		threaded = pthread_create(&th, NULL, render_run, &job[1]) == 0;
	render_part(&job[0]);
	if (threaded)
		pthread_join(th, NULL);
	else
		render_part(&job[1]);
	for (f = half; f < d->nframes; f++)
		d->refs[f].off += job[0].names.len;
	buf_add(&job[0].names, job[1].names.p, job[1].names.len);
	for (f = 0; f < 2; f++)
		buf_release(&job[f].scratch);
	buf_release(&job[1].names);
	free(d->str_off);
	free(d->str_len);
	d->str_off = NULL;
	d->str_len = NULL;
	unmap_before(d, d->len);
	d->text = NULL;
	d->text_names = buf_detach(&job[0].names, &len);
	d->text_names = xrealloc(d->text_names, len + 1);
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

struct sort_job {
	uint32_t *ids;
	size_t n;
	const struct slice *keys;
};

static void *
sort_job_run(void *arg)
{
	struct sort_job *job = arg;

	sort_ids_by_key(job->ids, job->n, job->keys);
	return NULL;
}

#define SAMPLES 31

/*
 * sort_ids_by_key on two cores: the ids are split around the median of
 * a sample of keys, those below it first, and the two parts are sorted
 * at the same time. A part never needs merging: everything in the first
 * sorts before everything in the second.
 */
static void
sort_ids_2(uint32_t *ids, size_t n, const struct slice *keys)
{
	struct slice sample[SAMPLES], pivot, x;
	struct sort_job job;
	pthread_t th;
	size_t i, k, lo;
	uint32_t id;

	if (n < SPLIT_MIN) {
		sort_ids_by_key(ids, n, keys);
		return;
	}
	for (i = 0; i < SAMPLES; i++) {
		x = keys[ids[i * (n / SAMPLES)]];
		for (k = i; k > 0 && slice_cmp(x, sample[k - 1]) < 0; k--)
			sample[k] = sample[k - 1];
		sample[k] = x;
	}
	pivot = sample[SAMPLES / 2];
	for (i = lo = 0; i < n; i++) {
		if (slice_cmp(keys[ids[i]], pivot) < 0) {
			id = ids[i];
			ids[i] = ids[lo];
			ids[lo++] = id;
		}
	}
	job.ids = ids + lo;
	job.n = n - lo;
	job.keys = keys;
	if (pthread_create(&th, NULL, sort_job_run, &job) != 0) {
		sort_ids_by_key(ids, n, keys);
		return;
	}
	sort_ids_by_key(ids, lo, keys);
	pthread_join(th, NULL);
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
	size_t nf = d->nframes + 1, i, depth = 0, nused = 0, total = 0;
	struct slice *keys = xreallocarray(NULL, nf, sizeof(*keys));
	uint32_t *ids = xreallocarray(NULL, nf, sizeof(*ids));
	struct slice *sorted, x, t;
	uint32_t *open, r = 0, f, top;
	char *q;

	for (i = 0; i < nf; i++) {
		if (!d->used[i])
			continue;
		keys[i] = frame_name(d, i);
		total += keys[i].n;
		ids[nused++] = (uint32_t)i;
	}
	nf = nused;
	sort_ids_2(ids, nf, keys);
	/*
	 * The distinct names, copied in order: the passes below and the
	 * writing then read them in turn rather than all over memory. Equal
	 * names share one copy, so comparing pointers finds them.
	 */
	sorted = xreallocarray(NULL, nf ? nf : 1, sizeof(*sorted));
	d->sorted_names = q = xmalloc(total + 1);
	for (i = 0; i < nf; i++) {
#if defined(__GNUC__)
		if (i + 8 < nf)
			__builtin_prefetch(keys[ids[i + 8]].p);
#endif
		x = keys[ids[i]];
		if (i && slice_eq(x, keys[ids[i - 1]])) {
			sorted[i] = sorted[i - 1];
			continue;
		}
		memcpy(q, x.p, x.n);
		sorted[i] = slice_make(q, x.n);
		q += x.n;
	}
	free(keys);
	free(d->text_names);
	d->text_names = NULL;
	open = xreallocarray(NULL, nf ? nf : 1, sizeof(*open));
	d->rank = xreallocarray(NULL, 2 * (d->nframes + 1), sizeof(*d->rank));
	d->rank_name = xreallocarray(NULL, nf ? 2 * nf : 1,
	    sizeof(*d->rank_name));
	for (i = 0; i < nf; i++) {
		f = ids[i];
		x = sorted[i];
		if (i && x.p == sorted[i - 1].p) {
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
			d->rank[2 * ids[top]] = r++;
			depth--;
		}
		d->rank_name[r] = x;
		d->rank[2 * f + 1] = r++;
		open[depth++] = (uint32_t)i;
	}
	while (depth) {
		top = open[--depth];
		d->rank_name[r] = sorted[top];
		d->rank[2 * ids[top]] = r++;
	}
	for (i = 1; i < nf; i++) {
		if (sorted[i].p == sorted[i - 1].p) {
			f = ids[i];
			top = ids[i - 1];
			d->rank[2 * f] = d->rank[2 * top];
			d->rank[2 * f + 1] = d->rank[2 * top + 1];
		}
	}
	r = r ? r - 1 : 0;
	d->width = r < 0x100 ? 1 : r < 0x10000 ? 2 : r < 0x1000000 ? 3 : 4;
	free(ids);
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
	uint64_t x, y;
	uint32_t r;

	/* Eight bytes at a time over the shared part, then byte by byte. */
	while (same + 8 <= n) {
		memcpy(&x, key.p + same, 8);
		memcpy(&y, prev.p + same, 8);
		if (x != y)
			break;
		same += 8;
	}
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

/* The value of the key record whose key is key. */
static inline uint64_t
record_value(struct slice key)
{
	uint64_t v;

	memcpy(&v, key.p - sizeof(v), sizeof(v));
	return v;
}

static inline void
record_set_value(struct slice key, uint64_t v)
{
	memcpy((char *)key.p - sizeof(v), &v, sizeof(v));
}

/*
 * Step 3: sort the key records by key, so that equal stacks lie next to
 * each other; the first of each run takes the run's sum and the others
 * 0. Sorting is needed for the output anyway, so no hash table is built.
 * Everything is summed before anything is written, so that an overflow
 * leaves stdout empty.
 */
static void
sum_stacks(struct dhat *d)
{
	char *q = d->points.p, *end = d->points.p + d->points.len;
	size_t n = 0, cap = 0, i, first;
	uint64_t val, sum;
	uint32_t klen;
	struct slice key;

	for (; q < end; q += klen) {
		memcpy(&klen, q, sizeof(klen));
		q += sizeof(klen) + sizeof(val);
		if (n == cap) {
			cap = alloc_nr(cap, n + 1);
			d->keys = xreallocarray(d->keys, cap, sizeof(*d->keys));
		}
		d->keys[n++] = slice_make(q, klen);
	}
	if (n > UINT32_MAX)
		die("%s: more than 2^32 stacks", d->name);
	d->nkeys = n;
	d->order = xreallocarray(NULL, n ? n : 1, sizeof(*d->order));
	for (i = 0; i < n; i++)
		d->order[i] = (uint32_t)i;
	sort_ids_2(d->order, n, d->keys);

	for (i = first = 0; i < n; i++) {
		key = d->keys[d->order[i]];
		if (i == 0 || !slice_eq(key, d->keys[d->order[first]])) {
			first = i;
			continue;
		}
		sum = record_value(d->keys[d->order[first]]);
		val = record_value(key);
		if (sum > UINT64_MAX - val) {
			d->prev = slice_make(NULL, 0);
			spell(d, key);
			die("%s: the sum of '%.*s' for stack '%s' exceeds "
			    "2^64-1", d->name, (int)d->field.n, d->field.p,
			    d->line.p);
		}
		record_set_value(d->keys[d->order[first]], sum + val);
		record_set_value(key, 0);
	}
}

/* Each stack's text from its ranks, in key order, which is text order. */
static void
write_stacks(struct dhat *d)
{
	size_t i, n = d->nkeys;
	struct slice key;
	uint64_t val;

	for (i = 0; i < n; i++) {
#if defined(__GNUC__)
		/* Sorted order visits keys all over memory: ask early. */
		if (i + 8 < n)
			__builtin_prefetch(d->keys[d->order[i + 8]].p - 8);
#endif
		key = d->keys[d->order[i]];
		if ((val = record_value(key)) == 0)
			continue;
		spell(d, key);
		folded_write(slice_make(d->line.p, d->line.len), val);
	}
}

/* Step 1 and the checks of step 2, up to rendering. */
static void
dhat_start(struct dhat *d, char *text, size_t len, size_t page,
    const char *name, const struct dhat_opts *opts)
{
	memset(d, 0, sizeof(*d));
	d->opts = opts;
	d->name = name;
	d->text = text;
	d->len = len;
	if (page) {
		d->map = text;
		d->map_len = len;
		d->page = page;
		d->by_offset = true;
	}
	d->points_off = SIZE_MAX;
	buf_init(&d->points);
	buf_init(&d->scratch);
	buf_init(&d->line);

	read_top(d);
	check_top(d);
	check_rest(d);
	count_frames(d);
	check_frames(d);
}

static void dhat_finish(struct dhat *d);

void
dhat_fold(struct buf *json, const char *name, const struct dhat_opts *opts)
{
	struct dhat d;

	dhat_start(&d, json->p, json->len, 0, name, opts);
	render_frames(&d, json);
	dhat_finish(&d);
}

bool
dhat_fold_fd(int fd, const char *name, const struct dhat_opts *opts)
{
	struct dhat d;
	struct stat st;
	long page = sysconf(_SC_PAGESIZE);
	size_t len;
	void *map;

	/*
	 * The scanners need a NUL after the text: the zero-filled rest of
	 * the last page, so a size that is a whole number of pages is read.
	 */
	if (page <= 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size <= 0 || (uintmax_t)st.st_size >= SIZE_MAX ||
	    st.st_size % page == 0 || lseek(fd, 0, SEEK_CUR) != 0)
		return false;
	len = (size_t)st.st_size;
	map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return false;
	dhat_start(&d, map, len, (size_t)page, name, opts);
	render_frames_mapped(&d);
	dhat_finish(&d);
	return true;
}

static void
dhat_finish(struct dhat *d)
{
	rank_frames(d);
	rank_points(d);

	sum_stacks(d);
	write_stacks(d);

	buf_release(&d->points);
	free(d->keys);
	free(d->order);
	u64vec_release(&d->unchecked);
	u32vec_release(&d->fs);
	free(d->text_names);
	free(d->sorted_names);
	free(d->refs);
	free(d->rank);
	free(d->rank_name);
	free(d->bad);
	free(d->used);
	u64vec_release(&d->cut);
	buf_release(&d->scratch);
	buf_release(&d->line);
}

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/*
 * Nonzero when one of the 8 bytes in x is c (or, for below(), less than
 * c <= 0x80). Which byte is not told exactly, only whether any is.
 */
static inline uint64_t
bytes_eq(uint64_t x, unsigned char c)
{
	uint64_t y = x ^ (ONES * c);

	return (y - ONES) & ~y & HIGHS;
}

static inline uint64_t
bytes_below(uint64_t x, unsigned char c)
{
	return (x - ONES * c) & ~x & HIGHS;
}

/* Where the "(location)" at the end of body starts, or 0 if none. */
static size_t
location_start(struct slice body)
{
	size_t i, open = 1;
	uint64_t x;
	char c;

	if (!body.n || body.p[body.n - 1] != ')')
		return 0;
	/* Backwards from the final ')' to the '(' that opens it. */
	for (i = body.n - 1;;) {
		/* Eight bytes without a parenthesis are passed at once. */
		while (i >= 8) {
			memcpy(&x, body.p + i - 8, 8);
			if (bytes_eq(x, '(') | bytes_eq(x, ')'))
				break;
			i -= 8;
		}
		if (i == 0)
			return 0;
		c = body.p[--i];
		if (c == ')')
			open++;
		else if (c == '(' && --open == 0)
			break;
	}
	if (i == 0 || body.p[i - 1] != ' ')
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
		unsigned char c;
		uint64_t x;

		if (out->len - i >= 8) {
			memcpy(&x, out->p + i, 8);
			if (!(bytes_eq(x, ';') | bytes_below(x, 0x20) |
			    bytes_eq(x, 0x7f))) {
				i += 7;
				continue;
			}
		}
		c = (unsigned char)out->p[i];
		if (c == ';')
			out->p[i] = ':';
		else if (c < 0x20 || c == 0x7f)
			out->p[i] = ' ';
	}
}
