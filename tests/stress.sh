#!/bin/sh
# make stress: stream a generated 10 GB perf script into collapse-perf and
# a 5 GB folded stream into flamegraph, compare two 3 GB folded files
# with diff-folded (mapped, not streamed), and check that peak memory
# stays bounded (it must not grow with the input). Takes a few minutes;
# not part of make check. Sizes can be changed: STRESS_PERF=10G
# STRESS_FOLDED=5G STRESS_DIFF=3G.
shared=../shared
if [ "$1" = "--shared" ]; then
	shared=$2
	shift 2
fi
bin=$(cd "${1:-build}/bin" && pwd) || exit 2
shared=$(cd "$shared" && pwd) || exit 2
perf_size=${STRESS_PERF:-10G}
folded_size=${STRESS_FOLDED:-5G}
diff_size=${STRESS_DIFF:-3G}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fkstress.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

# Peak RSS in KiB of a command reading stdin, via getrusage of a child.
peak() {
	python3 -c '
import resource, subprocess, sys, time
t = time.time()
p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)
dt = time.time() - t
sys.stdout.write("%d %d %.1f %d\n" % (p.returncode,
    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, dt, len(p.stdout)))
' "$@"
}

check() {
	name=$1 limit_kb=$2 result=$3
	set -- $result
	st=$1 rss=$2 secs=$3 outbytes=$4
	if [ "$st" -eq 0 ] && [ "$rss" -le "$limit_kb" ]; then
		echo "ok - $name: peak RSS $((rss / 1024)) MiB (limit $((limit_kb / 1024)) MiB), ${secs}s, $outbytes bytes out"
	else
		echo "not ok - $name: exit $st, peak RSS $((rss / 1024)) MiB (limit $((limit_kb / 1024)) MiB), ${secs}s"
		fail=1
	fi
}

echo "# streaming $perf_size of perf script into collapse-perf"
r=$("$shared/bench/make-perf-corpus" "$perf_size" - | peak "$bin/collapse-perf" -n 2)
check "collapse-perf on $perf_size" 65536 "$r"

echo "# streaming $folded_size of folded stacks into flamegraph"
"$shared/bench/make-folded-corpus" 5K "$tmp/seed.folded" >/dev/null
cat >"$tmp/gen.py" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
s = sys.argv[2]
want = int(s[:-1]) * units[s[-1]] if s[-1] in units else int(s)
block = data * max(1, (8 << 20) // len(data))
out = sys.stdout.buffer
n = 0
try:
    while n < want:
        out.write(block)
        n += len(block)
except BrokenPipeError:
    pass
PY
r=$(python3 "$tmp/gen.py" "$tmp/seed.folded" "$folded_size" | peak "$bin/flamegraph")
check "flamegraph on $folded_size" 65536 "$r"

echo "# diff-folded on two files of $diff_size of folded stacks"
python3 "$tmp/gen.py" "$tmp/seed.folded" "$diff_size" >"$tmp/big.folded" &&
    cp "$tmp/big.folded" "$tmp/big2.folded" || fail=1
r=$(peak "$bin/diff-folded" "$tmp/big.folded" "$tmp/big2.folded" </dev/null)
check "diff-folded on 2 x $diff_size" 65536 "$r"
rm -f "$tmp/big.folded" "$tmp/big2.folded"
exit $fail
