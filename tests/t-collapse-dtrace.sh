#!/bin/sh
# collapse-dtrace beyond the fixtures: a reference model of the naming rules
# on random input, thread-count independence on multi-chunk input, and
# pathological lines (huge, deep, NUL bytes, truncated).
#
#   sh tests/t-collapse-dtrace.sh BIN_DIR
BIN=${1:?usage: t-collapse-dtrace.sh BIN_DIR}
T=$(mktemp -d "${TMPDIR:-/tmp}/t-dtrace.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
CD="$BIN/collapse-dtrace"
. "$(dirname "$0")/tap.sh"

# gen.py SEED NSTACKS OUT: random DTrace text mixing every frame form the
# tool tidies, and ref.py [--includeoffset] IN: the expected folded output,
# computed independently from the rules in the man page.
cat >"$T/gen.py" <<'PY'
import random, sys
seed, nstacks, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
r = random.Random(seed)
mods = ["libc.so.1", "unix", "genunix", "mysqld", "rg", "libjvm.so", ""]
funcs = ["_lwp_park", "cond_wait", "operator+", "Foo::bar<int>::baz",
    "JavaCalls::call_helper(JavaValue*, Thread*)", "java_start(Thread*)",
    "Ljava/lang/Thread;.run", "LLfoo", "a;b", "0xfe3f87a",
    "std::rt::lang_start::h0123456789abcdef",
    "_$LT$T$u20$as$u20$x..Y$GT$::call::hf1c5bb9dd6c517cb",
    "do_call::h08ca64c12e8a9bb0 (.llvm.1551)", "x$u3b$y::h0123456789ABCDEF",
    "", "f\u00e9", "tab\there"]
def frame():
    parts = []
    for i in range(r.choice([1, 1, 1, 1, 2, 3])):
        m = r.choice(mods)
        f = r.choice(funcs)
        s = (m + "`" + f) if m else f
        if r.random() < 0.6:
            s += "+0x%x" % r.randrange(1 << 16)
        parts.append(s)
    return "->".join(parts)
with open(out, "w", encoding="utf-8", newline="") as o:
    o.write("CPU     ID                    FUNCTION:NAME\n")
    o.write("  0  64091                        :tick-60s\n\n\n")
    pool = []
    for k in range(nstacks):
        if pool and r.random() < 0.5:
            stack = r.choice(pool)
        else:
            stack = [frame() for _ in range(r.randrange(0, 12))]
            pool.append(stack)
        for f in stack:
            o.write(" " * r.choice([0, 6, 14]) + f + r.choice(["", "", " ", "\r"]) + "\n")
        c = r.randrange(1, 500)
        o.write(" " * 16 + r.choice(["", "", "+"]) + str(c) + "\n")
        o.write(r.choice(["\n", "", "\n\n"]))
PY
cat >"$T/ref.py" <<'PY'
import re, sys
withoff = "--includeoffset" in sys.argv[1:-1]
path = sys.argv[-1]
ESC = {"$SP$": "@", "$BP$": "*", "$RF$": "&", "$LT$": "<", "$GT$": ">",
    "$LP$": "(", "$RP$": ")", "$C$": ",", "$u7e$": "~", "$u20$": " ",
    "$u27$": "'", "$u3d$": "=", "$u5b$": "[", "$u5d$": "]", "$u7b$": "{",
    "$u7d$": "}", "$u3b$": ";", "$u2b$": "+", "$u21$": "!", "$u22$": '"'}
def rust(s):
    if not re.search(r"h[0-9a-fA-F]{16}$", s):
        return None
    s = s[:-17]
    if s.endswith("::"): s = s[:-2]
    if s.startswith("_$"): s = s[1:]
    out = ""
    while s:
        if s.startswith(".."): out += "::"; s = s[2:]
        elif s[0] == "$":
            for k, v in ESC.items():
                if s.startswith(k): out += v; s = s[len(k):]; break
            else: out += s; s = ""
        else: out += s[0]; s = s[1:]
    return out
def fix(f):
    if "`" not in f: return f
    mod, func = f.split("`", 1)
    if withoff and "+" in func:
        head, off = func.rsplit("+", 1)
        x = rust(head.rstrip())
        return f if x is None else mod + "`" + x + "+" + off
    x = rust(func.rstrip())
    return f if x is None else mod + "`" + x
def tidy(line):
    chain, semi = withoff or "->" in line, withoff or ";" in line
    f = line if withoff or "+" not in line else line[:line.rindex("+")]
    i = f.find("::")
    if i >= 0:
        cut = max(f.rfind("(", i + 2), f.rfind("<", i + 2))
        if cut >= 0: f = f[:cut]
    f = "-" if f == "" else fix(f)
    if not chain:
        return [f.replace(";", ":") if semi else f]
    parts = []
    for k, p in enumerate(f.split("->")):
        p = p.lstrip("L")
        if semi: p = p.replace(";", ":")
        parts.append(p + ("_[i]" if k else ""))
    return parts
counts, stack, header = {}, [], True
for raw in open(path, encoding="utf-8", newline="\n"):
    line = raw.strip()
    if header:
        header = line != ""
        continue
    if not line: continue
    if re.fullmatch(r"\+?[0-9]+", line) and int(line) < 1 << 64:
        if withoff and stack:
            leaf = stack[-1]
            if "+" in leaf: stack[-1] = leaf[:leaf.rindex("+")]
        key = ";".join(stack)
        counts[key] = counts.get(key, 0) + int(line)
        stack = []
    else:
        stack = tidy(line) + stack
if stack: sys.exit("truncated")
for k in sorted(counts, key=lambda s: s.encode()):
    sys.stdout.write("%s %d\n" % (k, counts[k]))
PY

python3 "$T/gen.py" 1 3000 "$T/small.txt"
for opt in "" --includeoffset; do
	python3 "$T/ref.py" $opt "$T/small.txt" >"$T/want" 2>"$T/referr"
	"$CD" -n 1 $opt "$T/small.txt" >"$T/got" 2>"$T/err"
	if cmp -s "$T/want" "$T/got" && [ ! -s "$T/err" ]; then
		ok "random input matches the reference model ${opt:-(default)}"
	else
		not_ok "random input matches the reference model ${opt:-(default)}"
		diff "$T/want" "$T/got" | head -6 | sed 's/^/#   /'
		head -3 "$T/err" | sed 's/^/#   /'
	fi
done

# About 5 MB: several chunks for the worker threads.
python3 "$T/gen.py" 2 40000 "$T/big.txt"
for opt in "" --includeoffset; do
	"$CD" -n 1 $opt "$T/big.txt" >"$T/n1" 2>&1
	"$CD" -n 2 $opt "$T/big.txt" >"$T/n2" 2>&1
	"$CD" -n 3 $opt <"$T/big.txt" >"$T/n3" 2>&1
	cmp -s "$T/n1" "$T/n2" && cmp -s "$T/n1" "$T/n3"
	check $? "-n 1, 2 and 3 agree on a multi-chunk input ${opt:-(default)}"
done
python3 "$T/ref.py" "$T/big.txt" >"$T/want"
"$CD" -n 1 "$T/big.txt" >"$T/n1"
cmp -s "$T/want" "$T/n1"
check $? "multi-chunk input matches the reference model"

# Two operands: each has its own header, with and without threads.
"$CD" -n 2 "$T/big.txt" "$T/big.txt" >"$T/two2" 2>"$T/err2"
"$CD" -n 1 "$T/big.txt" "$T/big.txt" >"$T/two1" 2>"$T/err1"
python3 -c '
import sys
for l in open(sys.argv[1], "rb"):
    k, c = l.rstrip(b"\n").rsplit(b" ", 1)
    sys.stdout.buffer.write(k + b" %d\n" % (2 * int(c)))
' "$T/n1" >"$T/double"
cmp -s "$T/double" "$T/two1"
check $? "two files, one thread: every count doubles"
cmp -s "$T/double" "$T/two2"
check $? "two files, two threads: every count doubles (header of file 2 skipped)"

# Truncated input: exit 1, nothing on stdout, the same message for any -n.
cp "$T/big.txt" "$T/trunc.txt"
printf '              libc.so.1`last_frame+0x1\n' >>"$T/trunc.txt"
lines=$(wc -l <"$T/trunc.txt" | tr -d ' ')
"$CD" -n 1 "$T/trunc.txt" >"$T/out1" 2>"$T/e1"; s1=$?
"$CD" -n 2 "$T/trunc.txt" >"$T/out2" 2>"$T/e2"; s2=$?
[ $s1 = 1 ] && [ $s2 = 1 ] && [ ! -s "$T/out1" ] && [ ! -s "$T/out2" ] &&
    grep -q "trunc.txt:$lines: input data ends in the middle of a stack" "$T/e1" &&
    cmp -s "$T/e1" "$T/e2"
check $? "truncated input fails with file:line and no output, any -n"

# Pathological lines: one frame longer than the reader's block, a
# 10000-deep stack, NUL bytes, a count line with no frames.
python3 - "$T/path.txt" <<'PY'
import sys
with open(sys.argv[1], "wb") as o:
    o.write(b"header\n\n")
    o.write(b"  mod`" + b"x" * (3 << 20) + b"+0x1\n  1\n\n")
    for i in range(10000):
        o.write(b"  m`f%d+0x%x\n" % (i, i))
    o.write(b"  2\n\n  a`nul\x00byte+0x1\n  3\n  4\n")
PY
"$CD" -n 1 "$T/path.txt" >"$T/pathout" 2>"$T/patherr"
python3 - "$T/pathout" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
want = [b" 4", b"a`nul\x00byte 3",
    b";".join(b"m`f%d" % i for i in range(9999, -1, -1)) + b" 2",
    b"mod`" + b"x" * (3 << 20) + b" 1"]
sys.exit(0 if data == b"".join(w + b"\n" for w in want) else 1)
PY
check $? "3 MiB frame, 10000-deep stack, NUL byte, frameless count"

# Invalid UTF-8 is repaired as Rust's from_utf8_lossy (and Python's
# "replace") does: one U+FFFD per maximal invalid subpart.
python3 - "$CD" <<'PY'
import random, subprocess, sys
r = random.Random(5)
pick = [0x41, 0x80, 0xbf, 0xc2, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xa0,
    0x90, 0x8f, 0x9f, 0xc0, 0xff, 0x61]
lines = [b"x" + bytes(r.choice(pick) for _ in range(r.randrange(1, 10))) + b"y"
    for i in range(3000)]
data = b"h\n\n" + b"".join(l + b"\n 1\n" for l in lines)
out = subprocess.run([sys.argv[1], "-n", "1"], input=data,
    capture_output=True).stdout
want = {}
for l in lines:
    k = l.decode("utf-8", "replace").encode()
    want[k] = want.get(k, 0) + 1
got = {}
for l in out.split(b"\n")[:-1]:
    k, c = l.rsplit(b" ", 1)
    got[k] = int(c)
sys.exit(0 if got == want else 1)
PY
check $? "invalid UTF-8 replaced like from_utf8_lossy (3000 random lines)"

# A closed pipe ends the run quietly.
st=$(
	{ "$CD" -n 2 "$T/big.txt" 2>"$T/piperr"; echo $? >"$T/pipest"; } | head -c 10 >/dev/null
	cat "$T/pipest"
)
{ [ "$st" = 0 ] || [ "$st" = 141 ]; } && [ ! -s "$T/piperr" ]
check $? "stdout closed early: no error message (status $st)"

"$CD" --help >"$T/help" 2>&1 && grep -q '^usage: collapse-dtrace ' "$T/help"
check $? "--help prints the usage on stdout"
[ "$("$CD" --version)" = "collapse-dtrace flamekit 0.1.0" ]
check $? "--version"
"$CD" --bogus </dev/null >/dev/null 2>&1
[ $? = 2 ]
check $? "unknown option: exit 2"

echo "1..$n"
tap_done
