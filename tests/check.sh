#!/bin/sh
# Run the whole test suite against one or more build trees and end with
# one line "N passed, N failed" (exit 1 if anything failed).
#
#   tests/check.sh [--shared DIR] BUILD_DIR...
#
# Per build tree: unit tests (TAP), fixtures under tests/fixtures/<tool>/,
# the tests/t-*.sh scripts (TAP) and the conformance runner of shared/.
# Man pages are linted once. A script with the line "# check: once" runs
# only against the first tree (the browser test, which is slow under ASan).

shared=../shared
if [ "$1" = "--shared" ]; then
	shared=$2
	shift 2
fi
[ $# -ge 1 ] || { echo "usage: tests/check.sh [--shared DIR] BUILD_DIR..." >&2; exit 2; }

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
shared=$(cd "$shared" 2>/dev/null && pwd) || shared=
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fkcheck.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

ok() {
	pass=$((pass + 1))
	echo "ok - $*"
}

not_ok() {
	fail=$((fail + 1))
	echo "not ok - $*"
}

# Count the TAP lines a program or script printed (already echoed).
count_tap() {
	p=$(grep -c '^ok' "$1")
	f=$(grep -c '^not ok' "$1")
	pass=$((pass + p))
	fail=$((fail + f))
}

run_units() {
	b=$1
	for t in "$b"/tests/test-*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		"$t" >"$tmp/unit" 2>&1
		st=$?
		sed "s/^\(not \)\{0,1\}ok [0-9]* - /&[$name] /" "$tmp/unit" | grep -E '^(not )?ok|^#'
		count_tap "$tmp/unit"
		if [ $st -ne 0 ] && ! grep -q '^not ok' "$tmp/unit"; then
			not_ok "[$name] exited with status $st"
		fi
	done
}

run_fixtures() {
	bin=$1/bin
	for f in tests/fixtures/*/*.in; do
		[ -f "$f" ] || continue
		c=${f%.in}
		dir=$(dirname "$f")
		tool=$(basename "$dir")
		name="fixture $tool/$(basename "$c")"
		case $(basename "$c") in *.*) continue ;; esac
		if [ ! -x "$bin/$tool" ]; then
			not_ok "$name: no binary $tool"
			continue
		fi
		args=
		[ -f "$c.args" ] && args=$(sed "s|@DIR@|$top/$dir|g" "$c.args")
		want=0
		[ -f "$c.status" ] && want=$(cat "$c.status")
		# shellcheck disable=SC2086
		(cd "$tmp" && eval "\"$top/$bin/$tool\" $args") <"$f" >"$tmp/out" 2>"$tmp/err"
		st=$?
		why=
		if [ "$st" -ne "$want" ]; then
			why="exit status $st, expected $want"
		elif [ -f "$c.out" ] && ! cmp -s "$tmp/out" "$c.out"; then
			why="stdout differs"
		elif [ -f "$c.err" ] && ! cmp -s "$tmp/err" "$c.err"; then
			why="stderr differs"
		fi
		if [ -z "$why" ]; then
			ok "$name"
		else
			not_ok "$name: $why"
			if [ "$why" = "stdout differs" ]; then
				diff "$c.out" "$tmp/out" | head -10 | sed 's/^/#   /'
			elif [ "$why" = "stderr differs" ]; then
				diff "$c.err" "$tmp/err" | head -10 | sed 's/^/#   /'
			else
				head -5 "$tmp/err" | sed 's/^/#   /'
			fi
		fi
	done
}

run_scripts() {
	b=$1
	first=$2
	for s in tests/t-*.sh; do
		[ -f "$s" ] || continue
		if [ "$first" != 1 ] && grep -q '^# check: once' "$s"; then
			continue
		fi
		name=$(basename "$s" .sh)
		FK_SHARED=$shared sh "$s" "$b/bin" >"$tmp/script" 2>&1
		st=$?
		sed "s/^\(not \)\{0,1\}ok - /&[$name] /" "$tmp/script" | grep -E '^(not )?ok|^#'
		count_tap "$tmp/script"
		if [ $st -ne 0 ] && ! grep -q '^not ok' "$tmp/script"; then
			not_ok "[$name] exited with status $st"
			tail -5 "$tmp/script" | sed 's/^/#   /'
		fi
	done
}

run_conformance() {
	b=$1
	if [ -z "$shared" ] || [ ! -x "$shared/conformance/run" ]; then
		not_ok "conformance: runner not found (--shared DIR)"
		return
	fi
	"$shared/conformance/run" -j 2 "$b/bin" >"$tmp/conf" 2>&1
	grep -v '^SKIP' "$tmp/conf" | grep -v 'passed, [0-9]* failed' | sed 's/^/# /'
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$tmp/conf" | tail -n 1)
	if [ -z "$line" ]; then
		not_ok "conformance ($b): no summary"
		return
	fi
	p=${line%% passed*}
	f=${line#* passed, }
	f=${f%% failed*}
	echo "# conformance ($b): $line"
	pass=$((pass + p))
	fail=$((fail + f))
}

lint_man() {
	for m in man/*.1; do
		[ -f "$m" ] || continue
		if command -v mandoc >/dev/null 2>&1; then
			out=$(mandoc -Tlint -W warning "$m" 2>&1)
		elif command -v groff >/dev/null 2>&1; then
			out=$(groff -mandoc -ww -z "$m" 2>&1)
		else
			echo "ok - man $m # SKIP no mandoc or groff"
			continue
		fi
		if [ -z "$out" ]; then
			ok "man $m"
		else
			not_ok "man $m"
			echo "$out" | head -5 | sed 's/^/#   /'
		fi
	done
}

first=1
for b in "$@"; do
	if [ ! -d "$b/bin" ]; then
		not_ok "build tree $b has no bin/"
		continue
	fi
	echo "# == $b"
	run_units "$b"
	run_fixtures "$b"
	run_scripts "$b" "$first"
	run_conformance "$b"
	first=0
done
lint_man

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
