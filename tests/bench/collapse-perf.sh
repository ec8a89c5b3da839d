#!/bin/sh
# Benchmark collapse-perf on a large `perf script` file: throughput (MB/s,
# best of 3 wall-clock runs) and peak RSS with 1 and 2 threads, beside
# inferno-collapse-perf and stackcollapse-perf.pl when they are on PATH.
#
#   FK_SHARED=../shared FK_BENCH_DIR=/tmp/fkbench sh tests/bench/collapse-perf.sh BIN_DIR
#
# FK_PERF_SIZE sets the input size (default 200M). The input is made once
# with the shared make-perf-corpus generator and kept in FK_BENCH_DIR.
BIN=${1:?usage: collapse-perf.sh BIN_DIR}
SHARED=${FK_SHARED:-../shared}
DIR=${FK_BENCH_DIR:-${TMPDIR:-/tmp}/fkbench}
SIZE=${FK_PERF_SIZE:-200M}
IN="$DIR/perf-$SIZE.txt"
mkdir -p "$DIR" || exit 1

if [ ! -s "$IN" ]; then
	"$SHARED/bench/make-perf-corpus" "$SIZE" "$IN.tmp" >/dev/null &&
	    mv "$IN.tmp" "$IN" || exit 1
fi

# run LABEL CMD...: CMD gets the input file as its last argument.
run() {
	label=$1
	shift
	python3 - "$IN" "$label" "$@" <<'PY'
import os, resource, subprocess, sys, time
path, label, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
mb = os.path.getsize(path) / 1e6
# /usr/bin/time measures the tool alone; without it, RUSAGE_CHILDREN is
# the largest child, which is the tool too (python forks, then execs).
timer = ["/usr/bin/time", "-f", "%M"] if os.access("/usr/bin/time", os.X_OK) else []
best, peak = float("inf"), 0
for _ in range(3):
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        p = subprocess.run(timer + cmd + [path], stdout=sink, stderr=subprocess.PIPE)
    best = min(best, time.perf_counter() - start)
    if p.returncode:
        print("%-34s failed with status %d" % (label, p.returncode))
        sys.exit(0)
    if timer:
        peak = max(peak, int(p.stderr.split()[-1]))
if not timer:
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
base = float(os.environ.get("FK_BASE") or 0)
ratio = "   (collapse-perf -n 1 is %.1fx faster)" % (best / base) if base else ""
print("%-34s %6.2f s %7.0f MB/s   peak RSS %6.1f MB%s" % (label, best,
    mb / best, peak / 1024.0, ratio))
with open(os.environ["FK_LAST"], "w") as f:
    f.write("%f\n" % best)
PY
}

echo "collapse-perf on $(($(wc -c <"$IN") / 1048576)) MiB ($IN)"
"$BIN/collapse-perf" -n 1 "$IN" >"$DIR/perf-n1.folded"
"$BIN/collapse-perf" -n 2 "$IN" >"$DIR/perf-n2.folded"
if cmp -s "$DIR/perf-n1.folded" "$DIR/perf-n2.folded"; then
	echo "output: $(wc -l <"$DIR/perf-n1.folded") stacks, the same with -n 1 and -n 2"
else
	echo "output: -n 1 and -n 2 DIFFER"
fi
FK_LAST=$DIR/.last-time
export FK_LAST
run "collapse-perf -n 1" "$BIN/collapse-perf" -n 1
base=$(cat "$FK_LAST")
run "collapse-perf -n 2" "$BIN/collapse-perf" -n 2
run "collapse-perf --all --tid -n 1" "$BIN/collapse-perf" --all --tid -n 1
if command -v inferno-collapse-perf >/dev/null 2>&1; then
	FK_BASE=$base run "inferno-collapse-perf -n 1" inferno-collapse-perf --nthreads 1
	FK_BASE=$base run "inferno-collapse-perf -n 2" inferno-collapse-perf --nthreads 2
else
	echo "inferno-collapse-perf: not on PATH"
fi
if command -v stackcollapse-perf.pl >/dev/null 2>&1; then
	FK_BASE=$base run "stackcollapse-perf.pl" stackcollapse-perf.pl
else
	echo "stackcollapse-perf.pl: not on PATH"
fi
