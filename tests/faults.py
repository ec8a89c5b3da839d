#!/usr/bin/env python3
"""Fault suite: every binary against broken output, broken and extreme input.

    python3 tests/faults.py BIN_DIR

Prints one TAP line per check. Each case checks the exit status, the wording
on stderr, and that what is valid in the input is still counted.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

BIN = os.path.abspath(sys.argv[1])
TMP = tempfile.mkdtemp(prefix="fkfaults.")
results = []


def tap(good, name, why=""):
    results.append(good)
    print(("ok - " if good else "not ok - ") + name)
    if not good and why:
        for line in str(why).splitlines()[:6]:
            print("#   " + line[:300])


def path(name, data):
    p = os.path.join(TMP, name)
    with open(p, "wb") as f:
        f.write(data)
    return p


def run(tool, args, stdin=b"", stdout=None):
    cmd = [os.path.join(BIN, tool)] + args
    p = subprocess.run(cmd, input=stdin, stdout=stdout or subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300, cwd=TMP)
    return p.returncode, p.stdout or b"", p.stderr.decode("utf-8", "replace")


def folded(out):
    """Folded output as {stack: count} (last column; diff-folded's too)."""
    d = {}
    for line in out.decode("utf-8", "replace").splitlines():
        stack, _, n = line.rpartition(" ")
        m = re.match(r"(.*) \d+$", stack, re.S)
        if m:
            stack = m.group(1)
        d[stack] = d.get(stack, 0) + int(n)
    return d


def svg_frames(out):
    """Tooltip titles of an SVG: [(name, samples)]."""
    text = out.decode("utf-8", "replace")
    text = text[text.rfind('<svg id="frames"'):]
    res = []
    for t in re.findall(r"<title>(.*?)</title>", text, re.S):
        m = re.match(r"(.*) \(([\d,]+) ", t, re.S)
        if m:
            res.append((m.group(1), int(m.group(2).replace(",", ""))))
    return res


def well_formed(out):
    import xml.dom.minidom
    try:
        xml.dom.minidom.parseString(out)
        return True, ""
    except Exception as e:  # noqa: BLE001 - any parser error is a failure
        return False, str(e)


# --- inputs per tool ---------------------------------------------------------

def perf_sample(comm, frames, period=1):
    s = "%s 100 1.000: %d cpu-clock:\n" % (comm, period)
    for i, f in enumerate(frames):
        s += "\t%x %s+0x1 (/usr/bin/%s)\n" % (0x1000 + i, f, comm)
    return s + "\n"


def dtrace_input(stacks):
    s = "CPU     ID                    FUNCTION:NAME\n  0  64091      :tick-60s\n\n\n"
    for frames, n in stacks:
        for f in frames:
            s += "              prog`%s+0x4\n" % f
        s += "              %d\n\n" % n
    return s


def dhat_input(points, ftbl):
    import json
    return json.dumps({
        "dhatFileVersion": 2, "mode": "rust-heap", "verb": "Allocated",
        "bklt": True, "bkacc": False, "tu": "µs", "Mtu": "s", "tuth": 10,
        "cmd": "prog", "pid": 1, "tg": 10, "te": 20,
        "pps": [{"tb": tb, "tbk": 1, "tl": 1, "mb": tb, "mbk": 1, "gb": 0,
                 "gbk": 0, "eb": 0, "ebk": 0, "fs": fs} for tb, fs in points],
        "ftbl": ["[root]"] + ftbl,
    }).encode()


GOOD = {
    "collapse-perf": (perf_sample("prog", ["leaf_a", "main"]) +
                      perf_sample("prog", ["leaf_b", "main"], 3)).encode(),
    "collapse-dtrace": dtrace_input([(["leaf_a", "main"], 5),
                                     (["leaf_b", "main"], 3)]).encode(),
    "collapse-dhat": dhat_input([(100, [1, 3]), (50, [2, 3])],
                                ["0x1: leaf_a (a.rs:1:1)", "0x2: leaf_b (a.rs:2:1)",
                                 "0x3: main (a.rs:3:1)"]),
    "flamegraph": b"main;leaf_a 5\nmain;leaf_b 3\n",
    "flamechart": b"main;leaf_a 5\nmain;leaf_b 3\n",
    "diff-folded": b"main;leaf_a 5\nmain;leaf_b 3\n",
}
TOOLS = list(GOOD)


def invoke(tool, data, name="in.txt", extra=()):
    """Run tool on data given as a file operand (diff-folded: as both files)."""
    p = path(name, data)
    if tool == "diff-folded":
        return run(tool, list(extra) + [p, p])
    return run(tool, list(extra) + [p])


def counted(tool, out, want_leaves):
    """Check that stacks ending in each of want_leaves were counted."""
    if tool in ("flamegraph", "flamechart"):
        names = {n for n, _ in svg_frames(out)}
        missing = [w for w in want_leaves if w not in names]
    else:
        stacks = folded(out)
        missing = [w for w in want_leaves
                   if not any(re.search(re.escape(w) + r"\b", s) for s in stacks)]
    return not missing, "missing: %s" % missing


# --- the cases ---------------------------------------------------------------

def case_dev_full(tool):
    p = path("good", GOOD[tool])
    args = [p, p] if tool == "diff-folded" else [p]
    with open("/dev/full", "wb") as full:
        st, _, err = run(tool, args, stdout=full)
    tap(st == 1 and re.search(r"write error", err) and err.startswith(tool + ":"),
        "%s: output to /dev/full is an error, exit 1" % tool, "status %d: %s" % (st, err))


def case_closed_pipe(tool):
    # Enough distinct stacks that the output overflows a pipe buffer.
    n = 40000
    if tool == "collapse-perf":
        data = "".join(perf_sample("prog", ["f%d" % i, "main"]) for i in range(n)).encode()
    elif tool == "collapse-dtrace":
        data = dtrace_input([(["f%d" % i, "main"], 1) for i in range(n)]).encode()
    elif tool == "collapse-dhat":
        data = dhat_input([(1, [i + 1]) for i in range(n)],
                          ["0x%x: f%d (a.rs:1:1)" % (i, i) for i in range(n)])
    else:
        data = "".join("main;f%d %d\n" % (i, i + 1) for i in range(n)).encode()
    p = path("big", data)
    args = [p, p] if tool == "diff-folded" else [p]
    pr = subprocess.Popen([os.path.join(BIN, tool)] + args, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, cwd=TMP)
    pr.stdout.read(10)
    pr.stdout.close()
    err = pr.stderr.read().decode("utf-8", "replace")
    st = pr.wait(timeout=300)
    tap(err == "" and st in (0, -13),
        "%s: pipe closed early ends quietly" % tool, "status %d: %s" % (st, err))


def case_bad_file(tool):
    missing = os.path.join(TMP, "no-such-file")
    args = [missing, path("good", GOOD[tool])] if tool == "diff-folded" else [missing]
    st, out, err = run(tool, args)
    tap(st == 1 and "cannot open '%s'" % missing in err and "No such file" in err
        and err.startswith(tool + ":"),
        "%s: missing file is an error naming it, exit 1" % tool, "status %d: %s" % (st, err))
    d = os.path.join(TMP, "a-directory")
    os.makedirs(d, exist_ok=True)
    args = [d, path("good", GOOD[tool])] if tool == "diff-folded" else [d]
    st, out, err = run(tool, args)
    tap(st == 1 and "'%s'" % d in err and "directory" in err.lower(),
        "%s: directory as input is an error naming it, exit 1" % tool,
        "status %d: %s" % (st, err))


def case_empty(tool):
    st, out, err = invoke(tool, b"", "empty")
    if tool in ("flamegraph", "flamechart"):
        good = st == 1 and b"ERROR: No valid input" in out and "No stack counts" in err
    elif tool == "collapse-dhat":
        good = st == 1 and out == b"" and err.startswith(tool + ":")
    elif tool == "collapse-dtrace":
        good = st == 0 and out == b""
    else:
        good = st == 0 and out == b"" and err == ""
    tap(good, "%s: empty input" % tool, "status %d, %d bytes out: %s" % (st, len(out), err))


def huge_input(tool, name):
    """Input whose one frame name is a 100 MB line, plus the good input."""
    if tool == "collapse-perf":
        return (perf_sample("prog", [name, "main"]).encode() + GOOD[tool])
    if tool == "collapse-dtrace":
        return dtrace_input([([name, "main"], 7), (["leaf_a", "main"], 5),
                             (["leaf_b", "main"], 3)]).encode()
    if tool == "collapse-dhat":
        return dhat_input([(7, [4, 3]), (100, [1, 3]), (50, [2, 3])],
                          ["0x1: leaf_a (a.rs:1:1)", "0x2: leaf_b (a.rs:2:1)",
                           "0x3: main (a.rs:3:1)", "0x4: %s (a.rs:4:1)" % name])
    return ("main;%s 7\n" % name).encode() + GOOD[tool]


def case_huge_line(tool):
    name = "h" * (100 << 20)
    st, out, err = invoke(tool, huge_input(tool, name), "huge")
    good, why = counted(tool, out, ["leaf_a", "leaf_b"])
    if tool in ("flamegraph", "flamechart"):
        has_huge = any(n == name for n, _ in svg_frames(out))
    else:
        has_huge = any(s.endswith(name) for s in folded(out))
    tap(st == 0 and good and has_huge, "%s: a 100 MB line" % tool,
        "status %d, huge frame %s, %s; %s" % (st, has_huge, why, err[:200]))


def case_deep(tool):
    depth = 100000
    frames = ["f%d" % i for i in range(depth)]
    if tool == "collapse-perf":
        data = perf_sample("prog", frames).encode() + GOOD[tool]
    elif tool == "collapse-dtrace":
        data = dtrace_input([(frames, 2), (["leaf_a", "main"], 5),
                             (["leaf_b", "main"], 3)]).encode()
    elif tool == "collapse-dhat":
        data = dhat_input([(2, list(range(4, depth + 4))), (100, [1, 3]), (50, [2, 3])],
                          ["0x1: leaf_a (a.rs:1:1)", "0x2: leaf_b (a.rs:2:1)",
                           "0x3: main (a.rs:3:1)"] +
                          ["0x%x: %s (a.rs:9:1)" % (i, f) for i, f in enumerate(frames)])
    else:
        data = (";".join(frames) + " 2\n").encode() + GOOD[tool]
    st, out, err = invoke(tool, data, "deep")
    good, why = counted(tool, out, ["leaf_a", "leaf_b"])
    if tool in ("flamegraph", "flamechart"):
        deep = len(svg_frames(out)) >= depth
    else:
        deep = any(s.count(";") >= depth - 1 for s in folded(out))
    tap(st == 0 and good and deep, "%s: a %d-frame-deep stack" % (tool, depth),
        "status %d, deep %s, %s; %s" % (st, deep, why, err[:200]))


def variant(tool, kind):
    """The good input with one defect; returns (data, leaves still counted)."""
    g = GOOD[tool]
    if tool == "collapse-dhat":
        if kind == "nul":
            return g.replace(b"leaf_b (", b"leaf\\u0000b ("), ["leaf_a"]
        if kind == "utf8":
            return g.replace(b"leaf_b", b"leaf_b\xff"), ["leaf_a"]
        if kind == "crlf":
            return g.replace(b",", b",\r\n"), ["leaf_a", "leaf_b"]
        return None
    if tool == "collapse-perf":
        if kind == "nul":
            return g.replace(b"leaf_b", b"le\x00af_b"), ["leaf_a"]
        if kind == "utf8":
            return g.replace(b"leaf_b", b"leaf_b\xff\xfe"), ["leaf_a"]
    elif tool == "collapse-dtrace":
        if kind == "nul":
            return g.replace(b"leaf_b", b"le\x00af_b"), ["leaf_a"]
        if kind == "utf8":
            return g.replace(b"leaf_b", b"leaf_b\xff\xfe"), ["leaf_a"]
    else:
        if kind == "nul":
            return g.replace(b"leaf_b", b"le\x00af_b"), ["leaf_a"]
        if kind == "utf8":
            return g.replace(b"leaf_b", b"leaf_b\xff\xfe\xc3"), ["leaf_a"]
    if kind == "crlf":
        return g.replace(b"\n", b"\r\n"), ["leaf_a", "leaf_b"]
    return None


def case_bytes(tool):
    base_st, base_out, _ = invoke(tool, GOOD[tool], "good")
    for kind, what in (("nul", "NUL bytes"), ("utf8", "invalid UTF-8"), ("crlf", "CRLF")):
        v = variant(tool, kind)
        if v is None:
            continue
        data, leaves = v
        st, out, err = invoke(tool, data, "v-" + kind)
        good, why = counted(tool, out, leaves)
        if kind == "crlf":
            if tool in ("flamegraph", "flamechart"):
                good = good and svg_frames(out) == svg_frames(base_out)
            else:
                good = good and out == base_out
            why += "; output differs from LF input" if not good else ""
        if tool in ("flamegraph", "flamechart"):
            wf, msg = well_formed(out)
            good = good and wf
            why += "; " + msg if not wf else ""
        tap(st == 0 and good, "%s: %s" % (tool, what), "status %d, %s; %s" % (st, why, err[:200]))


def case_truncated(tool):
    g = GOOD[tool]
    if tool == "collapse-dhat":
        st, out, err = invoke(tool, g[: len(g) // 2], "cut")
        tap(st == 1 and out == b"" and re.search(r":\d+:\d+: .*end", err),
            "%s: truncated JSON is an error with line and column, nothing written" % tool,
            "status %d: %s" % (st, err))
        return
    if tool == "collapse-dtrace":
        data = g + b"              prog`leaf_c+0x4\n              prog`main+0x4\n"
        st, out, err = invoke(tool, data, "mid-stack")
        tap(st == 1 and out == b"" and re.search(r"mid-stack:\d+: ", err),
            "%s: input ending inside a stack is an error naming file and line" % tool,
            "status %d: %s" % (st, err))
        data = g + b"              prog`leaf_c+0x4\n              prog`ma"
        st, out, err = invoke(tool, data, "mid-line")
        tap(st == 1 and out == b"" and re.search(r"mid-line:\d+: ", err),
            "%s: input ending mid-line is an error naming file and line" % tool,
            "status %d: %s" % (st, err))
        return
    if tool == "collapse-perf":
        # Mid-sample: the last sample has no closing blank line; it still counts.
        data = g + b"prog 100 1.000: 1 cpu-clock:\n\t1 leaf_c+0x1 (/usr/bin/prog)\n"
        st, out, err = invoke(tool, data, "mid-sample")
        good, why = counted(tool, out, ["leaf_a", "leaf_b", "leaf_c"])
        tap(st == 0 and good, "%s: input ending mid-sample" % tool, why + err)
        data = g + b"prog 100 1.000: 1 cpu-clock:\n\t1 leaf_c+0x1 (/usr/bin/pr"
        st, out, err = invoke(tool, data, "mid-line")
        good, why = counted(tool, out, ["leaf_a", "leaf_b"])
        tap(st == 0 and good and re.search(r"mid-line:\d+: Weird stack line", err),
            "%s: input ending mid-line warns with file and line" % tool,
            "status %d, %s; %s" % (st, why, err))
        return
    # Folded readers: a last line cut before its count is one bad line.
    data = g + b"main;leaf_c"
    st, out, err = invoke(tool, data, "mid-line")
    good, why = counted(tool, out, ["leaf_a", "leaf_b"])
    tap(st == 0 and good and re.search(r"mid-line:3: ", err),
        "%s: input ending mid-line warns with file and line" % tool,
        "status %d, %s; %s" % (st, why, err))


def main():
    for tool in TOOLS:
        if not os.access(os.path.join(BIN, tool), os.X_OK):
            tap(False, "%s: binary missing" % tool)
            continue
        for case in (case_dev_full, case_closed_pipe, case_bad_file, case_empty,
                     case_bytes, case_truncated, case_deep, case_huge_line):
            try:
                case(tool)
            except subprocess.TimeoutExpired:
                tap(False, "%s: %s timed out" % (tool, case.__name__))
    shutil.rmtree(TMP, ignore_errors=True)
    return 0 if all(results) else 1


sys.exit(main())
