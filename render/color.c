/*
 * color: the arithmetic follows inferno exactly, including its use of
 * 32-bit floats, because the conformance corpus compares fills of --hash
 * and --deterministic graphs byte for byte.
 */
#include <math.h>
#include <string.h>

#include "color.h"

const char *const color_palette_names[PAL_COUNT] = {
	"aqua", "blue", "green", "hot", "io", "java", "js", "mem", "orange",
	"perl", "python", "purple", "red", "rust", "wakeup", "yellow",
};

int
color_palette_parse(const char *name)
{
	int i;

	for (i = 0; i < PAL_COUNT; i++)
		if (strcmp(name, color_palette_names[i]) == 0)
			return i;
	return -1;
}

static float
rng_next(struct color_rng *rng)
{
	uint64_t x = rng->x;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng->x = x;
	return (float)((double)(x >> 11) * (1.0 / 9007199254740992.0));
}

/*
 * The name hash weights the first three bytes, 1, 0.7 and 0.49, so that
 * names with a common start get similar colours. A module prefix ending in
 * a backquote (not at position 0) is skipped first: "genunix`kmem_free"
 * hashes "kme".
 */
struct namehash {
	float vector, weight, max;
	unsigned mod;
};

static void
namehash_init(struct namehash *h)
{
	h->vector = 0.0f;
	h->weight = 1.0f;
	h->max = 1.0f;
	h->mod = 10;
}

static void
namehash_add(struct namehash *h, unsigned char c)
{
	float i = (float)(c % h->mod);

	h->vector += (i / (float)(h->mod - 1)) * h->weight;
	h->mod++;
	h->max += h->weight;
	h->weight *= 0.70f;
}

/*
 * Hash of p[0..n) read forwards (step 1) or backwards (step -1): the
 * backwards hash is the forward hash of the reversed name.
 */
static float
namehash(const unsigned char *p, size_t n, int backwards)
{
	struct namehash h;
	size_t i = 0, taken;
	int module = 0;

#define AT(k) (backwards ? p[n - 1 - (k)] : p[(k)])
	namehash_init(&h);
	if (n == 0)
		return 1.0f - h.vector / h.max;
	namehash_add(&h, AT(0));
	i = 1;
	for (taken = 0; taken < 2 && i < n; taken++) {
		unsigned char c = AT(i);
		i++;
		if (c == '`') {
			module = 1;
			break;
		}
		namehash_add(&h, c);
	}
	if (!module) {
		while (i < n) {
			if (AT(i) == '`') {
				module = 1;
				i++;
				break;
			}
			i++;
		}
	}
	if (module) {
		namehash_init(&h);
		for (taken = 0; taken < 3 && i < n; taken++, i++)
			namehash_add(&h, AT(i));
	}
#undef AT
	return 1.0f - h.vector / h.max;
}

static bool
contains(struct slice s, const char *needle)
{
	return slice_find(s, slice_cstr(needle)) >= 0;
}

static bool
has_annotation(struct slice s, char kind)
{
	ptrdiff_t ai;

	if (s.n < 4 || s.p[s.n - 1] != ']')
		return false;
	ai = slice_rfind(s, SLICE_LIT("_["));
	return ai >= 0 && s.n - (size_t)ai == 4 && s.p[ai + 2] == kind;
}

static bool
is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

static enum color_palette
resolve_java(struct slice s)
{
	struct slice j = s;

	if (has_annotation(s, 'k'))
		return PAL_ORANGE;
	if (has_annotation(s, 'i'))
		return PAL_AQUA;
	if (has_annotation(s, 'j'))
		return PAL_GREEN;
	if (contains(s, "::") || slice_starts(s, "-[") || slice_starts(s, "+["))
		return PAL_YELLOW;
	if (slice_starts(j, "L"))
		j = slice_from(j, 1);
	if (slice_chr(j, '/') >= 0 ||
	    (slice_chr(j, '.') >= 0 && !slice_starts(j, "[")) ||
	    (j.n && is_upper((unsigned char)j.p[0])))
		return PAL_GREEN;
	return PAL_RED;
}

static enum color_palette
resolve_perl(struct slice s)
{
	if (slice_ends(s, "_[k]"))
		return PAL_ORANGE;
	if (contains(s, "Perl") || contains(s, ".pl"))
		return PAL_GREEN;
	if (contains(s, "::"))
		return PAL_YELLOW;
	return PAL_RED;
}

static bool
all_blank(struct slice s)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (!is_ascii_space((unsigned char)s.p[i]))
			return false;
	return true;
}

