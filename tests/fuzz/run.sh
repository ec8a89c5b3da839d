#!/bin/sh
# Build the libFuzzer targets and run each one for a while.
#
#   sh tests/fuzz/run.sh [-j N] [--build-only] [--fresh] [--regress]
#                        [SECONDS [TARGET...]]
#
# SECONDS per target (default 60); TARGETs default to all of them. Prints
# one TAP line per target, `ok - fuzz TARGET (N runs)` or `not ok - fuzz
# TARGET: crash saved as FILE`, and exits 1 on any crash. --regress first
# replays every file under tests/fuzz/regress/TARGET/ (each must pass).
# -j N runs N targets at once (default 1). --fresh starts from the seeds
# alone (a corpus grown by earlier runs can take long to load). Without a
# clang that can link -fsanitize=fuzzer it prints `ok - fuzz # SKIP no
# libFuzzer` and exits 0.
#
# Environment: FK_FUZZ_CC (clang), FK_FUZZ_DIR (build/fuzz), FK_SHARED
# (../shared: seeds from its conformance inputs, when present).
# Everything is built and kept under FK_FUZZ_DIR: objects, the targets,
# corpus-TARGET/ (seeded at every run, grown by the fuzzer; --fresh uses
# fresh-corpus-TARGET/), crash files and log-TARGET.txt.

set -u
cd "$(dirname "$0")/../.." || exit 1

njobs=1 regress=0 build_only=0 fresh=0
while [ $# -gt 0 ]; do
	case $1 in
	-j) njobs=$2; shift 2 ;;
	-j*) njobs=${1#-j}; shift ;;
	--regress) regress=1; shift ;;
	--build-only) build_only=1; shift ;;
	--fresh) fresh=1; shift ;;
	-h|--help) sed -n '2,22s/^# \{0,1\}//p' tests/fuzz/run.sh; exit 0 ;;
	*) break ;;
	esac
