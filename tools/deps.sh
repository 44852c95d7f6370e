#!/bin/bash
# Install the Debian packages the build and the tests need, if any is missing.
set -euo pipefail
pkgs=(
	build-essential cmake pkg-config
	libmnl-dev liburing-dev libaio-dev libuv1-dev gnuplot-nox
	protobuf-c-compiler libprotobuf-c-dev libprotobuf-dev python3-protobuf
	libcmocka-dev
	linux-headers-amd64 linux-image-amd64 qemu-system-x86 busybox-static cpio kmod e2fsprogs iproute2
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi
