#!/bin/sh
# Browser test of the SVG's script: zoom, reset, search, ignore case, URL
# state, hover details (also differential), label fitting, fluid width, and
# a frame named like a script tag that must stay text.
#
#   sh tests/t-browser.sh BIN_DIR
#
# Needs /usr/bin/chromium (or $FK_CHROMIUM) and node; skips without them.
# playwright-core is installed into tests/browser/node_modules on first use
# (npm, no browser download: the system Chromium is driven).
# check: once

bin=${1:?usage: sh tests/t-browser.sh BIN_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/tests/browser
chromium=${FK_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$chromium" ]; then
	echo "ok - browser test # SKIP no $chromium"
	exit 0
fi
if ! command -v node >/dev/null 2>&1; then
	echo "ok - browser test # SKIP no node"
	exit 0
fi

have_playwright() {
	(cd "$dir" && node -e 'require("playwright-core")') >/dev/null 2>&1
}

if ! have_playwright; then
	if ! command -v npm >/dev/null 2>&1; then
		echo "not ok - install playwright-core: no npm"
		exit 1
	fi
	log=$(cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
		npm install --no-audit --no-fund --no-package-lock \
		--no-update-notifier --fetch-retries=1 --fetch-timeout=30000 2>&1)
	if ! have_playwright; then
		echo "not ok - install playwright-core (npm install in tests/browser)"
		printf '%s\n' "$log" | tail -5 | sed 's/^/#   /'
		exit 1
	fi
fi

case $bin in
/*) ;;
*) bin=$(pwd)/$bin ;;
esac
if [ ! -x "$bin/flamegraph" ]; then
	echo "not ok - browser test: no $bin/flamegraph"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fkbrowser.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
FK_CHROMIUM=$chromium node "$dir/run.js" "$bin" "$tmp"
