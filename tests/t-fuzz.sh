#!/bin/sh
# Fuzz every parser briefly and replay the saved crash reproducers.
# check: once
#
#   sh tests/t-fuzz.sh BIN_DIR        (BIN_DIR is not used: the fuzz
#                                      targets are built by tests/fuzz/run.sh)
#
# Every file under tests/fuzz/regress/TARGET/ is an input that once broke
# TARGET and must now pass; then each target fuzzes for FK_FUZZ_SECONDS
# (default 15), two at a time. Without a clang that links -fsanitize=fuzzer
# this prints `ok - fuzz # SKIP no libFuzzer`.

cd "$(dirname "$0")/.." || exit 1
exec sh tests/fuzz/run.sh -j 2 --fresh --regress "${FK_FUZZ_SECONDS:-15}"
