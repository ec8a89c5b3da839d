/*
 * fgopts: option parsing for both binaries and the pipeline they run:
 * stacks (read, intern) -> frames (sort, merge, prune) -> svg.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "diag.h"
#include "fgopts.h"
#include "frames.h"
#include "lr.h"
#include "nameattr.h"
#include "out.h"
#include "palmap.h"
#include "stacks.h"
#include "xmalloc.h"

#define PALETTE_FILE "palette.map"

/* Both program names have 10 letters, so one layout serves both. */
static const char usage_fmt[] =
    "usage: %s [-hiqVv] [--colordiffusion] [--cp] [--deterministic]\n"
    "                  [--flamechart] [--hash] [--negate] [--no-javascript]\n"
    "                  [--no-sort] [--pretty-xml] [--reverse] "
    "[--truncate-text-right]\n"
    "                  [--base symbol] [--bgcolors color] [-c palette]\n"
    "                  [--countname name] [--factor float] [--fontsize uint]\n"
    "                  [--fonttype font] [--fontwidth float] [--height uint]\n"
    "                  [--minwidth percent] [--nameattr file] "
    "[--nametype text]\n"
    "                  [--notes text] [--search-color color] "
    "[--stroke-color color]\n"
    "                  [--subtitle text] [--title text] [--total uint]\n"
    "                  [--uicolor color] [--width uint] [file ...]\n";

static const char graph_intro[] =
    "Draw folded stacks (\"a;b;c 42\" lines) as an interactive SVG flame "
    "graph\n"
    "on standard output. Files are read in turn; none or - reads standard "
    "input.\n"
    "Lines with two counts (\"stack before after\", from diff-folded) make "
    "a\n"
    "differential graph.\n"
    "\n";

static const char chart_intro[] =
    "Draw folded stacks in time order (\"a;b;c 42\" lines, one per sample "
    "or run\n"
    "of samples) as an interactive SVG flame chart on standard output, as\n"
    "flamegraph --flamechart does: nothing is sorted, only adjacent equal "
    "frames\n"
    "merge, and like inferno the last line is drawn leftmost. Files are read "
    "in\n"
    "turn; none or - reads standard input.\n"
    "\n";

static const char help_text[] =
    "  -c, --colors PALETTE   hot (default), mem, io, wakeup, java, js, "
    "perl,\n"
    "                         python, rust, red, green, blue, aqua, "
    "yellow,\n"
    "                         purple, orange\n"
    "      --bgcolors COLOR   yellow, blue, green, grey or #rrggbb\n"
    "      --hash             colour by a hash of the function name\n"
    "      --deterministic    colour by an FNV hash of the name, stable "
    "across runs\n"
    "      --cp               consistent palette kept in ./palette.map\n"
    "      --colordiffusion   colour by width: wider is redder\n"
    "      --negate           swap the differential hues\n"
    "      --title TEXT       heading (default \"Flame Graph\")\n"
    "      --subtitle TEXT    second heading line\n"
    "      --notes TEXT       text stored in a comment of the SVG\n"
    "      --countname NAME   unit of the counts (default \"samples\")\n"
    "      --nametype TEXT    prefix of the details line (default "
    "\"Function:\")\n"
    "      --factor FLOAT     scale the displayed counts\n"
    "      --width UINT       image width in pixels (default: fit the "
    "window)\n"
    "      --height UINT      frame height in pixels (default 16)\n"
    "      --fonttype FONT    font family (default monospace)\n"
    "      --fontsize UINT    font size (default 12)\n"
    "      --fontwidth FLOAT  average glyph width / font size (default "
    "0.59)\n"
    "      --minwidth PERCENT omit frames narrower than this share of the "
    "total\n"
    "                         (default 0.01)\n"
    "  -i, --inverted         icicle graph: roots at the top\n"
    "      --reverse          reverse every stack before merging\n"
    "      --flamechart       keep input order (time) instead of sorting\n"
    "      --no-sort          input is already sorted (checked)\n"
    "      --base SYMBOL      keep stacks through SYMBOL, rooted there "
    "(repeatable)\n"
    "      --nameattr FILE    extra SVG attributes per function name\n"
    "      --search-color COLOR  highlight of search matches (#rrggbb)\n"
    "      --stroke-color COLOR  outline of every frame (#rrggbb or "
    "none)\n"
    "      --uicolor COLOR    colour of the title and buttons (#rrggbb)\n"
    "      --truncate-text-right  cut long labels on the right\n"
    "      --total UINT       draw as if there were this many samples\n"
    "      --pretty-xml       indent the SVG\n"
    "      --no-javascript    leave out the interactive script\n"
    "  -q, --quiet            no warnings\n"
    "  -v, --verbose          more messages (repeatable)\n"
    "  -h, --help             this help\n"
    "  -V, --version          print the version\n";

