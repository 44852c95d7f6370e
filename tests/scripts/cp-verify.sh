#!/bin/sh
# aionl cp --verify of a generated file of SIZE_MIB MiB by each of its paths:
# COPY requests (copy_file_range) within one filesystem, reads and writes
# with --no-copy, and reads and writes again where COPY cannot go (another
# filesystem, when there is one); each checked by cp -v's account of how it
# copied, and by cmp as a second opinion.
set -eu
aionl=$1 mib=$2
dir=$(mktemp -d /var/tmp/aionl-cp.XXXXXX)
other=""
trap 'rm -rf "$dir" ${other:+"$other"}' EXIT
# cp SRC DST EXPECT [OPTIONS...]: copy, check the method it reports, compare.
cp_expect() {
	src=$1 dst=$2 expect=$3
	shift 3
	"$aionl" cp -v --verify "$@" "$src" "$dst" 2> "$dir/how" > /dev/null
	if ! grep -q -- "$expect" "$dir/how"; then
		echo "aionl cp $* $src $dst: '$(cat "$dir/how")', not /$expect/" >&2
		exit 1
	fi
	cmp "$src" "$dst"
}
head -c $((mib * 1048576 + 12345)) /dev/urandom > "$dir/src"
cp_expect "$dir/src" "$dir/dst" "by COPY" -q 32 -b 1m
cp_expect "$dir/src" "$dir/dst.rw" "by reads and writes (--no-copy)" --no-copy -q 32 -b 1m
# Odd sizes and small blocks take the short-transfer paths; small COPYs, many of them.
head -c 5000003 /dev/urandom > "$dir/small"
cp_expect "$dir/small" "$dir/small.copy" "by COPY" --copy-size 1m
cp_expect "$dir/small" "$dir/small.rw" "by reads and writes" --no-copy -q 7 -b 4k
: > "$dir/empty"
cp_expect "$dir/empty" "$dir/empty.copy" "0 bytes by COPY"
cp_expect "$dir/empty" "$dir/empty.rw" "0 bytes by reads and writes" --no-copy
# Over an existing, longer file: it ends where the source does.
head -c 9000000 /dev/urandom > "$dir/long"
cp_expect "$dir/small" "$dir/long" "by COPY"
# Another filesystem: COPY answers EXDEV (Linux 5.19 on), and cp falls back.
for cand in /dev/shm /tmp /run; do
	[ -d "$cand" ] && [ "$(stat -c %d "$cand")" != "$(stat -c %d "$dir")" ] || continue
	other=$(mktemp -d "$cand/aionl-cp.XXXXXX") || { other=""; continue; }
	break
done
if [ -n "$other" ]; then
	cp_expect "$dir/small" "$other/small" "by \(COPY\|reads and writes (COPY: Invalid cross-device link)\)"
	cp_expect "$other/small" "$dir/small.back" "by \(COPY\|reads and writes (COPY: Invalid cross-device link)\)"
	echo "across filesystems: $(cat "$dir/how")"
else
	echo "no other filesystem here: the fallback across filesystems is not tested"
fi
echo "copied and verified $mib MiB"
