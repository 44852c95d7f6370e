#!/bin/bash
# The module's task_work callbacks hold a reference on the module, and drop
# it as their very last act: once module_put() has run, rmmod may free the
# module's code, so the callback must not execute one more instruction of it
# (a stack-protector check, a return). The source makes module_put() the
# last call of a function without locals (aionl_sig_tw, aionl_tw_flush);
# this checks that the compiler did make it a tail call, a jump that
# returns straight to task_work_run().
#
# usage: tail-calls.sh aionl.ko...
# Caught: aionl_sig_tw called module_put() and then returned into the module.
set -euo pipefail
callbacks="aionl_sig_tw aionl_tw_flush"
status=0
dump=$(mktemp)
trap 'rm -f "$dump"' EXIT
for ko in "$@"; do
	objdump -dr --no-show-raw-insn "$ko" > "$dump"
	for fn in $callbacks; do
		body=$(awk -v f="<$fn>:" '$2 == f { p = 1; next } p && /^$/ { exit } p' "$dump")
		if [ -z "$body" ]; then
			echo "$ko: no function $fn (renamed? update $0)" >&2
			status=1
			continue
		fi
		# Each module_put relocation, with the instruction it belongs to.
		puts=$(printf '%s\n' "$body" | awk '/R_X86_64_.*module_put/ { print prev } { prev = $0 }')
		if [ -z "$puts" ]; then
			echo "$ko: $fn does not drop the module reference" >&2
			status=1
		elif printf '%s\n' "$puts" | grep -qv $'\tjmp'; then
			echo "$ko: $fn calls module_put() and returns into the module afterwards:" >&2
			printf '%s\n' "$puts" >&2
			status=1
		else
			echo "$ko: $fn ends with a jump to module_put()"
		fi
	done
done
exit $status
