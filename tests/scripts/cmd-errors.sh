#!/bin/sh
# The command's errors name the file and the reason, with a nonzero status.
set -u
aionl=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
expect() {
	# expect STATUS PATTERN -- command...
	want=$1 pat=$2; shift 3
	out=$("$@" 2>&1); st=$?
	if [ "$st" -ne "$want" ] || ! echo "$out" | grep -q -- "$pat"; then
		echo "FAIL: '$*' exited $st with: $out (wanted $want and /$pat/)" >&2
		fail=1
	fi
}
expect 1 "$dir/missing: No such file or directory" -- "$aionl" cp "$dir/missing" "$dir/x"
echo hi > "$dir/src"
expect 1 "$dir/nodir/x: No such file or directory" -- "$aionl" cp "$dir/src" "$dir/nodir/x"
expect 1 "$dir: not a regular file" -- "$aionl" cp "$dir" "$dir/x"
expect 1 "queue depth 'zero'" -- "$aionl" cp -q zero "$dir/src" "$dir/x"
expect 1 "block size '3'" -- "$aionl" cp -b 3 "$dir/src" "$dir/x"
expect 2 "usage" -- "$aionl" cp "$dir/src"
expect 2 "unknown command 'frobnicate'" -- "$aionl" frobnicate
expect 1 'not registered' -- env AIONL_BACKEND=kernel "$aionl" cp "$dir/src" "$dir/x"
expect 1 'AIONL_EXECUTOR=bogus' -- env AIONL_EXECUTOR=bogus "$aionl" info
# Regression: cp onto the source itself, by any name, truncated it to nothing.
ln -s "$dir/src" "$dir/symlink"
ln "$dir/src" "$dir/hardlink"
for same in "$dir/src" "$dir/symlink" "$dir/hardlink"; do
	expect 1 "'$dir/src' and '$same' are the same file" -- "$aionl" cp "$dir/src" "$same"
	[ "$(cat "$dir/src")" = hi ] || { echo "FAIL: cp $dir/src $same changed the source" >&2; fail=1; }
done
# Regression: a named executor made aionl info report the kernel row as asked for by it.
out=$(env AIONL_EXECUTOR=threads "$aionl" info 2>&1)
if echo "$out" | grep -q 'kernel backend was asked for'; then
	echo "FAIL: AIONL_EXECUTOR=threads aionl info: $out" >&2
	fail=1
fi
expect 1 'executor threads (AIONL_EXECUTOR) belongs to the user backend, but the kernel backend was asked for (AIONL_BACKEND)' -- env AIONL_BACKEND=kernel AIONL_EXECUTOR=threads "$aionl" info
[ $fail -eq 0 ] && echo "all error cases name the file and the reason"
exit $fail
