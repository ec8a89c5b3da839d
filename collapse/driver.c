/*
 * driver: see driver.h for the contract.
 *
 * Threads. The main thread reads, nthreads - 1 worker threads parse, and
 * the main thread parses too whenever it cannot read ahead (all slots are
 * full, or the input is read) and a chunk is waiting. Chunks live in a
 * ring of slots, numbered by a sequence counter: the main thread fills
 * slot seq % nslots, workers take chunks in sequence order, and the main
 * thread consumes the results in sequence order too, which is what keeps
 * warnings in input order (a worker only buffers them, with line numbers
 * relative to its chunk; the main thread adds the chunk's first line).
 * A slot is refilled only after it was consumed, so at most nslots chunks
 * exist at any time. Each worker counts into its own table; the tables are
 * merged into the main thread's at the end.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "driver.h"
#include "folded.h"
#include "intern.h"
#include "lr.h"
#include "out.h"
#include "utf8.h"
#include "vec.h"
#include "xmalloc.h"

enum msg_kind { MSG_WARN, MSG_INFO, MSG_FAIL };

struct msg {
	uint64_t lineno;	/* relative to the chunk when buffered */
	enum msg_kind kind;
	size_t off;		/* text in msgs->text, NUL-terminated */
};

/* Messages of one chunk, printed later by the main thread. */
struct msgs {
	struct buf text;
	struct msg *v;
	size_t n;
	size_t cap;
};

struct collapse_ctx {
	struct intern stacks;
	struct u64vec counts;
	const char *file;
	const struct lr *in;	/* for the line number */
	struct msgs *sink;	/* NULL: print at once (main thread) */
	int failed;
	struct buf scratch;	/* UTF-8 repair of stacks and messages */
	struct buf text;	/* one formatted message */
	struct buf quote;	/* collapse_quote() result */
};

struct slot {
	struct buf data;
	const char *file;
	unsigned gen;		/* which run_chunks() call (file) it is from */
	int last;		/* the file's last chunk: call end() after it */
	int done;		/* parsed; guarded by pool.mu */
	uint64_t nlines;
	struct msgs msgs;
};

struct worker {
	pthread_t th;
	struct pool *pool;
	struct collapse_ctx cx;
	void *state;
	int has_state;
	unsigned gen;		/* the state is a clone for chunks of this gen */
};

struct pool {
	const struct collapser *c;
	const void *settled;	/* the main thread's state, read-only now */
	pthread_mutex_t mu;
	pthread_cond_t work;	/* a chunk is ready, or quit */
	pthread_cond_t done;	/* a chunk was parsed */
	struct slot *slots;
	unsigned nslots;
	uint64_t next_fill;	/* seq of the next chunk the main thread fills */
	uint64_t next_take;	/* seq of the next chunk a worker takes */
	uint64_t next_consume;	/* seq of the next result to consume */
	unsigned idle;		/* workers waiting for a chunk */
	int quit;
	unsigned gen;		/* run_chunks() calls so far */
	struct worker *workers;	/* nparse: threads, then the main thread's */
	unsigned nparse;	/* parsers, the main thread included */
	int started;
};

static void
ctx_init(struct collapse_ctx *cx)
{
	memset(cx, 0, sizeof(*cx));
	intern_init(&cx->stacks);
	buf_init(&cx->scratch);
	buf_init(&cx->text);
	buf_init(&cx->quote);
}

static void
ctx_release(struct collapse_ctx *cx)
{
	intern_release(&cx->stacks);
	u64vec_release(&cx->counts);
	buf_release(&cx->scratch);
	buf_release(&cx->text);
	buf_release(&cx->quote);
}

/* Whether any byte of p[0, n) has its high bit set, 8 bytes at a time. */
static int
has_high_bit(const char *p, size_t n)
{
	uint64_t acc = 0, w;
	size_t i = 0;

	for (; i + 32 <= n; i += 32) {
		uint64_t x[4];
		memcpy(x, p + i, 32);
		acc |= x[0] | x[1] | x[2] | x[3];
	}
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= (unsigned char)p[i];
	return (acc & 0x8080808080808080ull) != 0;
}

