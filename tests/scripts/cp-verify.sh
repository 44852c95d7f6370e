#!/bin/sh
# aionl cp --verify of a generated file of SIZE_MIB MiB; then cmp as a second opinion.
set -eu
aionl=$1 mib=$2
dir=$(mktemp -d /var/tmp/aionl-cp.XXXXXX)
trap 'rm -rf "$dir"' EXIT
head -c $((mib * 1048576 + 12345)) /dev/urandom > "$dir/src"
"$aionl" cp --verify -q 32 -b 1m "$dir/src" "$dir/dst"
cmp "$dir/src" "$dir/dst"
# Odd sizes and small blocks take the short-transfer paths.
head -c 1000003 /dev/urandom > "$dir/small"
"$aionl" cp --verify -q 7 -b 4k "$dir/small" "$dir/small.copy"
cmp "$dir/small" "$dir/small.copy"
: > "$dir/empty"
"$aionl" cp --verify "$dir/empty" "$dir/empty.copy"
cmp "$dir/empty" "$dir/empty.copy"
echo "copied and verified $mib MiB"
