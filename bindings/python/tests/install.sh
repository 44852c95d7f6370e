#!/bin/sh
# `cmake --install` puts the aionl package where Debian's python3 finds it:
# installed with DESTDIR, under the build's prefix, the package's folder is
# one that interpreter searches (once DESTDIR is taken away), and importing
# it from there works and runs I/O, with no libaionl.so or ldconfig needed.
set -eu
build=$1 python=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
DESTDIR="$tmp/root" cmake --install "$build" --component python > "$tmp/install.log"
init=$(find "$tmp/root" -path '*/aionl/__init__.py' | head -n1)
test -n "$init" || { echo "no aionl/__init__.py installed" >&2; cat "$tmp/install.log" >&2; exit 1; }
pkgdir=$(dirname "$(dirname "$init")")
ls "$pkgdir"/aionl/_aionl_core*.so "$pkgdir"/aionl/aionl_core.py > /dev/null
site=${pkgdir#"$tmp/root"}
"$python" -c 'import sys; sys.exit(0 if sys.argv[1] in sys.path else 1)' "$site" || {
	echo "$site is not on $python's sys.path:" >&2
	"$python" -c 'import sys; print(sys.path)' >&2
	exit 1
}
# Import the installed copy, from a folder with nothing else in it.
cd "$tmp"
PYTHONPATH="$pkgdir" PYTHONDONTWRITEBYTECODE=1 "$python" -I -c '
import sys
sys.path.insert(0, sys.argv[1])
import aionl
assert aionl.__file__.startswith(sys.argv[1]), aionl.__file__
with aionl.Context() as ctx, open(aionl.__file__, "rb") as f:
    buf = bytearray(64)
    n = ctx.read(ctx.register(f), buf, 0)
    assert n == 64 and buf.startswith(b"# SPDX"), buf
print("installed in", sys.argv[1], "- import aionl works:", aionl.__version__)
' "$pkgdir"