void
collapse_add(struct collapse_ctx *cx, const char *stack, size_t n,
    uint64_t count)
{
	uint32_t id;

	if (cx->failed)
		return;
	/* inferno reads its input as lossy UTF-8; so do we, for the keys. */
	if (UNLIKELY(has_high_bit(stack, n))) {
		struct slice s = utf8_lossy(slice_make(stack, n), &cx->scratch);
		stack = s.p;
		n = s.n;
	}
	id = intern_put(&cx->stacks, stack, n);
	*u64vec_at_grow(&cx->counts, id) += count;
}

const char *
collapse_file(const struct collapse_ctx *cx)
{
	return cx->file;
}

/* Print one message at an absolute line number. */
static void
msg_print(enum msg_kind kind, const char *file, uint64_t lineno,
    const char *text)
{
	switch (kind) {
	case MSG_WARN:
		warn_at(file, lineno, "%s", text);
		break;
	case MSG_INFO:
		info("%s", text);
		break;
	case MSG_FAIL:
		die("%s:%llu: %s", file, (unsigned long long)lineno, text);
	}
}

static void
ctx_message(struct collapse_ctx *cx, enum msg_kind kind, const char *fmt,
    va_list ap)
{
	struct msgs *m = cx->sink;
	char small[256];
	va_list aq;
	int len;

	va_copy(aq, ap);
	len = vsnprintf(small, sizeof(small), fmt, aq);
	va_end(aq);
	if (len < 0)
		len = 0;
	buf_reset(&cx->text);
	if ((size_t)len < sizeof(small)) {
		buf_add(&cx->text, small, (size_t)len);
	} else {
		buf_grow(&cx->text, (size_t)len);
		vsnprintf(cx->text.p, (size_t)len + 1, fmt, ap);
		buf_setlen(&cx->text, (size_t)len);
	}
	if (!m) {
		msg_print(kind, cx->file, cx->in ? cx->in->lineno : 0,
		    cx->text.p);
		return;
	}
	if (m->n == m->cap) {
		m->cap = alloc_nr(m->cap, m->n + 1);
		m->v = xreallocarray(m->v, m->cap, sizeof(*m->v));
	}
	m->v[m->n].lineno = cx->in ? cx->in->lineno : 0;
	m->v[m->n].kind = kind;
	m->v[m->n].off = m->text.len;
	m->n++;
	buf_add(&m->text, cx->text.p, cx->text.len + 1);
}

int
collapse_warn(struct collapse_ctx *cx, const char *fmt, ...)
{
	va_list ap;

	if (diag_level < DIAG_WARN || cx->failed)
		return -1;
	va_start(ap, fmt);
	ctx_message(cx, MSG_WARN, fmt, ap);
	va_end(ap);
	return -1;
}

void
collapse_info(struct collapse_ctx *cx, const char *fmt, ...)
{
	va_list ap;

	if (diag_level < DIAG_INFO || cx->failed)
		return;
	va_start(ap, fmt);
	ctx_message(cx, MSG_INFO, fmt, ap);
	va_end(ap);
}

void
collapse_fail(struct collapse_ctx *cx, const char *fmt, ...)
{
	va_list ap;

	if (cx->failed)
		return;
	va_start(ap, fmt);
	ctx_message(cx, MSG_FAIL, fmt, ap);
	va_end(ap);
	cx->failed = 1;
}

const char *
collapse_quote(struct collapse_ctx *cx, struct slice s)
{
	size_t i;

	s = utf8_lossy(s, &cx->scratch);
	buf_reset(&cx->quote);
	for (i = 0; i < s.n; i++) {
		if (s.p[i])
			buf_addc(&cx->quote, s.p[i]);
		else
			buf_add(&cx->quote, "\\0", 2);
	}
	return cx->quote.p;
}

