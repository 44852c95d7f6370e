#!/bin/bash
# Boot Debian's kernel in qemu with an initramfs made from the build tree, load
# aionl.ko, run the conformance suite on the kernel backend and the
# kernel-only tests, unload the module, and fail on any WARNING, BUG, Oops or
# refcount line in the kernel log. Exits with the guest's status.
#
# usage: tests/vm/run-vm.sh BUILD_DIR MODULE_KO [KERNEL_IMAGE]
# MODULE_KO is the aionl.ko to test, built for the release KERNEL_IMAGE boots
# (default /boot/vmlinuz-<the module's vermagic release>); the virtio and
# ext4 modules come from /lib/modules/<that release>. ctest's vm.kernel and
# vm.kernel-<series> pass the ones the build made, build/kernel-<release>/.
# AIONL_VM_ACCEL=auto|kvm|tcg (default auto: KVM only if a probe boot works)
# AIONL_VM_BENCH=1 also runs aionl bench in the VM (kernel backend against
# io_uring, libaio and pread on ext4); it measures, it asserts nothing, and
# the guest then boots without SLUB's debugging (see slub= below).
# AIONL_VM_PERF=1 also profiles the module's own path (aionl kernel-only at
# QD32) with the host's perf, which must match the guest kernel's version.
# AIONL_VM_STRESS=N sends N messages in the randomized protocol stress instead
# of the CI-sized default (docs/kernel.md); AIONL_VM_STRESS_ARGS adds options
# of kernel_stress, such as --seed to replay a run.
# AIONL_TEST_FILTER=PATTERN runs only the matching tests of each suite;
# AIONL_VM_DEBUG=1 shows every kernel message on the console.
set -euo pipefail
build=$(realpath "$1")
ko=$(realpath "$2")
accel=${AIONL_VM_ACCEL:-auto}

vermagic=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
kernel=${3:-/boot/vmlinuz-$vermagic}
if [ ! -f "$kernel" ]; then
	echo "run-vm: $ko is built for $vermagic, but $kernel is missing (tools/deps.sh installs linux-image-$vermagic)" >&2
	exit 1
fi
if [ ! -d "/lib/modules/$vermagic/kernel" ]; then
	echo "run-vm: /lib/modules/$vermagic is missing: the guest's virtio and ext4 modules come from there" >&2
	exit 1
fi
# The image must be the release the module was built for, or insmod fails in the guest.
image_release=$(file -bL "$kernel" 2>/dev/null | sed -n 's/.*version \([^ ]*\) .*/\1/p' || true)
if [ -n "$image_release" ] && [ "$image_release" != "$vermagic" ]; then
	echo "run-vm: $kernel is $image_release, but $ko is built for $vermagic" >&2
	exit 1
fi
work=$(mktemp -d /var/tmp/aionl-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,tests,var/tmp}

# Binaries and every library they load: the loader at its own path, the rest
# in a directory the loader searches by default (a build tree under /tmp
# would be hidden by the guest's tmpfs).
libdir=/lib/x86_64-linux-gnu
mkdir -p "$root$libdir"
copy_with_libs() {
	local bin=$1 dest=$2
	cp "$bin" "$root/$dest"
	ldd "$bin" | awk '/=> \// { print $3 }' | while read -r lib; do
		cp -L "$lib" "$root$libdir/"
	done
	ldd "$bin" | awk '/^\t\/lib/ { print $1 }' | while read -r loader; do
		mkdir -p "$root$(dirname "$loader")"
		cp -L "$loader" "$root$loader"
	done
}
cp /bin/busybox "$root/bin/busybox"
cp "$ko" "$root/aionl.ko"
# The conformance and events suites, one binary per topic; the guest runs
# every /tests/conformance_* and /tests/events_* it finds.
for t in conformance_files conformance_transfers conformance_backpressure conformance_badinput conformance_fork conformance_fds conformance_open conformance_bind conformance_supports conformance_storage conformance_order conformance_copy \
	events_timers events_readiness events_signals events_cancel; do
	copy_with_libs "$build/tests/$t" "tests/$t"
