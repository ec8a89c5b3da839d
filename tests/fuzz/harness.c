/*
 * harness: see harness.h. Three parts: the allocation tracker behind the
 * -Wl,--wrap=malloc,... link, fz_run() with its exit hook, and the output
 * checkers (UTF-8, folded lines, XML).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "diag.h"
#include "harness.h"
#include "out.h"

/* ---- allocation tracking ------------------------------------------- */

/*
 * The targets are linked with --wrap=malloc (and calloc, realloc, free):
 * the toolkit's calls land here. While a call is running, every live
 * block is kept in an open-addressing set of pointers, so that after an
 * unwinding exit the blocks the code would have left to exit() can be
 * freed. Worker threads allocate too, hence the lock.
 */
void *__real_malloc(size_t n);
void *__real_calloc(size_t nmemb, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t nmemb, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

static atomic_int tracking;
static pthread_mutex_t track_mu = PTHREAD_MUTEX_INITIALIZER;
static uintptr_t *track_v;	/* 0 = empty slot */
static size_t track_cap;	/* power of two */
static size_t track_n;

static size_t
track_slot(uintptr_t p)
{
	return (size_t)(fz_mix((uint64_t)p) & (track_cap - 1));
}

static void track_put(uintptr_t p);

static void
track_grow(void)
{
	uintptr_t *old = track_v;
	size_t i, oldcap = track_cap;

	track_cap = track_cap ? track_cap * 2 : 1024;
	track_v = __real_calloc(track_cap, sizeof(*track_v));
	if (!track_v)
		abort();
	track_n = 0;
	for (i = 0; i < oldcap; i++)
		if (old[i])
			track_put(old[i]);
	__real_free(old);
}

static void
track_put(uintptr_t p)
{
	size_t i;

	if ((track_n + 1) * 2 > track_cap)
		track_grow();
	for (i = track_slot(p); track_v[i]; i = (i + 1) & (track_cap - 1))
		if (track_v[i] == p)
			return;
	track_v[i] = p;
	track_n++;
}

/* Remove p if present, shifting the probe chain back (no tombstones). */
static void
track_del(uintptr_t p)
{
	size_t i, j, k, mask = track_cap - 1;

	if (!track_cap)
		return;
	for (i = track_slot(p); track_v[i] != p; i = (i + 1) & mask)
		if (!track_v[i])
			return;
	track_v[i] = 0;
	track_n--;
	for (j = (i + 1) & mask; track_v[j]; j = (j + 1) & mask) {
		k = track_slot(track_v[j]);
		/* Move j back to i unless its home lies in (i, j]. */
		if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
			track_v[i] = track_v[j];
			track_v[j] = 0;
			i = j;
		}
	}
}

/* Free (or just forget) every tracked block. */
static void
track_clear(bool free_them)
{
	size_t i;

	for (i = 0; i < track_cap; i++) {
		if (track_v[i] && free_them)
			__real_free((void *)track_v[i]);
		track_v[i] = 0;
	}
	track_n = 0;
}

void *
__wrap_malloc(size_t n)
{
	void *p = __real_malloc(n);

	if (p && atomic_load_explicit(&tracking, memory_order_relaxed)) {
		pthread_mutex_lock(&track_mu);
		track_put((uintptr_t)p);
		pthread_mutex_unlock(&track_mu);
	}
	return p;
}

void *
__wrap_calloc(size_t nmemb, size_t size)
{
	void *p = __real_calloc(nmemb, size);

	if (p && atomic_load_explicit(&tracking, memory_order_relaxed)) {
		pthread_mutex_lock(&track_mu);
		track_put((uintptr_t)p);
		pthread_mutex_unlock(&track_mu);
	}
	return p;
}

void *
__wrap_realloc(void *p, size_t n)
{
	void *q;

	if (!atomic_load_explicit(&tracking, memory_order_relaxed))
		return __real_realloc(p, n);
	pthread_mutex_lock(&track_mu);
	q = __real_realloc(p, n);
	if (q) {
		if (p)
			track_del((uintptr_t)p);
		track_put((uintptr_t)q);
	}
	pthread_mutex_unlock(&track_mu);
	return q;
}