unsigned
collapse_ncpus(void)
{
#ifdef _SC_NPROCESSORS_ONLN
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n > 0)
		return n > 1024 ? 1024 : (unsigned)n;
#endif
	return 1;
}

/* Feed lines from in to the format until settled (if wanted) or EOF. */
static int
feed_lines(const struct collapser *c, void *state, struct collapse_ctx *cx,
    struct lr *in, int until_settled)
{
	struct slice line;

	cx->in = in;
	for (;;) {
		if (until_settled && c->settled(state))
			return 1;
		if (cx->failed || !lr_next(in, &line))
			return 0;
		c->line(state, cx, line);
	}
}

static void
parse_chunk(struct worker *w, struct slot *s)
{
	const struct collapser *c = w->pool->c;
	struct lr in;

	/*
	 * One clone per file: the chunks before this one ended at cut
	 * points, where the state equals the settled one again, and the
	 * format keeps what it learnt in between (caches).
	 */
	if (!w->has_state || w->gen != s->gen) {
		if (w->has_state)
			c->release(w->state);
		memset(w->state, 0, c->state_size);
		c->clone(w->state, w->pool->settled);
		w->has_state = 1;
		w->gen = s->gen;
	}
	lr_open_mem(&in, s->data.p, s->data.len, s->file, 0);
	w->cx.file = s->file;
	w->cx.sink = &s->msgs;
	w->cx.failed = 0;
	feed_lines(c, w->state, &w->cx, &in, 0);
	if (s->last && !w->cx.failed)
		c->end(w->state, &w->cx);
	s->nlines = in.lineno;
	w->cx.in = NULL;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->pool;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct slot *s;

		while (!p->quit && p->next_take == p->next_fill) {
			p->idle++;
			pthread_cond_wait(&p->work, &p->mu);
			p->idle--;
		}
		if (p->next_take == p->next_fill)
			break;
		s = &p->slots[p->next_take++ % p->nslots];
		pthread_mutex_unlock(&p->mu);
		parse_chunk(w, s);
		pthread_mutex_lock(&p->mu);
		s->done = 1;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void
pool_init(struct pool *p, const struct collapser *c, unsigned nparse)
{
	unsigned i;

	memset(p, 0, sizeof(*p));
	p->c = c;
	p->nparse = nparse;
	p->nslots = nparse + 2;
	p->slots = xcalloc(p->nslots, sizeof(*p->slots));
	for (i = 0; i < p->nslots; i++)
		buf_init(&p->slots[i].data);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
}

static void
pool_start(struct pool *p)
{
	unsigned i;

	p->workers = xcalloc(p->nparse, sizeof(*p->workers));
	for (i = 0; i < p->nparse; i++) {
		struct worker *w = &p->workers[i];
		int err;

		w->pool = p;
		ctx_init(&w->cx);
		w->state = xcalloc(1, p->c->state_size);
		if (i + 1 == p->nparse)
			break;		/* the main thread's */
		err = pthread_create(&w->th, NULL, worker_main, w);
		if (err)
			die("cannot start a thread: %s", strerror(err));
	}
	p->started = 1;
}

/*
 * Instead of waiting: if a chunk is ready that no worker took or is about
 * to take, the main thread parses it. Returns whether it did.
 */
static int
pool_help(struct pool *p)
{
	struct slot *s;

	pthread_mutex_lock(&p->mu);
	/*
	 * Chunks that waiting workers will take are theirs: were the main
	 * thread to grab the chunk it just handed out, before the woken
	 * worker gets the lock, it would parse everything alone.
	 */
	if (p->next_fill - p->next_take <= p->idle) {
		pthread_mutex_unlock(&p->mu);
		return 0;
	}
	s = &p->slots[p->next_take++ % p->nslots];
	pthread_mutex_unlock(&p->mu);
	parse_chunk(&p->workers[p->nparse - 1], s);
	pthread_mutex_lock(&p->mu);
	s->done = 1;
	pthread_mutex_unlock(&p->mu);
	return 1;
}

/* Print the messages of the next chunk in order and account its lines. */
static void
pool_consume(struct pool *p, uint64_t *lineno)
{
	struct slot *s = &p->slots[p->next_consume % p->nslots];
	size_t i;

	pthread_mutex_lock(&p->mu);
	while (!s->done)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < s->msgs.n; i++) {
		struct msg *m = &s->msgs.v[i];
		msg_print(m->kind, s->file, *lineno + m->lineno,
		    s->msgs.text.p + m->off);
	}
	*lineno += s->nlines;
	s->msgs.n = 0;
	buf_reset(&s->msgs.text);
	p->next_consume++;
}