done
copy_with_libs "$build/tests/kernel_only" tests/kernel_only
copy_with_libs "$build/tests/kernel_supports" tests/kernel_supports
copy_with_libs "$build/tests/kernel_security" tests/kernel_security
copy_with_libs "$build/tests/kernel_policy" tests/kernel_policy
copy_with_libs "$build/tests/kernel_stress" tests/kernel_stress
copy_with_libs "$build/tests/stress_model" tests/stress_model
# The hung FUSE filesystem (tests/fuse/): its daemon runs in the test's own
# process, as root, mounting with mount(2) itself (no fusermount); libfuse3
# comes with it.
copy_with_libs "$build/tests/fuse_isolation" tests/fuse_isolation
# ...and libgcc_s, which glibc loads at run time for pthread_cancel (libfuse's
# multi-threaded loop stops its workers with it); ldd does not name it.
cp -L "$libdir/libgcc_s.so.1" "$root$libdir/"
copy_with_libs "$build/aionl" bin/aionl
# iproute2's genl: a standard client any user may point at the family.
copy_with_libs "$(command -v genl)" bin/genl
if [ -n "${AIONL_VM_PERF:-}" ]; then
	copy_with_libs "$(readlink -f "$(command -v perf)")" bin/perf
fi

# An ext4 disk: its files support IOCB_NOWAIT, so the module's inline path
# runs there, while tmpfs files take the workqueue path. FUSE for the hung
# filesystem (a module on 6.1, built in on 6.12: --show-depends then names
# nothing to load); /dev/fuse comes from devtmpfs.
for m in virtio_pci virtio_blk ext4 fuse; do
	modprobe -S "$vermagic" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' > "$work/modules"
mkdir -p "$root/modules"
: > "$root/modules/order"
# Debian's 6.12 compresses its modules (.ko.xz). The guest gets them plain:
# busybox's insmod would first hand the kernel the compressed file, which
# logs "Invalid ELF header magic" for each, and only then unpack it itself.
while read -r m; do
	name=$(basename "$m")
	case "$m" in
	*.ko.xz) name=${name%.xz}; xz -dc "$m" > "$root/modules/$name" ;;
	*.ko.zst) name=${name%.zst}; zstd -qdc "$m" > "$root/modules/$name" ;;
	*.ko.gz) name=${name%.gz}; gzip -dc "$m" > "$root/modules/$name" ;;
	*) cp "$m" "$root/modules/" ;;
	esac
	echo "/modules/$name" >> "$root/modules/order"
done < "$work/modules"
truncate -s 512M "$work/disk.img"
mkfs.ext4 -q -F "$work/disk.img"

cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t tmpfs vartmp /var/tmp
if grep -q aionl.probe /proc/cmdline; then
	echo AIONL-VM-PROBE-OK
	poweroff -f
fi
for m in $(cat /modules/order); do insmod "$m"; done
status=0
failed=""
mkdir -p /mnt
# Without it the /mnt runs would test the initramfs instead of ext4.
if ! mount -t ext4 /dev/vda /mnt; then
	echo "=== FAILED: cannot mount the ext4 disk"
	status=1
	failed="$failed
	mount the ext4 disk"
