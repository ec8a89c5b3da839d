#!/bin/sh
# Benchmark diff-folded: two 1M-stack folded files (make-folded-corpus
# with seeds 1 and 2), MB/s of input and peak RSS, next to
# inferno-diff-folded and difffolded.pl when they are on PATH. Each pair
# is timed twice: sorted, as collapsers write folded files, and in the
# generator's order.
#
#   FK_SHARED=../shared FK_BENCH_DIR=/tmp/fkbench sh tests/bench/diff-folded.sh BIN_DIR
#
# FK_DIFF_STACKS sets the stacks per file (default 1M). The inputs are kept
# in FK_BENCH_DIR and reused by later runs.
BIN=${1:?usage: diff-folded.sh BIN_DIR}
SHARED=${FK_SHARED:-../shared}
DIR=${FK_BENCH_DIR:-${TMPDIR:-/tmp}/fkbench}
N=${FK_DIFF_STACKS:-1M}
A="$DIR/folded-$N-seed1.txt"
B="$DIR/folded-$N-seed2.txt"
mkdir -p "$DIR" || exit 1
# gen FILE SEED [--sorted]: make a corpus once.
gen() {
	[ -s "$1" ] && return 0
	python3 "$SHARED/bench/make-folded-corpus" "$N" "$1.tmp" --seed "$2" $3 \
	    >/dev/null 2>&1 && mv "$1.tmp" "$1"
}
for s in 1 2; do
	gen "$DIR/folded-$N-seed$s.txt" "$s" || exit 1
	gen "$DIR/folded-$N-seed$s-sorted.txt" "$s" --sorted || exit 1
done

# timed LABEL CMD...: best of 3 wall-clock runs on A B, MB/s, peak RSS.
timed() {
	label=$1
	shift
	python3 - "$A" "$B" "$label" "$@" <<'PY'
import os, resource, subprocess, sys, time
a, b, label, cmd = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
size = os.path.getsize(a) + os.path.getsize(b)
best, rss = None, 0
# GNU time reports the tool's own peak RSS; getrusage would also count
# the interpreter's pages in the child before exec.
gtime = ["/usr/bin/time", "-f", "%M"] if os.path.exists("/usr/bin/time") else []
for _ in range(3):
    t = time.perf_counter()
    with open(os.devnull, "wb") as null:
        p = subprocess.run(gtime + cmd + [a, b], stdout=null, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t
    best = dt if best is None or dt < best else best
    if p.returncode != 0:
        print("%-40s exit status %d" % (label, p.returncode)); sys.exit(0)
    if gtime:
        rss = max(rss, int(p.stderr.split()[-1]))
if not gtime:
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("%-40s %7.2f s %8.0f MB/s   peak RSS %6.1f MB" % (label, best,
    size / best / 1e6, rss / 1024.0))
PY
}

run_all() {
	echo "diff-folded on $(du -m "$A" | cut -f1) MB + $(du -m "$B" | cut -f1) MB ($N stacks each, $1)"
	timed "diff-folded" "$BIN/diff-folded"
	timed "diff-folded -n -s" "$BIN/diff-folded" -n -s
	if command -v inferno-diff-folded >/dev/null 2>&1; then
		timed "inferno-diff-folded" inferno-diff-folded
	else
		echo "inferno-diff-folded: not on PATH"
	fi
	if command -v difffolded.pl >/dev/null 2>&1; then
		timed "difffolded.pl" difffolded.pl
	else
		echo "difffolded.pl: not on PATH"
	fi
}

A="$DIR/folded-$N-seed1-sorted.txt"
B="$DIR/folded-$N-seed2-sorted.txt"
run_all "sorted"
A="$DIR/folded-$N-seed1.txt"
B="$DIR/folded-$N-seed2.txt"
run_all "unsorted"