/*
 * No cut point in CHUNK_MAX bytes: finish the chunks already handed out,
 * then parse the uncut bytes s holds and the rest of the file with the
 * main state, which equals the state at the start of s.
 */
static void
run_rest(struct pool *p, void *state, struct collapse_ctx *cx,
    struct lr *in, struct slot *s, uint64_t lineno)
{
	const struct collapser *c = p->c;
	struct lr mem;

	while (p->next_consume < p->next_fill)
		if (!pool_help(p))
			pool_consume(p, &lineno);
	debug("no place to cut '%s' after line %llu: one thread from there",
	    in->name, (unsigned long long)lineno);
	lr_open_mem(&mem, s->data.p, s->data.len, in->name, lineno);
	feed_lines(c, state, cx, &mem, 0);
	in->lineno = mem.lineno;
	feed_lines(c, state, cx, in, 0);
	if (!cx->failed)
		c->end(state, cx);
}

/*
 * Input with no cut point for this long (perf output without call chains
 * has no blank lines) is not buffered further: the rest of the file is
 * parsed by the main thread alone, so memory stays bounded.
 */
#define CHUNK_MAX (4 * COLLAPSE_CHUNK)

/*
 * lr_chunk's boundary callback has no context argument; only the main
 * thread calls it, so the format's boundary and the give-up flag are
 * kept here.
 */
static size_t (*format_boundary)(const char *p, size_t n);
static int chunk_forced;

static size_t
chunk_boundary(const char *p, size_t n)
{
	size_t cut = format_boundary(p, n);

	if (cut || n < CHUNK_MAX)
		return cut;
	while (n && p[n - 1] != '\n')
		n--;
	chunk_forced = n > 0;
	return n;
}

/*
 * Parse the rest of in (the format is settled) in chunks. The first chunk
 * of a small file is parsed right here, without waking any thread.
 */
static void
run_chunks(struct pool *p, void *state, struct collapse_ctx *cx,
    struct lr *in)
{
	const struct collapser *c = p->c;
	uint64_t lineno = in->lineno;
	int more = 1, announced = 0;

	p->settled = state;
	p->gen++;
	while (more || p->next_consume < p->next_fill) {
		struct slot *s;
		size_t got;

		if (!more || p->next_fill - p->next_consume == p->nslots) {
			if (!pool_help(p))
				pool_consume(p, &lineno);
			continue;
		}
		s = &p->slots[p->next_fill % p->nslots];
		format_boundary = c->boundary;
		chunk_forced = 0;
		got = lr_chunk(in, &s->data, COLLAPSE_CHUNK, chunk_boundary);
		more = got && !(in->eof && in->start == in->end);
		if (UNLIKELY(chunk_forced)) {
			run_rest(p, state, cx, in, s, lineno);
			return;
		}
		if (!more && p->next_fill == p->next_consume) {
			/* All of the rest fits one chunk: no threads needed. */
			struct lr mem;

			lr_open_mem(&mem, s->data.p, s->data.len, in->name,
			    lineno);
			feed_lines(c, state, cx, &mem, 0);
			if (!cx->failed)
				c->end(state, cx);
			in->lineno = mem.lineno;
			cx->in = in;
			return;
		}
		if (!p->started)
			pool_start(p);
		if (!announced++)
			debug("parsing '%s' in chunks with %u threads",
			    in->name, p->nparse);
		s->file = in->name;
		s->gen = p->gen;
		s->last = !more;
		s->done = 0;
		s->msgs.n = 0;
		pthread_mutex_lock(&p->mu);
		p->next_fill++;
		pthread_cond_signal(&p->work);
		pthread_mutex_unlock(&p->mu);
	}
	/*
	 * The worker that parsed the last chunk flushed it; the main state
	 * still gets its end of file, so that per-file state (a header to
	 * skip) starts afresh for the next operand, as without threads.
	 */
	in->lineno = lineno;
	c->end(state, cx);
}