void
__wrap_free(void *p)
{
	if (p && atomic_load_explicit(&tracking, memory_order_relaxed)) {
		pthread_mutex_lock(&track_mu);
		track_del((uintptr_t)p);
		pthread_mutex_unlock(&track_mu);
	}
	__real_free(p);
}

/* ---- threads ------------------------------------------------------- */

/*
 * The code starts threads (collapse workers, the flame graph's reader,
 * sort helpers), and any of them may call die(). The real process then
 * just ends; here the main thread has to unwind instead, and no thread
 * of the call may outlive it. So, with --wrap for pthread_create,
 * pthread_join and pthread_cond_wait:
 *   - threads started during a call are recorded;
 *   - an exit in another thread records its status and ends that thread;
 *     the main thread notices at its next wait or join and unwinds as if
 *     it had exited itself;
 *   - while the main thread unwinds, every wait returns to a check that
 *     ends the waiting thread, and the main thread joins them all.
 * Waits are timed (a spurious wakeup is allowed by POSIX, and the code
 * waits in loops), so that nobody sleeps through these flags.
 */
int __real_pthread_create(pthread_t *th, const pthread_attr_t *attr,
    void *(*fn)(void *), void *arg);
int __real_pthread_join(pthread_t th, void **ret);
int __real_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int __wrap_pthread_create(pthread_t *th, const pthread_attr_t *attr,
    void *(*fn)(void *), void *arg);
int __wrap_pthread_join(pthread_t th, void **ret);
int __wrap_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);

bool fz_no_threads;

#define MAX_THREADS 256
static pthread_t threads[MAX_THREADS];
static bool thread_live[MAX_THREADS];
static unsigned nthreads;
static pthread_mutex_t threads_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_int abandon;	/* the main thread is unwinding */
static atomic_int thread_exit;	/* exit status + 1 of another thread */
static pthread_t main_thread;

static void exit_hook(int status);

static bool
in_main(void)
{
	return pthread_equal(pthread_self(), main_thread);
}

/* At a wait or a join: leave if the call is being abandoned. */
static void
check_abandon(pthread_mutex_t *held)
{
	int st;

	if (in_main()) {
		if ((st = atomic_load(&thread_exit)) != 0) {
			if (held)
				pthread_mutex_unlock(held);
			exit_hook(st - 1);
		}
	} else if (atomic_load(&abandon)) {
		if (held)
			pthread_mutex_unlock(held);
		pthread_exit(NULL);
	}
}

int
__wrap_pthread_create(pthread_t *th, const pthread_attr_t *attr,
    void *(*fn)(void *), void *arg)
{
	int err;

	if (!atomic_load(&tracking))
		return __real_pthread_create(th, attr, fn, arg);
	if (fz_no_threads)
		return EAGAIN;
	pthread_mutex_lock(&threads_mu);
	if (nthreads == MAX_THREADS) {
		pthread_mutex_unlock(&threads_mu);
		return EAGAIN;
	}
	err = __real_pthread_create(th, attr, fn, arg);
	if (!err) {
		threads[nthreads] = *th;
		thread_live[nthreads++] = true;
	}
	pthread_mutex_unlock(&threads_mu);
	return err;
}

int
__wrap_pthread_join(pthread_t th, void **ret)
{
	int err = __real_pthread_join(th, ret);
	unsigned i;

	if (!atomic_load(&tracking))
		return err;
	pthread_mutex_lock(&threads_mu);
	for (i = 0; i < nthreads; i++)
		if (thread_live[i] && pthread_equal(threads[i], th))
			thread_live[i] = false;
	pthread_mutex_unlock(&threads_mu);
	check_abandon(NULL);
	return err;
}

int
__wrap_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	struct timespec ts;
	int err;

	if (!atomic_load(&tracking))
		return __real_pthread_cond_wait(c, m);
	check_abandon(m);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 2000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	err = pthread_cond_timedwait(c, m, &ts);
	check_abandon(m);
	return err == ETIMEDOUT ? 0 : err;
}

