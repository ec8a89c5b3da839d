#!/bin/sh
# Hostile names and option values must stay text: every SVG written here
# has to be well-formed (xmllint --noout, or Python's parser when xmllint
# is missing), and the names and texts must read back as written, with
# U+FFFD for invalid UTF-8 and for control characters XML cannot hold.
#
#   sh tests/t-svg-xss.sh BIN_DIR

bin=${1:?usage: sh tests/t-svg-xss.sh BIN_DIR}
exec python3 - "$bin" <<'EOF'
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.dom.minidom
import xml.etree.ElementTree as ET

BIN = os.path.abspath(sys.argv[1])
SVG = "{http://www.w3.org/2000/svg}"
TMP = tempfile.mkdtemp(prefix="t-svg-xss.")
XMLLINT = shutil.which("xmllint")
fails = 0


def tap(ok, name, why=""):
    global fails
    print(("ok - " if ok else "not ok - ") + name)
    if not ok:
        fails += 1
        for line in str(why).splitlines()[:8]:
            print("#   " + line[:300])


def run(tool, args, data, cwd=TMP):
    p = subprocess.run([os.path.join(BIN, tool)] + args, input=data,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60, cwd=cwd)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def well_formed(svg):
    """None when svg is well-formed XML, else the parser's complaint."""
    if XMLLINT:
        path = os.path.join(TMP, "check.svg")
        with open(path, "wb") as f:
            f.write(svg)
        p = subprocess.run([XMLLINT, "--noout", "--nonet", path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return None if p.returncode == 0 else p.stderr.decode("utf-8", "replace")
    try:
        xml.dom.minidom.parseString(svg)
        return None
    except Exception as e:
        return str(e)


def shown(raw):
    """What a name looks like in the document: invalid UTF-8 and the
    control characters XML forbids become U+FFFD."""
    text = raw.decode("utf-8", "replace")
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "\ufffd", text)


def js_string(lit):
    """Decode the body of a JavaScript string literal."""
    out, i = [], 0
    while i < len(lit):
        c = lit[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = lit[i + 1]
        if e == "x":
            out.append(chr(int(lit[i + 2:i + 4], 16)))
            i += 4
        elif e == "u":
            out.append(chr(int(lit[i + 2:i + 6], 16)))
            i += 6
        else:
            out.append({"n": "\n", "r": "\r", "t": "\t"}.get(e, e))
            i += 2
    return "".join(out)


HOSTILE = [
    b"<script>alert(1)</script>",
    b"]]>",
    b"</script><script>alert(2)</script>",
    b"\"onmouseover=\"alert(3)",
    b"'single'",
    b"&amp &lt &#x41 &",
    b"<!-- comment -->",
    b"-->",
    b"--",
    b"<![CDATA[x]]>",
    b"</title></g></svg><svg onload=alert(4)>",
    b"bad\xff\xfeutf8",
    b"lone\x80continuation",
    b"overlong\xc0\xaf",
    b"surrogate\xed\xa0\x80",
    b"cut\xe2\x82",
    b"ctl\x01\x08\x0b\x1b\x7fchars",
    b"nul\x00byte",
    b"tab\tin",
    b"nonchar\xef\xbf\xbe\xef\xbf\xbf",
    b"line\xe2\x80\xa8sep",
    b"\xf0\x9f\x94\xa5 fire",
]
lines = b"".join(b"root;" + n + b" %d\n" % (i + 1) for i, n in enumerate(HOSTILE))
lines += b"root;" + b";".join(HOSTILE[:6]) + b" 7\n"


def titles(svg):
    root = ET.fromstring(svg)
    out = set()
    for el in root.iter():
        t = el.find(SVG + "title")
        if t is not None and el.find(SVG + "rect") is not None:
            m = re.match(r"^(.*) \(\d[\d,]* samples, ", t.text or "", re.S)
            if m:
                out.add(m.group(1))
    return out


variants = [
    ("flamegraph", []),
    ("flamegraph", ["--pretty-xml"]),
    ("flamegraph", ["--no-javascript", "-i"]),
    ("flamegraph", ["--hash", "--colors", "java"]),
    ("flamegraph", ["--reverse"]),
    ("flamechart", []),
]
for tool, args in variants:
    name = "hostile frame names, %s %s" % (tool, " ".join(args))
    rc, out, err = run(tool, args, lines)
    bad = well_formed(out) if rc == 0 else "exit %d: %s" % (rc, err)
    if bad:
        tap(False, name, bad)
        continue
    got = titles(out)
    missing = [shown(n) for n in HOSTILE if shown(n) not in got]
    tap(not missing, name, "names not read back: %r" % missing[:4])

# Differential input with the same names.
diff = b"".join(b"root;" + n + b" %d %d\n" % (i, i + 2) for i, n in enumerate(HOSTILE))
rc, out, err = run("flamegraph", [], diff)
tap(rc == 0 and not well_formed(out), "hostile names, differential input",
    well_formed(out) or err)

# Option values.
OPTS = {
    "--title": "T <script>alert(1)</script> & \" ' ]]> </text>",
    "--subtitle": "S </text><text>x</text> &amp;",
    "--notes": "n -- x --> y <!-- z -",
    "--countname": "c<&>\"'",
    "--nametype": "N ]]> </script> ' \\ \" <b> & \n second\tline \u2028",
    "--fonttype": "F\" </style> <\\ ;}",
}
args = []
for k, v in OPTS.items():
    args += [k, v]
rc, out, err = run("flamegraph", args, b"a;b 1\n")
bad = well_formed(out) if rc == 0 else "exit %d: %s" % (rc, err)
tap(not bad, "hostile option values give a well-formed document", bad)
if not bad:
    root = ET.fromstring(out)
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    tap(ids["title"].text == OPTS["--title"], "--title reads back", ids["title"].text)
    tap(ids["subtitle"].text == OPTS["--subtitle"], "--subtitle reads back",
        ids["subtitle"].text)
    text = out.decode("utf-8")
    m = re.search(r"<!--NOTES: (.*?)-->", text, re.S)
    notes = m.group(1) if m else ""
    tap("--" not in notes and not notes.endswith("-") and
        re.sub("&#45;", "-", notes).replace("&lt;", "<").replace("&gt;", ">")
        == OPTS["--notes"], "--notes cannot end its comment", notes)
    scripts = [el for el in root.iter(SVG + "script")]
    body = "".join(scripts[0].itertext()) if scripts else ""
    m = re.search(r"var nametype = '((?:[^'\\]|\\.)*)';", body)
    tap(m is not None and js_string(m.group(1)) == OPTS["--nametype"] and
        "]]>" not in m.group(1) and "<" not in m.group(1),
        "--nametype is one JavaScript string with no ]]> or <", body[:300])
    tap(len(scripts) == 1 and "alert" not in text.split("</script>", 1)[0].split("var truncate_text_right")[0].replace(OPTS["--title"], ""),
        "nothing leaks into the script", "")
    style = "".join(next(root.iter(SVG + "style")).itertext())
    m = re.search(r'font-family:"((?:[^"\\]|\\.)*)";', style)
    tap(m is not None and "</style" not in m.group(0),
        "--fonttype stays one CSS string", style[:200])
    tap(all(("%s (1 %s, " % (n, OPTS["--countname"])) in "".join(root.itertext())
            for n in ("b",)), "--countname reads back in the tooltips")

# Invalid UTF-8 and control characters in option values (bytes argv).
rc, out, err = run("flamegraph", [b"--title", b"bad\xff\x01title",
                                  b"--nametype", b"n\xc0\x1b",
                                  b"--notes", b"\xed\xa0\x80-"], b"a 1\n")
bad = well_formed(out) if rc == 0 else "exit %d: %s" % (rc, err)
tap(not bad, "invalid UTF-8 in option values", bad)

# --nameattr values and names.
na = os.path.join(TMP, "attrs.txt")
with open(na, "wb") as f:
    f.write(b"<script>alert(1)</script>\ttitle=<b>\"t\"</b>&\thref=javascript:x(\"1\")&y=<z>"
            b"\tclass=a\"b\tg_extra=data-x=\"q<>&'\" bad<name=1 xmlns:evil=2 ok=1\n"
            b"]]>\tid=i\"d\tclass=c]]>\n")
rc, out, err = run("flamegraph", ["--nameattr", na], lines)
bad = well_formed(out) if rc == 0 else "exit %d: %s" % (rc, err)
tap(not bad, "--nameattr values are escaped, bad attribute names skipped", bad)
if not bad:
    links = [el for el in ET.fromstring(out).iter(SVG + "a")]
    tap(len(links) == 1 and links[0].get("class") == 'a"b' and
        links[0].get("data-x") == "q<>&'" and links[0].get("ok") == "1" and
        "invalid attribute name 'bad<name'" in err, "--nameattr reads back",
        "%r %s" % ([l.attrib for l in links], err))

# --cp with hostile names: the map is written and read back.
cpdir = tempfile.mkdtemp(prefix="cp.", dir=TMP)
rc1, out1, err1 = run("flamegraph", ["--cp"], lines, cwd=cpdir)
rc2, out2, err2 = run("flamegraph", ["--cp"], lines, cwd=cpdir)
fills = lambda svg: re.findall(rb'fill="(rgb\([^"]*\))"', svg)
tap(rc1 == 0 and rc2 == 0 and not well_formed(out1) and fills(out1) == fills(out2)
    and not err2, "--cp keeps colours of hostile names", err1 + err2)

print("# %d failed" % fails)
sys.exit(1 if fails else 0)
EOF
