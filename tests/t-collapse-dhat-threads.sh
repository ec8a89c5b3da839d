#!/bin/sh
# collapse-dhat reads the second half of a large "pps" array on a second
# thread, from an element boundary it guesses, and counts "ftbl" during
# the first pass. Whatever the guess and whatever is wrong where, the
# results must be those of one thread reading in order: the same output,
# the same warnings (order, line, point index) and the same first error.
# The profiles are large enough for the threads (several megabytes), one
# point a line, so that every expected message is computed here.
#
#   sh tests/t-collapse-dhat-threads.sh BIN_DIR

bin=${1:?usage: t-collapse-dhat-threads.sh BIN_DIR}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fkdhatth.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

PYTHONPATH=$(cd "$(dirname "$0")" && pwd) exec python3 - "$bin/collapse-dhat" "$tmp" <<'PY'
import os, random, subprocess, sys

tool, tmp = sys.argv[1:3]
from tap import check, done
PROG = 'collapse-dhat: '


def run(args, path, pipe=False):
    if pipe:
        with open(path, 'rb') as f:
            data = f.read()
        p = subprocess.run([tool] + args, input=data, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        return p.returncode, p.stdout, p.stderr.replace(b'<stdin>', b'IN')
    p = subprocess.run([tool] + args + [path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout, p.stderr.replace(path.encode(), b'IN')


r = random.Random(11)
NF = 20000
ftbl = ['[root]'] + ['0x%X: fn_%d (f.c:%d)' % (i, i % 7000, i)
                     for i in range(1, NF)]
names = ['[root]'] + ['fn_%d' % (i % 7000) for i in range(1, NF)]

HEAD = '{"dhatFileVersion":2,"mode":"heap","bklt":true,"bkacc":true,\n"pps":[\n'
# Line numbers: HEAD takes lines 1-2, point i is on line 3 + i.


def point_line(i, tb, fs, extra=''):
    return '{"tb":%d,"tbk":1,"tl":%d%s,"fs":[%s]}' % (
        tb, r.randrange(10**6), extra, ','.join(map(str, fs)))


def profile(n, extra='', bad_frames=()):
    """Points (lines), the expected output and step-2 warnings."""
    lines, sums, warns = [], {}, []
    for i in range(n):
        fs = [r.randrange(1, NF) for _ in range(r.randrange(1, 9))]
        if r.random() < 0.3:        # shared stacks: sums across halves
            fs = [1 + i % 50, 2, 3]
        tb = r.randrange(1, 10**6)
        if i in bad_frames:
            fs.insert(1, NF + i)
            warns.append('IN:%d: pps[%d]: fs[1] is %d, not an index into '
                         "'ftbl' (0..%d)" % (3 + i, i, NF + i, NF - 1))
        else:
            key = ';'.join(names[f] for f in reversed(fs))
            sums[key] = sums.get(key, 0) + tb
        lines.append(point_line(i, tb, fs, extra))
    return lines, sums, warns


def doc(lines, head=HEAD, tail=None):
    if tail is None:
        tail = '\n],"ftbl":[\n' + ',\n'.join('"%s"' % s for s in ftbl) + \
            '\n]}\n'
    return head + ',\n'.join(lines) + tail


def output(sums):
    return b''.join(b'%s %d\n' % (k.encode(), v) for k, v in
                    sorted(sums.items(), key=lambda kv: kv[0].encode()))


def write(name, text):
    path = os.path.join(tmp, name)
    with open(path, 'w') as f:
        f.write(text)
    return path


def errs(lines):
    return ''.join(PROG + m + '\n' for m in lines).encode()


N = 80000
bad = (5, N // 3, N // 2 + 7, N - 2)
lines, sums, warns = profile(N, bad_frames=bad)
text = doc(lines)
assert len(text) > 5 << 20, len(text)
want = output(sums)
path = write('clean.json', text)

for pipe in (False, True):
    how = 'stdin' if pipe else 'mapped'
    st, out, err = run([], path, pipe)
    check(st == 0 and out == want, 'large profile (%s): sums, order' % how,
          'status %d, %d lines, want %d' % (st, out.count(b'\n'),
                                             want.count(b'\n')), err[:400])
    check(err == errs(warns), 'large profile (%s): bad frames in both '
          'halves, indexes and lines' % how, err.decode()[:600])

# Step-1 warnings in both halves: the second thread gives up, the main
# thread reads on and warns in order, with the right lines.
step1 = [
    (N // 4, '{"tbk":5,"fs":[1]}', "no 'tb' field"),
    (N // 2 + 100, '{"tb":5.5,"fs":[1]}',
     "'tb' is 5.5, not an integer in 0..2^64-1"),
    (N // 2 + 200, '{"tb":5,"fs":3}', "'fs' is not an array"),
    (N * 3 // 4, '{"tb":5,"fs":[-1]}',
     "fs[0] is -1, not an index into 'ftbl'"),
    (N - 10, '7', '7, not an object'),
]
lines2 = list(lines)
sums2 = dict(sums)
for i, line, msg in step1:
    old = lines2[i]
    tb = int(old.split('"tb":')[1].split(',')[0])
    fs = [int(x) for x in old.split('"fs":[')[1].rstrip(']}').split(',')]
    key = ';'.join(names[f] for f in reversed(fs))
    sums2[key] -= tb
    if not sums2[key]:
        del sums2[key]
    lines2[i] = line
want2 = [(3 + i, 'IN:%d: pps[%d]: %s' % (3 + i, i, msg)) for i, _, msg in step1]
want2 += [(3 + int(w.split('pps[')[1].split(']')[0]), w) for w in warns]
want2 = [w for _, w in sorted(want2, key=lambda lw: (lw[1].find("(0..") > 0,
                                                     lw[0]))]
path2 = write('warn.json', doc(lines2))
for pipe in (False, True):
    how = 'stdin' if pipe else 'mapped'
    st, out, err = run([], path2, pipe)
    check(st == 0 and out == output(sums2),
          'point warnings (%s): the other points still count' % how, st)
    check(err == errs(want2), 'point warnings (%s): every one, in order'
          % how, err.decode()[:800], '--- want', errs(want2).decode()[:800])
st, out, err = run(['-q'], path2)
check(st == 0 and out == output(sums2) and err == b'',
      'point warnings with -q: same output, nothing on stderr', err[:300])

# A string holding "} , {" in every point: whatever boundary is guessed
# lies inside a string, and the guess must be refused.
lines3, sums3, warns3 = profile(N, extra=',"note":"} , {\\"tb\\":1}"',
                                bad_frames=bad)
path3 = write('fake.json', doc(lines3))
st, out, err = run([], path3)
check(st == 0 and out == output(sums3) and err == errs(warns3),
      'boundary-like text in strings: same result', st, err[:400])

# Version and flags after the arrays: the points are read in step 2.
head4 = '{"mode":"heap",\n"pps":[\n'
tail4 = '\n],"ftbl":[\n' + ',\n'.join('"%s"' % s for s in ftbl) + \
    '\n],"dhatFileVersion":2,"bklt":true}\n'
path4 = write('late.json', doc(lines, head4, tail4))
st, out, err = run([], path4)
check(st == 0 and out == want and err == errs(warns),
      'version after the arrays: same result', st, err[:400])

# Errors: the first one only, at its line and column, nothing written.
cases = []
for i in (N // 5, N * 3 // 5 + 50, N - 3):
    l = list(lines)
    l[i] = '{"tb":5,"fs":[1] "x":1}'
    cases.append(('syntax error in point %d' % i, doc(l),
                  'IN:%d:18: expected \',\' or \'}\', found \'"\'' % (3 + i)))
t = doc(lines)
cut = t.index('\n', len(t) * 3 // 5) + 6
nl = t.count('\n', 0, cut)
col = cut - t.rindex('\n', 0, cut)
cases.append(('input cut in the second half', t[:cut],
              'IN:%d:%d: unexpected end of input' % (nl + 1, col)))
ft = list(ftbl)
tail5 = '\n],"ftbl":[\n' + ',\n'.join(['"%s"' % s for s in ft[:777]] + ['7']
                                      + ['"%s"' % s for s in ft[778:]]) + '\n]}\n'
cases.append(('a number in a large ftbl', doc(lines, tail=tail5),
              'IN:%d:1: ftbl[777] is a number, not a string' % (N + 2 + 2 + 777)))
tail6 = tail5.replace('"dhatFileVersion":2', '')
cases.append(('ftbl error after a whole-file error',
              doc(lines, '{"dhatFileVersion":3,\n"pps":[\n', tail5),
              'IN: unsupported DHAT file version 3 (versions 1 and 2 are '
              'supported)'))
for name, text, msg in cases:
    p = write('err.json', text)
    st, out, err = run([], p)
    check(st == 1 and out == b'' and err == errs([msg]), name,
          'status %d' % st, err.decode()[:300], '--- want', msg)

done()
PY