enum {
	OPT_BASE = CHAR_MAX + 1,
	OPT_BGCOLORS,
	OPT_COLORDIFFUSION,
	OPT_COUNTNAME,
	OPT_CP,
	OPT_DETERMINISTIC,
	OPT_ENCODING,
	OPT_FACTOR,
	OPT_FLAMECHART,
	OPT_FONTSIZE,
	OPT_FONTTYPE,
	OPT_FONTWIDTH,
	OPT_HASH,
	OPT_HEIGHT,
	OPT_MINWIDTH,
	OPT_NAMEATTR,
	OPT_NAMETYPE,
	OPT_NEGATE,
	OPT_NO_JAVASCRIPT,
	OPT_NO_SORT,
	OPT_NOTES,
	OPT_PRETTY_XML,
	OPT_RANDOM,
	OPT_REVERSE,
	OPT_SEARCH_COLOR,
	OPT_STROKE_COLOR,
	OPT_SUBTITLE,
	OPT_TITLE,
	OPT_TOTAL,
	OPT_TRUNCATE_TEXT_RIGHT,
	OPT_UICOLOR,
	OPT_VERSION,
	OPT_WIDTH,
};

static const struct option longopts[] = {
	{ "base", required_argument, NULL, OPT_BASE },
	{ "bgcolors", required_argument, NULL, OPT_BGCOLORS },
	{ "colordiffusion", no_argument, NULL, OPT_COLORDIFFUSION },
	{ "colors", required_argument, NULL, 'c' },
	{ "countname", required_argument, NULL, OPT_COUNTNAME },
	{ "cp", no_argument, NULL, OPT_CP },
	{ "deterministic", no_argument, NULL, OPT_DETERMINISTIC },
	{ "encoding", required_argument, NULL, OPT_ENCODING },
	{ "factor", required_argument, NULL, OPT_FACTOR },
	{ "flamechart", no_argument, NULL, OPT_FLAMECHART },
	{ "fontsize", required_argument, NULL, OPT_FONTSIZE },
	{ "fonttype", required_argument, NULL, OPT_FONTTYPE },
	{ "fontwidth", required_argument, NULL, OPT_FONTWIDTH },
	{ "hash", no_argument, NULL, OPT_HASH },
	{ "height", required_argument, NULL, OPT_HEIGHT },
	{ "help", no_argument, NULL, 'h' },
	{ "inverted", no_argument, NULL, 'i' },
	{ "minwidth", required_argument, NULL, OPT_MINWIDTH },
	{ "nameattr", required_argument, NULL, OPT_NAMEATTR },
	{ "nametype", required_argument, NULL, OPT_NAMETYPE },
	{ "negate", no_argument, NULL, OPT_NEGATE },
	{ "no-javascript", no_argument, NULL, OPT_NO_JAVASCRIPT },
	{ "no-sort", no_argument, NULL, OPT_NO_SORT },
	{ "notes", required_argument, NULL, OPT_NOTES },
	{ "pretty-xml", no_argument, NULL, OPT_PRETTY_XML },
	{ "quiet", no_argument, NULL, 'q' },
	{ "random", no_argument, NULL, OPT_RANDOM },
	{ "reverse", no_argument, NULL, OPT_REVERSE },
	{ "search-color", required_argument, NULL, OPT_SEARCH_COLOR },
	{ "stroke-color", required_argument, NULL, OPT_STROKE_COLOR },
	{ "subtitle", required_argument, NULL, OPT_SUBTITLE },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "total", required_argument, NULL, OPT_TOTAL },
	{ "truncate-text-right", no_argument, NULL, OPT_TRUNCATE_TEXT_RIGHT },
	{ "uicolor", required_argument, NULL, OPT_UICOLOR },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "width", required_argument, NULL, OPT_WIDTH },
	{ NULL, 0, NULL, 0 },
};

