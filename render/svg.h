/*
 * svg: the flame graph document, in inferno's structure (element ids,
 * attributes, the fg: namespace the script reads) plus an "ic" button for
 * case-insensitive search and fg:before/fg:after on differential frames.
 *
 * Every name and option text is escaped for where it lands (element text,
 * attribute, comment, JavaScript string, CSS string), so any input gives a
 * well-formed document. Output goes through common/out.h.
 *
 *	svg_begin(&w, &opts, names, total, delta_max, depthmax);
 *	for each frame: svg_frame(&w, &frame);
 *	svg_end(&w);
 */
#ifndef SVG_H
#define SVG_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "color.h"
#include "frames.h"
#include "nameattr.h"
#include "palmap.h"

struct svg_opts {
	const char *title;	/* final text (defaults already applied) */
	const char *subtitle;	/* or NULL */
	const char *notes;	/* "" for none */
	const char *nametype;
	const char *countname;
	const char *fonttype;
	uint64_t width;		/* image width; 1200 when fluid */
	bool fluid;		/* no --width: the script fits the window */
	uint64_t frame_height;
	uint64_t fontsize;
	double fontwidth;
	double factor;		/* --factor, applied to displayed counts */
	bool inverted;
	bool pretty;		/* --pretty-xml */
	bool no_javascript;
	bool truncate_right;
	bool negate;
	bool colordiffusion;
	struct rgb uicolor;
	struct rgb searchcolor;
	bool has_stroke;
	struct rgb stroke;
	enum color_bg bg;
	struct rgb bgflat;
	enum color_palette palette;
	enum color_scheme scheme;
	struct palmap *palmap;		/* --cp, or NULL */
	const struct nameattr *nameattr;	/* --nameattr, or NULL */
};

struct svg {
	const struct svg_opts *o;
	const struct slice *names;	/* frame names by id */
	uint64_t total;		/* samples that make 100% */
	uint64_t delta_max;
	uint64_t height;	/* image height */
	uint64_t ypad1, ypad2;
	double pct_per_sample;	/* 100 / total, computed once as inferno does */
	struct color_rng rng;
	struct buf b;		/* output being assembled */
	struct buf tmp;
	struct buf unit;	/* " COUNTNAME, " escaped, for the tooltips */
};

/*
 * Write everything up to the frames container. total is the 100% of the
 * percentages (normally the sum of all counts, > 0), delta_max the largest
 * |delta| of differential lines, depthmax the deepest frame to draw.
 */
void svg_begin(struct svg *w, const struct svg_opts *o,
    const struct slice *names, uint64_t total, uint64_t delta_max,
    uint32_t depthmax);

/* One frame: wrapper, tooltip, rectangle and label. */
void svg_frame(struct svg *w, const struct frame *f);

/* Close the document and release w (the output is flushed by out_finish). */
void svg_end(struct svg *w);

/* The small document inferno writes when there is nothing to draw. */
void svg_error(const struct svg_opts *o);

#endif
