#!/bin/bash
# Install the Debian packages the build and the tests need, if any is missing.
# aionl.ko is built and tested on two kernels (docs/kernel.md, "Supported
# kernels"): Debian 12's own 6.1 (linux-image-amd64, linux-headers-amd64) and
# the 6.12 of bookworm-backports, installed by its versioned package names.
set -euo pipefail
pkgs=(
	build-essential cmake pkg-config
	libmnl-dev liburing-dev libaio-dev libuv1-dev gnuplot-nox
	protobuf-c-compiler libprotobuf-c-dev libprotobuf-dev python3-protobuf
	libcmocka-dev
	libfuse3-dev fuse3	# tests/fuse: a FUSE filesystem that hangs on demand
	clang-14 libclang-rt-14-dev
	swig python3-dev python3-pytest python3-uvloop python3-numpy
	golang-go	# bindings/go: Go 1.19, cgo
	libtsan2
	linux-headers-amd64 linux-image-amd64 qemu-system-x86 busybox-static cpio kmod e2fsprogs iproute2
	xz-utils
)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi

# The second kernel: the newest 6.12 headers, with the image and the modules
# of the same release (what CMakeLists.txt builds for and tests/vm boots).
kernel_612_ready() {
	local h rel
	h=$(ls -d /usr/src/linux-headers-6.12.*-amd64 2>/dev/null | sort -V | tail -n1)
	[ -n "$h" ] || return 1
	rel=${h#/usr/src/linux-headers-}
	[ -f "/boot/vmlinuz-$rel" ] && [ -d "/lib/modules/$rel/kernel" ]
}
if ! kernel_612_ready; then
	# bookworm-backports, from the mirror that serves this machine's bookworm.
	list=/etc/apt/sources.list.d/bookworm-backports.list
	if ! grep -qs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; then
		mirror=$(awk '/^URIs:/ { u = $2 } /^$/ { u = "" }
			/^Suites:/ && / bookworm( |$)/ && u { print u; exit }' \
			/etc/apt/sources.list.d/*.sources 2>/dev/null || true)
		[ -n "$mirror" ] || mirror=$(sed -e 's/\[[^]]*\]//' /etc/apt/sources.list 2>/dev/null |
			awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' || true)
		mirror=${mirror:-http://deb.debian.org/debian}
		echo "adding bookworm-backports ($mirror) to apt's sources"
		echo "deb $mirror bookworm-backports main" | $sudo tee "$list" > /dev/null
	fi
	$sudo apt-get update -qq
	# The versioned packages the backports metapackages point to now (they
	# move with Debian's updates). Only these come from backports: -t would
	# also upgrade the installed linux-libc-dev, linux-perf and metapackages.
	k612=()
	for meta in linux-image-amd64 linux-headers-amd64; do
		dep=$(apt-cache depends -t bookworm-backports "$meta" |
			awk '$1 == "Depends:" && $2 ~ /^linux-(image|headers)-6\.12\./ && !n++ { print $2 }')
		if [ -z "$dep" ]; then
			echo "deps: bookworm-backports has no 6.12 $meta" >&2
			exit 1
		fi
		k612+=("$dep/bookworm-backports")
	done
	echo "installing: ${k612[*]}"
	$sudo apt-get install -y -qq --no-install-recommends "${k612[@]}" > /dev/null
	kernel_612_ready || { echo "deps: the 6.12 kernel did not install completely" >&2; exit 1; }
fi