static char usage_line[1024];

static void
parse_palette(struct fgopts *o, const char *arg)
{
	int p = color_palette_parse(arg);
	struct buf list = BUF_INIT;
	int i;

	if (p >= 0) {
		o->svg.palette = (enum color_palette)p;
		return;
	}
	for (i = 0; i < PAL_COUNT; i++) {
		if (i)
			buf_adds(&list, ", ");
		buf_adds(&list, color_palette_names[i]);
	}
	die_usage("invalid --colors '%s': possible values are %s", arg,
	    list.p);
}

static struct rgb
parse_color(const char *flag, const char *arg)
{
	struct rgb c;

	if (!color_parse_hex(arg, &c))
		die_usage("invalid %s '%s': expected a color as #rrggbb", flag,
		    arg);
	return c;
}

/* --minwidth: a percentage; inferno's plain number or with a '%'. */
static double
parse_minwidth(const char *arg)
{
	size_t n = strlen(arg);
	char buf[64];

	if (n && arg[n - 1] == '%' && n < sizeof(buf)) {
		memcpy(buf, arg, n - 1);
		buf[n - 1] = '\0';
		return cli_double("--minwidth", buf, -1e300, 1e300);
	}
	return cli_double("--minwidth", arg, -1e300, 1e300);
}

static const char *
default_title(const struct fgopts *o, const char *title)
{
	/* inferno treats an explicit "Flame Graph" like no --title at all. */
	if (title && strcmp(title, "Flame Graph") != 0)
		return title;
	if (o->chart)
		return "Flame Chart";
	if (o->svg.inverted)
		return "Icicle Graph";
	return "Flame Graph";
}

