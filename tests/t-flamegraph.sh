#!/bin/sh
# flamegraph and flamechart against a model of inferno's merge, written
# here in Python: random folded inputs (names chosen to hit the sorting
# corner cases: "a" against "a!x", "a b", "a 1x", empty names), in sorted,
# --no-sort, --reverse and flame chart order, compared frame by frame
# (name, depth, start and width in samples, differential delta). Then the
# behaviour that goes beyond inferno: fg:before/fg:after, the "ic" button,
# files read separately, labels cut by characters, exact huge counts,
# --total, --minwidth with '%', invalid UTF-8.
#
#   sh tests/t-flamegraph.sh BIN_DIR

bin=${1:?usage: sh tests/t-flamegraph.sh BIN_DIR}
exec python3 - "$bin" <<'EOF'
import os
import random
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter

BIN = os.path.abspath(sys.argv[1])
SVG = "{http://www.w3.org/2000/svg}"
FG = "{http://github.com/jonhoo/inferno}"
TMP = tempfile.mkdtemp(prefix="t-flamegraph.")
fails = 0


def tap(ok, name, why=""):
    global fails
    print(("ok - " if ok else "not ok - ") + name)
    if not ok:
        fails += 1
        for line in str(why).splitlines()[:8]:
            print("#   " + line[:300])


def run(tool, args, data=b"", files=None):
    cmd = [os.path.join(BIN, tool)] + args + (files or [])
    p = subprocess.run(cmd, input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120, cwd=TMP)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


TITLE = re.compile(r"^(.*) \(([0-9,]+) [^,]*, ([0-9.]+)%(?:; ([+-]?[0-9.]+)%)?\)$",
                   re.S)


def frames_of(svg, inverted=False):
    """[(name, depth, start, width, delta_pct or None, rect attrs)]"""
    root = ET.fromstring(svg)
    height = int(root.get("height"))
    out = []
    for el in root.iter():
        t = el.find(SVG + "title")
        r = el.find(SVG + "rect")
        if t is None or r is None:
            continue
        m = TITLE.match(t.text or "")
        name, delta = (m.group(1), m.group(4)) if m else (t.text, None)
        y = int(r.get("y"))
        if inverted:
            depth = (y - (4 * 12 + 4)) // 16
        else:
            depth = (height - 34 - y + 1) // 16 - 1
        if depth == 0:
            name = ""       # "all (N samples, 100%)"
        out.append((name, depth, int(r.get(FG + "x")), int(r.get(FG + "w")),
                    delta, dict(r.attrib)))
    return out


def parse_line(line):
    """inferno's rules, for the ASCII inputs generated here."""
    line = line.strip(b" \t\r\n\x0b\x0c")
    if not line or line.startswith(b"# "):
        return "skip"

    def take(s):
        i = s.rfind(b" ")
        if i < 0 or not s[i + 1:].isdigit():
            return None
        return int(s[i + 1:]), s[:i].rstrip(b" \t\r\n\x0b\x0c")
    t = take(line)
    if t is None:
        return None
    after, rest = t
    t2 = take(rest)
    if t2 is not None:
        before, rest = t2
        delta = after - before
    else:
        before, delta = None, None
    if not rest:
        return None
    return rest, after, before, delta


