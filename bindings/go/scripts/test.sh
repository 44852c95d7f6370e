#!/bin/sh
# ctest's Go tests (bindings/go/CMakeLists.txt). Usage:
#   test.sh BUILD_DIR race       gofmt, go vet, then go test -race ./... against the
#                                library of BUILD_DIR (an uninstalled aionl.pc)
#   test.sh BUILD_DIR installed  install BUILD_DIR into BUILD_DIR/go/prefix and
#                                build and test the package against it through
#                                the installed aionl.pc, as a user would
#   test.sh BUILD_DIR bench      the ReadAt benchmark, a few reads per case on
#                                a small file: it runs, and reports its metrics
# No module proxy (the package uses the standard library only), and every
# cache inside BUILD_DIR. AIONL_BACKEND/AIONL_EXECUTOR pass through.
set -eu
build=$(cd "$1" && pwd)
mode=$2
here=$(cd "$(dirname "$0")/.." && pwd)
src=$(cd "$here/../.." && pwd)

export GOPROXY=off GOFLAGS=-buildvcs=false GO111MODULE=on CGO_ENABLED=1 GOENV=off
export GOCACHE="$build/go/cache" GOPATH="$build/go/path" GOMODCACHE="$build/go/path/pkg/mod"
export GOTMPDIR="$build/go/tmp"
mkdir -p "$GOTMPDIR"
# Go's build cache does not look into C headers outside the package: name
# them in the flags, so that a changed aionl.h rebuilds the cgo code.
hash=$(cat "$src/src/include/aionl.h" "$src/gen/uapi/linux/aionl.h" | md5sum | cut -c1-16)
export CGO_CFLAGS="-g -O2 -DAIONL_HEADERS_${hash}"
go=${GO:-go}
cd "$here"

case $mode in
race)
	export PKG_CONFIG_PATH="$build/go/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
	unformatted=$("$("$go" env GOROOT)/bin/gofmt" -l .)
	if [ -n "$unformatted" ]; then
		echo "not gofmt-formatted: $unformatted" >&2
		exit 1
	fi
	"$go" vet ./...
	GODEBUG=cgocheck=2 "$go" test -race -count=1 ./...
	;;
installed)
	# A fixed prefix: Go caches the package with the -L that pkg-config
	# gave, so a prefix that moved would leave a stale path behind.
	prefix="$build/go/prefix"
	rm -rf "$prefix"
	cmake --install "$build" --prefix "$prefix" > "$build/go/install.log"
	libdir=$(dirname "$(ls "$prefix"/lib*/libaionl.so.0)")
	export PKG_CONFIG_PATH="$libdir/pkgconfig"
	# Go's cache key does not include what pkg-config says: name the
	# library's directory in CGO_LDFLAGS, which it does include.
	export CGO_LDFLAGS="-g -O2 -L$libdir"
	pkg-config --cflags --libs aionl
	LD_LIBRARY_PATH=$libdir GODEBUG=cgocheck=2 "$go" test -count=1 \
		-run 'TestInfo|TestReadAtLikeOsFile|TestStreams|TestTimerFires' .
	;;
bench)
	export PKG_CONFIG_PATH="$build/go/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
	out="$build/go/bench.txt"
	AIONL_BENCH_SIZE=16M AIONL_BENCH_DIR="$build/go" \
		"$go" test -run '^$' -bench ReadAt -benchtime 200x . | tee "$out"
	# Every case reported its reads per second and its threads.
	cases=$(grep -c 'reads/s.*threads' "$out" || true)
	if [ "$cases" -ne 15 ]; then
		echo "bench: $cases of 15 cases reported reads/s and threads" >&2
		exit 1
	fi
	;;
*)
	echo "usage: $0 BUILD_DIR race|installed|bench" >&2
	exit 2
	;;
esac
