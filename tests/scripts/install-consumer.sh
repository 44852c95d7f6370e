#!/bin/sh
# Install the build into a scratch prefix, then build a program against it
# twice: with find_package(aionl) and with pkg-config.
set -eu
build=$1 consumer=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log"
test -f "$tmp/prefix/include/aionl.h"
ls "$tmp/prefix"/lib*/libaionl.so.0 > /dev/null
ls "$tmp"/prefix/share/man/man3/aionl_submit.3 > /dev/null
cmake -S "$consumer" -B "$tmp/cbuild" -DCMAKE_PREFIX_PATH="$tmp/prefix" > "$tmp/cfg.log"
cmake --build "$tmp/cbuild" > "$tmp/build.log"
libdir=$(dirname "$(ls "$tmp"/prefix/lib*/libaionl.so.0)")
LD_LIBRARY_PATH=$libdir "$tmp/cbuild/consumer" "$consumer/main.c"
PKG_CONFIG_PATH=$libdir/pkgconfig
export PKG_CONFIG_PATH
cc -o "$tmp/pc-consumer" "$consumer/main.c" $(pkg-config --cflags --libs aionl)
LD_LIBRARY_PATH=$libdir "$tmp/pc-consumer" "$consumer/main.c"
echo "installed and consumed through CMake and pkg-config"
