#!/bin/sh
# Drive examples/fs_copy across two filesystems: files of 0 bytes, 1 byte,
# 1 MiB + 3 bytes and 16 MiB, each way, compared with cmp; a longer file
# truncated by a shorter copy; and the errors, which must name the file and
# exit 1. The two directories are the first writable pair, among the usual
# temporary ones, whose st_dev differ (here /tmp and /dev/shm are usually
# disk and tmpfs); without such a pair the test is skipped (77).
set -eu
prog=$1

candidates="${TMPDIR:-/tmp} /tmp /var/tmp /dev/shm /run/user/$(id -u)"
a= b=
for x in $candidates; do
	[ -d "$x" ] && [ -w "$x" ] || continue
	for y in $candidates; do
		[ -d "$y" ] && [ -w "$y" ] || continue
		if [ "$(stat -c %d "$x")" != "$(stat -c %d "$y")" ]; then
			a=$x b=$y
			break 2
		fi
	done
done
if [ -z "$a" ]; then
	echo "no two writable temporary directories on different filesystems: skipped"
	exit 77
fi

da=$(mktemp -d "$a/aionl-fs-copy.XXXXXX")
db=$(mktemp -d "$b/aionl-fs-copy.XXXXXX")
trap 'rm -rf "$da" "$db"' EXIT
echo "copying between $a ($(stat -c %d "$a")) and $b ($(stat -c %d "$b"))"

: > "$da/empty"
printf x > "$da/one"
head -c $((1048576 + 3)) /dev/urandom > "$da/odd"
head -c $((16 * 1048576)) /dev/urandom > "$da/big"

for f in empty one odd big; do
	size=$(stat -c %s "$da/$f")
	out=$("$prog" "$da/$f" "$db/$f")
	[ "$out" = "fs_copy: $size bytes from $da/$f to $db/$f" ] || {
		echo "unexpected output: $out"
		exit 1
	}
	cmp "$da/$f" "$db/$f"
	# And back, onto the other filesystem, through the destination's name.
	"$prog" "$db/$f" "$da/$f.back" > /dev/null
	cmp "$da/$f" "$da/$f.back"
done

# O_TRUNC: a longer destination ends up the source's size.
"$prog" "$da/one" "$db/big" > /dev/null
cmp "$da/one" "$db/big"

# Errors: the file and the reason on stderr, exit status 1.
expect_fail() {
	want=$1
	shift
	if "$prog" "$@" > /dev/null 2> "$da/err"; then
		echo "fs_copy $* succeeded"
		exit 1
	else
		rc=$?
	fi
	[ "$rc" -eq 1 ] || { echo "fs_copy $*: exit status $rc"; exit 1; }
	grep -qF -- "$want" "$da/err" || { echo "fs_copy $*: no '$want' in: $(cat "$da/err")"; exit 1; }
}
expect_fail "open $da/missing: No such file or directory" "$da/missing" "$db/x"
expect_fail "open $db/no/such/dir: No such file or directory" "$da/one" "$db/no/such/dir"
expect_fail "read $da: Is a directory" "$da" "$db/x"
expect_fail "open $db: Is a directory" "$da/one" "$db"
# Regressions: a copy onto the source itself emptied it and exited 0, and
# DST was emptied before SRC was known to be readable. Now neither changes.
cp "$da/one" "$da/keep"
size=$(stat -c %s "$da/keep")
expect_fail "are the same file" "$da/keep" "$da/keep"
ln "$da/keep" "$da/keep.link"
expect_fail "are the same file" "$da/keep" "$da/keep.link"
[ "$(stat -c %s "$da/keep")" = "$size" ] || { echo "fs_copy emptied its own source"; exit 1; }
printf 'intact' > "$db/intact"
expect_fail "read $da: Is a directory" "$da" "$db/intact"
[ "$(cat "$db/intact")" = intact ] || { echo "fs_copy emptied DST for an unreadable SRC"; exit 1; }
if "$prog" "$da/one" > /dev/null 2>&1; then
	echo "fs_copy with one argument succeeded"
	exit 1
fi
echo "fs_copy: copied 0 B, 1 B, 1 MiB + 3 B and 16 MiB both ways, truncated, and failed cleanly"
