#!/bin/sh
# Benchmark collapse-dhat on a generated Valgrind DHAT heap profile of at
# least 100 MB (built once into $FK_BENCH_DIR and reused).
#
#   FK_BENCH_DIR=/scratch sh tests/bench/collapse-dhat.sh BIN_DIR
#
# The generator copies the shape of real profiles: Valgrind's comma-first
# layout, stacks of up to about 25 frames that share their outer frames
# as call trees do, inlined frames at one address, "acc" arrays on most
# points, and a frame table about twice as long as the point list.
# Prints MB/s (input size over the best wall time of 5 runs), the CPU
# time (user+system, higher than the wall time when the second thread
# found a free core) and peak RSS against the file size, for the default
# metric, a metric with few non-zero stacks (end-bytes), full frames
# (--addrs --location), and the same input through a pipe (read, not
# mapped).

bin=${1:?usage: collapse-dhat.sh BIN_DIR}
tool=$bin/collapse-dhat
dir=${FK_BENCH_DIR:-${TMPDIR:-/tmp}}
size=${FK_DHAT_BENCH_SIZE:-110000000}
input=$dir/dhat-bench-$size.json

[ -x "$tool" ] || { echo "collapse-dhat: no binary $tool" >&2; exit 2; }
mkdir -p "$dir" || exit 2

if [ ! -s "$input" ]; then
	echo "# generating $input ..."
	python3 - "$input.tmp" "$size" <<'PY' || exit 2
import random, sys

path, target = sys.argv[1], int(sys.argv[2])
r = random.Random(20240605)
mods = ['parser', 'eval', 'dict', 'list', 'unicode', 'gc', 'import',
        'compile', 'io', 'json', 're', 'sock', 'hash', 'sched', 'alloc']
vg = '/usr/libexec/valgrind/vgpreload_dhat-amd64-linux.so'
ftbl = ['[root]', '0x48417B4: malloc (in %s)' % vg,
        '0x4846C2A: realloc (in %s)' % vg, '0x48465EF: calloc (in %s)' % vg,
        '0x4841F2F: operator new(unsigned long) (in %s)' % vg]
addr = [0x109000]

def frames(k):
    """k new frames, the outer ones sometimes inlined at one address."""
    out = []
    a = addr[0] = addr[0] + r.randrange(0x10, 0x400)
    for i in range(k):
        m = r.choice(mods)
        x = r.random()
        if x < 0.55:
            name = '%s_%s_%d' % (r.choice(('_Py', 'PyObject', 'do', 'run', 'make')), m, r.randrange(5000))
        elif x < 0.85:
            name = '%s::%s%d::%s(%s)' % (m, r.choice(('Node', 'Table', 'Buffer', 'Frame')), r.randrange(300),
                                        r.choice(('insert', 'grow', 'visit', 'operator()', 'reserve')),
                                        r.choice(('int', 'unsigned long', 'std::string const&', '')))
        else:
            name = '???'
        if name == '???' or r.random() < 0.05:
            loc = '(in /usr/lib/x86_64-linux-gnu/lib%s.so.%d)' % (m, r.randrange(1, 4))
        else:
            loc = '(%s%s.c:%d)' % (m, r.choice(('object', 'core', 'util', '')), r.randrange(1, 4000))
        ftbl.append('0x%X: %s %s' % (a, name, loc))
        out.append(len(ftbl) - 1)
        if r.random() < 0.7:
            a = addr[0] = addr[0] + r.randrange(0x10, 0x400)
    return out

main = frames(3)
stacks = [main]
out = open(path, 'w')
out.write('{"dhatFileVersion":2\n,"mode":"heap","verb":"Allocated"\n'
          ',"bklt":true,"bkacc":true\n,"tu":"instrs","Mtu":"Minstr"\n'
          ',"tuth":500\n,"cmd":"./bench-server --threads 8"\n,"pid":4242\n'
          ',"te":98765432100\n,"tg":91234567890\n,"pps":\n')
