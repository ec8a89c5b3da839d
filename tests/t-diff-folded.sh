#!/bin/sh
# diff-folded beyond the fixtures: a reference model of inferno's line
# rules on random input, warnings per file, streaming memory, errors.
#
#   sh tests/t-diff-folded.sh BIN_DIR
BIN=${1:?usage: t-diff-folded.sh BIN_DIR}
T=$(mktemp -d "${TMPDIR:-/tmp}/t-diff.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
DF="$BIN/diff-folded"
. "$(dirname "$0")/tap.sh"

# gen.py SEED NLINES OUT: folded lines with the odd cases mixed in.
cat >"$T/gen.py" <<'PY'
import random, sys
seed, nlines, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
r = random.Random(seed)
frames = ["main", "a", "b;c", "0x1F2a", "x0xabc", "0xZZ", "f\u00e9", "0x"]
with open(out, "w", encoding="utf-8", newline="") as o:
    for i in range(nlines):
        stack = ";".join(r.choice(frames) for _ in range(r.randrange(0, 5)))
        count = str(r.randrange(0, 1000))
        k = r.random()
        if k < 0.05: count += "." + r.choice(["5", "000", "", "25"])
        elif k < 0.07: count = "." + count
        elif k < 0.08: count = "+" + count
        elif k < 0.09: count = "x"
        sep = r.choice([" ", " ", " ", "  ", "\t"])
        tail = r.choice(["", "", "", " ", "\r", "\u00a0"])
        o.write(stack + sep + count + tail + "\n")
        if r.random() < 0.01: o.write("\n")
PY
# ref.py [-n] [-s] BEFORE AFTER: the expected output, sorted.
cat >"$T/ref.py" <<'PY'
import re, sys
args = sys.argv[1:]
norm, strip = "-n" in args, "-s" in args
files = [a for a in args if not a.startswith("-")]
counts, totals = {}, [0, 0]
for side, path in enumerate(files):
    for line in open(path, encoding="utf-8", newline="\n"):
        line = line.rstrip("\n")
        if " " not in line: continue
        head, num = line.rsplit(" ", 1)
        num = num.rstrip()
        m = re.fullmatch(r"([0-9]*)\.([0-9]*)", num)
        if m: num = m.group(1)
        elif not re.fullmatch(r"\+?[0-9]+", num): continue
        if not re.fullmatch(r"[0-9]+", num.lstrip("+")) or num.startswith("++"): continue
        c = int(num)
        if c >= 1 << 64: continue
        stack = head.rstrip()
        if strip: stack = re.sub(r"0x[0-9a-fA-F]+", "0x...", stack)
        counts.setdefault(stack, [0, 0])[side] += c
        totals[side] += c
if norm and totals[0] != totals[1]:
    for v in counts.values():
        v[0] = int(v[0] * totals[1] / totals[0]) if totals[0] else 0
for k in sorted(counts, key=lambda s: s.encode()):
    sys.stdout.write("%s %d %d\n" % (k, counts[k][0], counts[k][1]))
PY

python3 "$T/gen.py" 1 20000 "$T/a.txt"
python3 "$T/gen.py" 2 20000 "$T/b.txt"
for opt in "" -n -s "-n -s"; do
	python3 "$T/ref.py" $opt "$T/a.txt" "$T/b.txt" >"$T/want"
	"$DF" -q $opt "$T/a.txt" "$T/b.txt" >"$T/got" 2>"$T/err"
	if cmp -s "$T/want" "$T/got" && [ ! -s "$T/err" ]; then
		ok "random input matches the reference model ${opt:-(plain)}"
	else
		not_ok "random input matches the reference model ${opt:-(plain)}"
		diff "$T/want" "$T/got" | head -6 | sed 's/^/#   /'
	fi
done

# Enough distinct stacks (> 65536) for the two-thread sort and merge.
python3 - "$T/wa.txt" "$T/wb.txt" <<'PY'
import random, sys
r = random.Random(7)
words = ["main", "run", "a", "b", "0x1f", "\u00e9", "x y", ""]
for path in sys.argv[1:]:
    with open(path, "w", encoding="utf-8") as o:
        for i in range(90000):
            stack = ";".join(r.choice(words) for _ in range(r.randrange(1, 9)))
            o.write("%s;%d %d\n" % (stack, r.randrange(200000), r.randrange(50)))
PY
python3 "$T/ref.py" "$T/wa.txt" "$T/wb.txt" >"$T/want"
"$DF" "$T/wa.txt" "$T/wb.txt" >"$T/got" 2>"$T/err"
cmp -s "$T/want" "$T/got" && [ ! -s "$T/err" ] &&
    [ "$(wc -l <"$T/got" | tr -d ' ')" -gt 100000 ]
check $? "over 100000 distinct stacks: sorted and counted like the model"

# Sorted inputs, as collapsers write them, are merged without a sort.
LC_ALL=C sort "$T/wa.txt" >"$T/wa-sorted.txt"
LC_ALL=C sort "$T/wb.txt" >"$T/wb-sorted.txt"
"$DF" "$T/wa-sorted.txt" "$T/wb-sorted.txt" >"$T/got" 2>"$T/err"
cmp -s "$T/want" "$T/got" && [ ! -s "$T/err" ]
check $? "sorted inputs: merged like the model"

# Mapped files are given back part by part except where new stacks lie:
# stacks first seen before, among and after megabytes of repeats.
python3 - "$T/pa.txt" "$T/pb.txt" <<'PY'
import random, sys
r = random.Random(11)
for path in sys.argv[1:]:
    with open(path, "w") as o:
        for block in range(6):
            o.write("main;repeat;x%d 1\n" % r.randrange(3) * 40000)
            for i in range(3000):
                o.write("main;b%d;f%d 2\n" % (block, r.randrange(100000)))
PY
python3 "$T/ref.py" "$T/pa.txt" "$T/pb.txt" >"$T/want"
"$DF" "$T/pa.txt" "$T/pb.txt" >"$T/got" 2>"$T/err"
cat "$T/pa.txt" | "$DF" - "$T/pb.txt" >"$T/got2" 2>>"$T/err"
cmp -s "$T/want" "$T/got" && cmp -s "$T/want" "$T/got2" && [ ! -s "$T/err" ]
check $? "stacks among megabytes of repeats: mapped and piped like the model"

# With both files read at once, the warnings about the second still come
# after all of those about the first, each file's in line order.
"$DF" "$T/a.txt" "$T/b.txt" 2>&1 >/dev/null |
    sed -n 's/^diff-folded: \([^:]*\):\([0-9]*\): .*/\1 \2/p' >"$T/where"
sort -s -k1,1 -k2,2n "$T/where" | cmp -s - "$T/where" &&
    [ "$(sed -n 1p "$T/where" | cut -d' ' -f1)" = "$T/a.txt" ] &&
    [ "$(cut -d' ' -f1 "$T/where" | uniq | wc -l | tr -d ' ')" = 2 ]
check $? "warnings: the first file's, then the second's, in line order"

# Warnings about the second file wait for the first file's, but not in
# memory without end: a file of bad lines stays small, order and all.
python3 - "$T/bad1.txt" "$T/bad2.txt" <<'PY'
import sys
open(sys.argv[1], "w").write("a 1\nx\n" * 50000)
open(sys.argv[2], "w").write("y\n" * 3000000)
PY
python3 - "$DF" "$T/bad1.txt" "$T/bad2.txt" "$T/err" <<'PY'
import resource, subprocess, sys
with open(sys.argv[4], "wb") as err:
    out = subprocess.run(sys.argv[1:4], stdout=subprocess.PIPE,
        stderr=err).stdout
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("# peak RSS %d KiB" % rss)
sys.exit(0 if out == b"a 50000 0\n" and rss < 32 * 1024 else 1)
PY
r=$?
sed -n 's/^diff-folded: \([^:]*\):\([0-9]*\): .*/\1 \2/p' "$T/err" >"$T/where"
[ $r = 0 ] && [ "$(wc -l <"$T/where" | tr -d ' ')" = 3050000 ] &&
    sort -s -k1,1 -k2,2n "$T/where" | cmp -s - "$T/where"
check $? "3M bad lines in the second file: warnings in order, memory bounded"

# One fraction warning per file, one warning per bad line, each with
# file:line; bad lines counted against the generator's own rules.
"$DF" "$T/a.txt" "$T/b.txt" >/dev/null 2>"$T/err"
[ "$(grep -c 'fractional sample counts' "$T/err")" = 2 ] &&
    grep -q "^diff-folded: $T/a.txt:[0-9]*: The input data has fractional" "$T/err" &&
    grep -q "^diff-folded: $T/b.txt:[0-9]*: The input data has fractional" "$T/err"
check $? "fractional counts: one warning per file, with file:line"
bad=$(python3 - "$T/a.txt" "$T/b.txt" <<'PY'
import re, sys
n = 0
for path in sys.argv[1:]:
    for line in open(path, encoding="utf-8", newline="\n"):
        line = line.rstrip("\n")
        num = line.rsplit(" ", 1)[1].rstrip() if " " in line else None
        if num is None or not (re.fullmatch(r"[0-9]*\.[0-9]*", num) and
                re.match(r"[0-9]", num) or re.fullmatch(r"\+?[0-9]+", num)):
            n += 1
print(n)
PY
)
[ "$(grep -c 'Unable to parse line: ' "$T/err")" = "$bad" ]
check $? "one warning per bad line ($bad)"

# Streaming: 40 MB of lines over 3 distinct stacks stays small in memory.
python3 - "$T/many.txt" <<'PY'
import sys
with open(sys.argv[1], "w") as o:
    line = "main;" + "x" * 60 + ";leaf%d 1\n"
    o.write("".join(line % (i % 3) for i in range(600000)))
PY
python3 - "$DF" "$T/many.txt" <<'PY'
import resource, subprocess, sys
out = subprocess.run([sys.argv[1], sys.argv[2], sys.argv[2]],
    capture_output=True).stdout
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
ok = out.count(b"\n") == 3 and b" 200000 200000\n" in out and rss < 64 * 1024
print("# peak RSS %d KiB" % rss)
sys.exit(0 if ok else 1)
PY
check $? "40 MB over 3 stacks: exact counts in bounded memory"

# Errors: a missing file writes nothing; usage errors exit 2.
"$DF" "$T/a.txt" "$T/nonexistent" >"$T/out" 2>"$T/err"
[ $? = 1 ] && [ ! -s "$T/out" ] && grep -q "cannot open '$T/nonexistent'" "$T/err"
check $? "missing file: exit 1, message, nothing on stdout"
"$DF" "$T/a.txt" >/dev/null 2>&1
[ $? = 2 ]
check $? "one operand: exit 2"
"$DF" "$T/a.txt" "$T/b.txt" "$T/b.txt" >/dev/null 2>&1
[ $? = 2 ]
check $? "three operands: exit 2"
"$DF" -x "$T/a.txt" "$T/b.txt" >/dev/null 2>&1
[ $? = 2 ]
check $? "unknown option: exit 2"
"$DF" --help >"$T/help" && grep -q '^usage: diff-folded ' "$T/help"
check $? "--help prints the usage on stdout"
[ "$("$DF" --version)" = "diff-folded flamekit 0.1.0" ]
check $? "--version"
printf 'a 1\n' | "$DF" --normalize --strip-hex - "$T/b.txt" >/dev/null 2>&1
check $? "long options and - for standard input"

echo "1..$n"
tap_done
