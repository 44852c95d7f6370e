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
protoc-c --include_source_info --descriptor_set_out="$tmp/aionl.desc" \
	--c_out="$gen" -I"$src/idl" "$src/idl/aionl.proto"
/usr/bin/python3 "$src/tools/aionlgen.py" "$tmp/aionl.desc" --gen-dir "$gen" --doc "$doc"