size, sep = 0, ' ['
while size + 50 * len(ftbl) < target:
    # A new stack: an outer part of an existing one, then new frames.
    base = r.choice(stacks)
    keep = r.randrange(max(1, len(base) - 6), len(base) + 1)
    outer = base[:keep]
    if len(outer) > 22:
        outer = outer[:22]
    stack = outer + frames(r.randrange(1, 4))
    if len(stacks) < 200000:
        stacks.append(stack)
    fs = [r.randrange(1, 5)] + stack[::-1]
    tbk = r.randrange(1, 3000)
    bs = r.choice((2, 5, 8, 16, 24, 32, 64, 100, 472, 1024, 4096))
    tb = tbk * bs
    mbk = r.randrange(1, tbk + 1)
    gbk = r.randrange(0, mbk + 1) if r.random() < 0.3 else 0
    ebk = r.randrange(0, mbk + 1) if r.random() < 0.15 else 0
    s = ('%s{"tb":%d,"tbk":%d\n  ,"tl":%d\n  ,"mb":%d,"mbk":%d\n'
         '  ,"gb":%d,"gbk":%d\n  ,"eb":%d,"ebk":%d\n  ,"rb":%d,"wb":%d\n'
         % (sep, tb, tbk, r.randrange(1, 10**9), mbk * bs, mbk, gbk * bs,
            gbk, ebk * bs, ebk, r.randrange(0, tb * 3), r.randrange(0, tb * 2)))
    if bs <= 1024 and r.random() < 0.6:
        acc = []
        while len(acc) < min(bs, 40):
            acc.append(str(-r.randrange(2, 20) if r.random() < 0.3 else r.randrange(0, 600)))
        s += '  ,"acc":[%s]\n' % ','.join(acc)
    s += '  ,"fs":[%s]\n  }\n' % ','.join(map(str, fs))
    out.write(s)
    size += len(s)
    sep = ' ,'
out.write(' ]\n,"ftbl":\n ["%s"\n' % ftbl[0])
for f in ftbl[1:]:
    out.write(' ,"%s"\n' % f)
out.write(' ]\n}\n')
out.close()
PY
	mv "$input.tmp" "$input" || exit 2
fi

bytes=$(wc -c <"$input")
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "# input: $input ($mb MiB)"
tmp=$(mktemp "${TMPDIR:-/tmp}/fkbench.XXXXXX") || exit 2
trap 'rm -f "$tmp" "$tmp.out"' EXIT INT TERM

# run LABEL COMMAND...: best of 5 for wall and user+system seconds, and
# peak RSS
run() {
	label=$1
	shift
	best=
	bestw=
	rss=
	for i in 1 2 3 4 5; do
		/usr/bin/time -o "$tmp" -f "%U %S %e %M" "$@" >"$tmp.out" 2>/dev/null ||
			{ echo "collapse-dhat failed: $*" >&2; exit 1; }
		t=$(awk '{ print $1 + $2 }' "$tmp")
		w=$(awk '{ print $3 }' "$tmp")
		m=$(awk '{ print $4 }' "$tmp")
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$t
		fi
		if [ -z "$bestw" ] || awk -v a="$w" -v b="$bestw" 'BEGIN { exit !(a < b) }'; then
			bestw=$w
		fi
		rss=$m
	done
	out=$(wc -c <"$tmp.out")
	awk -v name="$label" -v t="$best" -v w="$bestw" -v b="$bytes" -v m="$rss" -v o="$out" 'BEGIN {
		if (t < 0.005) t = 0.005
		if (w < 0.005) w = 0.005
		printf "%-24s %7.1f MB/s  %5.2f s wall  (%5.2f s CPU, %6.1f MB/s)  peak RSS %6.1f MiB = %.2fx input  output %.1f MiB\n",
		    name, b / 1e6 / w, w, t, b / 1e6 / t, m / 1024, m * 1024 / b, o / 1048576 }'
}

run total-bytes "$tool" "$input"
run end-bytes "$tool" --metric end-bytes "$input"
run "--addrs --location" "$tool" --addrs --location "$input"
run "cat | (pipe, read(2))" sh -c 'cat "$1" | "$2"' sh "$input" "$tool"

# The reference points, when installed: the JSON parsers of jq and python3.
if command -v jq >/dev/null 2>&1; then
	run "(jq empty, parse only)" jq empty "$input"
fi
