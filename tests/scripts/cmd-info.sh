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
