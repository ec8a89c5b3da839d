/*
 * svg: each frame is assembled in a reused buffer and handed to the output
 * stream in one piece; numbers are formatted here, not with printf, since
 * a graph can have hundreds of thousands of frames.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "out.h"
#include "svg.h"

#include "assets.inc"

#define XPAD 10
#define FRAMEPAD 1

/*
 * Numbers.
 */

static void
put_u64(struct buf *b, uint64_t v)
{
	char d[20];
	size_t n = 0;

	do {
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_add(b, d + sizeof(d) - n, n);
}

/* v with thousands separators: 598,400. */
static void
put_commas(struct buf *b, uint64_t v)
{
	char d[32];
	size_t n = 0, digits = 0;

	do {
		if (digits && digits % 3 == 0)
			d[sizeof(d) - 1 - n++] = ',';
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
		digits++;
		v /= 10;
	} while (v);
	buf_add(b, d + sizeof(d) - n, n);
}

/*
 * v >= 0 with exactly dec decimals, rounded like Rust's {:.N}: to the
 * nearest, ties to even, decided on the exact binary value. The product
 * v * 10^dec is rounded by the multiplication; fma gives its exact error,
 * so a value that only looks like a tie is not mistaken for one.
 */
static void
put_fixed_abs(struct buf *b, double v, int dec)
{
	static const double scale[] = { 1, 10, 100, 1000, 10000 };
	static const uint64_t iscale[] = { 1, 10, 100, 1000, 10000 };
	double s = scale[dec], q = v * s, f, t, err;
	uint64_t r, ip, fp;
	char d[8];
	int i;

	if (!(q < 9.0e15)) {
		char tmp[400];
		int n = snprintf(tmp, sizeof(tmp), "%.*f", dec, v);
		buf_add(b, tmp, n > 0 ? (size_t)n : 0);
		return;
	}
	f = floor(q);
	err = fma(v, s, -q);
	t = (q - f) - 0.5 + err;
	r = (uint64_t)f;
	if (t > 0 || (t == 0 && (r & 1)))
		r++;
	ip = r / iscale[dec];
	fp = r % iscale[dec];
	put_u64(b, ip);
	if (dec) {
		buf_addc(b, '.');
		for (i = dec - 1; i >= 0; i--) {
			d[i] = (char)('0' + fp % 10);
			fp /= 10;
		}
		buf_add(b, d, (size_t)dec);
	}
}

static void
put_fixed(struct buf *b, double v, int dec)
{
	if (isnan(v)) {
		buf_add(b, "NaN", 3);
		return;
	}
	if (signbit(v)) {
		buf_addc(b, '-');
		v = -v;
	}
	if (isinf(v)) {
		buf_add(b, "inf", 3);
		return;
	}
	put_fixed_abs(b, v, dec);
}

/* Half-pixel values (y of labels) with two decimals: 175.50. */
static void
put_half(struct buf *b, uint64_t twice)
{
	put_u64(b, twice / 2);
	buf_add(b, twice % 2 ? ".50" : ".00", 3);
}

/* The shortest text that reads back as v (JavaScript number syntax). */
static void
put_shortest(struct buf *b, double v)
{
	char tmp[64];
	int prec, n = 0;

	for (prec = 1; prec <= 17; prec++) {
		n = snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	buf_add(b, tmp, n > 0 ? (size_t)n : 0);
}

static void
put_rgb(struct buf *b, struct rgb c)
{
	buf_add(b, "rgb(", 4);
	put_u64(b, c.r);
	buf_addc(b, ',');
	put_u64(b, c.g);
	buf_addc(b, ',');
	put_u64(b, c.b);
	buf_addc(b, ')');
}

/*
 * Layout helpers: in --pretty-xml mode every element starts on its own
 * line, indented 4 spaces per level; otherwise nothing separates them.
 */
static void
nl(struct svg *w, int level)
{
	if (!w->o->pretty)
		return;
	buf_addc(&w->b, '\n');
	while (level-- > 0)
		buf_add(&w->b, "    ", 4);
}

static void
flush_buf(struct buf *b)
{
	out_write(b->p, b->len);
	buf_reset(b);
}

static void
put_text(struct buf *b, const char *s)
{
	escape_xml_text(b, s, strlen(s));
}

/*
 * The document head: declaration, <svg>, the two comments. Shared with
 * the error document.
 */
static void
put_head(struct svg *w, uint64_t height)
{
	const struct svg_opts *o = w->o;
	struct buf *b = &w->b;

	buf_adds(b, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
	    "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
	    "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n"
	    "<svg version=\"1.1\" width=\"");
	put_u64(b, o->width);
	buf_adds(b, "\" height=\"");
	put_u64(b, height);
	buf_adds(b, "\" onload=\"init(evt)\" viewBox=\"0 0 ");
	put_u64(b, o->width);
	buf_addc(b, ' ');
	put_u64(b, height);
	buf_adds(b, "\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
	    "xmlns:fg=\"http://github.com/jonhoo/inferno\">");
	nl(w, 1);
	buf_adds(b, "<!--Flame graph stack visualization. See "
	    "https://github.com/brendangregg/FlameGraph for latest version, "
	    "and http://www.brendangregg.com/flamegraphs.html for "
	    "examples.-->");
	nl(w, 1);
	buf_adds(b, "<!--NOTES: ");
	escape_xml_comment(b, o->notes, strlen(o->notes));
	buf_adds(b, "-->");
}

static bool
generic_font(const char *f)
{
	static const char *const generic[] = {
		"cursive", "fantasy", "monospace", "serif", "sans-serif",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(generic); i++)
		if (strcmp(f, generic[i]) == 0)
			return true;
	return false;
}

static void
put_style(struct svg *w)
{
	const struct svg_opts *o = w->o;
	struct buf *css = &w->tmp;

	buf_reset(css);
	buf_adds(css, "\ntext { font-family:");
	if (generic_font(o->fonttype)) {
		buf_adds(css, o->fonttype);
	} else {
		buf_addc(css, '"');
		escape_css_str(css, o->fonttype, strlen(o->fonttype));
		buf_addc(css, '"');
	}
	buf_adds(css, "; font-size:");
	put_u64(css, o->fontsize);
	buf_adds(css, "px }\n#title { text-anchor:middle; font-size:");
	put_u64(css, o->fontsize + 5);
	buf_adds(css, "px; }\n");
	if (o->has_stroke) {
		buf_adds(css, "#frames > g > rect { stroke:");
		put_rgb(css, o->stroke);
		buf_adds(css, "; stroke-width:1; }\n");
	}
	buf_adds(css, "#matched { text-anchor:end; }\n"
	    "#search { text-anchor:end; opacity:0.1; cursor:pointer; }\n"
	    "#search:hover, #search.show { opacity:1; }\n"
	    "#subtitle { text-anchor:middle; font-color:rgb(160,160,160); }\n"
	    "#unzoom { cursor:pointer; }\n"
	    "#frames > *:hover { stroke:black; stroke-width:0.5; "
	    "cursor:pointer; }\n"
	    ".hide { display:none; }\n"
	    ".parent { opacity:0.5; }\n");
	buf_adds(css, asset_flamegraph_css);
	if (css->len && css->p[css->len - 1] != '\n')
		buf_addc(css, '\n');
	nl(w, 1);
	buf_adds(&w->b, "<style type=\"text/css\">");
	escape_xml_text(&w->b, css->p, css->len);
	buf_adds(&w->b, "</style>");
}

/* A CDATA section holding text, split wherever text contains "]]>". */
static void
put_cdata(struct buf *b, const char *text)
{
	const char *end;

	buf_adds(b, "<![CDATA[");
	while ((end = strstr(text, "]]>")) != NULL) {
		buf_add(b, text, (size_t)(end - text) + 2);
		buf_adds(b, "]]><![CDATA[");
		text = end + 2;
	}
	buf_adds(b, text);
	buf_adds(b, "]]>");
}

static void
put_var_str(struct buf *b, const char *name, const char *value, size_t n)
{
	buf_adds(b, "        var ");
	buf_adds(b, name);
	buf_adds(b, " = '");
	escape_js_str(b, value, n);
	buf_adds(b, "';\n");
}

static void
put_var_bool(struct buf *b, const char *name, bool v)
{
	buf_adds(b, "        var ");
	buf_adds(b, name);
	buf_adds(b, v ? " = true;\n" : " = false;\n");
}

static void
put_script(struct svg *w)
{
	const struct svg_opts *o = w->o;
	struct buf *b = &w->b, *t = &w->tmp;

	nl(w, 1);
	buf_adds(b, "<script type=\"text/ecmascript\"><![CDATA[\n");
	put_var_str(b, "nametype", o->nametype, strlen(o->nametype));
	buf_adds(b, "        var fontsize = ");
	put_u64(b, o->fontsize);
	buf_adds(b, ";\n        var fontwidth = ");
	put_shortest(b, o->fontwidth);
	buf_adds(b, ";\n        var xpad = 10;\n");
	put_var_bool(b, "inverted", o->inverted);
	buf_reset(t);
	put_rgb(t, o->searchcolor);
	put_var_str(b, "searchcolor", t->p, t->len);
	put_var_bool(b, "fluiddrawing", o->fluid);
	put_var_bool(b, "truncate_text_right", o->truncate_right);
	buf_adds(b, "    ]]>");
	if (!o->no_javascript)
		put_cdata(b, asset_flamegraph_js);
	buf_adds(b, "</script>");
}

/* <text id="ID" fill="UI" x="X" y="Y">TEXT</text>, x already formatted. */
static void
put_ui_text(struct svg *w, const char *id, bool fill, const char *x,
    uint64_t y2, const char *text, bool hidden)
{
	struct buf *b = &w->b;

	nl(w, 1);
	buf_adds(b, "<text id=\"");
	buf_adds(b, id);
	buf_addc(b, '"');
	if (hidden)
		buf_adds(b, " class=\"hide\"");
	if (fill) {
		buf_adds(b, " fill=\"");
		put_rgb(b, w->o->uicolor);
		buf_addc(b, '"');
	}
	buf_adds(b, " x=\"");
	buf_adds(b, x);
	buf_adds(b, "\" y=\"");
	put_half(b, y2);
	buf_adds(b, "\">");
	put_text(b, text);
	buf_adds(b, "</text>");
}

void
svg_begin(struct svg *w, const struct svg_opts *o,
    const struct slice *names, uint64_t total, uint64_t delta_max,
    uint32_t depthmax)
{
	struct buf *b;
	uint64_t fs = o->fontsize, bottom;
	char x[32], stop1[8], stop2[8];
	int64_t sx;

	memset(w, 0, sizeof(*w));
	w->o = o;
	w->names = names;
	w->total = total;
	w->delta_max = delta_max;
	w->rng.x = 1234;
	buf_init(&w->b);
	buf_init(&w->tmp);
	buf_init(&w->unit);
	buf_addc(&w->unit, ' ');
	put_text(&w->unit, o->countname);
	buf_add(&w->unit, ", ", 2);
	b = &w->b;
	w->pct_per_sample = 100.0 / (double)total;
	if (o->inverted) {
		w->ypad1 = 4 * fs + (o->subtitle ? 2 * fs : 0) + 4;
		w->ypad2 = fs + 10;
	} else {
		w->ypad1 = 3 * fs + (o->subtitle ? 2 * fs : 0);
		w->ypad2 = 2 * fs + 10;
	}
	w->height = ((uint64_t)depthmax + 1) * o->frame_height + w->ypad1 +
	    w->ypad2;

	put_head(w, w->height);
	color_background(o->bg, &o->bgflat, o->palette, stop1, stop2);
	nl(w, 1);
	buf_adds(b, "<defs>");
	nl(w, 2);
	buf_adds(b, "<linearGradient id=\"background\" y1=\"0\" y2=\"1\" "
	    "x1=\"0\" x2=\"0\">");
	nl(w, 3);
	buf_adds(b, "<stop stop-color=\"");
	buf_adds(b, stop1);
	buf_adds(b, "\" offset=\"5%\"/>");
	nl(w, 3);
	buf_adds(b, "<stop stop-color=\"");
	buf_adds(b, stop2);
	buf_adds(b, "\" offset=\"95%\"/>");
	nl(w, 2);
	buf_adds(b, "</linearGradient>");
	nl(w, 1);
	buf_adds(b, "</defs>");
	put_style(w);
	put_script(w);

	nl(w, 1);
	buf_adds(b, "<rect x=\"0\" y=\"0\" width=\"100%\" height=\"");
	put_u64(b, w->height);
	buf_adds(b, "\" fill=\"url(#background)\"/>");
	put_ui_text(w, "title", true, "50.0000%", 4 * fs, o->title, false);
	if (o->subtitle) {
		nl(w, 1);
		buf_adds(b, "<text id=\"subtitle\" x=\"50.0000%\" y=\"");
		put_half(b, 8 * fs);
		buf_adds(b, "\">");
		put_text(b, o->subtitle);
		buf_adds(b, "</text>");
	}
	bottom = o->inverted ? w->ypad1 - fs : w->height - w->ypad2 / 2;
	put_ui_text(w, "details", true, "10", 2 * bottom, " ", false);
	put_ui_text(w, "unzoom", true, "10", 4 * fs, "Reset Zoom", true);
	/* Search sits left of the "ic" (ignore case) button. */
	sx = (int64_t)o->width - XPAD - 2 * (int64_t)fs;
	snprintf(x, sizeof(x), "%lld", (long long)sx);
	put_ui_text(w, "search", true, x, 4 * fs, "Search", false);
	snprintf(x, sizeof(x), "%lld", (long long)o->width - XPAD);
	put_ui_text(w, "ignorecase", true, x, 4 * fs, "ic", false);
	put_ui_text(w, "matched", true, x, 2 * (w->height - w->ypad2 / 2), " ",
	    false);
	nl(w, 1);
	buf_adds(b, "<svg id=\"frames\" x=\"10\" width=\"");
	put_u64(b, o->width - 2 * XPAD);
	buf_adds(b, "\" total_samples=\"");
	put_u64(b, total);
	buf_adds(b, "\">");
	flush_buf(b);
}

/* The name without a trailing _[k] _[w] _[i] _[j] annotation. */
static struct slice
deannotate(struct slice s)
{
	if (s.n >= 4 && s.p[s.n - 1] == ']' && s.p[s.n - 4] == '_' &&
	    s.p[s.n - 3] == '[' && strchr("kwij", s.p[s.n - 2]) &&
	    s.p[s.n - 2] != '\0') {
		ptrdiff_t ai = slice_rfind(s, SLICE_LIT("_["));
		if (ai >= 0 && s.n - (size_t)ai == 4)
			return slice_head(s, (size_t)ai);
	}
	return s;
}

static void
put_title(struct svg *w, const struct frame *f, struct slice name)
{
	const struct svg_opts *o = w->o;
	struct buf *b = &w->b;
	uint64_t width = f->end - f->start, n;
	double denom = (double)w->total * o->factor;

	if (o->factor == 1.0) {
		n = width;
	} else {
		double v = round((double)width * o->factor);
		n = v <= 0 ? 0 : v >= 1.8e19 ? UINT64_MAX : (uint64_t)v;
	}
	if (f->depth == 0 && name.n == 0) {
		buf_add(b, "all (", 5);
		put_commas(b, n);
		buf_add(b, w->unit.p, w->unit.len);
		buf_add(b, "100%)", 5);
		return;
	}
	name = deannotate(name);
	escape_xml_text(b, name.p, name.n);
	buf_add(b, " (", 2);
	put_commas(b, n);
	buf_add(b, w->unit.p, w->unit.len);
	put_fixed(b, 100.0 * (double)n / denom, 2);
	buf_addc(b, '%');
	if (f->has_delta) {
		int64_t d = o->negate ? -f->delta : f->delta;
		buf_add(b, "; ", 2);
		if (d == 0) {
			buf_add(b, "0.00", 4);
		} else {
			if (d > 0)
				buf_addc(b, '+');
			put_fixed(b, 100.0 * (double)d / denom, 2);
		}
		buf_addc(b, '%');
	}
	buf_addc(b, ')');
}

static struct rgb
fill_of(struct svg *w, const struct frame *f, struct slice name,
    double width_pct)
{
	const struct svg_opts *o = w->o;
	struct rgb c;

	if (slice_eq_lit(name, "--")) {
		c.r = c.g = c.b = 160;
	} else if (slice_eq_lit(name, "-")) {
		c.r = c.g = c.b = 200;
	} else if (o->colordiffusion) {
		c = color_diffusion(width_pct);
	} else if (f->has_delta) {
		c = color_scale(o->negate ? -f->delta : f->delta, w->delta_max);
	} else if (o->palmap) {
		if (!palmap_get(o->palmap, name, &c)) {
			c = color_for(o->palette, o->scheme, &w->rng, name);
			palmap_put(o->palmap, name, c);
		}
	} else {
		c = color_for(o->palette, o->scheme, &w->rng, name);
	}
	return c;
}

/*
 * The label drawn inside the frame: the display name, cut to what fits
 * with ".." appended when it does not.
 */
static void
put_label(struct svg *w, struct slice name, double width_pct)
{
	const struct svg_opts *o = w->o;
	double per_char = 100.0 * (double)o->fontsize * o->fontwidth /
	    (double)o->width;
	double fit = per_char > 0 ? trunc(width_pct / per_char) : INFINITY;
	size_t fitchars, nchars;

	if (!(fit >= 3))
		return;
	fitchars = fit >= 1e18 ? (size_t)-1 : (size_t)fit;
	name = deannotate(name);
	nchars = escape_utf8_count(name.p, name.n);
	if (nchars < fitchars) {
		escape_xml_text(&w->b, name.p, name.n);
		return;
	}
	escape_xml_text(&w->b, name.p,
	    escape_utf8_prefix(name.p, name.n, fitchars - 2));
	buf_add(&w->b, "..", 2);
}

static void
put_attrs(struct buf *b, const struct nameattr_entry *e)
{
	size_t i;

	for (i = 0; i < e->nattrs; i++) {
		buf_addc(b, ' ');
		buf_add(b, e->attrs[i].key.p, e->attrs[i].key.n);
		buf_add(b, "=\"", 2);
		escape_xml(b, e->attrs[i].value.p, e->attrs[i].value.n);
		buf_addc(b, '"');
	}
}

void
svg_frame(struct svg *w, const struct frame *f)
{
	const struct svg_opts *o = w->o;
	struct buf *b = &w->b;
	struct slice name = w->names[f->name];
	const struct nameattr_entry *attrs = NULL;
	double x1 = (double)f->start * w->pct_per_sample;
	double x2 = (double)f->end * w->pct_per_sample;
	double wpct = x2 - x1;
	uint64_t y1, y2, fh = o->frame_height;
	bool link;

	if (o->inverted) {
		y1 = w->ypad1 + f->depth * fh;
		y2 = w->ypad1 + (f->depth + 1) * fh - FRAMEPAD;
	} else {
		y1 = w->height - w->ypad2 - (f->depth + 1) * fh + FRAMEPAD;
		y2 = w->height - w->ypad2 - f->depth * fh;
	}
	if (o->nameattr)
		attrs = nameattr_find(o->nameattr, name);
	link = attrs && attrs->has_href;

	nl(w, 2);
	buf_add(b, link ? "<a" : "<g", 2);
	if (attrs)
		put_attrs(b, attrs);
	buf_addc(b, '>');
	nl(w, 3);
	buf_add(b, "<title>", 7);
	if (attrs && attrs->has_title)
		escape_xml_text(b, attrs->title.p, attrs->title.n);
	else
		put_title(w, f, name);
	buf_add(b, "</title>", 8);
	nl(w, 3);
	buf_add(b, "<rect x=\"", 9);
	put_fixed(b, x1, 4);
	buf_add(b, "%\" y=\"", 6);
	put_u64(b, y1);
	buf_add(b, "\" width=\"", 9);
	put_fixed(b, wpct, 4);
	buf_add(b, "%\" height=\"", 11);
	put_u64(b, y2 - y1);
	buf_add(b, "\" fill=\"", 8);
	put_rgb(b, fill_of(w, f, name, wpct));
	buf_add(b, "\" fg:x=\"", 8);
	put_u64(b, f->start);
	buf_add(b, "\" fg:w=\"", 8);
	put_u64(b, f->end - f->start);
	if (f->has_delta) {
		buf_add(b, "\" fg:before=\"", 13);
		put_u64(b, f->before);
		buf_add(b, "\" fg:after=\"", 12);
		put_u64(b, f->end - f->start);
	}
	buf_add(b, "\"/>", 3);
	nl(w, 3);
	buf_add(b, "<text x=\"", 9);
	put_fixed(b, x1 + 300.0 / (double)o->width, 4);
	buf_add(b, "%\" y=\"", 6);
	put_half(b, 6 + y1 + y2);
	buf_add(b, "\">", 2);
	put_label(w, name, wpct);
	buf_add(b, "</text>", 7);
	nl(w, 2);
	buf_add(b, link ? "</a>" : "</g>", 4);
	if (b->len >= OUT_BUFSZ)
		flush_buf(b);
}

void
svg_end(struct svg *w)
{
	nl(w, 1);
	buf_adds(&w->b, "</svg>");
	nl(w, 0);
	buf_adds(&w->b, "</svg>");
	flush_buf(&w->b);
	buf_release(&w->b);
	buf_release(&w->tmp);
	buf_release(&w->unit);
}

void
svg_error(const struct svg_opts *o)
{
	struct svg w;

	memset(&w, 0, sizeof(w));
	w.o = o;
	buf_init(&w.b);
	put_head(&w, 5 * o->fontsize);
	nl(&w, 1);
	buf_adds(&w.b, "<text x=\"50.0000%\" y=\"");
	put_half(&w.b, 4 * o->fontsize);
	buf_adds(&w.b, "\">ERROR: No valid input provided to flamegraph</text>");
	nl(&w, 0);
	buf_adds(&w.b, "</svg>");
	flush_buf(&w.b);
	buf_release(&w.b);
}
