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
 *    its value and "fs" indexes in a flat list. A large array is read in
 *    two parts on two threads, and the second thread then counts "ftbl"
 *    (struct half_job says how the result stays that of one thread).
 *    "ftbl" is checked and counted when the pass meets it, if that works
 *    without an error; otherwise it is bracket-matched and its error
 *    reported in step 2.
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
 *    string of ranks, each half of the list on its own thread.
 * 3. The stacks are sorted by their rank strings, which is text order;
 *    equal stacks end up side by side and are summed there, without a
 *    hash table. Each stack's text is spelled out from its ranks as it
 *    is written. The two large sorts (names, stacks) are split in two
 *    around a sampled key and run on two threads. While the first part
 *    of the lines is written, a second thread spells the rest into a
 *    buffer, written after it.
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
#include <setjmp.h>
#include <stdatomic.h>
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
#include "par.h"
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

/*
 * The second thread of step 1 (read_points), for a large points array.
 *
 * It guesses a boundary between two elements a little past the middle of
 * the array: a '}', then a ',' and a '{' with only spaces around them
 * (split_point; the array is guessed to end at the "ftbl" key that
 * follows it in the files of every producer). It publishes the guess
 * (mid). That guess may be wrong (inside a string, or not in this array
 * at all), so the thread reads from the '{' on as a list of independent
 * values, trusting nothing before it. It gives up (ok stays false) on
 * anything that is not a good point: an error, a point that needs a
 * warning, a stack too deep. It stops at the array's ']', notes where
 * that is and how many elements it read, and says it is done with the
 * points (points_done, under lock). Then it counts the "ftbl" array
 * where it guessed that starts (read_half_ftbl), again giving up on any
 * error.
 *
 * The main thread reads the array from the start as always. If an
 * element it reads ends exactly at the guessed '}', the guess is proved:
 * the '{' after it starts the next element of this very array. Then, if
 * the second thread succeeded, its points are appended (their indexes
 * shifted by the count before) and the main parser jumps to the ']'
 * (json_seek): the second thread checked every byte in between. In every
 * other case (guess disproved or published too late, the second thread
 * gave up, the array ended first) the second thread's points are dropped
 * and the main thread reads on by itself, so errors, warnings and their
 * order are exactly those of a single thread. When the main parser then
 * meets "ftbl", it waits for the thread and takes its count only if the
 * array starts where the thread counted from (count_frames_early): the
 * count depends on nothing before that. The thread is waited for at the
 * latest at the end of step 1 (half_release). It is detached, so that an
 * error that ends the process leaves no unjoined thread, and the job is
 * freed by whichever thread lets go of it last. No thread is started
 * under a harness that unwinds from die() (diag_exit_hook): that would
 * leave it running on freed memory.
 */
#define STR_ESCAPED 0x80000000u

/* A count of the "ftbl" array: its frames and where their strings are. */
struct ftbl_count {
	size_t n;
	size_t *off;		/* each string's offset, when by_offset */
	uint32_t *len;		/* and length, STR_ESCAPED if it has \ */
	bool by_offset;
	size_t close;		/* the offset of the array's ']' */
};

struct half_job {
	struct dhat *d;
	size_t arr;		/* the points array's '[' */
	atomic_size_t mid;	/* the guessed '}'; SIZE_MAX: not yet, 0: none */
	size_t from;		/* the '{' after it */
	atomic_int stop;	/* set by the main thread: give up the points */
	bool ok;		/* the points were read */
	size_t close;		/* the offset of the array's ']' */
	size_t count;		/* elements from 'from' to the ']' */
	struct buf points;
	struct u32vec fs;
	struct buf scratch;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool points_done;	/* under lock: the fields above are final */
	bool finished;		/* under lock: all fields are final */
	atomic_int refs;	/* the last of the two threads frees the job */
	size_t ftbl_arr;	/* the guessed "ftbl" array's '[', or 0 */
	bool want_ftbl;		/* ftbl is not counted yet */
	bool ftbl_ok;		/* ftbl was counted */
	struct ftbl_count ftbl;
};

