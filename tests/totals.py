#!/usr/bin/env python3
"""Nothing is lost: totals across collapse-perf, diff-folded and flamegraph.

    python3 tests/totals.py BIN_DIR SHARED_DIR

For every perf input of the conformance corpus (and the captures shipped
with the benchmarks and the demo), an independent reading of the perf
script text gives the number of samples of the filtered event, or the sum
of their periods where the header has one; collapse-perf's folded counts
must add up to exactly that. Then the folded total must survive
diff-folded (both columns) and flamegraph (the root frame's count).
"""
import glob
import gzip
import os
import re
import subprocess
import sys

BIN, SHARED = sys.argv[1], sys.argv[2]
results = []

# COMM then a PID or PID/TID word, then optional [CPU] and time stamp,
# optional period, then the event name up to a colon and a blank.
HEADER = re.compile(r"^\s*\S.*? (\d+|\d+/\d+) +(?:\[\d+\] +)?(?:[\d.]+: +)?"
                    r"(?:(\d+) +)?([A-Za-z_][\w.-]*(?::[\w.-]+)*?):(?:[a-zA-Z]*:)?(?:\s|$)")


def tap(good, name, why=""):
    results.append(good)
    print(("ok - " if good else "not ok - ") + name)
    if not good and why:
        print("#   " + why)


def read(path):
    data = open(path, "rb").read()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    return data


FRAME = re.compile(r"^\s*[0-9a-fA-F]+(?:\s+(.*))?$")


def expected_total(text):
    """Samples (or periods) of the first event, with at least one frame."""
    state = {"first": None, "total": 0}

    def sample(header, frames):
        m = HEADER.match(header)
        if not m or "PERF_RECORD_" in header:
            return
        event = m.group(3)
        if state["first"] is None:
            state["first"] = event
        if event != state["first"]:
            return
        kept = 0
        for f in frames:
            fm = FRAME.match(f)
            if not fm:
                continue
            sym = re.sub(r"\+0x[0-9a-fA-F]*(?= \(|$)", "", fm.group(1) or "")
            if not sym.startswith("("):
                kept += 1
        if kept:
            state["total"] += int(m.group(2)) if m.group(2) else 1

    block = []
    for raw in text.split("\n") + [""]:
        if raw.startswith("#"):
            continue
        if not raw.strip():
            if block:
                sample(block[0], block[1:])
            block = []
            continue
        if block:
            block.append(raw)
            continue
        m = HEADER.match(raw)
        tail = raw[m.end():].strip() if m else ""
        if m and re.match(r"^[0-9a-fA-F]+ .*\(.*\)$", tail):
            sample(raw, [tail])	# a one-line sample: the frame is on the header
        else:
            block = [raw]
    return state["total"]


def folded_total(out, columns=1):
    tot = [0] * columns
    for line in out.decode("utf-8", "replace").splitlines():
        fields = line.rsplit(" ", columns)
        for i in range(columns):
            tot[i] += int(fields[1 + i])
    return tot


def main():
    inputs = sorted(glob.glob(os.path.join(SHARED, "conformance/collapse-perf/inputs/**/*.txt*"),
                              recursive=True))
    inputs += sorted(glob.glob(os.path.join(SHARED, "bench/seeds/*.txt.gz")))
    here = os.path.dirname(os.path.abspath(__file__))
    inputs += sorted(glob.glob(os.path.join(here, "fixtures/demo/*.perf.gz")))
    for path in inputs:
        name = os.path.relpath(path, SHARED) if path.startswith(SHARED) else \
            os.path.relpath(path, os.path.dirname(here))
        data = read(path)
        want = expected_total(data.decode("utf-8", "replace"))
        p = subprocess.run([os.path.join(BIN, "collapse-perf")], input=data,
                           capture_output=True)
        got = folded_total(p.stdout)[0] if p.returncode == 0 else None
        tap(got == want, "collapse-perf %s: folded total %s = samples %d" % (name, got, want),
            "collapse-perf says %s, the perf text %d" % (got, want))
        if not p.stdout:
            continue
        folded = os.path.join("/tmp", "fk-totals-%d.folded" % os.getpid())
        with open(folded, "wb") as f:
            f.write(p.stdout)
        d = subprocess.run([os.path.join(BIN, "diff-folded"), folded, folded],
                           capture_output=True)
        before, after = folded_total(d.stdout, 2)
        tap(before == after == got, "diff-folded %s: both columns total %d" % (name, got),
            "before %d, after %d" % (before, after))
        g = subprocess.run([os.path.join(BIN, "flamegraph")], input=p.stdout,
                           capture_output=True)
        m = re.search(rb"<title>all \(([\d,]+) samples", g.stdout)
        root = int(m.group(1).replace(b",", b"")) if m else None
        tap(root == got, "flamegraph %s: root frame counts %d" % (name, got),
            "root frame says %s" % root)
        os.unlink(folded)
    return 0 if all(results) else 1


sys.exit(main())