void
fgopts_parse(struct fgopts *o, int argc, char **argv, bool chart)
{
	const char *prog = chart ? "flamechart" : "flamegraph";
	const char *title = NULL;
	bool colors_given = false, hash = false, deterministic = false;
	bool flamechart_flag = false;
	int c, verbose = 0, quiet = 0;

	snprintf(usage_line, sizeof(usage_line), usage_fmt, prog);
	diag_init(prog, usage_line);
	memset(o, 0, sizeof(*o));
	o->chart = chart;
	o->minwidth = 0.01;
	o->svg.notes = "";
	o->svg.nametype = "Function:";
	o->svg.countname = "samples";
	o->svg.fonttype = "monospace";
	o->svg.width = 1200;
	o->svg.fluid = true;
	o->svg.frame_height = 16;
	o->svg.fontsize = 12;
	o->svg.fontwidth = 0.59;
	o->svg.factor = 1.0;
	o->svg.searchcolor = (struct rgb){ 230, 0, 230 };
	o->svg.palette = PAL_HOT;
	o->svg.scheme = COLOR_RANDOM;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:hiqVv", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_BASE:
			o->base = xreallocarray(o->base, o->nbase + 1,
			    sizeof(*o->base));
			o->base[o->nbase++] = optarg;
			break;
		case OPT_BGCOLORS:
			if (!color_bg_parse(optarg, &o->svg.bg, &o->svg.bgflat))
				die_usage("invalid --bgcolors '%s': expected "
				    "yellow, blue, green, grey or #rrggbb",
				    optarg);
			break;
		case 'c':
			parse_palette(o, optarg);
			colors_given = true;
			break;
		case OPT_COLORDIFFUSION:
			o->svg.colordiffusion = true;
			break;
		case OPT_COUNTNAME:
			o->svg.countname = optarg;
			break;
		case OPT_CP:
			o->cp = true;
			break;
		case OPT_DETERMINISTIC:
			deterministic = true;
			break;
		case OPT_ENCODING:
			/* flamegraph.pl's; our output is always UTF-8. */
			break;
		case OPT_FACTOR:
			o->svg.factor = cli_double("--factor", optarg, 0, 1e300);
			if (o->svg.factor == 0)
				die_usage("invalid --factor '%s': must be greater "
				    "than 0", optarg);
			break;
		case OPT_FLAMECHART:
			flamechart_flag = true;
			break;
		case OPT_FONTSIZE:
			o->svg.fontsize = cli_u64("--fontsize", optarg, 1, 100000);
			break;
		case OPT_FONTTYPE:
			o->svg.fonttype = optarg;
			break;
		case OPT_FONTWIDTH:
			o->svg.fontwidth = cli_double("--fontwidth", optarg, 0,
			    1e6);
			break;
		case OPT_HASH:
			hash = true;
			break;
		case OPT_HEIGHT:
			o->svg.frame_height = cli_u64("--height", optarg, 1,
			    100000);
			break;
		case 'h':
			out_str(usage_line);
			out_char('\n');
			out_str(chart ? chart_intro : graph_intro);
			cli_help(help_text);
			break;
		case 'i':
			o->svg.inverted = true;
			break;
		case OPT_MINWIDTH:
			o->minwidth = parse_minwidth(optarg);
			break;
		case OPT_NAMEATTR:
			o->nameattr_path = optarg;
			break;
		case OPT_NAMETYPE:
			o->svg.nametype = optarg;
			break;
		case OPT_NEGATE:
			o->svg.negate = true;
			break;
		case OPT_NO_JAVASCRIPT:
			o->svg.no_javascript = true;
			break;
		case OPT_NO_SORT:
			o->no_sort = true;
			break;
		case OPT_NOTES:
			o->svg.notes = optarg;
			break;
		case OPT_PRETTY_XML:
			o->svg.pretty = true;
			break;
		case 'q':
			quiet = 1;
			break;
		case OPT_RANDOM:
			/* flamegraph.pl's; random colours are the default. */
			break;
		case OPT_REVERSE:
			o->reverse = true;
			break;
		case OPT_SEARCH_COLOR:
			o->svg.searchcolor = parse_color("--search-color", optarg);
			break;
		case OPT_STROKE_COLOR:
			if (strcmp(optarg, "none") == 0) {
				o->svg.has_stroke = false;
			} else {
				o->svg.stroke = parse_color("--stroke-color", optarg);
				o->svg.has_stroke = true;
			}
			break;
		case OPT_SUBTITLE:
			o->svg.subtitle = optarg;
			break;
		case OPT_TITLE:
			title = optarg;
			break;
		case OPT_TOTAL:
			o->total = cli_u64("--total", optarg, 0, UINT64_MAX);
			break;
		case OPT_TRUNCATE_TEXT_RIGHT:
			o->svg.truncate_right = true;
			break;
		case OPT_UICOLOR:
			o->svg.uicolor = parse_color("--uicolor", optarg);
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
		case OPT_VERSION:
			cli_version();
			break;
		case OPT_WIDTH:
			o->svg.width = cli_u64("--width", optarg, 21, 10000000);
			o->svg.fluid = false;
			break;
		default:
			cli_bad_option(c, argv);
		}
	}
	if (quiet)
		diag_level = DIAG_QUIET;
	else
		diag_level = DIAG_WARN + verbose;

	if (hash && deterministic)
		die_usage("--hash and --deterministic cannot be used together");
	if (o->reverse && o->no_sort)
		die_usage("--reverse and --no-sort cannot be used together");
	if (chart || flamechart_flag) {
		if (o->no_sort)
			die_usage("--flamechart and --no-sort cannot be used "
			    "together");
		if (o->reverse)
			die_usage("--flamechart and --reverse cannot be used "
			    "together");
		o->chart = true;
	}
	if (o->svg.colordiffusion && colors_given)
		die_usage("--colordiffusion and --colors cannot be used "
		    "together");
	o->svg.scheme = hash ? COLOR_HASH :
	    deterministic ? COLOR_DETERMINISTIC : COLOR_RANDOM;
	o->svg.title = default_title(o, title);
	o->files = argv + optind;
	o->nfiles = (size_t)(argc - optind);
}