done
seconds=${1:-60}
[ $# -gt 0 ] && shift
ALL="perf dtrace dhat folded flamegraph options"
targets=${*:-$ALL}

CC=${FK_FUZZ_CC:-clang}
B=${FK_FUZZ_DIR:-build/fuzz}
# The targets change directory while the code runs: artifacts need
# absolute names.
case $B in /*) ;; *) B=$PWD/$B ;; esac
SHARED=${FK_SHARED:-../shared}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS="-g -O1 -fno-omit-frame-pointer $SAN -std=c11 -D_POSIX_C_SOURCE=200809L \
-pthread -Icommon -Icollapse -Irender -I$B/gen -Itests/fuzz \
-Wall -Wextra -Wno-unused-parameter"
WRAP="-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free\
,--wrap=pthread_create,--wrap=pthread_join,--wrap=pthread_cond_wait"

mkdir -p "$B" || exit 1

# Can this compiler build and run a libFuzzer target?
probe=$B/probe
if ! [ -x "$probe" ]; then
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
	    '{ (void)d; (void)n; return 0; }' >"$probe.c"
	$CC -fsanitize=fuzzer,address,undefined -o "$probe" "$probe.c" \
	    >/dev/null 2>&1
fi
if ! [ -x "$probe" ] || ! "$probe" -runs=1 >/dev/null 2>&1; then
	rm -f "$probe"
	echo "ok - fuzz # SKIP no libFuzzer"
	exit 0
fi

# ---- build ---------------------------------------------------------------

# Flags changed since the last build: start afresh.
if [ "$(cat "$B/flags" 2>/dev/null)" != "$CC $CFLAGS" ]; then
	rm -rf "$B/obj"
	printf '%s\n' "$CC $CFLAGS" >"$B/flags"
fi

# An object is stale when it or its .d is missing or a dependency is newer.
stale() {
	[ -f "$1" ] && [ -f "${1%.o}.d" ] || return 0
	for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "${1%.o}.d"); do
		[ "$dep" -nt "$1" ] && return 0
	done
	return 1
}

pids=
compile() {	# compile SRC OBJ [FLAGS...]
	src=$1 obj=$2
	shift 2
	stale "$obj" || return 0
	mkdir -p "$(dirname "$obj")"
	$CC $CFLAGS "$@" -MMD -MP -c -o "$obj" "$src" &
	pids="$pids $!"
	if [ "$(echo $pids | wc -w)" -ge "$njobs" ]; then
		wait_all || return 1
	fi
}
build_failed=0
wait_all() {
	for pid in $pids; do
		wait "$pid" || build_failed=1
	done
	pids=
	[ "$build_failed" -eq 0 ]
}

build() {
	mkdir -p "$B/gen"
	if ! [ -f "$B/gen/assets.inc" ] ||
	    [ -n "$(find render/embed.sh render/assets -newer "$B/gen/assets.inc" 2>/dev/null)" ]; then
		sh render/embed.sh render/assets/* >"$B/gen/assets.inc.tmp" &&
		    mv "$B/gen/assets.inc.tmp" "$B/gen/assets.inc" || return 1
	fi
	mains="collapse/collapse-perf.c collapse/collapse-dtrace.c \
collapse/collapse-dhat.c collapse/diff-folded.c render/flamegraph.c \
render/flamechart.c"
	libobjs=
	for src in common/*.c collapse/*.c render/*.c; do
		case " $mains " in *" $src "*) continue ;; esac
		obj=$B/obj/lib/${src%.c}.o
		libobjs="$libobjs $obj"
		compile "$src" "$obj" -fsanitize=fuzzer-no-link || return 1
	done
	for src in $mains; do
		name=$(basename "$src" .c | tr - _)
		compile "$src" "$B/obj/main/${src%.c}.o" -fsanitize=fuzzer-no-link \
		    "-Dmain=fuzz_main_$name" || return 1
	done
	for src in tests/fuzz/*.c; do
		compile "$src" "$B/obj/fuzz/$(basename "$src" .c).o" \
		    -fsanitize=fuzzer-no-link || return 1
	done
	wait_all || return 1
	# Objects of sources that are gone must not linger in the archive.
	rm -f "$B/libfk.a"
	ar rcs "$B/libfk.a" $libobjs || return 1
	for t in $ALL; do
		extra="$B/obj/fuzz/lrblock.o"
		case $t in
		perf|dtrace) extra="$extra $B/obj/fuzz/chunked.o" ;;
		options)
			for src in $mains; do
				extra="$extra $B/obj/main/${src%.c}.o"
			done ;;
		esac
		$CC $SAN -fsanitize=fuzzer -pthread $WRAP -o "$B/fuzz-$t" \
		    "$B/obj/fuzz/fuzz-$t.o" "$B/obj/fuzz/harness.o" $extra \
		    "$B/libfk.a" -lm || return 1
	done
}

if ! build >"$B/build.log" 2>&1; then
	echo "not ok - fuzz build (see $B/build.log)"
	sed 's/^/# /' "$B/build.log" | grep -v '^# *$' | tail -20
	exit 1
fi
[ "$build_failed" -eq 0 ] || exit 1
[ "$build_only" -eq 1 ] && exit 0

# ---- seeds ---------------------------------------------------------------

# Seed files go in with a two-byte header of option bytes (all zero: the
# defaults); .gz inputs are unpacked, long ones cut at the size limit.
maxlen() {
	case $1 in
	perf|dtrace|dhat) echo 262144 ;;
	folded|flamegraph) echo 131072 ;;
	options) echo 4096 ;;
	esac
}

seed_sources() {
	C=$SHARED/conformance
	case $1 in
	perf) echo tests/fixtures/collapse-perf "$C/collapse-perf/inputs" ;;
	dtrace) echo tests/fixtures/collapse-dtrace "$C/collapse-dtrace/inputs" ;;
	dhat) echo tests/fixtures/collapse-dhat "$C/collapse-dhat/inputs" ;;
	folded|flamegraph) echo tests/fixtures/diff-folded \
	    tests/fixtures/flamegraph tests/fixtures/flamechart \
	    "$C/flamegraph/inputs" "$C/diff-folded/inputs" ;;
	esac
}

seed() {
	t=$1 dir=$2 lim=$(maxlen "$1")
	mkdir -p "$dir"
	if [ "$t" = options ]; then
		python3 tests/fuzz/seed-options.py "$SHARED/conformance/cases.tsv" \
		    tests/fixtures "$dir"
		return
	fi
	for src in $(seed_sources "$t"); do
		[ -d "$src" ] || continue
		find "$src" -type f ! -name '*.out' ! -name '*.err' \
		    ! -name '*.status' ! -name '*.args' | sort |
		while read -r f; do
			{
				printf '\000\000'
				case $f in
				*.gz) gzip -dc "$f" 2>/dev/null ;;
				*) cat "$f" ;;
				esac
			} | head -c "$lim" >"$dir/seed-$(printf '%s' "$f" | cksum | cut -d' ' -f1)"
		done
	done
}

# ---- runs ----------------------------------------------------------------

replay() {
	t=$1
	[ -d "tests/fuzz/regress/$t" ] || return 0
	for f in "tests/fuzz/regress/$t"/*; do
		[ -f "$f" ] || continue
		if ASAN_OPTIONS=detect_leaks=1 "$B/fuzz-$t" "$f" \
		    >"$B/replay-$t.txt" 2>&1; then
			echo "ok - fuzz regress $t/$(basename "$f")"
		else
			echo "not ok - fuzz regress $t/$(basename "$f")"
			grep -E 'ERROR|SUMMARY|broken invariant|#[0-9]+ ' \
			    "$B/replay-$t.txt" | head -12 | sed 's/^/# /'
			status=1
		fi
	done
}

fuzz() {	# fuzz TARGET: one result line on stdout
	t=$1 log=$B/log-$t.txt corpus=$B/corpus-$1
	if [ "$fresh" -eq 1 ]; then
		corpus=$B/fresh-corpus-$t
		rm -rf "$corpus"
	fi
	rm -f "$B/crash-$t-"*
	seed "$t" "$corpus"
	dict=
	[ -f "tests/fuzz/$t.dict" ] && dict="-dict=$PWD/tests/fuzz/$t.dict"
	"$B/fuzz-$t" -max_total_time="$seconds" -max_len="$(maxlen "$t")" \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$B/crash-$t-" $dict "$corpus" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	crash=$(ls "$B/crash-$t-"* 2>/dev/null | head -1)
	if [ "$rc" -eq 0 ] && [ -z "$crash" ]; then
		echo "ok - fuzz $t (${runs:-?} runs)"
	else
		echo "not ok - fuzz $t: crash saved as ${crash:-(none; see $log)}"
		grep -E 'ERROR|SUMMARY|broken invariant|^ *#[0-9]+ ' "$log" |
		    head -12 | sed 's/^/# /'
		return 1
	fi
}

status=0
if [ "$regress" -eq 1 ]; then
	for t in $targets; do
		replay "$t"
	done
fi

# Targets run $njobs at a time; their lines are printed in order.
set -- $targets
while [ $# -gt 0 ]; do
	batch=
	k=0
	while [ $# -gt 0 ] && [ "$k" -lt "$njobs" ]; do
		batch="$batch $1"
		(fuzz "$1" >"$B/result-$1.txt") &
		shift
		k=$((k + 1))
	done
	wait
	for t in $batch; do
		cat "$B/result-$t.txt"
		grep -q '^not ok' "$B/result-$t.txt" && status=1
	done
done
exit "$status"