def model(lines, order="sorted", reverse=False, minwidth=0.0):
    """Frames as inferno draws them: [(name, depth, start, width, delta)].

    One documented difference: lines with the same stack are added up
    before sorting (their combined line sorts with the summed count, and
    carries the delta of the line whose count text sorts first), where
    inferno sorts them one by one.
    """
    parsed = [p for p in map(parse_line, lines) if p not in (None, "skip")]
    if reverse:
        parsed = [(b";".join(s.split(b";")[::-1]).strip(b" \t\r\n\x0b\x0c"),
                   a, b, d) for s, a, b, d in parsed]
    if order == "sorted":
        groups = {}
        for stack, after, before, delta in parsed:
            text = b"%d %d" % (before, after) if before is not None else b"%d" % after
            g = groups.setdefault(stack, [0, None, None])
            g[0] += after
            if g[1] is None or text < g[1]:
                g[1], g[2] = text, delta
        parsed = [(st, g[0], None, g[2]) for st, g in groups.items()]
        parsed.sort(key=lambda p: p[0] + b" %d" % p[1])
    if order == "chart":
        parsed = parsed[::-1]
    total = sum(p[1] for p in parsed)
    frames, opened, last, time = [], {}, [], 0

    def close(depth):
        name, start, delta = opened.pop(depth)
        frames.append((name, depth, start, time - start, delta))
    for stack, count, before, delta in parsed:
        cur = [b""] + stack.split(b";")
        common = 0
        if last:
            while (common < len(last) and common < len(cur)
                   and last[common] == cur[common]):
                common += 1
            for d in range(common, len(last)):
                close(d)
        for d in range(common, len(cur)):
            dl = None if delta is None else (delta if d == len(cur) - 1 else 0)
            opened[d] = (cur[d], time, dl)
        time += count
        last = cur
    for d in range(len(last)):
        close(d)
    if total:
        threshold = minwidth / (100.0 / total)
        frames = [f for f in frames if not f[3] < threshold]
    return frames, total


def compare(name, got, want, total):
    g = sorted((f[0], f[1], f[2], f[3]) for f in got)
    w = sorted((n.decode("utf-8", "replace"), d, s, wd)
               for n, d, s, wd, _ in want)
    if g != w:
        cg, cw = Counter(g), Counter(w)
        extra = sorted((cg - cw).elements())[:3]
        missing = sorted((cw - cg).elements())[:3]
        tap(False, name, "frames differ: got %d, want %d\nextra %r\nmissing %r"
            % (len(g), len(w), extra, missing))
        return False
    return True


NAMES_TRICKY = [b"a", b"b", b"a b", b"a!x", b"a 1x", b"ab", b"", b" x",
                b"a 2", b"main", b"-", b"x.y"]
NAMES_PLAIN = [b"a", b"b", b"a!", b"ab", b"main", b"x.y", b"f", b"g", b"A"]


def random_lines(rng, names, n, maxdepth=6, diff=False, zeros=False):
    out = []
    for _ in range(n):
        depth = rng.randint(1, maxdepth)
        st = b";".join(rng.choice(names) for _ in range(depth))
        if not st.strip() or st.startswith(b"# "):
            st = b"main;" + st
        c = rng.randint(0 if zeros else 1, 50)
        if diff and rng.random() < 0.8:
            out.append(st + b" %d %d" % (rng.randint(0, 50), c))
        else:
            out.append(st + b" %d" % c)
    return out


def check_case(name, tool, args, lines, **kw):
    data = b"".join(l + b"\n" for l in lines)
    rc, out, err = run(tool, ["--no-javascript", "--minwidth", "0"] + args, data)
    want, total = model(lines, **kw)
    if total == 0:
        tap(rc == 1, name, "exit %d for an all-zero input" % rc)
        return
    if rc != 0:
        tap(False, name, "exit %d: %s" % (rc, err))
        return
    got = frames_of(out, inverted="-i" in args)
    if not compare(name, got, want, total):
        return
    # deltas: the model's integer delta against the tooltip's percentage
    bad = []
    gd = {(f[0], f[1], f[2]): f[4] for f in got}
    for n, d, s, w, dl in want:
        key = (n.decode("utf-8", "replace"), d, s)
        shown = gd.get(key)
        if d == 0:
            continue
        if dl is None:
            if shown is not None:
                bad.append((key, shown, dl))
        elif shown is None or abs(float(shown) - 100.0 * dl / total) > 0.006:
            bad.append((key, shown, dl))
    tap(not bad, name, "deltas differ: %r" % bad[:3])


