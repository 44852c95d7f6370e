#!/bin/sh
# The shared library exports exactly the aionl_ API listed in the version map.
set -eu
lib=$1 map=$2
syms=$(nm -D --defined-only "$lib" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' | sort)
bad=$(echo "$syms" | grep -v '^aionl_' || true)
if [ -n "$bad" ]; then
	echo "exported symbols outside the aionl_ prefix:" >&2
	echo "$bad" >&2
	exit 1
fi
want=$(sed -n 's/^[[:space:]]*\(aionl_[a-z0-9_]*\);/\1/p' "$map" | sort)
if [ "$syms" != "$want" ]; then
	echo "exports differ from $map:" >&2
	diff -u /dev/fd/3 /dev/fd/4 3<<A 4<<B >&2 || true
$want
A
$syms
B
	exit 1
fi
soname=$(objdump -p "$lib" | awk '/SONAME/ { print $2 }')
case $soname in
libaionl.so.[0-9]*) ;;
*) echo "SONAME '$soname' does not carry the major version" >&2; exit 1 ;;
esac
echo "$(echo "$syms" | wc -l) aionl_ symbols, SONAME $soname"