/*
 * flamegraph.pl's --total: a larger total makes the graph narrower than
 * the image; a smaller one is ignored.
 */
/* Seconds since an arbitrary start, for the -vv phase timings. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
denominator(const struct fgopts *o, uint64_t total)
{
	if (o->total == 0 || o->total == total)
		return total;
	if (o->total > total)
		return o->total;
	if ((double)o->total / (double)total > 0.02)
		warn("Specified --total %llu is less than actual total %llu, "
		    "so ignored", (unsigned long long)o->total,
		    (unsigned long long)total);
	return total;
}

int
fgopts_run(struct fgopts *o)
{
	struct stacks_opts so = { 0 };
	struct stacks st;
	struct frames fr = FRAMES_INIT;
	struct nameattr na;
	struct palmap pm;
	struct svg w;
	uint64_t denom;
	size_t i;
	double t0 = now(), t1, t2;

	if (o->nameattr_path) {
		nameattr_init(&na);
		nameattr_load(&na, o->nameattr_path);
		o->svg.nameattr = &na;
	}
	if (o->cp) {
		palmap_init(&pm);
		palmap_load(&pm, PALETTE_FILE);
		o->svg.palmap = &pm;
	}

	so.ordered = o->chart || o->no_sort;
	so.check_sorted = o->no_sort;
	so.reverse = o->reverse;
	so.last_line_wins = o->chart;
	if (!o->chart && !o->reverse && !o->no_sort) {
		so.base = o->base;
		so.nbase = o->nbase;
	}
	stacks_init(&st, &so);
	stacks_read_files(&st, o->files, o->nfiles);
	if (st.ignored)
		warn("Ignored %llu lines with invalid format",
		    (unsigned long long)st.ignored);
	if (st.total == 0) {
		svg_error(&o->svg);
		out_finish();
		die("No stack counts found");
	}

	denom = denominator(o, st.total);
	t1 = now();
	stacks_order(&st);
	t2 = now();
	debug("read %.3f s, %u distinct stacks, %zu records; sort %.3f s",
	    t1 - t0, (unsigned)st.nstacks, st.nrec, t2 - t1);
	frames_build(&fr, &st, o->minwidth / (100.0 / (double)denom),
	    o->chart);
	t1 = now();
	info("%u distinct stacks, %zu frames drawn", (unsigned)st.nstacks,
	    fr.n);
	debug("merge %.3f s", t1 - t2);

	svg_begin(&w, &o->svg, st.names, denom, st.delta_max, fr.depthmax);
	for (i = 0; i < fr.n; i++)
		svg_frame(&w, &fr.v[i]);
	svg_end(&w);
	out_finish();
	debug("write %.3f s", now() - t1);

	if (o->cp)
		palmap_save(&pm, PALETTE_FILE);
	frames_release(&fr);
	stacks_release(&st);
	if (o->nameattr_path)
		nameattr_release(&na);
	if (o->cp)
		palmap_release(&pm);
	free(o->base);
	return EXIT_OK;
}