rng = random.Random(1)
n_ok = 0
for seed in range(60):
    rng = random.Random(seed)
    names = NAMES_TRICKY if seed % 2 else NAMES_PLAIN
    lines = random_lines(rng, names, rng.randint(1, 40), diff=seed % 3 == 0,
                         zeros=seed % 5 == 0)
    check_case("sorted merge, random input %d" % seed, "flamegraph", [], lines)
    check_case("flame chart order, random input %d" % seed, "flamechart", [],
               lines, order="chart")
    check_case("--reverse, random input %d" % seed, "flamegraph",
               ["--reverse"], lines, reverse=True)
    srt = sorted(lines, key=lambda l: l.strip(b" \t\r\n\x0b\x0c"))
    check_case("--no-sort on sorted input %d" % seed, "flamegraph",
               ["--no-sort"], srt, order="input")
    check_case("--inverted, random input %d" % seed, "flamegraph", ["-i"],
               lines)

# Big enough for the parallel radix sort and several key levels.
rng = random.Random(7)
big = random_lines(rng, [b"f%d" % i for i in range(40)] + NAMES_PLAIN,
                   120000, maxdepth=14)
check_case("sorted merge of 120000 random stacks", "flamegraph",
           ["--minwidth", "0.002"], big, minwidth=0.002)
big2 = random_lines(rng, NAMES_TRICKY + [b"g%d" % i for i in range(30)], 30000,
                    maxdepth=10, diff=True)
check_case("sorted merge of 30000 stacks needing the exact sort",
           "flamegraph", ["--minwidth", "0.002"], big2, minwidth=0.002)

# Duplicate lines: counts add up, the first (by text) carries the delta.
check_case("duplicate stacks, differential", "flamegraph", [],
           [b"a 1 5", b"a 2 3", b"a;b 4 4", b"c 2", b"a;b 1 9"])

# --minwidth: inferno's percentage, and the same with a '%'.
lines = [b"a;b %d" % i for i in range(1, 3)] + [b"c 997", b"d;e 1"]
for arg in ("0.1", "0.1%"):
    data = b"".join(l + b"\n" for l in lines)
    rc, out, err = run("flamegraph", ["--minwidth", arg], data)
    want, total = model(lines, minwidth=0.1)
    tap(rc == 0 and compare("--minwidth " + arg, frames_of(out), want, total),
        "--minwidth %s prunes below 0.1%% of the total" % arg, err)

# Differential frames carry fg:before and fg:after (sums over the lines).
rc, out, err = run("flamegraph", ["--no-javascript"],
                   b"m;a 10 5\nm;b 3 9\nm;c 4\n")
attrs = {(f[0], f[1]): f[5] for f in frames_of(out)}
tap(rc == 0 and attrs[("m", 1)].get(FG + "before") == "17"
    and attrs[("m", 1)].get(FG + "after") == "18"
    and attrs[("a", 2)].get(FG + "before") == "10"
    and attrs[("a", 2)].get(FG + "after") == "5"
    and FG + "before" not in attrs[("c", 2)],
    "differential frames have fg:before and fg:after",
    repr({k: (v.get(FG + "before"), v.get(FG + "after")) for k, v in attrs.items()}))
rc, out, err = run("flamegraph", [], b"a;b 5 0\na;c 1 1\n", )
tap(rc == 0 and b'fg:before="5" fg:after="0"' not in out and
    b"b (0 samples" not in out,
    "a vanished stack is zero wide and pruned by default", out[-300:])
rc, out, err = run("flamegraph", ["--minwidth", "0"], b"a;b 5 0\na;c 1 1\n")
tap(rc == 0 and b'fg:w="0" fg:before="5" fg:after="0"' in out,
    "with --minwidth 0 a vanished stack keeps its before count", out[-400:])

