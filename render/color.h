/*
 * color: frame fills and background gradients, as inferno-flamegraph
 * computes them (palettes, --hash, --deterministic, the default seeded
 * xorshift sequence, differential and --colordiffusion scales).
 *
 * All functions are pure except color_for() with COLOR_RANDOM, which
 * draws three values from the caller's generator; the same generator
 * state and the same calls give the same colours on every platform.
 */
#ifndef COLOR_H
#define COLOR_H

#include <stdbool.h>
#include <stdint.h>
#include "slice.h"

struct rgb {
	unsigned char r, g, b;
};

enum color_palette {
	PAL_AQUA, PAL_BLUE, PAL_GREEN, PAL_HOT, PAL_IO, PAL_JAVA, PAL_JS,
	PAL_MEM, PAL_ORANGE, PAL_PERL, PAL_PYTHON, PAL_PURPLE, PAL_RED,
	PAL_RUST, PAL_WAKEUP, PAL_YELLOW,
	PAL_COUNT
};

/* Palette names in the order above, for usage messages. */
extern const char *const color_palette_names[PAL_COUNT];

/* Where the three palette inputs v1, v2, v3 come from. */
enum color_scheme {
	COLOR_RANDOM,		/* the seeded xorshift sequence (default) */
	COLOR_HASH,		/* --hash: weighted hash of the first bytes */
	COLOR_DETERMINISTIC,	/* --deterministic: FNV-1a of the name */
};

/* inferno's process-wide generator: xorshift64 seeded with 1234. */
struct color_rng {
	uint64_t x;
};
#define COLOR_RNG_INIT { 1234 }

enum color_bg {
	BG_DEFAULT,	/* chosen by the palette */
	BG_YELLOW, BG_BLUE, BG_GREEN, BG_GREY,
	BG_FLAT,	/* one colour for both gradient stops */
};

/* The palette called name, or -1. */
int color_palette_parse(const char *name);

/*
 * The palette colour of a frame named name (raw, annotations included).
 * Grey separators, differential and diffusion colours are the caller's
 * business (see color_scale).
 */
struct rgb color_for(enum color_palette pal, enum color_scheme scheme,
    struct color_rng *rng, struct slice name);

/*
 * The red/blue scale of differential frames: 0 is near-white, value > 0
 * red, value < 0 blue, saturating at |value| == max (max >= 1).
 */
struct rgb color_scale(int64_t value, uint64_t max);

/* --colordiffusion: a frame as wide as width_pct percent of the total. */
struct rgb color_diffusion(double width_pct);

/* "#rrggbb" (either case) into *c; false for anything else. */
bool color_parse_hex(const char *s, struct rgb *c);

/*
 * The two gradient stops as "#rrggbb" (NUL-terminated, 8 bytes each) for
 * bg (flat uses *flat) and palette pal.
 */
void color_background(enum color_bg bg, const struct rgb *flat,
    enum color_palette pal, char stop1[8], char stop2[8]);

/* "yellow", "blue", "green", "grey" or "#rrggbb" into *bg and *flat. */
bool color_bg_parse(const char *s, enum color_bg *bg, struct rgb *flat);

#endif
