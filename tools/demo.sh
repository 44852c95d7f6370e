#!/bin/bash
# The main job on a fresh Debian machine: install what is missing, build, show
# which backend serves this machine, and copy a generated file with --verify
# through the embedded default backend.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build -j"$(nproc)" > /dev/null
./build/aionl info
dir=$(mktemp -d /var/tmp/aionl-demo.XXXXXX)
trap 'rm -rf "$dir"' EXIT
head -c $((256 * 1048576)) /dev/urandom > "$dir/random.bin"
./build/aionl cp --verify "$dir/random.bin" "$dir/copy.bin"
