/*
 * fuzz-options: every tool's command line, through its real main.
 *
 * Input: byte 0 picks the tool (modulo 6); the rest, split at NUL bytes,
 * is the argument vector after the program name. The mains are compiled
 * with -Dmain=fuzz_main_<tool>. Standard input is a small valid input
 * for the tool, and the scratch directory holds small files a fuzzer can
 * name: p (perf script), d (DTrace), j (DHAT), f and g (folded), n (a
 * nameattr file). A '/' in an argument becomes '_', so that only those
 * files (and what --cp writes there) can be reached.
 *
 * Checked: the exit status is 0, 1 or 2, and a usage error (2) writes
 * nothing on stdout.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);
int fuzz_main_collapse_perf(int argc, char **argv);
int fuzz_main_collapse_dtrace(int argc, char **argv);
int fuzz_main_collapse_dhat(int argc, char **argv);
int fuzz_main_diff_folded(int argc, char **argv);
int fuzz_main_flamegraph(int argc, char **argv);
int fuzz_main_flamechart(int argc, char **argv);

static const char perf_text[] =
    "prog 1234/1235 [001] 100.000001: 1000 cycles:\n"
    "\tffffffff81000000 native_write_msr+0x6 ([kernel.kallsyms])\n"
    "\t7f0000001000 work+0x10 (/usr/bin/prog)\n"
    "\t7f0000000100 main+0x20 (/usr/bin/prog)\n"
    "\n"
    "prog 1234/1236 [000] 100.000002: 500 cycles:\n"
    "\t7f0000001000 [unknown] (/tmp/perf-1234.map)\n"
    "\t7f0000000100 main+0x20 (/usr/bin/prog)\n"
    "\n";
static const char dtrace_text[] =
    "CPU     ID                    FUNCTION:NAME\n"
    "  0  64091                        :tick-60s\n"
    "\n"
    "\n"
    "              libc.so.1`__read+0x15\n"
    "              prog`main+0x2a\n"
    "                5\n"
    "\n"
    "              unix`swtch+0x19b\n"
    "              genunix`cv_wait+0x61\n"
    "                3\n";
static const char dhat_text[] =
    "{\"dhatFileVersion\":2,\"mode\":\"heap\",\"verb\":\"Allocated\","
    "\"bklt\":true,\"bkacc\":true,\"tu\":\"instrs\",\"Mtu\":\"instr\","
    "\"tuth\":500,\"cmd\":\"./prog\",\"pid\":1,\"te\":100,\"tg\":50,"
    "\"pps\":[{\"tb\":10,\"tbk\":1,\"tl\":5,\"mb\":10,\"mbk\":1,"
    "\"gb\":10,\"gbk\":1,\"eb\":0,\"ebk\":0,\"rb\":3,\"wb\":4,"
    "\"fs\":[1,2]}],"
    "\"ftbl\":[\"[root]\",\"0x1: malloc (vg.c:1)\",\"0x2: main (a.c:2)\"]}\n";
static const char folded_text[] = "main;work;leaf 5\nmain;idle 3\nmain 1\n";
static const char folded2_text[] = "main;work;leaf 2\nmain;other 4\n";
static const char nameattr_text[] =
    "leaf\ttitle=the leaf\thref=http://example.com/?a=1&b=2\n"
    "main\tclass=root\tg_extra=data-x=\"1 2\" data-y=3\n";

static const struct tool {
	int (*main)(int, char **);
	const char *name;
	const char *stdin_file;
} tools[6] = {
	{ fuzz_main_collapse_perf, "collapse-perf", "p" },
	{ fuzz_main_collapse_dtrace, "collapse-dtrace", "d" },
	{ fuzz_main_collapse_dhat, "collapse-dhat", "j" },
	{ fuzz_main_diff_folded, "diff-folded", "f" },
	{ fuzz_main_flamegraph, "flamegraph", "f" },
	{ fuzz_main_flamechart, "flamechart", "f" },
};

static int stdin_fd[6] = { -1, -1, -1, -1, -1, -1 };

#define MAXARGS 64

struct job {
	const struct tool *tool;
	int argc;
	char *argv[MAXARGS + 2];
};

static int
call_main(void *arg)
{
	struct job *jb = arg;

	return jb->tool->main(jb->argc, jb->argv);
}

static void
setup(void)
{
	fz_write_file("p", perf_text, sizeof(perf_text) - 1);
	fz_write_file("d", dtrace_text, sizeof(dtrace_text) - 1);
	fz_write_file("j", dhat_text, sizeof(dhat_text) - 1);
	fz_write_file("f", folded_text, sizeof(folded_text) - 1);
	fz_write_file("g", folded2_text, sizeof(folded2_text) - 1);
	fz_write_file("n", nameattr_text, sizeof(nameattr_text) - 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static char *copy;
	static size_t cap;
	static int ready;
	struct job jb;
	size_t i, start;
	struct slice out;
	int st, t;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (n < 1)
		return 0;
	t = data[0] % 6;
	jb.tool = &tools[t];
	if (n + 1 > cap) {
		cap = n + 1;
		copy = realloc(copy, cap);
		if (!copy)
			abort();
	}
	memcpy(copy, data, n);
	copy[n] = '\0';
	jb.argc = 0;
	jb.argv[jb.argc++] = (char *)jb.tool->name;
	for (i = 1, start = 1; i <= n; i++) {
		if (copy[i] == '/')
			copy[i] = '_';
		if (copy[i] != '\0')
			continue;
		if (i == n && start == n)
			break;	/* no empty argument after a final NUL */
		if (jb.argc > MAXARGS)
			return 0;
		jb.argv[jb.argc++] = copy + start;
		start = i + 1;
	}
	jb.argv[jb.argc] = NULL;

	if (stdin_fd[t] < 0)
		stdin_fd[t] = fz_open_file(jb.tool->stdin_file);
	if (dup2(stdin_fd[t], 0) < 0 || lseek(0, 0, SEEK_SET) != 0)
		abort();
	fz_lr_block = fz_block_size(n);
	st = fz_run(call_main, &jb, FZ_OUT);
	out = fz_out();
	fz_remove_file("palette.map");
	if (st < 0 || st > 2)
		fz_fail("%s exited %d", jb.tool->name, st);
	if (st == 2 && out.n)
		fz_fail("%s: usage error after %zu bytes on stdout",
		    jb.tool->name, out.n);
	return 0;
}