/* Main thread, unwinding: every other thread of the call must end. */
static void
join_all(void)
{
	unsigned i;

	atomic_store(&abandon, 1);
	for (i = 0; i < nthreads; i++)
		if (thread_live[i]) {
			__real_pthread_join(threads[i], NULL);
			thread_live[i] = false;
		}
}

/* After a normal return: a thread still running is a bug of the code. */
static unsigned
count_live(void)
{
	unsigned i, n = 0;

	for (i = 0; i < nthreads; i++)
		n += thread_live[i];
	return n;
}

/* ---- running the code ---------------------------------------------- */

bool fz_exited;

static bool ready;
static jmp_buf unwind;
static volatile int exit_status;
static int home_fd = -1, scratch_fd = -1;	/* directories */
static char scratch_path[256];
static int out_fd = -1, null_fd = -1;
static FILE *null_file;
static int err_fd = -1;		/* the real stderr, for fz_fail */

static char *out_p;
static size_t out_n, out_cap;
static char *err_p;
static size_t err_n;

/* Descriptors >= fd_low that were open when the call started. */
#define FD_SPAN 256
static int fd_low;
static unsigned char fd_was_open[FD_SPAN];

static void
exit_hook(int status)
{
	if (!in_main()) {
		/* The main thread unwinds when it next waits or joins. */
		int none = 0;

		atomic_compare_exchange_strong(&thread_exit, &none, status + 1);
		pthread_exit(NULL);
	}
	join_all();
	exit_status = status;
	longjmp(unwind, 1);
}

/* Remove a scratch directory and the files in it. */
static void
remove_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(path);
}

static void
remove_scratch(void)
{
	remove_dir(scratch_path);
}

/*
 * A target that crashes (or is killed) leaves its directory behind: every
 * start removes those of processes that are gone.
 */
static void
sweep_scratch(const char *tmp)
{
	DIR *d = opendir(tmp);
	struct dirent *e;
	char path[sizeof(scratch_path)];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		const char *q = e->d_name;
		long pid = 0;

		if (strncmp(q, "fkfuzz.", 7) != 0)
			continue;
		for (q += 7; *q >= '0' && *q <= '9' && pid < 100000000; q++)
			pid = pid * 10 + (*q - '0');
		if (*q || pid <= 0)
			continue;
		/* Ours is left over from an earlier process with our pid. */
		if (pid != (long)getpid() &&
		    !(kill((pid_t)pid, 0) == -1 && errno == ESRCH))
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmp, e->d_name);
		remove_dir(path);
	}
	closedir(d);
}

void
fz_init(void)
{
	const char *tmp = getenv("TMPDIR");

	if (ready)
		return;
	ready = true;
	main_thread = pthread_self();
	err_fd = dup(2);
	if (!tmp || !*tmp)
		tmp = "/tmp";
	sweep_scratch(tmp);
	snprintf(scratch_path, sizeof(scratch_path), "%s/fkfuzz.%ld", tmp,
	    (long)getpid());
	if (mkdir(scratch_path, 0700) != 0) {
		perror("fuzz: scratch directory");
		abort();
	}
	home_fd = open(".", O_RDONLY | O_DIRECTORY);
	scratch_fd = open(scratch_path, O_RDONLY | O_DIRECTORY);
	if (home_fd < 0 || scratch_fd < 0 || fchdir(scratch_fd) != 0) {
		perror("fuzz: scratch directory");
		abort();
	}
	out_fd = open(".out", O_RDWR | O_CREAT | O_TRUNC, 0600);
	null_fd = open("/dev/null", O_WRONLY);
	null_file = fopen("/dev/null", "w");
	if (out_fd < 0 || null_fd < 0 || !null_file || fchdir(home_fd) != 0) {
		perror("fuzz: setup");
		abort();
	}
	diag_exit_hook = exit_hook;
	atexit(remove_scratch);
}

