#!/bin/sh
# aionl info lists every backend, names the one chosen, says why and the limits.
set -eu
aionl=$1
out=$("$aionl" info)
echo "$out"
for want in "kernel " "user+uring " "user+threads " "chosen: " "why: " "max in flight"; do
	echo "$out" | grep -q -- "$want" || { echo "missing '$want'" >&2; exit 1; }
done
AIONL_EXECUTOR=threads "$aionl" info | grep -q "chosen: user+threads"
AIONL_BACKEND=user AIONL_EXECUTOR=uring "$aionl" info | grep -q "chosen: user+uring"
# With a path: its filesystem, and what a context bound to it gets.
out=$("$aionl" info /tmp)
echo "$out"
for want in "filesystem of /tmp" "device " "bound to filesystem" "-EXDEV"; do
	echo "$out" | grep -q -- "$want" || { echo "info /tmp: missing '$want'" >&2; exit 1; }
done
if err=$("$aionl" info /nonexistent/aionl 2>&1); then
	echo "info on a missing path succeeded" >&2
	exit 1
fi
echo "$err" | grep -q "/nonexistent/aionl" || { echo "the error does not name the path: $err" >&2; exit 1; }
