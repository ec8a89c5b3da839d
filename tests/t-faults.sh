#!/bin/sh
# Fault suite for every binary (see tests/faults.py).
exec python3 "$(dirname "$0")/faults.py" "$1"