static bool
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static void
fd_snapshot(void)
{
	int i, gap = 0;

	fd_low = dup(0);	/* the lowest free descriptor */
	if (fd_low >= 0)
		close(fd_low);
	else
		fd_low = 3;
	memset(fd_was_open, 0, sizeof(fd_was_open));
	/* Above the lowest free one, open descriptors are rare: stop at a gap. */
	for (i = 1; i < FD_SPAN && gap < 16; i++) {
		fd_was_open[i] = fd_open(fd_low + i);
		gap = fd_was_open[i] ? 0 : gap + 1;
	}
}

static void
fd_close_new(void)
{
	int i;

	for (i = 0; i < FD_SPAN; i++)
		if (!fd_was_open[i] && fd_open(fd_low + i))
			close(fd_low + i);
}

static void
read_out(void)
{
	off_t end = lseek(out_fd, 0, SEEK_END);
	size_t n = end > 0 ? (size_t)end : 0;
	ssize_t r;

	if (n + 1 > out_cap) {
		out_cap = n + 1;
		out_p = realloc(out_p, out_cap);
		if (!out_p)
			abort();
	}
	out_n = 0;
	while (out_n < n) {
		r = pread(out_fd, out_p + out_n, n - out_n, (off_t)out_n);
		if (r <= 0)
			break;
		out_n += (size_t)r;
	}
	out_p[out_n] = '\0';
}

int
fz_run(int (*fn)(void *), void *arg, unsigned flags)
{
	FILE *saved_err = stderr;
	FILE *mem = NULL;
	volatile int ret = 0;

	fz_init();
	free(err_p);
	err_p = NULL;
	err_n = 0;
	out_n = 0;

	/* Static state a fresh process would have. */
	optind = 0;		/* glibc: a full reset of getopt */
	opterr = 1;
	optopt = 0;
	optarg = NULL;
	diag_level = DIAG_WARN;
	out_stdout.len = 0;
	if (flags & FZ_OUT) {
		if (ftruncate(out_fd, 0) != 0 || lseek(out_fd, 0, SEEK_SET) != 0)
			abort();
		out_stdout.fd = out_fd;
	} else {
		out_stdout.fd = null_fd;
	}
	if (flags & FZ_ERR)
		mem = open_memstream(&err_p, &err_n);
#ifdef __GLIBC__
	stderr = mem ? mem : null_file;
#endif
	fd_snapshot();
	if (fchdir(scratch_fd) != 0)
		abort();

	nthreads = 0;
	atomic_store(&abandon, 0);
	atomic_store(&thread_exit, 0);
	atomic_store(&tracking, 1);
	if (setjmp(unwind) == 0) {
		ret = fn(arg);
		fz_exited = false;
		if (count_live())
			fz_fail("%u threads still running after the call returned",
			    count_live());
	} else {
		ret = exit_status;
		fz_exited = true;
	}
	atomic_store(&tracking, 0);
	track_clear(fz_exited);
	if (fz_exited)
		fd_close_new();

	if (fchdir(home_fd) != 0)
		abort();
#ifdef __GLIBC__
	stderr = saved_err;
#endif
	(void)saved_err;
	if (mem)
		fclose(mem);	/* err_p, err_n now hold the text */
	if (flags & FZ_OUT)
		read_out();
	out_stdout.fd = null_fd;
	return ret;
}

size_t
fz_block_size(uint64_t seed)
{
	uint64_t r = fz_mix(seed ^ 0x9e3779b97f4a7c15ull);

	if (r & 1)
		return (size_t)1 << 20;
	return 2 + (size_t)((r >> 1) % 4096);
}

struct slice
fz_out(void)
{
	return slice_make(out_p ? out_p : "", out_n);
}

struct slice
fz_err(void)
{
	return slice_make(err_p ? err_p : "", err_n);
}

const char *
fz_write_file(const char *name, const void *p, size_t n)
{
	int fd;
	const char *s = p;

	fz_init();
	fd = openat(scratch_fd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		abort();
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			abort();
		s += w;
		n -= (size_t)w;
	}
	close(fd);
	return name;
}

int
fz_open_file(const char *name)
{
	int fd;

	fz_init();
	if ((fd = openat(scratch_fd, name, O_RDONLY)) < 0)
		abort();
	return fd;
}