static enum color_palette
resolve_js(struct slice s)
{
	ptrdiff_t slash;

	if (s.n && all_blank(s))
		return PAL_GREEN;
	if (slice_ends(s, "_[k]"))
		return PAL_ORANGE;
	if (slice_ends(s, "_[j]"))
		return slice_chr(s, '/') >= 0 ? PAL_GREEN : PAL_AQUA;
	if (contains(s, "::"))
		return PAL_YELLOW;
	if (slice_chr(s, ':') >= 0)
		return PAL_AQUA;
	slash = slice_chr(s, '/');
	if (slash >= 0) {
		struct slice tail = slice_from(s, (size_t)slash);
		if (contains(tail, "node_modules/"))
			return PAL_PURPLE;
		if (contains(tail, ".js"))
			return PAL_GREEN;
	}
	return PAL_RED;
}

/* "python" or "Python", then nothing but digits and dots. */
static bool
is_python_dir(struct slice c)
{
	size_t i;

	if (c.n < 6 || (memcmp(c.p, "python", 6) && memcmp(c.p, "Python", 6)))
		return false;
	for (i = 6; i < c.n; i++)
		if (!is_digit((unsigned char)c.p[i]) && c.p[i] != '.')
			return false;
	return true;
}

static enum color_palette
resolve_python(struct slice s)
{
	bool site = false, py = false;
	size_t i, start = 0;

	for (i = 0; i <= s.n; i++) {
		if (i < s.n && s.p[i] != '/' && s.p[i] != '\\')
			continue;
		struct slice c = slice_make(s.p + start, i - start);
		if (slice_eq_lit(c, "site-packages"))
			site = true;
		else if (is_python_dir(c))
			py = true;
		start = i + 1;
	}
	if (site)
		return PAL_AQUA;
	if (py || slice_starts(s, "<built-in") || slice_starts(s, "<method") ||
	    slice_starts(s, "<frozen"))
		return PAL_YELLOW;
	return PAL_RED;
}

static enum color_palette
resolve_rust(struct slice s)
{
	ptrdiff_t q = slice_chr(s, '`');

	if (q >= 0)
		s = slice_from(s, (size_t)q + 1);
	if (!slice_starts(s, "<core::future::from_generator::GenFuture<T>") &&
	    (slice_starts(s, "core::") || slice_starts(s, "std::") ||
	    slice_starts(s, "alloc::") || slice_starts(s, "<core::") ||
	    slice_starts(s, "<std::") || slice_starts(s, "<alloc::")))
		return PAL_ORANGE;
	if (contains(s, "::"))
		return PAL_AQUA;
	return PAL_YELLOW;
}

/* b + a * v with inferno's float product and truncation to a byte. */
static unsigned char
ch(unsigned base, float a, float v)
{
	float prod = a * v;
	unsigned t = prod <= 0.0f ? 0 : prod >= 255.0f ? 255 : (unsigned)prod;
	return (unsigned char)(base + t);
}

static struct rgb
mix(enum color_palette pal, float v1, float v2, float v3)
{
	struct rgb c;

	switch (pal) {
	case PAL_HOT:
		c.r = ch(205, 50, v3); c.g = ch(0, 230, v1); c.b = ch(0, 55, v2);
		break;
	case PAL_MEM:
		c.r = 0; c.g = ch(190, 50, v2); c.b = ch(0, 210, v1);
		break;
	case PAL_IO:
		c.r = c.g = ch(80, 60, v1); c.b = ch(190, 55, v2);
		break;
	case PAL_RED:
		c.r = ch(200, 55, v1); c.g = c.b = ch(50, 80, v1);
		break;
	case PAL_GREEN:
		c.r = c.b = ch(50, 60, v1); c.g = ch(200, 55, v1);
		break;
	case PAL_BLUE:
		c.r = c.g = ch(80, 60, v1); c.b = ch(205, 50, v1);
		break;
	case PAL_YELLOW:
		c.r = c.g = ch(175, 55, v1); c.b = ch(50, 20, v1);
		break;
	case PAL_PURPLE:
		c.r = c.b = ch(190, 65, v1); c.g = ch(80, 60, v1);
		break;
	case PAL_AQUA:
		c.r = ch(50, 60, v1); c.g = c.b = ch(165, 55, v1);
		break;
	case PAL_ORANGE:
		c.r = ch(190, 65, v1); c.g = ch(90, 65, v1); c.b = 0;
		break;
	default:
		c.r = c.g = c.b = 0;
		break;
	}
	return c;
}

static enum color_palette
resolve(enum color_palette pal, struct slice name)
{
	switch (pal) {
	case PAL_JAVA: return resolve_java(name);
	case PAL_JS: return resolve_js(name);
	case PAL_PERL: return resolve_perl(name);
	case PAL_PYTHON: return resolve_python(name);
	case PAL_RUST: return resolve_rust(name);
	case PAL_WAKEUP: return PAL_AQUA;
	default: return pal;
	}
}

struct rgb
color_for(enum color_palette pal, enum color_scheme scheme,
    struct color_rng *rng, struct slice name)
{
	const unsigned char *u = (const unsigned char *)name.p;
	float v1, v2, v3;

