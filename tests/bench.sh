#!/bin/sh
# make bench: run every tests/bench/*.sh against one build tree. Large
# inputs are generated once into FK_BENCH_DIR (default build/bench) and
# reused by later runs.
shared=../shared
if [ "$1" = "--shared" ]; then
	shared=$2
	shift 2
fi
b=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
FK_SHARED=$(cd "$shared" && pwd) || exit 2
FK_BENCH_DIR=${FK_BENCH_DIR:-$top/build/bench}
export FK_SHARED FK_BENCH_DIR
mkdir -p "$FK_BENCH_DIR"
echo "machine: $(nproc) CPUs, $(uname -m); inputs in $FK_BENCH_DIR"
st=0
for s in tests/bench/*.sh; do
	[ -f "$s" ] || continue
	echo "== $(basename "$s" .sh)"
	sh "$s" "$top/$b/bin" || st=1
done
exit $st