# The case-insensitive search button sits next to Search.
rc, out, err = run("flamegraph", [], b"a 1\n")
root = ET.fromstring(out)
ids = {el.get("id"): el for el in root.iter() if el.get("id")}
tap("ignorecase" in ids and ids["ignorecase"].text == "ic" and
    "search" in ids, "an ic button next to Search", sorted(ids))

# Several files are read separately: no joining of an unterminated line.
f1 = os.path.join(TMP, "one.txt")
f2 = os.path.join(TMP, "two.txt")
open(f1, "wb").write(b"a 1")
open(f2, "wb").write(b"b 2\n")
rc, out, err = run("flamegraph", [], files=[f1, f2])
names = sorted(f[0] for f in frames_of(out))
tap(rc == 0 and names == ["", "a", "b"], "files are not joined at a missing newline",
    "%r %s" % (names, err))

# Labels are cut by characters: five two-byte letters fit in 9 columns.
rc, out, err = run("flamegraph", ["--no-javascript"],
                   "x;\u00e9\u00e9\u00e9\u00e9\u00e9 59\nz 941\n".encode())
labels = [el.text for el in ET.fromstring(out).iter(SVG + "text")
          if el.text and "\u00e9" in el.text]
tap(labels == ["\u00e9\u00e9\u00e9\u00e9\u00e9"], "multi-byte label not cut early", labels)

# Counts near 2^64 are written exactly when there is no --factor.
rc, out, err = run("flamegraph", [], b"a 18446744073709551614\n")
tap(rc == 0 and b"a (18,446,744,073,709,551,614 samples, 100.00%)" in out,
    "huge counts are exact", err)
rc, out, err = run("flamegraph", [], b"a 18446744073709551615\nb 1\n")
tap(rc == 1 and "No stack counts found" in err,
    "a total wrapping to 0 is the no-counts error (like inferno)", err)

# --total (flamegraph.pl): a larger total narrows the graph.
rc, out, err = run("flamegraph", ["--total", "200"], b"a 50\nb 50\n")
fr = {f[0]: f for f in frames_of(out)}
tap(rc == 0 and b'total_samples="200"' in out and
    b"a (50 samples, 25.00%)" in out and b'width="50.0000%"' in out,
    "--total 200 draws 100 samples at half width", err)

# Invalid UTF-8 is drawn (inferno refuses the whole input).
rc, out, err = run("flamegraph", [], b"ok;bad\xff\xfename 3\nok;\xc3\xa9 1\n")
try:
    fr = frames_of(out)
    good = rc == 0 and "bad\ufffd\ufffdname" in [f[0] for f in fr]
except ET.ParseError as e:
    good, err = False, str(e)
tap(good, "invalid UTF-8 becomes U+FFFD in a valid document", err)

# Bad lines: one warning each with file and line, one summary, rest drawn.
rc, out, err = run("flamegraph", [], b"a 1\nnot a count\n\n# comment\nb x\nc 2\n")
warnings = err.splitlines()
tap(rc == 0 and warnings == [
    "flamegraph: <stdin>:2: invalid line: no stack followed by a sample count",
    "flamegraph: <stdin>:5: invalid line: no stack followed by a sample count",
    "flamegraph: Ignored 2 lines with invalid format"] and
    sorted(f[0] for f in frames_of(out)) == ["", "a", "c"],
    "bad lines warn with file and line; the rest is drawn", err)

# The flame chart keeps inferno's direction: the last line is leftmost.
rc, out, err = run("flamechart", [], b"a;first 1\na;second 2\na;third 3\nb 4\na;first 5\n")
pos = {(f[0], f[2]): f[3] for f in frames_of(out)}
tap(rc == 0 and pos.get(("a", 0)) == 5 and pos.get(("b", 5)) == 4 and
    pos.get(("third", 9)) == 3 and pos.get(("first", 14)) == 1 and
    b"Flame Chart" in out, "flame chart: last line leftmost, no merge across b",
    sorted(pos.items()))

print("# %d failed" % fails)
sys.exit(1 if fails else 0)
EOF