void
fz_remove_file(const char *name)
{
	fz_init();
	unlinkat(scratch_fd, name, 0);
}

_Noreturn void
fz_fail(const char *fmt, ...)
{
	va_list ap;
	int fd = err_fd >= 0 ? err_fd : 2;

	dprintf(fd, "\n==fuzz== broken invariant: ");
	va_start(ap, fmt);
	vdprintf(fd, fmt, ap);
	va_end(ap);
	dprintf(fd, "\n");
	abort();
}

/* ---- checkers ------------------------------------------------------ */

/*
 * Decode one UTF-8 sequence at p[0, n); returns its length and the code
 * point, or 0 when it is not a valid shortest form of a scalar value.
 */
static size_t
utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	uint32_t c = p[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

bool
fz_utf8_valid(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, len;
	uint32_t cp;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if (!(len = utf8_decode(u + i, n - i, &cp)))
			return false;
		i += len;
	}
	return true;
}

static char check_msg[512];

static const char *
checkf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const char *
checkf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(check_msg, sizeof(check_msg), fmt, ap);
	va_end(ap);
	return check_msg;
}

/* Parse a plain decimal count in p[0, n): no sign, no leading zero. */
static bool
parse_count(const char *p, size_t n, uint64_t *v)
{
	size_t i;

	*v = 0;
	if (n == 0 || (n > 1 && p[0] == '0'))
		return false;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned char)p[i] - '0';
		if (d > 9 || *v > (UINT64_MAX - d) / 10)
			return false;
		*v = *v * 10 + d;
	}
	return true;
}

static int
stack_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

const char *
fz_check_folded(const char *p, size_t n, int ncounts, bool positive)
{
	const char *prev = NULL, *line = p, *end = p + n;
	size_t prevn = 0, lineno = 0;

	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t len, sp;
		uint64_t v;
		int k;

		lineno++;
		if (!nl)
			return checkf("line %zu: no final newline", lineno);
		len = (size_t)(nl - line);
		for (k = 0; k < ncounts; k++) {
			for (sp = len; sp && line[sp - 1] != ' '; sp--)
				;
			if (!sp)
				return checkf("line %zu: no space before a count",
				    lineno);
			if (!parse_count(line + sp, len - sp, &v))
				return checkf("line %zu: bad count '%.*s'", lineno,
				    (int)(len - sp), line + sp);
			if (k == 0 && positive && v == 0)
				return checkf("line %zu: count 0", lineno);
			len = sp - 1;
		}
		if (prev && stack_cmp(prev, prevn, line, len) >= 0)
			return checkf("line %zu: stack not after the one before "
			    "(unsorted or duplicate)", lineno);
		prev = line;
		prevn = len;
		line = nl + 1;
	}
	return NULL;
}

/*
 * XML. The document is checked in two passes: characters (UTF-8, XML
 * Char), then structure, byte by byte (multi-byte characters are >= 0x80
 * and count as name characters, which is all the structure needs).
 */
struct xml {
	const char *p;
	size_t n, i;
	const char *err;
	/* Open elements: name offsets; declared prefixes, with the depth. */
	struct xml_el { size_t off, len, nprefix; } *el;
	size_t nel, capel;
	struct xml_ns { size_t off, len; } *ns;
	size_t nns, capns;
};

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':' || c >= 0x80;
}

static bool
is_name_char(unsigned char c)
{
	return is_name_start(c) || c == '-' || c == '.' ||
	    (c >= '0' && c <= '9');
}

static const char *
xml_err(struct xml *x, const char *what)
{
	char near[48];
	size_t i, k = 0;

	for (i = x->i; i < x->n && k < sizeof(near) - 1 && i < x->i + 40; i++)
		near[k++] = x->p[i] >= 0x20 && x->p[i] < 0x7f ? x->p[i] : '?';
	near[k] = '\0';
	x->err = checkf("byte %zu: %s (near '%s')", x->i, what, near);
	return x->err;
}

