#!/bin/sh
# aionl info lists every backend and the commands each serves, names the one
# chosen, says why and the limits.
set -eu
aionl=$1
out=$("$aionl" info)
echo "$out"
for want in "kernel " "user+uring " "user+threads " "chosen: " "why: " "max in flight"; do
	echo "$out" | grep -q -- "$want" || { echo "missing '$want'" >&2; exit 1; }
done
# Each available backend lists the commands its server serves (GET_INFO's
# commands, by their names in the IDL); the user engine serves every one.
for row in user+uring user+threads; do
	block=$(echo "$out" | awk -v row="$row" '
		index($0, "  " row " ") == 1 { on = 1; print; next }
		on && /^  [^ ]/ { on = 0 }
		on && /^    / { print }')
	[ -n "$block" ] || { echo "no row $row" >&2; exit 1; }
	echo "$block" | grep -q "^  $row  *available" || continue	# io_uring may be blocked
	cmds=" $(echo "$block" | sed -n '/serves:/,$p' | sed 's/serves://' | tr -s ' \n' ' ') "
	for c in get_info register unregister read write readv writev fsync fdatasync nop timer \
		timer_update poll signal cancel open install bind fallocate statx copy; do
		case "$cmds" in
		*" $c "*) ;;
		*) echo "$row: '$c' missing from the commands it serves:$cmds" >&2; exit 1 ;;
		esac
	done
	case "$cmds" in
	*completion*) echo "$row: lists completion, which only servers send" >&2; exit 1 ;;
	esac
	if echo "$block" | grep -q "lacks:"; then
		echo "$row: the user engine lacks commands:" >&2
		echo "$block" >&2
		exit 1
	fi
done
AIONL_EXECUTOR=threads "$aionl" info | grep -q "chosen: user+threads"
# Regression: naming an executor was reported as a failed request for the
# kernel backend, which nothing had asked for.
if AIONL_EXECUTOR=threads "$aionl" info | grep -q "kernel backend was asked for"; then
	echo "AIONL_EXECUTOR=threads: info says the kernel backend was asked for" >&2
	exit 1
fi
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