/* Spelling stack keys out as text (spell), one per thread. */
struct speller {
	struct slice prev;		/* the key last spelled into line */
	struct u64vec cut;		/* where its frames end in line */
	struct buf line;
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
	size_t counted_off;		/* the "ftbl" counted in step 1 */
	struct ftbl_count early;	/* its count */
	struct half_job *half;		/* read_points' second thread */
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
	struct speller sp;		/* step 3, main thread */
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
 * Where points are read into: the main thread's are d's own fields; the
 * second thread of read_points has its own. trap is set on the second
 * thread only: a point that would be warned about, or an error, jumps
 * there and that thread gives up (see read_points).
 */
struct pp_acc {
	struct buf *points;
	struct u32vec *fs;
	struct buf *scratch;
	jmp_buf *trap;
};

/*
 * The frame indexes of one "fs" array into acc->fs. Whether they are in
 * range is only known once "ftbl" is read (step 2).
 */
static enum fs_state
read_fs(struct pp_acc *acc, struct json *j, struct json_tok *bad,
    size_t *bad_at)
{
	struct u32vec *fs = acc->fs;
	enum fs_state st = FS_OK;
	struct json_tok t;
	uint64_t x;
	size_t i, k;

	fs->n = 0;
	for (i = 0;; i++) {
		/* Good indexes in bulk; the loop takes whatever stops them. */
		do {
			u32vec_reserve(fs, 1);
			k = json_next_u32s(j, fs->v + fs->n, fs->cap - fs->n);
			fs->n += k;
			i += k;
		} while (k && fs->n == fs->cap);
		if (!json_next_number(j, &t) &&
		    json_next(j, &t) == JSON_ARRAY_END)
			break;
		if (LIKELY(json_u64(&t, &x) && x < UINT32_MAX)) {
			if (LIKELY(fs->n < fs->cap))
				fs->v[fs->n++] = (uint32_t)x;
			else
				u32vec_push(fs, (uint32_t)x);
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
add_point(struct dhat *d, struct pp_acc *acc, size_t idx, uint64_t value)
{
	struct point_head h;
	struct buf *points = acc->points;
	size_t fbytes = acc->fs->n * sizeof(*acc->fs->v);

	if (idx > UINT32_MAX) {
		if (acc->trap)
			longjmp(*acc->trap, 1);
		die("%s: more than 2^32 program points", d->name);
	}
	/* Keys of up to 4 bytes a frame must fit a uint32_t length. */
	if (acc->fs->n > UINT32_MAX / 4) {
		if (acc->trap)
			longjmp(*acc->trap, 1);
		die("%s: %s[%zu]: a stack of %zu frames is too deep", d->name,
		    d->array, idx, acc->fs->n);
	}
	h.nframes = (uint32_t)acc->fs->n;
	h.idx = (uint32_t)idx;
	h.value = value;
	buf_grow(points, sizeof(h) + fbytes);
	memcpy(points->p + points->len, &h, sizeof(h));
	if (fbytes)
		memcpy(points->p + points->len + sizeof(h), acc->fs->v,
		    fbytes);
	buf_setlen(points, points->len + sizeof(h) + fbytes);
}

/*
 * One element of the points array: check it and note it. With a trap
 * (the second thread), a point that needs a warning jumps there instead.
 */
static void
read_pp(struct dhat *d, struct pp_acc *acc, struct json *j,
    const struct json_tok *pp, size_t idx)
{
	struct json_tok k, v, value = { 0 }, bad = { 0 };
	enum fs_state fs = FS_MISSING;
	bool have = false;
	struct slice key;
	size_t bad_at = 0;
	uint64_t val = 0;
	char tmp[64];

	if (pp->type != JSON_OBJECT) {
		if (acc->trap)
			longjmp(*acc->trap, 1);
		warn_pp(d, j, idx, pp->off, "%s, not an object",
		    describe(j, pp, tmp, sizeof(tmp)));
		json_skip(j, pp);
		return;
	}
	value.type = JSON_END;
	for (;;) {
		if (!json_next_member(j, &k, &v)) {
			if (json_next(j, &k) != JSON_KEY)
				break;
			v.type = JSON_END;
		}
		key = k.flags & JSON_ESCAPED ? json_str(j, &k, acc->scratch) :
		    json_str_raw(j, &k);
		if (v.type == JSON_END && !json_next_number(j, &v))
			json_next(j, &v);
		if (key_is(key, d->field)) {
			have = true;
			value = v;
		} else if (key.n == 2 && key.p[0] == 'f' && key.p[1] == 's') {
			if (v.type == JSON_ARRAY) {
				fs = read_fs(acc, j, &bad, &bad_at);
				continue;
			}
			fs = FS_NOT_ARRAY;
		}
		if (v.type == JSON_ARRAY || v.type == JSON_OBJECT)
			json_skip(j, &v);
	}

	if (acc->trap && (!have || !json_u64(&value, &val) || fs != FS_OK))
		longjmp(*acc->trap, 1);
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
		add_point(d, acc, idx, val);
}

static inline size_t
skip_space(const char *p, size_t pos)
{
	while (p[pos] == ' ' || p[pos] == '\n' || p[pos] == '\r' ||
	    p[pos] == '\t')
		pos++;
	return pos;
}

/* The elements from job->from to the ']'; any problem jumps to acc->trap. */
static void
read_half_trapped(struct half_job *job, struct pp_acc *acc)
{
	struct dhat *d = job->d;
	struct json j;
	struct json_tok t;
	size_t pos = job->from, idx;

	for (idx = 0;; idx++) {
		if (idx % 1024 == 0 &&
		    atomic_load_explicit(&job->stop, memory_order_relaxed))
			return;
		json_init_at(&j, d->text, d->len, d->name, pos);
		if (json_next(&j, &t) != JSON_OBJECT)
			return;
		read_pp(d, acc, &j, &t, idx);
		if (json_next(&j, &t) != JSON_END)
			return;
		pos = skip_space(d->text, j.pos);
		if (d->text[pos] == ']') {
			job->close = pos;
			job->count = idx + 1;
			job->ok = true;
			return;
		}
		if (d->text[pos] != ',')
			return;
		pos = skip_space(d->text, pos + 1);
	}
}

static size_t split_point(const struct dhat *d, size_t arr,
    size_t *ftbl_arr);
static void count_frames_at(const struct dhat *d, size_t off,
    struct ftbl_count *c);

static void
read_half_points(struct half_job *job, size_t mid)
{
	jmp_buf trap;
	struct pp_acc acc;

	job->from = skip_space(job->d->text,
	    skip_space(job->d->text, mid + 1) + 1);
	atomic_store_explicit(&job->mid, mid, memory_order_relaxed);
	acc.points = &job->points;
	acc.fs = &job->fs;
	acc.scratch = &job->scratch;
	acc.trap = &trap;
	if (setjmp(trap) == 0) {
		json_trap = &trap;
		read_half_trapped(job, &acc);
	}
	json_trap = NULL;
}

static void
read_half_ftbl(struct half_job *job)
{
	jmp_buf trap;

	if (setjmp(trap) == 0) {
		json_trap = &trap;
		count_frames_at(job->d, job->ftbl_arr, &job->ftbl);
		job->ftbl_ok = true;
	}
	json_trap = NULL;
}

/* Drop one thread's hold on job; the last one frees it. */
static void
half_unref(struct half_job *job)
{
	if (atomic_fetch_sub_explicit(&job->refs, 1, memory_order_acq_rel) != 1)
		return;
	pthread_cond_destroy(&job->cond);
	pthread_mutex_destroy(&job->lock);
	buf_release(&job->points);
	buf_release(&job->scratch);
	u32vec_release(&job->fs);
	free(job->ftbl.off);
	free(job->ftbl.len);
	free(job);
}

static void *
half_run(void *arg)
{
	struct half_job *job = arg;
	size_t mid = split_point(job->d, job->arr, &job->ftbl_arr);

	if (mid)
		read_half_points(job, mid);
	else
		atomic_store_explicit(&job->mid, 0, memory_order_relaxed);

	pthread_mutex_lock(&job->lock);
	job->points_done = true;
	pthread_cond_signal(&job->cond);
	pthread_mutex_unlock(&job->lock);
	if (job->ftbl_arr && job->want_ftbl)
		read_half_ftbl(job);
	pthread_mutex_lock(&job->lock);
	job->finished = true;
	pthread_cond_signal(&job->cond);
	pthread_mutex_unlock(&job->lock);
	half_unref(job);
	return NULL;
}

/* The array is worth splitting if its rest of the file is this large. */
#define SPLIT_BYTES (4u << 20)

/*
 * A guess at the middle of the points array starting at arr: its end is
 * guessed as the "ftbl" key that follows it in the files of every
 * producer (or the end of the file). Returns the offset of the '}' of
 * an element boundary "} , {" near there, or 0 if none is found within
 * a megabyte.
 */
static size_t
split_point(const struct dhat *d, size_t arr, size_t *ftbl_arr)
{
	const char *p = d->text, *q;
	size_t end = d->len, from = arr + (d->len - arr) / 4, pos, lim;

	*ftbl_arr = 0;
	while ((q = memchr(p + from, 'l', d->len - from)) != NULL) {
		from = (size_t)(q - p) + 1;
		if (from >= arr + 5 && from < d->len &&
		    memcmp(q - 4, "\"ftbl\"", 6) == 0) {
			end = (size_t)(q - p) - 4;
			pos = skip_space(p, from + 1);
			if (p[pos] == ':' && p[skip_space(p, pos + 1)] == '[')
				*ftbl_arr = skip_space(p, pos + 1);
			break;
		}
	}
	/*
	 * The second thread searched first and counts "ftbl" after its
	 * points: its part is the smaller.
	 */
	pos = arr + (end - arr) / 5 * 3;
	lim = pos + (1u << 20) < end ? pos + (1u << 20) : end;
	while (pos < lim && (q = memchr(p + pos, '}', lim - pos)) != NULL) {
		pos = (size_t)(q - p);
		lim = skip_space(p, pos + 1);
		if (p[lim] == ',' && p[skip_space(p, lim + 1)] == '{')
			return pos;
		pos++;
		lim = pos + (1u << 20) < end ? pos + (1u << 20) : end;
	}
	return 0;
}

/*
 * Append the second thread's points to d->points, their indexes shifted
 * by base, the number of elements before its first.
 */
static void
merge_half(struct dhat *d, struct half_job *job, size_t base)
{
	char *q = job->points.p, *end = job->points.p + job->points.len;
	struct point_head h;

	for (; q < end; q += sizeof(h) + h.nframes * sizeof(uint32_t)) {
		memcpy(&h, q, sizeof(h));
		if (h.idx + base > UINT32_MAX)
			die("%s: more than 2^32 program points", d->name);
		h.idx += (uint32_t)base;
		memcpy(q, &h, sizeof(h));
	}
	buf_add(&d->points, job->points.p, job->points.len);
}

/* Start the second thread on the points array at arr (above). */
static void
half_start(struct dhat *d, size_t arr)
{
	struct half_job *job = xcalloc(1, sizeof(*job));
	pthread_t th;

	job->d = d;
	job->arr = arr;
	atomic_init(&job->mid, SIZE_MAX);
	atomic_init(&job->stop, 0);
	atomic_init(&job->refs, 2);
	buf_init(&job->points);
	buf_init(&job->scratch);
	job->want_ftbl = d->counted_off == SIZE_MAX;
	if (pthread_mutex_init(&job->lock, NULL) != 0) {
		free(job);
		return;
	}
	if (pthread_cond_init(&job->cond, NULL) != 0) {
		pthread_mutex_destroy(&job->lock);
		free(job);
		return;
	}
	if (pthread_create(&th, NULL, half_run, job) != 0) {
		atomic_store(&job->refs, 1);
		half_unref(job);
		return;
	}
	pthread_detach(th);
	d->half = job;
}

/* Wait until the second thread is done with the points. */
static void
half_wait_points(struct half_job *job)
{
	pthread_mutex_lock(&job->lock);
	while (!job->points_done)
		pthread_cond_wait(&job->cond, &job->lock);
	pthread_mutex_unlock(&job->lock);
}

/* Tell the second thread to give up the points and wait until it ends. */
static void
half_wait(struct half_job *job)
{
	atomic_store_explicit(&job->stop, 1, memory_order_relaxed);
	pthread_mutex_lock(&job->lock);
	while (!job->finished)
		pthread_cond_wait(&job->cond, &job->lock);
	pthread_mutex_unlock(&job->lock);
}

/* Wait for the second thread, if any, and drop what it left. */
static void
half_release(struct dhat *d)
{
	if (!d->half)
		return;
	half_wait(d->half);
	half_unref(d->half);
	d->half = NULL;
}

/* The points array whose '[' j has just returned; arr is where it is. */
static void
read_points(struct dhat *d, struct json *j, size_t arr)
{
	struct pp_acc acc = { &d->points, &d->fs, &d->scratch, NULL };
	struct half_job *job;
	struct json_tok t;
	size_t idx, mid;
	bool split;

	buf_reset(&d->points);
	d->points_off = arr;
	d->points_field = d->field;
	half_release(d);
	if (d->len - arr >= SPLIT_BYTES && !diag_exit_hook)
		half_start(d, arr);
	job = d->half;
	split = job != NULL;
	for (idx = 0; json_next(j, &t) != JSON_ARRAY_END; idx++) {
		read_pp(d, &acc, j, &t, idx);
		if (!split)
			continue;
		mid = atomic_load_explicit(&job->mid, memory_order_relaxed);
		if (mid == SIZE_MAX || j->pos <= mid)
			continue;
		/* Past the guess: it is proved (just after the '}') or not. */
		split = false;
		if (j->pos != mid + 1) {
			atomic_store_explicit(&job->stop, 1,
			    memory_order_relaxed);
			continue;
		}
		half_wait_points(job);
		if (job->ok) {
			merge_half(d, job, idx + 1);
			idx += job->count;
			json_seek(j, job->close);
		}
	}
	if (split)	/* the array ended before the guess */
		atomic_store_explicit(&job->stop, 1, memory_order_relaxed);
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

static bool count_frames_early(struct dhat *d, struct json *j,
    const struct json_tok *arr);

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
		} else if (m == &d->ftbl && count_frames_early(d, j, &v)) {
			continue;
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

/*
 * Check that the "ftbl" array at off holds only strings and count them
 * into c; in a mapped file the place of each string is noted too, so
 * that the frames can be rendered in parts.
 */
static void
count_frames_at(const struct dhat *d, size_t off, struct ftbl_count *c)
{
	struct json j;
	struct json_tok t;
	size_t cap = 0;

	c->n = 0;
	c->by_offset = d->map != NULL;
	json_init_at(&j, d->text, d->len, d->name, off);
	json_next(&j, &t);
	while (json_next(&j, &t) != JSON_ARRAY_END) {
		if (t.type != JSON_STRING)
			json_die(&j, t.off, "ftbl[%zu] is %s, not a string",
			    c->n, json_type_name(t.type));
		if (c->by_offset && t.len < STR_ESCAPED) {
			if (c->n == cap) {
				cap = alloc_nr(cap, c->n + 1);
				c->off = xreallocarray(c->off, cap,
				    sizeof(*c->off));
				c->len = xreallocarray(c->len, cap,
				    sizeof(*c->len));
			}
			c->off[c->n] = t.off;
			c->len[c->n] = (uint32_t)t.len |
			    (t.flags & JSON_ESCAPED ? STR_ESCAPED : 0);
		} else {
			c->by_offset = false;	/* a huge frame: in one go */
		}
		c->n++;
	}
	c->close = t.off;
}

/* Make the count c the frames of d; c is left empty. */
static void
take_count(struct dhat *d, struct ftbl_count *c)
{
	free(d->str_off);
	free(d->str_len);
	d->nframes = c->n;
	d->str_off = c->off;
	d->str_len = c->len;
	d->by_offset = c->by_offset;
	c->off = NULL;
	c->len = NULL;
	c->n = 0;
}

/* Count "ftbl" at off into d->early; false, having said nothing, on error. */
static bool
count_frames_quietly(struct dhat *d, size_t off)
{
	jmp_buf trap;

	if (setjmp(trap) != 0) {
		json_trap = NULL;
		return false;
	}
	json_trap = &trap;
	count_frames_at(d, off, &d->early);
	json_trap = NULL;
	return true;
}

/*
 * In step 1, when "ftbl" shows up: count its frames at once, with the
 * real grammar, rather than jump over it by brackets now and read it
 * again in step 2. The second thread of read_points may have counted it
 * already, from where it guessed the array starts: the count is taken
 * when that is where it does start. Otherwise it is counted here. Any
 * error or non-string gives up without a word, and the array is jumped
 * over as before (json_skip_unchecked): the error is then reported in
 * its turn, after the whole-file checks. On success j continues after
 * the array and step 2 does not count again.
 */
static bool
count_frames_early(struct dhat *d, struct json *j, const struct json_tok *arr)
{
	struct json_tok t;
	bool ok = false;

	d->counted_off = SIZE_MAX;
	if (d->half) {
		half_wait(d->half);
		if (d->half->ftbl_ok && d->half->ftbl_arr == arr->off) {
			d->half->ftbl_ok = false;
			free(d->early.off);
			free(d->early.len);
			d->early = d->half->ftbl;
			d->half->ftbl.off = NULL;
			d->half->ftbl.len = NULL;
			ok = true;
		}
	}
	if (!ok && !count_frames_quietly(d, arr->off))
		return false;
	json_seek(j, d->early.close);
	json_next(j, &t);	/* the ']' */
	d->counted_off = arr->off;
	return true;
}

/* Step 2: count the frames of "ftbl", unless step 1 did. */
static void
count_frames(struct dhat *d)
{
	if (d->counted_off != d->ftbl.tok.off)
		count_frames_at(d, d->ftbl.tok.off, &d->early);
	take_count(d, &d->early);
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
	uint32_t f = 0;
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
	par_both(render_run, &job[0], &job[1],
	    job[1].to - job[1].from >= SPLIT_MIN / 2);
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
		buf_reset(&d->sp.line);
		dhat_frame(s, d->opts, &d->sp.line);
		d->refs[i].len = d->sp.line.len;
		if (at + d->sp.line.len <= t.off + t.len) {
			memmove(json->p + at, d->sp.line.p, d->sp.line.len);
			d->refs[i].off = at;
			at += d->sp.line.len;
		} else {
			/* An empty name became "???": after the others. */
			d->refs[i].off = SIZE_MAX - late.len;
			buf_add(&late, d->sp.line.p, d->sp.line.len);
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

/*
 * The distinct names of a sorted part, copied in order into
 * d->sorted_names from bytes on: the ranking and the writing then read
 * them in turn rather than all over memory. Equal names share one copy,
 * so comparing pointers finds them.
 */
struct copy_names {
	const struct slice *keys;
	struct slice *sorted;
	char *to;
};

static void
copy_names(void *arg, const uint32_t *ids, size_t from, size_t to,
    size_t bytes)
{
	struct copy_names *c = arg;
	const struct slice *keys = c->keys;
	struct slice *sorted = c->sorted, x;
	char *q = c->to + bytes;
	size_t i;

	for (i = from; i < to; i++) {
#if defined(__GNUC__)
		if (i + 8 < to)
			__builtin_prefetch(keys[ids[i + 8]].p);
#endif
		x = keys[ids[i]];
		if (i > from && slice_eq(x, keys[ids[i - 1]])) {
			sorted[i] = sorted[i - 1];
			continue;
		}
		memcpy(q, x.p, x.n);
		sorted[i] = slice_make(q, x.n);
		q += x.n;
	}
}

/* Ranks by sorted position (pr) to ranks by frame, for a range of it. */
struct scatter_job {
	uint32_t *rank;
	const uint32_t *ids;
	const uint32_t *pr;
	size_t from, to;
};

static void *
scatter_run(void *arg)
{
	struct scatter_job *job = arg;
	size_t i;
	uint32_t f;

	for (i = job->from; i < job->to; i++) {
		f = job->ids[i];
		job->rank[2 * f] = job->pr[2 * i];
		job->rank[2 * f + 1] = job->pr[2 * i + 1];
	}
	return NULL;
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
	struct copy_names copy;
	struct scatter_job job[2];
	uint32_t *open, *pr, r = 0, top;

	for (i = 0; i < nf; i++) {
		if (!d->used[i])
			continue;
		keys[i] = frame_name(d, i);
		total += keys[i].n;
		ids[nused++] = (uint32_t)i;
	}
	nf = nused;
	sorted = xreallocarray(NULL, nf ? nf : 1, sizeof(*sorted));
	d->sorted_names = xmalloc(total + 1);
	copy = (struct copy_names){ keys, sorted, d->sorted_names };
	sort_ids_by_key_2(ids, nf, keys, copy_names, &copy);
	free(keys);
	free(d->text_names);
	d->text_names = NULL;
	open = xreallocarray(NULL, nf ? nf : 1, sizeof(*open));
	pr = xreallocarray(NULL, nf ? 2 * nf : 1, sizeof(*pr));
	d->rank_name = xreallocarray(NULL, nf ? 2 * nf : 1,
	    sizeof(*d->rank_name));
	for (i = 0; i < nf; i++) {
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
			pr[2 * top] = r++;
			depth--;
		}
		d->rank_name[r] = x;
		pr[2 * i + 1] = r++;
		open[depth++] = (uint32_t)i;
	}
	while (depth) {
		top = open[--depth];
		d->rank_name[r] = sorted[top];
		pr[2 * top] = r++;
	}
	for (i = 1; i < nf; i++) {
		if (sorted[i].p == sorted[i - 1].p) {
			pr[2 * i] = pr[2 * i - 2];
			pr[2 * i + 1] = pr[2 * i - 1];
		}
	}
	/* Each frame's ranks to where rank_points looks them up. */
	d->rank = xreallocarray(NULL, 2 * (d->nframes + 1), sizeof(*d->rank));
	job[0] = (struct scatter_job){ d->rank, ids, pr, 0, nf / 2 };
	job[1] = (struct scatter_job){ d->rank, ids, pr, nf / 2, nf };
	par_both(scatter_run, &job[0], &job[1], nf >= SPLIT_MIN);
	free(pr);
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

/* Ranking the points of one part of the list (rank_points). */
struct rank_job {
	const struct dhat *d;
	char *from, *to;
	struct u32vec fs;
	struct slice *keys;	/* the key of each record made */
	size_t nkeys, cap;
};

/*
 * Turn each noted point of a part into a key record (rank string root
 * first), in place: a record never grows. Points check_frames set aside
 * are dropped.
 */
static void *
rank_run(void *arg)
{
	struct rank_job *job = arg;
	const struct dhat *d = job->d;
	char *rd = job->from, *wr = job->from, *end = job->to;
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
			u32vec_at_grow(&job->fs, h.nframes - 1);
			memcpy(job->fs.v, rd, fbytes);
		}
		fs = job->fs.v;
		klen = (uint32_t)((h.nframes ? h.nframes : 1) * w);
		memcpy(wr, &klen, sizeof(klen));
		memcpy(wr + sizeof(klen), &h.value, sizeof(h.value));
		wr += sizeof(klen) + sizeof(h.value);
		if (job->nkeys == job->cap) {
			job->cap = alloc_nr(job->cap, job->nkeys + 1);
			job->keys = xreallocarray(job->keys, job->cap,
			    sizeof(*job->keys));
		}
		job->keys[job->nkeys++] = slice_make(wr, klen);
		if (h.nframes == 0) {
			put_rank(wr, d->rank[2 * d->nframes + 1], w);
			wr += w;
		}
		for (k = h.nframes; k-- > 0; wr += w)
			put_rank(wr, d->rank[2 * fs[k] + (k == 0)], w);
	}
	return NULL;
}

/*
 * The key records of all points, and d->keys pointing at their keys: the
 * two halves of the list on two threads.
 */
static void
rank_points(struct dhat *d)
{
	char *mid = d->points.p, *end = d->points.p + d->points.len;
	struct rank_job job[2];
	struct point_head h;
	size_t i;

	while (mid < end && (size_t)(mid - d->points.p) < d->points.len / 2) {
		memcpy(&h, mid, sizeof(h));
		mid += sizeof(h) + (h.nframes & ~BAD_POINT) * sizeof(uint32_t);
	}
	memset(job, 0, sizeof(job));
	job[0].d = job[1].d = d;
	job[0].from = d->points.p;
	job[0].to = job[1].from = mid;
	job[1].to = end;
	par_both(rank_run, &job[0], &job[1], d->points.len >= SPLIT_BYTES);
	if (job[0].nkeys + job[1].nkeys > UINT32_MAX)
		die("%s: more than 2^32 stacks", d->name);
	d->nkeys = job[0].nkeys + job[1].nkeys;
	d->keys = xreallocarray(job[0].keys, d->nkeys ? d->nkeys : 1,
	    sizeof(*d->keys));
	if (job[1].nkeys)
		memcpy(d->keys + job[0].nkeys, job[1].keys,
		    job[1].nkeys * sizeof(*d->keys));
	for (i = 0; i < 2; i++)
		u32vec_release(&job[i].fs);
	free(job[1].keys);
}

/*
 * The text of a stack key into sp->line. Keys come in sorted order, so a
 * key mostly starts with the frames of the one before: those keep their
 * text, and sp->cut says where each frame's text ended.
 */
static void
spell(const struct dhat *d, struct speller *sp, struct slice key)
{
	const unsigned char *q = (const unsigned char *)key.p;
	const unsigned char *end = q + key.n;
	struct slice prev = sp->prev;
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
	buf_setlen(&sp->line, k ? sp->cut.v[k - 1] : 0);
	for (q += k * w; q < end; q += w, k++) {
		for (r = 0, b = 0; b < w; b++)
			r = r << 8 | q[b];
		name = d->rank_name[r];
		buf_add(&sp->line, name.p, name.n);
		if (q + w < end) {
			buf_addc(&sp->line, ';');
			*u64vec_at_grow(&sp->cut, k) = sp->line.len;
		}
	}
	sp->prev = key;
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
	size_t n = d->nkeys, i, first;
	uint64_t val, sum;
	struct slice key;

	d->order = xreallocarray(NULL, n ? n : 1, sizeof(*d->order));
	for (i = 0; i < n; i++)
		d->order[i] = (uint32_t)i;
	sort_ids_by_key_2(d->order, n, d->keys, NULL, NULL);

	for (i = first = 0; i < n; i++) {
		key = d->keys[d->order[i]];
		if (i == 0 || !slice_eq(key, d->keys[d->order[first]])) {
			first = i;
			continue;
		}
		sum = record_value(d->keys[d->order[first]]);
		val = record_value(key);
		if (sum > UINT64_MAX - val) {
			d->sp.prev = slice_make(NULL, 0);
			spell(d, &d->sp, key);
			die("%s: the sum of '%.*s' for stack '%s' exceeds "
			    "2^64-1", d->name, (int)d->field.n, d->field.p,
			    d->sp.line.p);
		}
		record_set_value(d->keys[d->order[first]], sum + val);
		record_set_value(key, 0);
	}
}

/*
 * The lines of keys from..to of the sorted order, spelled in sp: written
 * out (folded_write), or appended to into when that is not NULL.
 */
static void
spell_range(const struct dhat *d, struct speller *sp, size_t from, size_t to,
    struct buf *into)
{
	struct slice key;
	uint64_t val;
	size_t i;
	char num[24], *q;

	sp->prev = slice_make(NULL, 0);
	for (i = from; i < to; i++) {
#if defined(__GNUC__)
		/* Sorted order visits keys all over memory: ask early. */
		if (i + 8 < to)
			__builtin_prefetch(d->keys[d->order[i + 8]].p - 8);
#endif
		key = d->keys[d->order[i]];
		if ((val = record_value(key)) == 0)
			continue;
		spell(d, sp, key);
		if (!into) {
			folded_write(slice_make(sp->line.p, sp->line.len), val);
			continue;
		}
		q = num + sizeof(num);
		*--q = '\n';
		do
			*--q = (char)('0' + val % 10);
		while ((val /= 10) != 0);
		*--q = ' ';
		buf_add(into, sp->line.p, sp->line.len);
		buf_add(into, q, (size_t)(num + sizeof(num) - q));
	}
}

/* The second half of the lines, made on a second thread. */
struct write_job {
	const struct dhat *d;
	size_t from, to;
	struct speller sp;
	struct buf text;
};

static void *
write_run(void *arg)
{
	struct write_job *job = arg;

	spell_range(job->d, &job->sp, job->from, job->to, &job->text);
	return NULL;
}

/*
 * Each stack's text from its ranks, in key order, which is text order.
 * With many stacks, the lines of the second half are made into a buffer
 * on a second thread while the first half is written, then written out.
 */
static void
write_stacks(struct dhat *d)
{
	struct write_job job;
	size_t n = d->nkeys, half = n;
	pthread_t th;

	memset(&job, 0, sizeof(job));
	job.d = d;
	job.from = half = n / 16 * 9;
	job.to = n;
	buf_init(&job.sp.line);
	buf_init(&job.text);
	if (n < SPLIT_MIN || pthread_create(&th, NULL, write_run, &job) != 0)
		half = n;
	spell_range(d, &d->sp, 0, half, NULL);
	if (half < n) {
		pthread_join(th, NULL);
		out_write(job.text.p, job.text.len);
	}
	buf_release(&job.text);
	buf_release(&job.sp.line);
	u64vec_release(&job.sp.cut);
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
	d->counted_off = SIZE_MAX;
	buf_init(&d->points);
	buf_init(&d->scratch);
	buf_init(&d->sp.line);

	read_top(d);
	half_release(d);
	check_top(d);
	check_rest(d);
	half_release(d);
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
	free(d->early.off);
	free(d->early.len);
	free(d->used);
	u64vec_release(&d->sp.cut);
	buf_release(&d->scratch);
	buf_release(&d->sp.line);
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
