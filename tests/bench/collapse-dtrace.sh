#!/bin/sh
# Benchmark collapse-dtrace: MB/s and peak RSS with 1 and 2 threads on a
# large DTrace input built from the conformance samples, next to
# inferno-collapse-dtrace and stackcollapse.pl when they are on PATH.
#
#   FK_SHARED=../shared FK_BENCH_DIR=/tmp/fkbench sh tests/bench/collapse-dtrace.sh BIN_DIR
#
# FK_DTRACE_MB sets the input size (default 400). The input is kept in
# FK_BENCH_DIR and reused by later runs.
BIN=${1:?usage: collapse-dtrace.sh BIN_DIR}
SHARED=${FK_SHARED:-../shared}
DIR=${FK_BENCH_DIR:-${TMPDIR:-/tmp}/fkbench}
MB=${FK_DTRACE_MB:-400}
IN="$DIR/dtrace-${MB}M.txt"
mkdir -p "$DIR" || exit 1

if [ ! -s "$IN" ]; then
	# The stacks of all conformance inputs, one header, repeated; every
	# pass renames the modules (genunix -> genunix3) so that the number
	# of distinct stacks grows eightfold, as across several processes.
	python3 - "$SHARED/conformance/collapse-dtrace/inputs" "$IN" "$MB" <<'PY' || exit 1
import os, re, sys
src, out, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
bodies = []
for name in sorted(os.listdir(src)):
    data = open(os.path.join(src, name), "rb").read()
    lines = data.split(b"\n")
    for i, l in enumerate(lines):
        if not l.strip():
            body = b"\n".join(lines[i + 1:]).strip(b"\n")
            if body:
                bodies.append(body + b"\n\n")
            break
variants = [re.sub(rb"(\w)`", rb"\g<1>%d`" % k, b"".join(bodies)) if k else
    b"".join(bodies) for k in range(8)]
size, k = 0, 0
with open(out + ".tmp", "wb") as o:
    o.write(b"CPU     ID                    FUNCTION:NAME\n"
        b"  0  64091                        :tick-60s\n\n")
    while size < mb << 20:
        o.write(variants[k % 8])
        size += len(variants[k % 8])
        k += 1
os.rename(out + ".tmp", out)
PY
fi

# timed LABEL CMD...: best of 3 wall-clock runs, MB/s, peak RSS.
timed() {
	label=$1
	shift
	python3 - "$IN" "$label" "$@" <<'PY'
import os, resource, subprocess, sys, time
path, label, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
size = os.path.getsize(path)
best, rss = None, 0
# GNU time reports the tool's own peak RSS; getrusage would also count
# the interpreter's pages in the child before exec.
gtime = ["/usr/bin/time", "-f", "%M"] if os.path.exists("/usr/bin/time") else []
for _ in range(3):
    t = time.perf_counter()
    with open(os.devnull, "wb") as null:
        p = subprocess.run(gtime + cmd + [path], stdout=null, stderr=subprocess.PIPE)
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

echo "collapse-dtrace on $(du -m "$IN" | cut -f1) MB ($IN)"
"$BIN/collapse-dtrace" -n 1 "$IN" >"$DIR/dtrace-n1.folded"
"$BIN/collapse-dtrace" -n 2 "$IN" >"$DIR/dtrace-n2.folded"
if cmp -s "$DIR/dtrace-n1.folded" "$DIR/dtrace-n2.folded"; then
	echo "output: $(wc -l <"$DIR/dtrace-n1.folded") stacks, identical for -n 1 and -n 2"
else
	echo "output: DIFFERS between -n 1 and -n 2"
fi
timed "collapse-dtrace -n 1" "$BIN/collapse-dtrace" -n 1
timed "collapse-dtrace -n 2" "$BIN/collapse-dtrace" -n 2
timed "collapse-dtrace --includeoffset -n 1" "$BIN/collapse-dtrace" --includeoffset -n 1
if command -v inferno-collapse-dtrace >/dev/null 2>&1; then
	timed "inferno-collapse-dtrace -n 1" inferno-collapse-dtrace --nthreads 1
	timed "inferno-collapse-dtrace -n 2" inferno-collapse-dtrace --nthreads 2
else
	echo "inferno-collapse-dtrace: not on PATH"
fi
if command -v stackcollapse.pl >/dev/null 2>&1; then
	timed "stackcollapse.pl" stackcollapse.pl
else
	echo "stackcollapse.pl: not on PATH"
fi
