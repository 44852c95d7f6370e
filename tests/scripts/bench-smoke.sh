#!/bin/sh
# aionl bench runs every contender available here with a tiny op count and
# writes well-formed JSON and a plot. It checks that the bench works, not how
# fast anything is: no test asserts a time. AIONL_BENCH_OPTIONAL names the
# optional contenders (libaio, libuv) the build has.
set -eu
aionl=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$aionl" bench --ops 4000 --qd 1,8 --size 8m -f "$dir/file" --json "$dir/out.json" \
	--plot "$dir/plot.png" > "$dir/table.txt"
cat "$dir/table.txt"
/usr/bin/python3 - "$dir/out.json" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
rows = d["results"]
names = {r["contender"] for r in rows}
want = {"aionl user+uring", "aionl user+threads", "io_uring", "posix aio", "pread"}
want |= set(os.environ.get("AIONL_BENCH_OPTIONAL", "").split())
missing = want - names
assert not missing, "contenders missing: %s" % sorted(missing)
for r in rows:
    assert "error" not in r, r
    assert r["ops"] > 0 and r["iops"] > 0 and r["p50_us"] <= r["p99_us"] <= r["p999_us"], r
assert all(r["qd"] == 1 for r in rows if r["contender"] == "pread")
print("bench JSON has %d rows for %d contenders" % (len(rows), len(names)))
PY
test -s "$dir/plot.png"
"$aionl" bench --rw randwrite --ops 500 --qd 4 --size 4m -f "$dir/file" --only aionl,io_uring > /dev/null
if "$aionl" bench --bs 1000 > /dev/null 2>&1; then echo "bad --bs accepted" >&2; exit 1; fi
# The copy mode: every contender, each row with its figures.
"$aionl" bench --copy --size 8m --rounds 1 -f "$dir/file" > "$dir/copy.txt"
cat "$dir/copy.txt"
for row in "aionl cp " "aionl cp --no-copy" "copy_file_range loop" "read/write loop"; do
	grep -q "^$row .*x *$" "$dir/copy.txt" || { echo "no row '$row' in bench --copy" >&2; exit 1; }
done
test ! -e "$dir/file.copy" || { echo "bench --copy left its copy behind" >&2; exit 1; }