static bool
xml_lit(struct xml *x, const char *s)
{
	size_t k = strlen(s);

	if (x->n - x->i >= k && memcmp(x->p + x->i, s, k) == 0) {
		x->i += k;
		return true;
	}
	return false;
}

static void
xml_skip_ws(struct xml *x)
{
	while (x->i < x->n && is_ws(x->p[x->i]))
		x->i++;
}

/* A Name; its colon rules are checked by xml_qname. */
static bool
xml_name(struct xml *x, size_t *off, size_t *len)
{
	size_t s = x->i;

	if (s >= x->n || !is_name_start((unsigned char)x->p[s]))
		return false;
	while (x->i < x->n && is_name_char((unsigned char)x->p[x->i]))
		x->i++;
	*off = s;
	*len = x->i - s;
	return true;
}

/* QName = NCName (':' NCName)?; sets *plen to the prefix length or 0. */
static bool
xml_qname(const char *p, size_t len, size_t *plen)
{
	const char *c = memchr(p, ':', len);

	*plen = 0;
	if (!c)
		return true;
	if (c == p || c == p + len - 1 || memchr(c + 1, ':', len - (size_t)(c - p) - 1))
		return false;
	if (!is_name_start((unsigned char)c[1]) || c[1] == ':')
		return false;
	*plen = (size_t)(c - p);
	return true;
}

static bool
xml_prefix_known(struct xml *x, const char *p, size_t len)
{
	size_t i;

	if (len == 3 && memcmp(p, "xml", 3) == 0)
		return true;
	for (i = 0; i < x->nns; i++)
		if (x->ns[i].len == len && memcmp(x->p + x->ns[i].off, p, len) == 0)
			return true;
	return false;
}

/* Check one reference after '&'; x->i is at the '&'. */
static bool
xml_ref(struct xml *x)
{
	static const char *const named[] = { "amp;", "lt;", "gt;", "quot;",
		"apos;" };
	size_t k;
	uint32_t v = 0;
	int digits = 0;

	x->i++;
	if (xml_lit(x, "#x")) {
		while (x->i < x->n && x->p[x->i] != ';') {
			char c = x->p[x->i++];
			unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
			    c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
			    c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 99;
			if (d == 99 || v > 0x10ffff)
				return !xml_err(x, "bad hex character reference");
			v = v * 16 + d;
			digits++;
		}
	} else if (xml_lit(x, "#")) {
		while (x->i < x->n && x->p[x->i] != ';') {
			char c = x->p[x->i++];
			if (c < '0' || c > '9' || v > 0x10ffff)
				return !xml_err(x, "bad character reference");
			v = v * 10 + (uint32_t)(c - '0');
			digits++;
		}
	} else {
		for (k = 0; k < sizeof(named) / sizeof(*named); k++)
			if (xml_lit(x, named[k]))
				return true;
		return !xml_err(x, "'&' that is not a predefined entity or "
		    "character reference");
	}
	if (x->i >= x->n || !digits)
		return !xml_err(x, "unterminated character reference");
	x->i++;
	if (!(v == 0x9 || v == 0xa || v == 0xd || (v >= 0x20 && v <= 0xd7ff) ||
	    (v >= 0xe000 && v <= 0xfffd) || (v >= 0x10000 && v <= 0x10ffff)))
		return !xml_err(x, "character reference to a non-XML character");
	return true;
}

/* After "<!--": the first "--" must be the end, "-->". */
static bool
xml_comment(struct xml *x)
{
	size_t i;

	for (i = x->i; i + 1 < x->n; i++) {
		if (x->p[i] != '-' || x->p[i + 1] != '-')
			continue;
		x->i = i + 2;
		if (x->i < x->n && x->p[x->i] == '>') {
			x->i++;
			return true;
		}
		return !xml_err(x, "'--' inside a comment");
	}
	return !xml_err(x, "unterminated comment");
}

static bool
xml_find(struct xml *x, const char *end, const char *what)
{
	size_t k = strlen(end);

	for (; x->i + k <= x->n; x->i++)
		if (memcmp(x->p + x->i, end, k) == 0) {
			x->i += k;
			return true;
		}
	return !xml_err(x, what);
}

