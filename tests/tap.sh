# tap.sh: TAP helpers for the tests/t-*.sh scripts (sourced, not run).
# Each check prints "ok - NAME" or "not ok - NAME"; a script ends with
# tap_done, whose status says whether everything passed.
n=0
fails=0

ok() { n=$((n + 1)); echo "ok - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok - $1"; }
# check STATUS NAME: ok when STATUS (usually $?) is 0.
check() { if [ "$1" = 0 ]; then ok "$2"; else not_ok "$2"; fi; }
tap_done() { [ "$fails" -eq 0 ]; }
