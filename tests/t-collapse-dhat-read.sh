#!/bin/sh
# collapse-dhat reads a regular file by mapping it and anything else with
# read(2); large tables are rendered and sorted on two threads. Every way
# in must give the same bytes: a file operand, stdin redirected from the
# file, stdin from a pipe, stdin already partly read, and a file whose size
# is a whole number of pages. The large profile is also checked against a
# small model of the output (sums per stack text, byte order).
#
#   sh tests/t-collapse-dhat-read.sh BIN_DIR

bin=${1:?usage: t-collapse-dhat-read.sh BIN_DIR}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fkdhatrd.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

PYTHONPATH=$(cd "$(dirname "$0")" && pwd) exec python3 - "$bin/collapse-dhat" "$tmp" <<'PY'
import os, random, subprocess, sys

tool, tmp = sys.argv[1:3]
from tap import check, done


def run(args, stdin=None, data=None):
    p = subprocess.run([tool] + args, stdin=stdin, input=data,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


def ways(path, args, name):
    """The same input every way; all results must be equal."""
    with open(path, 'rb') as f:
        data = f.read()
    res = {'operand': run(args + [path])}
    with open(path, 'rb') as f:
        res['stdin from the file'] = run(args + ['-'], stdin=f)
    res['stdin from a pipe'] = run(args, data=data)
    # Skip a prefix that is not JSON: the tool must read from the offset.
    junk = os.path.join(tmp, 'junk.json')
    with open(junk, 'wb') as f:
        f.write(b'#' * 100 + data)
    with open(junk, 'rb', buffering=0) as f:
        f.read(100)
        res['stdin partly read'] = run(args, stdin=f)
    # Pad with blanks to a whole number of pages (no NUL past the end).
    pad = os.path.join(tmp, 'pad.json')
    with open(pad, 'wb') as f:
        f.write(data + b' ' * (-len(data) % 65536 or 65536))
    res['whole pages'] = run(args + [pad])
    # Messages name the input; the padding moves an end-of-input column.
    for way, (st, out, err) in res.items():
        err = err.replace(pad.encode(), b'IN').replace(path.encode(), b'IN')
        if way == 'whole pages' and st:
            err = err.split(b':')[0]
        res[way] = (st, out, err.replace(b'<stdin>', b'IN'))
    first = res['operand']
    for way, r in res.items():
        want = first if way != 'whole pages' or not r[0] else \
            (first[0], first[1], first[2].split(b':')[0])
        check(r == want, '%s: %s gives what the operand gives' % (name, way),
              'status %d vs %d' % (r[0], first[0]),
              r[2].decode('utf-8', 'replace'))
    return first


# ---- a large profile: threads, many frames, escapes, bad points ---------

r = random.Random(5)
nframes = 90000
words = ['alloc', 'parse', 'std::vector<int>::push_back', 'Node', 'grow',
         'a;b', 'x\ty', 'visit', 'Table', 'run']
ftbl, model_name = ['[root]'], ['[root]']
for i in range(1, nframes):
    name = '%s_%d' % (r.choice(words), r.randrange(30000))
    if r.random() < 0.1:
        ftbl.append('0x%X: ??? (in /usr/lib/lib%d.so)' % (i, i % 7))
        model_name.append('[lib%d.so]' % (i % 7))
        continue
    ftbl.append('0x%X: %s (f%d.c:%d)' % (i, name, i % 13, i))
    model_name.append(name.replace(';', ':').replace('\t', ' '))

pps, sums, bad = [], {}, 0
for i in range(80000):
    fs = [r.randrange(1, nframes) for _ in range(r.randrange(1, 12))]
    tb = r.randrange(1, 10**6)
    if i % 9973 == 5:
        fs.append(nframes + 5)      # not in ftbl: a warning, left out
        bad += 1
    else:
        key = ';'.join(model_name[f] for f in reversed(fs))
        sums[key] = sums.get(key, 0) + tb
    pps.append('{"tb":%d,"tbk":1,"acc":[1,-2,3],"fs":[%s]}'
               % (tb, ','.join(map(str, fs))))
doc = ('{"dhatFileVersion":2,"mode":"heap","bklt":true,"bkacc":true,\n'
       '"pps":[\n' + ',\n'.join(pps) + '],\n"ftbl":[\n' +
       ',\n'.join('"%s"' % s.replace('\t', '\\t') for s in ftbl) + ']}\n')
big = os.path.join(tmp, 'big.json')
with open(big, 'w') as f:
    f.write(doc)

st, out, err = ways(big, [], 'large profile')
want = b''.join(b'%s %d\n' % (k.encode(), v)
                for k, v in sorted(sums.items(), key=lambda kv: kv[0].encode()))
check(st == 0 and out == want, 'large profile: sums and byte order',
      'status %d, %d lines, want %d' % (st, out.count(b'\n'), len(sums)))
check(err.count(b'\n') == bad and b'not an index' in err,
      'large profile: one warning per bad point', err.decode()[:300])

# ---- small ones: errors and warnings read the text again ----------------

small = [
    (b'{"dhatFileVersion":2,"pps":[{"tb":5,"fs":[1]},{"tb":2,"fs":[9]}],'
     b'"ftbl":["[root]","0x1: f (a.c:1)"]}', [], 'a bad frame index'),
    (b'{"pps":[{"tb":5,"fs":[1]}],"ftbl":["[root]","f"],'
     b'"dhatFileVersion":2}', [], 'version after the arrays'),
    (b'\xef\xbb\xbf{"dhatFileVersion":2,"pps":[{"tb":1,"fs":[]}],'
     b'"ftbl":["[root]"]}', [], 'byte order mark'),
    (b'{"dhatFileVersion":2,"pps":[{"tb":1,"fs":[1]}],"ftbl":["[root]",'
     b'"0x1: f (a.c:1)"', [], 'truncated'),
    (b'{"dhatFileVersion":2,"pps":[{"tb":1,"fs":[1]}],"ftbl":["[root]",7]}',
     [], 'a number in ftbl'),
    (b'{"dhatFileVersion":2,"pps":[{"tb":1,"fs":[1]}],'
     b'"ftbl":["[root]","0x1: \\u0066\\u003b (a.c:1)"]}', ['--addrs'],
     'escapes in a frame'),
]
for data, args, name in small:
    path = os.path.join(tmp, 'small.json')
    with open(path, 'wb') as f:
        f.write(data)
    st, out, err = ways(path, args, name)
    check(st != 0 or out, name + ': some result', st, err)

done()
PY