static bool
xml_pi(struct xml *x)	/* after "<?" */
{
	size_t off, len;

	if (!xml_name(x, &off, &len))
		return !xml_err(x, "processing instruction without a target");
	if (len == 3 && (x->p[off] | 0x20) == 'x' && (x->p[off + 1] | 0x20) == 'm' &&
	    (x->p[off + 2] | 0x20) == 'l')
		return !xml_err(x, "XML declaration not at the start");
	return xml_find(x, "?>", "unterminated processing instruction");
}

static bool
xml_misc(struct xml *x, bool prolog)
{
	for (;;) {
		xml_skip_ws(x);
		if (xml_lit(x, "<!--")) {
			if (!xml_comment(x))
				return false;
		} else if (xml_lit(x, "<?")) {
			if (!xml_pi(x))
				return false;
		} else if (prolog && xml_lit(x, "<!DOCTYPE")) {
			char q = 0;
			int depth = 0;

			for (; x->i < x->n; x->i++) {
				char c = x->p[x->i];
				if (q) {
					if (c == q)
						q = 0;
				} else if (c == '"' || c == '\'') {
					q = c;
				} else if (c == '[') {
					depth++;
				} else if (c == ']') {
					depth--;
				} else if (c == '>' && depth <= 0) {
					break;
				}
			}
			if (x->i >= x->n)
				return !xml_err(x, "unterminated DOCTYPE");
			x->i++;
			prolog = false;
		} else {
			return true;
		}
	}
}

static bool
xml_grow(void **v, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return true;
	*cap = need * 2;
	*v = realloc(*v, *cap * size);
	return *v != NULL;
}

/* A start tag after its '<'; pushes the element unless it is empty. */
static bool
xml_start_tag(struct xml *x, bool *empty)
{
	struct attr { size_t off, len; } attrs[256];
	size_t nattrs = 0, off, len, plen, i, ns0 = x->nns;

	if (!xml_name(x, &off, &len))
		return !xml_err(x, "'<' not followed by a name");
	for (;;) {
		size_t ws = x->i, aoff, alen;
		char q;

		xml_skip_ws(x);
		if (xml_lit(x, "/>")) {
			*empty = true;
			break;
		}
		if (xml_lit(x, ">")) {
			*empty = false;
			break;
		}
		if (ws == x->i)
			return !xml_err(x, "no blank before an attribute");
		if (!xml_name(x, &aoff, &alen))
			return !xml_err(x, "bad attribute name");
		xml_skip_ws(x);
		if (!xml_lit(x, "="))
			return !xml_err(x, "attribute without '='");
		xml_skip_ws(x);
		if (x->i >= x->n || (x->p[x->i] != '"' && x->p[x->i] != '\''))
			return !xml_err(x, "unquoted attribute value");
		q = x->p[x->i++];
		while (x->i < x->n && x->p[x->i] != q) {
			if (x->p[x->i] == '<')
				return !xml_err(x, "'<' in an attribute value");
			if (x->p[x->i] == '&') {
				if (!xml_ref(x))
					return false;
			} else {
				x->i++;
			}
		}
		if (x->i >= x->n)
			return !xml_err(x, "unterminated attribute value");
		x->i++;
		for (i = 0; i < nattrs; i++)
			if (attrs[i].len == alen &&
			    memcmp(x->p + attrs[i].off, x->p + aoff, alen) == 0)
				return !xml_err(x, "attribute given twice");
		if (nattrs == sizeof(attrs) / sizeof(*attrs))
			return !xml_err(x, "too many attributes for the checker");
		attrs[nattrs].off = aoff;
		attrs[nattrs++].len = alen;
		if (alen > 6 && memcmp(x->p + aoff, "xmlns:", 6) == 0) {
			if (!xml_grow((void **)&x->ns, &x->capns, x->nns + 1,
			    sizeof(*x->ns)))
				abort();
			x->ns[x->nns].off = aoff + 6;
			x->ns[x->nns++].len = alen - 6;
		}
	}
	/* Prefixes may be declared by later attributes of the same tag. */
	if (!xml_qname(x->p + off, len, &plen) ||
	    (plen && !xml_prefix_known(x, x->p + off, plen)))
		return !xml_err(x, "element name with an undeclared or bad "
		    "prefix");
	for (i = 0; i < nattrs; i++) {
		const char *a = x->p + attrs[i].off;

		if (!xml_qname(a, attrs[i].len, &plen))
			return !xml_err(x, "attribute name with a bad colon");
		if (plen && !(plen == 5 && memcmp(a, "xmlns", 5) == 0) &&
		    !xml_prefix_known(x, a, plen))
			return !xml_err(x, "attribute with an undeclared prefix");
	}
	if (*empty) {
		x->nns = ns0;
		return true;
	}
	if (!xml_grow((void **)&x->el, &x->capel, x->nel + 1, sizeof(*x->el)))
		abort();
	x->el[x->nel].off = off;
	x->el[x->nel].len = len;
	x->el[x->nel++].nprefix = ns0;
	return true;
}