	if (scheme == COLOR_HASH) {
		v1 = namehash(u, name.n, 0);
		v2 = v3 = namehash(u, name.n, 1);
	} else if (scheme == COLOR_DETERMINISTIC) {
		const double umax = 18446744073709551615.0;
		uint64_t h = 0xcbf29ce484222325ull;
		size_t i;

		for (i = 0; i < name.n; i++) {
			h ^= u[i];
			h *= 0x100000001b3ull;
		}
		v1 = (float)((double)h / umax);
		h *= 0x100000001b3ull;
		v2 = (float)((double)h / umax);
		h *= 0x100000001b3ull;
		v3 = (float)((double)h / umax);
	} else {
		v1 = rng_next(rng);
		v2 = rng_next(rng);
		v3 = rng_next(rng);
	}
	return mix(resolve(pal, name), v1, v2, v3);
}

struct rgb
color_scale(int64_t value, uint64_t max)
{
	struct rgb c;
	uint64_t mag, c8;

	if (value == 0) {
		c.r = c.g = c.b = 250;
		return c;
	}
	mag = value > 0 ? (uint64_t)value : (uint64_t)0 - (uint64_t)value;
	if (max == 0)
		max = 1;
	if (mag > max)
		mag = max;
	/*
	 * 150 * (max - mag) / max without overflowing for huge counts; the
	 * quotient is below 150, so a long double keeps it exact enough.
	 */
	if (max - mag <= UINT64_MAX / 150)
		c8 = 100 + 150 * (max - mag) / max;
	else
		c8 = 100 + (uint64_t)((long double)150 * (max - mag) / max);
	if (value > 0) {
		c.r = 255;
		c.g = c.b = (unsigned char)c8;
	} else {
		c.r = c.g = (unsigned char)c8;
		c.b = 255;
	}
	return c;
}

struct rgb
color_diffusion(double width_pct)
{
	double v = sqrt(width_pct / 100.0) * 2000.0;

	if (!(v > 0))
		v = 0;
	return color_scale((int64_t)v, 2000);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
color_parse_hex(const char *s, struct rgb *c)
{
	int v[6], i;

	if (s[0] != '#' || strlen(s) != 7)
		return false;
	for (i = 0; i < 6; i++)
		if ((v[i] = hexval(s[i + 1])) < 0)
			return false;
	c->r = (unsigned char)(v[0] << 4 | v[1]);
	c->g = (unsigned char)(v[2] << 4 | v[3]);
	c->b = (unsigned char)(v[4] << 4 | v[5]);
	return true;
}

bool
color_bg_parse(const char *s, enum color_bg *bg, struct rgb *flat)
{
	if (strcmp(s, "yellow") == 0)
		*bg = BG_YELLOW;
	else if (strcmp(s, "blue") == 0)
		*bg = BG_BLUE;
	else if (strcmp(s, "green") == 0)
		*bg = BG_GREEN;
	else if (strcmp(s, "grey") == 0)
		*bg = BG_GREY;
	else if (color_parse_hex(s, flat))
		*bg = BG_FLAT;
	else
		return false;
	return true;
}

static void
hex_of(const struct rgb *c, char out[8])
{
	static const char d[] = "0123456789abcdef";

	out[0] = '#';
	out[1] = d[c->r >> 4]; out[2] = d[c->r & 15];
	out[3] = d[c->g >> 4]; out[4] = d[c->g & 15];
	out[5] = d[c->b >> 4]; out[6] = d[c->b & 15];
	out[7] = '\0';
}

void
color_background(enum color_bg bg, const struct rgb *flat,
    enum color_palette pal, char stop1[8], char stop2[8])
{
	const char *a, *b;

	if (bg == BG_DEFAULT) {
		switch (pal) {
		case PAL_MEM: bg = BG_GREEN; break;
		case PAL_IO: case PAL_WAKEUP: bg = BG_BLUE; break;
		case PAL_RED: case PAL_GREEN: case PAL_BLUE: case PAL_AQUA:
		case PAL_YELLOW: case PAL_PURPLE: case PAL_ORANGE:
			bg = BG_GREY;
			break;
		default: bg = BG_YELLOW; break;
		}
	}
	switch (bg) {
	case BG_BLUE: a = "#eeeeee"; b = "#e0e0ff"; break;
	case BG_GREEN: a = "#eef2ee"; b = "#e0ffe0"; break;
	case BG_GREY: a = "#f8f8f8"; b = "#e8e8e8"; break;
	case BG_FLAT:
		hex_of(flat, stop1);
		memcpy(stop2, stop1, 8);
		return;
	default: a = "#eeeeee"; b = "#eeeeb0"; break;
	}
	memcpy(stop1, a, 8);
	memcpy(stop2, b, 8);
}
