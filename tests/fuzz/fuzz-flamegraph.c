/*
 * fuzz-flamegraph: the whole render path, folded text -> SVG, as
 * flamegraph and flamechart run it (fgopts_parse, fgopts_run), under a
 * few option sets. The SVG, also the error document written for input
 * without counts, must be well-formed XML (harness.h, fz_check_xml) and
 * end with </svg>.
 *
 * Input: two option bytes, then folded text.
 *   byte 0: the option set (modulo the number of sets)
 *   byte 1: bit 7 adds -c with palette (byte1 % number of palettes),
 *           bit 6 makes pthread_create fail (the one-thread fallbacks)
 * Sets that read a --nameattr file take it from the text after the first
 * NUL byte.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "color.h"
#include "fgopts.h"
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

#define NAMES "names.txt"

struct set {
	bool chart;		/* run as flamechart */
	bool nameattr;
	bool colors_ok;		/* -c may be added */
	const char *argv[24];
};

static const struct set sets[] = {
	{ false, false, true, { NULL } },
	{ true, false, true, { NULL } },
	{ false, false, true, { "--flamechart", "--hash", NULL } },
	{ false, false, true, { "-i", "--reverse", "--hash", NULL } },
	{ false, false, true, { "--no-sort", "--deterministic", NULL } },
	{ false, false, true, { "--deterministic", "--minwidth", "0",
	    "--title", "<t&\"'>]]>--", "--subtitle", "s&<u>]]>",
	    "--notes", "n-->--<!--&", "--countname", "b\"y'<tes>",
	    "--nametype", "F<n>&\"':", "--fonttype", "a\"b'<c>;}{</style>",
	    NULL } },
	{ false, false, true, { "--cp", NULL } },
	{ false, true, true, { "--nameattr", NAMES, NULL } },
	{ true, true, true, { "--nameattr", NAMES, "--hash", NULL } },
	{ false, false, false, { "--colordiffusion", "--negate", "--width",
	    "300", "--truncate-text-right", NULL } },
	{ false, false, true, { "--base", "main", "--base", "b",
	    "--pretty-xml", "--no-javascript", NULL } },
	{ false, false, true, { "--total", "1000000", "--factor", "0.5",
	    "--fontsize", "3", "--fontwidth", "1.5", "--height", "1",
	    "--minwidth", "0.5%", NULL } },
	{ false, false, true, { "--bgcolors", "#102030", "--stroke-color",
	    "#000000", "--uicolor", "#ffffff", "--search-color", "#123456",
	    "--width", "21", NULL } },
	{ false, false, true, { "-i", "--minwidth", "50", "--total", "3",
	    "--factor", "1e-300", NULL } },
	{ true, false, true, { "--deterministic", "--pretty-xml",
	    "--minwidth", "0", NULL } },
	{ false, false, true, { "--negate", "--reverse", "--base", "a",
	    "--minwidth", "0", NULL } },
};
#define NSETS (sizeof(sets) / sizeof(*sets))

struct job {
	const struct set *set;
	const char *palette;
};

static int
call_render(void *arg)
{
	struct job *jb = arg;
	char *argv[32];
	struct fgopts o;
	int argc = 0, i;

	argv[argc++] = (char *)(jb->set->chart ? "flamechart" : "flamegraph");
	for (i = 0; jb->set->argv[i]; i++)
		argv[argc++] = (char *)jb->set->argv[i];
	if (jb->palette) {
		argv[argc++] = (char *)"-c";
		argv[argc++] = (char *)jb->palette;
	}
	argv[argc++] = (char *)"in.folded";
	argv[argc] = NULL;
	fgopts_parse(&o, argc, argv, jb->set->chart);
	return fgopts_run(&o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct job jb;
	const char *text, *why, *nul;
	size_t len;
	struct slice out;
	int st;

	if (n < 2)
		return 0;
	jb.set = &sets[data[0] % NSETS];
	jb.palette = NULL;
	if ((data[1] & 0x80) && jb.set->colors_ok)
		jb.palette = color_palette_names[data[1] % PAL_COUNT];
	fz_no_threads = (data[1] >> 6) & 1;
	text = (const char *)data + 2;
	len = n - 2;
	if (jb.set->nameattr) {
		nul = memchr(text, '\0', len);
		if (nul) {
			fz_write_file(NAMES, nul + 1, len - (size_t)(nul - text) - 1);
			len = (size_t)(nul - text);
		} else {
			fz_write_file(NAMES, "", 0);
		}
	}
	fz_write_file("in.folded", text, len);
	fz_lr_block = fz_block_size(n);
	st = fz_run(call_render, &jb, FZ_OUT);
	fz_no_threads = false;
	out = fz_out();
	if (st != 0 && st != 1)
		fz_fail("exit status %d", st);
	/* Exit 1 comes with the error document, or with nothing at all. */
	if ((st == 0 || out.n) && (why = fz_check_xml(out.p, out.n)))
		fz_fail("%s: SVG is not well-formed: %s",
		    st ? "error document" : "flame graph", why);
	if (st == 0 && (out.n < 6 || memcmp(out.p + out.n - 6, "</svg>", 6)))
		fz_fail("the SVG does not end with </svg>");
	fz_remove_file("palette.map");	/* the next run starts without */
	return 0;
}