fi
[ -f /filter ] && export AIONL_TEST_FILTER="$(cat /filter)"
only=""
[ -f /only ] && only="$(cat /only)"
run() {
	# AIONL_VM_ONLY (a pattern) runs only the matching tests: for work on one point.
	case "$*" in
	*/tests/*) [ -n "$only" ] && case "$*" in $only) ;; *) return 0 ;; esac ;;
	esac
	echo "=== $*"
	"$@" || { echo "=== FAILED ($?): $*"; status=1; failed="$failed
	$*"; }
}
# The stress's leak check: the slab caches insmod created (the module's own)
# must be gone after rmmod, and what the module takes from kmalloc it counts
# (aionl_objects), with a WARNING at rmmod for any left, which the log scan
# fails on. kmalloc's active objects are shown for information only: the
# rest of the kernel allocates from the same caches meanwhile.
slabs() { awk 'NR > 2 { print $1, $2 }' /proc/slabinfo; }
slabs > /tmp/slab.before
slab_check() {
	slabs > /tmp/slab.after
	for c in $(cat /tmp/slab.module); do
		grep "^$c " /tmp/slab.after && { echo "=== FAILED: slab cache $c outlived rmmod"; status=1; }
	done
	echo "=== kmalloc caches' active objects: before insmod, after rmmod"
	awk 'NR == FNR { b[$1] = $2; next } /^kmalloc-/ && $2 != b[$1] {
		printf "    %-22s %8d %8d %+d\n", $1, b[$1], $2, $2 - b[$1] }' /tmp/slab.before /tmp/slab.after
}
if insmod /aionl.ko; then
	slabs | awk 'NR == FNR { b[$1]; next } !($1 in b) { print $1 }' /tmp/slab.before - \
		> /tmp/slab.module
	run /bin/aionl info
	# The family and its policies, as any client may dump them.
	run /bin/genl ctrl get name aionl
	run /bin/genl ctrl policy name aionl
	# ...and what it says, against the IDL.
	run /tests/kernel_policy
	for t in /tests/conformance_*; do
		run env AIONL_BACKEND=kernel AIONL_TEST_EXPECT=kernel AIONL_TEST_DIR=/tmp $t
	done
	for t in /tests/conformance_*; do
		run env AIONL_BACKEND=kernel AIONL_TEST_EXPECT=kernel AIONL_TEST_DIR=/mnt $t
	done
	# The same without the library's inline reads: every request crosses netlink.
	for t in /tests/conformance_*; do
		run env AIONL_BACKEND=kernel AIONL_TEST_EXPECT=kernel AIONL_TEST_NO_INLINE=1 \
			AIONL_TEST_DIR=/tmp $t
	done
	for t in /tests/conformance_*; do
		run env AIONL_BACKEND=kernel AIONL_TEST_EXPECT=kernel AIONL_TEST_NO_INLINE=1 \
			AIONL_TEST_DIR=/mnt $t
	done
	for t in /tests/events_*; do
		run env AIONL_BACKEND=kernel AIONL_TEST_EXPECT=kernel $t
	done
	# The model-checked stress (tests/stress/model.c), with the seed ctest uses.
	for dir in /tmp /mnt; do
		run env AIONL_BACKEND=kernel /tests/stress_model --seed 0x5eed0001 --ops 30000 \
			--dir $dir
	done
	run /tests/kernel_only
	# The parameter hide_cmds: a hidden command is neither listed nor served.
	run /tests/kernel_supports
	# A hung FUSE filesystem stalls only its own socket (tests/fuse/isolation.c):
	# A bound to the mount, B to /tmp's tmpfs. The test mounts fusectl
	# itself and aborts its connection on every path, its watchdog (120 s a
	# test) well inside this run's timeout, so no hung mount is left to hold
	# the rmmod below.
	# On a failure the blocked tasks' stacks go to the kernel log (shown at
	# the end, or as they come with AIONL_VM_DEBUG=1).
	before=$status
	run env AIONL_BACKEND=kernel AIONL_TEST_EXPECT=kernel AIONL_TEST_DIR=/tmp \
		/tests/fuse_isolation
	[ $status -ne $before ] && echo w > /proc/sysrq-trigger
	if grep -q ' fuse\.hangfs ' /proc/mounts; then
		echo "=== FAILED: a FUSE mount outlived the test"
		grep ' fuse\.hangfs ' /proc/mounts
		status=1
	fi
	# The security review's points; ext4 sends writes to the module's workqueue.
	run env AIONL_TEST_DIR=/mnt /tests/kernel_security
	# The randomized protocol stress (tests/kernel/stress.c), CI-sized unless
	# the host asked for more (AIONL_VM_STRESS); then what the module still holds.
	# An Oops there tends to wedge the guest (a worker dies holding a lock), so
	# from here on it panics: the run ends at once, the Oops on the console. A
	# panic skips the log scan below: warnings go to the console as they come.
	echo 1 > /proc/sys/kernel/panic_on_oops
	grep -A 40 -E 'WARNING|BUG|Oops|refcount' /proc/kmsg & kmsg=$!
	run /tests/kernel_stress -n 100000 -T 45 $(cat /stress 2>/dev/null)
	kill $kmsg
	echo "=== the module's slab objects once every process of the stress is gone:"
	slabs | grep -F -f /tmp/slab.module
	if grep -q aionl.bench /proc/cmdline; then
		run /bin/aionl bench -f /mnt/bench.dat --size 256m --qd 1,32,128 -t 2 \
			--only kernel,io_uring,libaio,pread
		# Root in the VM may raise RLIMIT_NOFILE for the 100,000-file figure.
		run /bin/aionl bench -f /mnt/bench.dat --size 256m --qd 32 -t 1 --only io_uring \
			--scaling
	fi
	if grep -q aionl.perf /proc/cmdline; then
		echo 0 > /proc/sys/kernel/kptr_restrict
		echo -1 > /proc/sys/kernel/perf_event_paranoid
		/bin/aionl bench -f /mnt/bench.dat --size 256m --qd 32 -t 1 --rounds 1 \
			--only io_uring > /dev/null 2>&1
		for who in kernel-only io_uring; do
			run /bin/perf record -q -e cpu-clock -g -o /tmp/perf.data -- /bin/aionl bench \
				-f /mnt/bench.dat --size 256m --qd 32 -t 3 --rounds 1 --only $who
			run /bin/perf report -i /tmp/perf.data --stdio --no-children \
				--percent-limit 0.5 --sort sym -g none
			run /bin/perf report -i /tmp/perf.data --stdio --children --percent-limit 2 \
				--sort sym -g none
		done
	fi
	umount /mnt
	echo "=== rmmod aionl"
	# Bounded: a module that cannot unload fails the run, with the blocked tasks.
	rmmod aionl & rmmod=$!
	i=0; while kill -0 $rmmod 2>/dev/null && [ $i -lt 120 ]; do sleep 1; i=$((i + 1)); done
	if kill -0 $rmmod 2>/dev/null; then
		echo "=== FAILED: rmmod aionl hangs"; status=1; echo w > /proc/sysrq-trigger
	elif wait $rmmod; then
		slab_check
	else
		echo "=== FAILED: rmmod aionl"; status=1
	fi
else
	echo "=== FAILED: insmod"
	status=1
fi
dmesg > /tmp/dmesg
if grep -E 'WARNING|BUG|Oops|refcount' /tmp/dmesg; then
	echo "=== FAILED: the kernel log above has warnings"
	status=1
fi
if [ $status -ne 0 ]; then
	echo "=== the end of the kernel log"
	tail -n 60 /tmp/dmesg
	[ -n "$failed" ] && echo "=== these failed:$failed"
fi
echo "AIONL-VM-STATUS $status"
poweroff -f
INIT
chmod +x "$root/init"
if [ -n "${AIONL_VM_ONLY:-}" ]; then
	printf '%s' "$AIONL_VM_ONLY" > "$root/only"
fi
if [ -n "${AIONL_TEST_FILTER:-}" ]; then
	printf '%s' "$AIONL_TEST_FILTER" > "$root/filter"
fi
# The stress's size: AIONL_VM_STRESS messages, with a time limit to match.
stress_limit=0
if [ -n "${AIONL_VM_STRESS:-}${AIONL_VM_STRESS_ARGS:-}" ]; then
	n=${AIONL_VM_STRESS:-100000}
	stress_limit=$(( n / 1000 + 60 ))
	printf -- '-n %s -T %s %s' "$n" "$stress_limit" "${AIONL_VM_STRESS_ARGS:-}" > "$root/stress"
fi
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initramfs.gz"

verbosity=quiet
[ -n "${AIONL_VM_DEBUG:-}" ] && verbosity=loglevel=7
# SLUB's checks catch a use after free or a redzone overrun in the tests, at
# the price of a stack trace saved at every allocation and free. That price
# falls on the module's path (an skb, an attribute table, a request per
# message) far more than on io_uring's: with it the profile of kernel-only
# spent 29% in set_track_prepare, and kernel-only measured 0.32x io_uring
# against 0.69x. So a run that measures (AIONL_VM_BENCH, AIONL_VM_PERF)
# boots without them.
slub="slub_debug=FZPU slab_nomerge"
[ -n "${AIONL_VM_BENCH:-}${AIONL_VM_PERF:-}" ] && slub=""
boot() {
	# boot ACCEL_ARGS... -- EXTRA_CMDLINE TIMEOUT
	local cmdline=$1 limit=$2; shift 2
	# The console goes straight to a file: nothing is lost if qemu is killed.
	: > "$work/console.log"
	timeout --foreground -k 5 "$limit" qemu-system-x86_64 "$@" -m 1024 -smp 2 \
		-chardev file,id=con,path="$work/console.log" -serial chardev:con \
		-kernel "$kernel" -initrd "$work/initramfs.gz" \
		-drive file="$work/disk.img",if=virtio,format=raw,cache=unsafe \
		-append "console=ttyS0 $verbosity panic=-1 softlockup_panic=1 $slub $cmdline" \
		-nographic -no-reboot -monitor none -display none < /dev/null > /dev/null
	tr -d '\r' < "$work/console.log"
}
accel_args=(-accel tcg,thread=multi -cpu max)
if [ "$accel" = kvm ] || { [ "$accel" = auto ] && [ -w /dev/kvm ]; }; then
	if boot aionl.probe 20 -enable-kvm -cpu host 2>/dev/null | grep -q AIONL-VM-PROBE-OK; then
		accel_args=(-enable-kvm -cpu host)
	elif [ "$accel" = kvm ]; then
		echo "run-vm: KVM was asked for but a probe boot failed" >&2
		exit 1
	fi
fi
echo "run-vm: booting $kernel with $ko, ${accel_args[*]}"
start=$(date +%s)
extra=""
[ -n "${AIONL_VM_BENCH:-}" ] && extra=aionl.bench
[ -n "${AIONL_VM_PERF:-}" ] && extra="$extra aionl.perf"
boot "$extra" $(( 1500 + stress_limit )) "${accel_args[@]}" || true
echo "run-vm: $(( $(date +%s) - start )) s in the VM"
line=$(grep -a 'AIONL-VM-STATUS' "$work/console.log" | tail -n1 | tr -d '\r' || true)
if [ -z "$line" ]; then
	echo "run-vm: the guest did not report a status (crash or timeout)" >&2
	exit 1
fi
exit "${line##* }"
