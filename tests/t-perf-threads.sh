#!/bin/sh
# collapse-perf gives the same bytes on stdout and stderr whatever the
# number of threads: on every collapse-perf input of the conformance
# corpus, and on inputs large enough to be cut into many chunks (warnings
# spread over the chunks must keep their order and line numbers).
#
#   FK_SHARED=DIR sh tests/t-perf-threads.sh BIN_DIR
BIN=${1:?usage: t-perf-threads.sh BIN_DIR}
CP="$BIN/collapse-perf"
CONF=${FK_SHARED:-../shared}/conformance
T=$(mktemp -d "${TMPDIR:-/tmp}/t-perf-threads.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
. "$(dirname "$0")/tap.sh"

# same NAME ARGS...: -n 1 against -n 2 and -n 3 on stdout, stderr, status
# (standard input from the file $IN, default none).
same() {
	what=$1
	shift
	"$CP" -n 1 "$@" <"${IN:-/dev/null}" >"$T/o1" 2>"$T/e1"
	s1=$?
	for k in 2 3; do
		"$CP" -n "$k" "$@" <"${IN:-/dev/null}" >"$T/o$k" 2>"$T/e$k"
		sk=$?
		if [ "$s1" != "$sk" ] || ! cmp -s "$T/o1" "$T/o$k" ||
		    ! cmp -s "$T/e1" "$T/e$k"; then
			not_ok "$what: -n 1 and -n $k differ"
			diff "$T/o1" "$T/o$k" | head -5 | sed 's/^/# /'
			diff "$T/e1" "$T/e$k" | head -5 | sed 's/^/# /'
			return
		fi
	done
	ok "$what: -n 1, 2 and 3 agree"
}

if [ ! -f "$CONF/cases.tsv" ]; then
	not_ok "conformance corpus not found (set FK_SHARED)"
	echo "1..$n"
	exit 1
fi

# Every collapse-perf row of the manifest, with its arguments.
python3 - "$CONF" "$T/cases" <<'PY'
import gzip, os, shlex, sys
conf, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
rows = []
for line in open(os.path.join(conf, "cases.tsv"), encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    f = line.rstrip("\n").split("\t")
    if f[1] != "collapse-perf":
        continue
    src = os.path.join(conf, f[4].split()[0])
    dst = os.path.join(out, "%d.txt" % len(rows))
    data = gzip.open(src).read() if src.endswith(".gz") else open(src, "rb").read()
    open(dst, "wb").write(data)
    args = [] if f[2] == "-" else shlex.split(f[2])
    rows.append(dst + "\t" + f[0] + "\t" + " ".join(shlex.quote(a) for a in args))
open(os.path.join(out, "list"), "w").write("\n".join(rows) + "\n")
PY
count=0
bad=0
while IFS='	' read -r file id args; do
	count=$((count + 1))
	for k in 2 3; do
		# shellcheck disable=SC2086
		eval "\"$CP\" -n 1 $args" <"$file" >"$T/c1" 2>"$T/d1"
		eval "\"$CP\" -n $k $args" <"$file" >"$T/ck" 2>"$T/dk"
		if ! cmp -s "$T/c1" "$T/ck" || ! cmp -s "$T/d1" "$T/dk"; then
			bad=$((bad + 1))
			echo "# $id: -n 1 and -n $k differ"
		fi
	done
done <"$T/cases/list"
[ "$count" -gt 50 ] && [ "$bad" = 0 ]
check $? "all $count conformance collapse-perf cases: -n 1 = -n 2 = -n 3"

# A few MB made of every perf input (so also weird lines, both event kinds,
# files without a final blank line), with numbered weird lines sprinkled in:
# many chunks, warnings in many of them.
python3 - "$T/cases" "$T/big.txt" "$T/expect-warn" <<'PY'
import glob, sys
src, out, exp = sys.argv[1], sys.argv[2], sys.argv[3]
parts = [open(f, "rb").read() for f in sorted(glob.glob(src + "/*.txt"))]
seen = set()
uniq = []
for p in parts:
    if p not in seen:
        seen.add(p)
        uniq.append(p)
buf = bytearray()
warn = []
lineno = 0
i = 0
while len(buf) < 6 << 20:
    p = uniq[i % len(uniq)]
    i += 1
    if not p.endswith(b"\n"):
        p += b"\n"
    buf += p + b"\n"
    lineno += p.count(b"\n") + 1
    # A sample with a junk line in it, its line number known (no event
    # in the header, so no event filter can skip it).
    buf += b"prog 9\n\t1 f (/x)\n\tjunk %d\n\n" % i
    warn.append(lineno + 3)
    lineno += 4
open(out, "wb").write(buf)
open(exp, "w").write("\n".join(str(w) for w in warn) + "\n")
PY
same "6 MB of concatenated inputs" "$T/big.txt"
same "6 MB, --all --tid --addrs" --all --tid --addrs "$T/big.txt"
same "6 MB, --event-filter cpu-clock" --event-filter cpu-clock "$T/big.txt"
IN="$T/big.txt" same "6 MB on stdin" -

# The threaded path really ran, and said so at -vv.
"$CP" -vv -n 2 "$T/big.txt" 2>&1 >/dev/null | grep -q "in chunks with 2 threads"
check $? "6 MB with -n 2 is parsed in chunks by 2 threads"

# The junk lines are reported with their own line numbers, in order.
"$CP" -n 2 "$T/big.txt" 2>&1 >/dev/null |
    sed -n 's/^collapse-perf: .*big\.txt:\([0-9]*\): Weird stack line: .junk [0-9]*$/\1/p' \
    >"$T/got-warn"
cmp -s "$T/got-warn" "$T/expect-warn"
check $? "-n 2: every junk line is reported at its line number, in order"

# Two operands: line numbers restart, stacks add up.
"$CP" -n 1 "$T/big.txt" >"$T/one" 2>/dev/null
"$CP" -n 2 "$T/big.txt" "$T/big.txt" >"$T/two" 2>"$T/two.err"
python3 - "$T/one" "$T/two" <<'PY'
import sys
one = [l.rsplit(b" ", 1) for l in open(sys.argv[1], "rb").read().splitlines()]
two = [l.rsplit(b" ", 1) for l in open(sys.argv[2], "rb").read().splitlines()]
sys.exit(0 if [(k, 2 * int(c)) for k, c in one] == [(k, int(c)) for k, c in two] else 1)
PY
check $? "-n 2 with the file twice: every count doubles"
w1=$(grep -c 'junk' "$T/e1")
w2=$(grep -c 'junk' "$T/two.err")
[ "$w2" = $((2 * w1)) ] && [ "$(head -1 "$T/two.err")" = "$(grep -m1 'junk' "$T/two.err")" ] &&
    [ "$(grep 'junk' "$T/two.err" | sed -n "$((w1 + 1))p" | sed 's/.*big\.txt:\([0-9]*\):.*/\1/')" = "$(head -1 "$T/expect-warn")" ]
check $? "-n 2 with the file twice: the second copy's lines are numbered from 1"

# A sample without its closing blank line at the end of a big file.
head -c 3000000 "$T/big.txt" >"$T/cut.txt"
same "3 MB cut in the middle of a sample" "$T/cut.txt"

# One sample bigger than a chunk (a 3 MB symbol), between ordinary ones.
python3 - "$T/huge.txt" <<'PY'
import sys
s = b"p 1 [000] 1.0: 1 cycles:\n\t1 a (/x)\n\t2 main (/x)\n\n"
big = b"p 1 [000] 1.0: 1 cycles:\n\t1 " + b"y" * (3 << 20) + b" (/x)\n\t2 main (/x)\n\n"
open(sys.argv[1], "wb").write(s * 20000 + big + s * 20000)
PY
same "a 3 MB frame line among 40000 samples" "$T/huge.txt"

# perf script without call chains: one-line samples, no blank line to cut
# at. Past a few MB the rest is parsed by one thread (memory stays
# bounded); warnings and output must not change.
python3 - "$T/flat.txt" <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    for i in range(120000):
        out.write("prog 10 %d.%06d:          1 cycles:u:  7fa68b1f%04x f%d+0x4 (/usr/lib/ld-2.31.so)\n"
                  % (i, i, i % 5000, i % 300))
        if i % 10007 == 5:
            out.write("junk line x%d\n" % i)
PY
same "10 MB without blank lines" "$T/flat.txt"
[ "$(grep -c 'Weird event line: junk line x' "$T/e2")" = 12 ]
check $? "10 MB without blank lines: the 12 junk lines are reported"
"$CP" -vv -n 2 "$T/flat.txt" 2>&1 >/dev/null | grep -q "no place to cut .*one thread from there"
check $? "10 MB without blank lines: parsed by one thread past the first chunks"

echo "1..$n"
tap_done
