#!/bin/sh
# Sample totals survive collapse-perf, diff-folded and flamegraph (tests/totals.py).
exec python3 "$(dirname "$0")/totals.py" "$1" "${FK_SHARED:-../shared}"
