#!/bin/sh
# collapse-dhat against an independent Python model of the spec, on
# generated profiles: awkward frame names (the sort order of ';' against
# its neighbours), every JSON layout and escape, key and array orders,
# truncated, mutated and deeply nested files.
#
#   FK_SHARED=../shared sh tests/t-collapse-dhat.sh BIN_DIR

bin=${1:?usage: t-collapse-dhat.sh BIN_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fkdhat.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

PYTHONPATH=$(cd "$(dirname "$0")" && pwd) exec python3 - "$bin/collapse-dhat" "$tmp" "$top" "${FK_SHARED:-}" <<'PY'
import json, os, random, re, subprocess, sys

tool, tmp, top, shared = sys.argv[1:5]
from tap import check, done


def run(args, data=None, path=None):
    """Run the tool; returns (status, stdout bytes, stderr text)."""
    if path is None and data is not None:
        path = os.path.join(tmp, 'in.json')
        with open(path, 'wb') as f:
            f.write(data)
    p = subprocess.run([tool] + args + ([path] if path else []),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr.decode('utf-8', 'replace')


# ---- the model: spec sections 2.1, 3 and 4 ---------------------------

FIELDS = {'total-bytes': ('tb', 'tb'), 'total-blocks': ('tbk', 'tbk'),
          'peak-bytes': ('gb', 'gb'), 'peak-blocks': ('gbk', 'gbk'),
          'end-bytes': ('eb', 'fb'), 'end-blocks': ('ebk', 'fbk'),
          'max-bytes': ('mb', 'mb'), 'max-blocks': ('mbk', 'mbk'),
          'lifetimes': ('tl', 'tli'), 'reads': ('rb', 'rb'),
          'writes': ('wb', 'wb')}
ADDR = re.compile(rb'0x[0-9A-Fa-f]+: ')


def render(frame, addrs, location):
    m = ADDR.match(frame)
    addr, body = (frame[:m.end()], frame[m.end():]) if m else (b'', frame)
    name, loc = body, None
    if not location and body.endswith(b')'):
        depth, i = 0, len(body)
        while i > 0:
            i -= 1
            if body[i:i + 1] == b')':
                depth += 1
            elif body[i:i + 1] == b'(':
                depth -= 1
                if depth == 0:
                    break
        if depth == 0 and i > 0 and body[i - 1:i] == b' ':
            name, loc = body[:i - 1], body[i + 1:-1]
    if not location and name == b'???' and loc is not None \
            and loc.startswith(b'in '):
        obj = loc[3:]
        if obj and obj != b'???':
            base = obj.rsplit(b'/', 1)[-1] or obj
            name = b'[' + base + b']'
    if not name:
        name = b'???'
    out = (addr if addrs else b'') + name
    return bytes(0x3a if c == 0x3b else 0x20 if c < 0x20 or c == 0x7f
                 else c for c in out)


def model(doc, metric='total-bytes', addrs=False, location=False):
    """Expected stdout of a valid profile (a dict; strings as str)."""
    v = doc['dhatFileVersion']
    field = FIELDS[metric][1 if v == 1 else 0]
    ftbl = [f.encode('utf-8', 'surrogatepass') for f in doc['ftbl']]
    names = [render(f, addrs, location) for f in ftbl]
    sums = {}
    for pp in doc['aps' if v == 1 else 'pps']:
        if not isinstance(pp, dict):
            continue
        val = pp.get(field)
        if type(val) is not int or val < 0:
            continue
        fs = pp['fs']
        stack = b';'.join(names[i] for i in reversed(fs)) if fs else b'[root]'
        sums[stack] = sums.get(stack, 0) + val
    return b''.join(b'%s %d\n' % (k, c) for k, c in sorted(sums.items())
                    if c)


def dump(doc, **kw):
    return json.dumps(doc, **kw).encode('utf-8', 'surrogatepass')


# ---- generated profiles ------------------------------------------------

# Bytes around ';' (0x3b) in both directions, and prefixes of each other:
# the output order is memcmp order of the whole stack text.
PIECES = ['a', 'b', 'a.', 'a!', 'a ', 'a<', 'a:', 'a;b', '(x)', ' (y)',
          'f(int)', '???', '', 'é', '\t', 'z' * 9, 'a' * 8 + '.', '0',
          'std::vector<', 'std::vector<int>', 'ns::Long_Prefix_' * 2,
          'abcdefgh', 'abcdefgh' * 2]
LOCS = ['', ' (a.c:1)', ' (in /usr/lib/libc.so.6)', ' (in ???)',
        ' (in /d/)', ' (q.c:2:3)', ' (in x)']


def gen_profile(r, version=2, npp=40, nframes=25):
    ftbl = ['[root]']
    for i in range(nframes):
        name = ''.join(r.choice(PIECES) for _ in range(r.randrange(0, 3)))
        if r.random() < 0.15:
            name = '???'
        addr = '0x%X: ' % r.randrange(1, 1 << 40) if r.random() < 0.9 else ''
        ftbl.append(addr + name + r.choice(LOCS))
    keys = (['tb', 'tbk', 'tli', 'mb', 'mbk', 'gb', 'gbk', 'fb', 'fbk',
             'rb', 'wb'] if version == 1 else
            ['tb', 'tbk', 'tl', 'mb', 'mbk', 'gb', 'gbk', 'eb', 'ebk',
             'rb', 'wb'])
    pps = []
    for _ in range(npp):
        pp = {k: r.choice((0, 1, 7, r.randrange(1 << 40))) for k in keys}
        depth = r.randrange(0, 7)
        pp['fs'] = [r.randrange(0, len(ftbl)) for _ in range(depth)]
        if r.random() < 0.3:
            pp['acc'] = [r.randrange(-5, 9) for _ in range(4)]
        pps.append(pp)
    if version == 1:
        return {'dhatFileVersion': 1, 'cmd': './t', 'pid': 1, 'mi': 5,
                'ei': 9, 'aps': pps, 'ftbl': ftbl}
    return {'dhatFileVersion': 2, 'mode': 'heap', 'verb': 'Allocated',
            'bklt': True, 'bkacc': True, 'tu': 'instrs', 'Mtu': 'Minstr',
            'tuth': 500, 'cmd': './t', 'pid': 1, 'te': 9, 'tg': 5,
            'pps': pps, 'ftbl': ftbl}


r = random.Random(5)
bad = []
for n in range(200):
    doc = gen_profile(r, version=1 if n % 5 == 4 else 2)
    metric = r.choice(sorted(FIELDS))
    flags = r.choice(([], ['--addrs'], ['--location'],
                      ['--addrs', '--location']))
    want = model(doc, metric, '--addrs' in flags, '--location' in flags)
    st, out, err = run(['-m', metric] + flags, dump(doc))
    if st != 0 or out != want:
        bad.append((n, metric, flags, st, err))
        if len(bad) == 1:
            with open(os.path.join(tmp, 'first-bad.json'), 'wb') as f:
                f.write(dump(doc))
            diff = [(a, b) for a, b in zip(want.splitlines(),
                                            out.splitlines()) if a != b][:3]
check(not bad, 'random profiles match the model (200 profiles)',
      *(bad[:3] + ([diff] if bad else [])))

# One profile, every layout: the output must not change.
doc = gen_profile(random.Random(7), npp=60, nframes=40)
want = model(doc)
layouts = {
    'compact': dump(doc, separators=(',', ':')),
    'indent': dump(doc, indent=2),
    'sorted keys': dump(doc, sort_keys=True),
    'ascii escapes': dump(doc, ensure_ascii=True),
    'crlf': dump(doc, indent=1).replace(b'\n', b'\r\n'),
    'bom': b'\xef\xbb\xbf' + dump(doc),
    'tabs': dump(doc, indent='\t'),
}
# Keys in reverse order: ftbl and pps before the version and flags.
layouts['reversed keys'] = dump(dict(reversed(list(doc.items()))))
# Points shuffled, frame table permuted (fs renumbered to match).
perm = list(range(1, len(doc['ftbl'])))
random.Random(1).shuffle(perm)
perm = [0] + perm
shuffled = dict(doc)
shuffled['ftbl'] = [None] * len(doc['ftbl'])
for old, new in enumerate(perm):
    shuffled['ftbl'][new] = doc['ftbl'][old]
shuffled['pps'] = [dict(pp, fs=[perm[i] for i in pp['fs']])
                   for pp in doc['pps']]
random.Random(2).shuffle(shuffled['pps'])
layouts['shuffled'] = dump(shuffled)
# Astral characters: ensure_ascii writes them as surrogate pairs.
u_doc = dict(doc, ftbl=[f + '\U0001F600' for f in doc['ftbl']])
u_want = model(u_doc)
for name, data in sorted(layouts.items()):
    st, out, err = run([], data)
    check(st == 0 and out == want, 'layout: ' + name, err)
st, out, err = run([], dump(u_doc, ensure_ascii=True))
check(st == 0 and out == u_want, 'surrogate pairs decode to UTF-8', err)
# Keys spelled with escapes are the same keys.
esc = dump(doc).replace(b'"fs":', b'"\\u0066s":').replace(
    b'"tb":', b'"t\\u0062":')
st, out, err = run([], esc)
check(st == 0 and out == want, 'escaped member names', err)
# Duplicate keys: the last one counts, at both levels.
dup = dump(doc)[:-1] + b', "pps": ' + dump(doc['pps'][:3]) + b'}'
st, out, err = run([], dup)
check(st == 0 and out == model(dict(doc, pps=doc['pps'][:3])),
      'repeated top-level key: the last wins', err)

# ---- the conformance inputs through the model ----------------------------

cdir = os.path.join(shared, 'conformance', 'collapse-dhat') if shared else ''
if cdir and os.path.isdir(cdir):
    for name in ('vg-heap-deep', 'vg-heap-sort', 'vg-copy', 'rs-heap',
                 'edge-frames', 'vg-v1-heap'):
        path = os.path.join(cdir, 'inputs', name + '.json')
        doc = json.load(open(path, encoding='utf-8'))
        for flags in ([], ['--addrs', '--location']):
            st, out, err = run(flags, path=path)
            check(st == 0 and out == model(doc, addrs=bool(flags),
                                            location=bool(flags)),
                  'model agrees on %s %s' % (name, ' '.join(flags)), err)
else:
    print('ok - conformance inputs # SKIP FK_SHARED not set')

# ---- broken files ----------------------------------------------------

real = open(os.path.join(top, 'tests', 'fixtures', 'collapse-dhat',
                         'vg-leaky.in'), 'rb').read()
body = real.rstrip()
bad = []
for cut in range(0, len(body), 7):
    st, out, err = run([], body[:cut])
    want_msg = 'empty input' if not body[:cut].strip() else \
        'unexpected end of input'
    if st != 1 or out or want_msg not in err or err.count('\n') < 1 \
            or not err.startswith('collapse-dhat: '):
        bad.append((cut, st, err))
check(not bad, 'every truncation: exit 1, one message, no output',
      *bad[:3])

bad = []
rm = random.Random(3)
for n in range(400):
    data = bytearray(real)
    for _ in range(rm.randrange(1, 4)):
        i = rm.randrange(len(data))
        data[i] = rm.choice(b'{}[]",:0-9eE.\\ \x00\xff\n tfn')
    st, out, err = run([], bytes(data))
    if st not in (0, 1) or (st == 1 and out) or \
            (st == 1 and not err.startswith('collapse-dhat: ')):
        bad.append((n, st, err[:200]))
check(not bad, 'mutated files: exit 0 or 1, no output on error', *bad[:3])

deep = b'{"dhatFileVersion":2,"x":' + b'[' * 100000 + b']' * 100000 + \
    b',"pps":[],"ftbl":[]}'
st, out, err = run([], deep)
check(st == 1 and not out and 'nesting deeper than' in err,
      'nesting 100000 deep: an error, not a crash', err)
deep = b'{"dhatFileVersion":2,"pps":[' + b'[' * 5000 + b']' * 5000 + \
    b'],"ftbl":[]}'
st, out, err = run([], deep)
check(st == 1 and not out and 'nesting deeper than' in err,
      'nesting inside the points array', err)
ok = b'{"dhatFileVersion":2,"x":' + b'[' * 500 + b']' * 500 + \
    b',"pps":[{"tb":1,"fs":[]}],"ftbl":["[root]"]}'
st, out, err = run([], ok)
check(st == 0 and out == b'[root] 1\n', 'nesting 500 deep is fine', err)

# A superseded array is still checked as JSON.
st, out, err = run([], b'{"dhatFileVersion":2,"pps":[1 2],"pps":[],'
                       b'"ftbl":[]}')
check(st == 1 and not out, 'invalid JSON in a repeated key is an error', err)
st, out, err = run([], b'{"pps":[],"ftbl":[],"pps":[{"x":[1,}]}],'
                       b'"dhatFileVersion":2}')
check(st == 1 and not out and ':1:36:' in err,
      'error position inside a skipped array', err)

# ---- sums and numbers ------------------------------------------------

two = b'{"dhatFileVersion":2,"pps":[{"tb":%d,"fs":[1]},{"tb":%d,"fs":[2]}],' \
    b'"ftbl":["[root]","0x1: f (a.c:1)","0x2: f (a.c:2)"]}'
st, out, err = run([], two % (2**63, 2**63 - 1))
check(st == 0 and out == b'f %d\n' % (2**64 - 1),
      'sum reaching 2^64-1 exactly (two frames, one text)', err)
st, out, err = run([], two % (2**63, 2**63))
check(st == 1 and not out and 'exceeds' in err,
      'sum overflowing 2^64-1 is an error', err)

# ---- command line ------------------------------------------------------

path = os.path.join(top, 'tests', 'fixtures', 'collapse-dhat', 'vg-leaky.in')
st1, out1, _ = run(['--metric', 'end-bytes'], path=path)
st2, out2, _ = run([path, '-mend-bytes'], path=None)
st3, out3, _ = run(['--metric=eb', '--', path], path=None)
p = subprocess.run([tool, '-m', 'eb', '-'], stdin=open(path, 'rb'),
                   stdout=subprocess.PIPE)
check(st1 == st2 == st3 == p.returncode == 0 and out1 and
      out1 == out2 == out3 == p.stdout,
      'options after the file, -mNAME, --metric=, --, stdin')
for args, what in (([path, path], 'two files'), (['-m'], 'no metric'),
                   (['-m', 'bytes', path], 'unknown metric'),
                   (['--frobnicate', path], 'unknown option')):
    st, out, err = run(args, path=None)
    check(st == 2 and not out and err.startswith('collapse-dhat: ') and
          '--help' in err, 'usage error: ' + what, err)
st, out, err = run(['--help'], path=None)
check(st == 0 and out.startswith(b'usage: collapse-dhat') and
      b'peak-bytes' in out, '--help')
st, out, err = run(['--version'], path=None)
check(st == 0 and out == b'collapse-dhat flamekit 0.1.0\n', '--version')

done()
PY
