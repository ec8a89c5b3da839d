"""Seeds for fuzz-options: the command lines of the conformance cases and
of the fixtures, as <tool byte><arg>\0<arg>... files.

usage: seed-options.py CASES_TSV FIXTURES_DIR OUT_DIR
"""
import hashlib
import os
import shlex
import sys

# The order of tools[] in fuzz-options.c.
TOOLS = ["collapse-perf", "collapse-dtrace", "collapse-dhat", "diff-folded",
         "flamegraph", "flamechart"]
# The scratch file each tool's operands become.
FILE = {"collapse-perf": "p", "collapse-dtrace": "d", "collapse-dhat": "j",
        "diff-folded": "f", "flamegraph": "f", "flamechart": "f"}


def args_of(tool, words):
    out = []
    for w in words:
        if "/" in w or "{DATA}" in w or "@DIR@" in w:
            w = "n" if out and out[-1] == "--nameattr" else FILE[tool]
        out.append(w)
    return out


def write(out_dir, tool, args):
    data = bytes([TOOLS.index(tool)]) + b"\0".join(
        a.encode("utf-8", "surrogateescape") for a in args)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(out_dir, name), "wb") as f:
        f.write(data)


def main():
    cases, fixtures, out_dir = sys.argv[1:4]
    os.makedirs(out_dir, exist_ok=True)
    for tool in TOOLS:
        write(out_dir, tool, [])
        write(out_dir, tool, ["--help"])
    if os.path.exists(cases):
        with open(cases, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#"):
                    continue
                cols = line.rstrip("\n").split("\t")
                if len(cols) < 5 or cols[1] not in TOOLS:
                    continue
                words = [] if cols[2] == "-" else shlex.split(cols[2])
                if cols[3] == "args":
                    words += cols[4].split()
                write(out_dir, cols[1], args_of(cols[1], words))
    for tool in TOOLS:
        d = os.path.join(fixtures, tool)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith(".args"):
                with open(os.path.join(d, name), encoding="utf-8",
                          errors="surrogateescape") as f:
                    words = shlex.split(f.read())
                write(out_dir, tool, args_of(tool, words))


if __name__ == "__main__":
    main()
