#!/bin/sh
# Fail when gen/ or docs/protocol.md differ from what idl/aionl.proto generates.
set -eu
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh "$src/tools/regen.sh" "$src" "$tmp/gen" "$tmp/protocol.md"
status=0
diff -ru "$src/gen" "$tmp/gen" || status=1
diff -u "$src/docs/protocol.md" "$tmp/protocol.md" || status=1
if [ $status -ne 0 ]; then
	echo "gen/ is stale: run 'cmake --build build --target gen' and commit the result" >&2
	exit 1
fi
echo "gen/ matches idl/aionl.proto"
