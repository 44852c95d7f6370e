#!/bin/sh
# Regenerate the protocol code and reference from idl/aionl.proto.
# usage: tools/regen.sh SOURCE_DIR GEN_DIR DOC_FILE
# The gen target writes into the source tree; the staleness test writes into
# a scratch directory and compares.
set -eu
src=$1 gen=$2 doc=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$gen"
# descriptor.proto, which idl/aionl_options.proto extends, comes with libprotobuf-dev.
protoc-c --include_imports --include_source_info -I"$src/idl" -I/usr/include \
	--descriptor_set_out="$tmp/aionl.desc" "$src/idl/aionl.proto"
/usr/bin/python3 -B "$src/tools/aionlgen.py" "$tmp/aionl.desc" --gen-dir "$gen" --doc "$doc" \
	--plain-desc "$tmp/plain.desc"
# protoc-c's own view of the messages, for the codec test to compare with.
protoc-c --descriptor_set_in="$tmp/plain.desc" --c_out="$tmp" aionl.proto
for f in aionl.pb-c.h aionl.pb-c.c; do
	{
		echo "/* Do not edit: generated from idl/aionl.proto by protoc-c (tools/regen.sh)."
		echo " * Regenerate with: cmake --build build --target gen"
		echo " */"
		cat "$tmp/$f"
	} > "$tmp/$f.banner"
	cmp -s "$tmp/$f.banner" "$gen/$f" 2>/dev/null || cp "$tmp/$f.banner" "$gen/$f"
done