const char *
fz_check_xml(const char *p, size_t n)
{
	struct xml x;
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, len;
	uint32_t cp;
	bool empty;
	const char *ret = NULL;

	while (i < n) {
		if (!(len = utf8_decode(u + i, n - i, &cp)))
			return checkf("byte %zu: invalid UTF-8", i);
		if (!(cp == 0x9 || cp == 0xa || cp == 0xd ||
		    (cp >= 0x20 && cp <= 0xd7ff) ||
		    (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000))
			return checkf("byte %zu: U+%04X is not an XML character",
			    i, (unsigned)cp);
		i += len;
	}

	memset(&x, 0, sizeof(x));
	x.p = p;
	x.n = n;
	if (xml_lit(&x, "<?xml") && !xml_find(&x, "?>", "unterminated XML "
	    "declaration"))
		goto done;
	if (!xml_misc(&x, true))
		goto done;
	if (!xml_lit(&x, "<")) {
		xml_err(&x, "no root element");
		goto done;
	}
	if (!xml_start_tag(&x, &empty))
		goto done;
	while (x.nel) {
		/* Character data up to the next '<'. */
		while (x.i < x.n && x.p[x.i] != '<') {
			if (x.p[x.i] == '&') {
				if (!xml_ref(&x))
					goto done;
			} else if (x.p[x.i] == ']' && x.n - x.i >= 3 &&
			    memcmp(x.p + x.i, "]]>", 3) == 0) {
				xml_err(&x, "']]>' in text");
				goto done;
			} else {
				x.i++;
			}
		}
		if (x.i >= x.n) {
			xml_err(&x, "document ends inside an element");
			goto done;
		}
		if (xml_lit(&x, "</")) {
			struct xml_el *e = &x.el[x.nel - 1];
			size_t off, nlen;

			if (!xml_name(&x, &off, &nlen) || nlen != e->len ||
			    memcmp(x.p + off, x.p + e->off, nlen) != 0) {
				xml_err(&x, "end tag does not match the start tag");
				goto done;
			}
			xml_skip_ws(&x);
			if (!xml_lit(&x, ">")) {
				xml_err(&x, "end tag without '>'");
				goto done;
			}
			x.nns = e->nprefix;
			x.nel--;
		} else if (xml_lit(&x, "<!--")) {
			if (!xml_comment(&x))
				goto done;
		} else if (xml_lit(&x, "<![CDATA[")) {
			if (!xml_find(&x, "]]>", "unterminated CDATA section"))
				goto done;
		} else if (xml_lit(&x, "<?")) {
			if (!xml_pi(&x))
				goto done;
		} else if (xml_lit(&x, "<!")) {
			xml_err(&x, "markup declaration inside the root element");
			goto done;
		} else {
			x.i++;	/* '<' */
			if (!xml_start_tag(&x, &empty))
				goto done;
		}
	}
	if (!xml_misc(&x, false))
		goto done;
	if (x.i != x.n)
		xml_err(&x, "data after the root element");
done:
	ret = x.err;
	free(x.el);
	free(x.ns);
	return ret;
}