static void
pool_finish(struct pool *p, struct collapse_ctx *main_cx)
{
	unsigned i, j;

	if (p->started) {
		pthread_mutex_lock(&p->mu);
		p->quit = 1;
		pthread_cond_broadcast(&p->work);
		pthread_mutex_unlock(&p->mu);
	}
	for (i = 0; p->started && i < p->nparse; i++) {
		struct worker *w = &p->workers[i];
		struct collapse_ctx *wx = &w->cx;

		if (i + 1 < p->nparse)
			pthread_join(w->th, NULL);
		for (j = 0; j < intern_count(&wx->stacks); j++) {
			struct slice k = intern_key(&wx->stacks, j);
			uint32_t id = intern_put(&main_cx->stacks, k.p, k.n);
			uint64_t n = j < wx->counts.n ? wx->counts.v[j] : 0;
			*u64vec_at_grow(&main_cx->counts, id) += n;
		}
		if (w->has_state)
			p->c->release(w->state);
		free(w->state);
		ctx_release(wx);
	}
	for (i = 0; i < p->nslots; i++) {
		buf_release(&p->slots[i].data);
		buf_release(&p->slots[i].msgs.text);
		free(p->slots[i].msgs.v);
	}
	free(p->slots);
	free(p->workers);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
}

static void
write_stacks(struct collapse_ctx *cx)
{
	const uint32_t *ids = intern_sorted_ids(&cx->stacks);
	uint32_t i, n = intern_count(&cx->stacks);

	for (i = 0; i < n; i++) {
		uint32_t id = ids[i];
		uint64_t count = id < cx->counts.n ? cx->counts.v[id] : 0;
		folded_write(intern_key(&cx->stacks, id), count);
	}
	out_finish();
}

int
collapse_run(const struct collapser *c, const void *opts,
    char *const *files, int nfiles, unsigned nthreads)
{
	static char dash[] = "-";
	char *const stdin_only[] = { dash, NULL };
	struct collapse_ctx cx;
	struct pool pool;
	void *state;
	int i, threads;

	if (nfiles <= 0) {
		files = stdin_only;
		nfiles = 1;
	}
	threads = nthreads > 1 && c->settled && c->clone && c->boundary;
	ctx_init(&cx);
	state = xcalloc(1, c->state_size);
	c->init(state, opts);
	if (threads)
		pool_init(&pool, c, nthreads);
	for (i = 0; i < nfiles; i++) {
		struct lr in;

		lr_open_or_die(&in, files[i]);
		cx.file = in.name;
		if (threads && feed_lines(c, state, &cx, &in, 1))
			run_chunks(&pool, state, &cx, &in);
		else {
			feed_lines(c, state, &cx, &in, 0);
			if (!cx.failed)
				c->end(state, &cx);
		}
		cx.in = NULL;
		lr_close(&in);
	}
	if (threads)
		pool_finish(&pool, &cx);
	c->release(state);
	free(state);
	write_stacks(&cx);
	ctx_release(&cx);
	return EXIT_OK;
}
