#!/bin/bash
# Build the libFuzzer targets if needed, and run one of them for a while.
#
#   tools/fuzz.sh TARGET SECONDS [LIBFUZZER_OPTION...]
#
# TARGET is codec, engine, reply or submit (docs/testing.md, "Fuzzing").
# The build is clang with ASan and UBSan, in build-fuzz/ (AIONL_FUZZ_BUILD
# names another). The target runs on its working corpus, build-fuzz/corpus/
# TARGET/ (AIONL_FUZZ_CORPUS names another), which it grows, after reading the
# seeds the build writes and tests/fuzz/regressions/TARGET/. Its output goes
# to build-fuzz/logs/TARGET.log. It prints the number of inputs run; it fails
# on any crash, leak, failed check or timeout, keeping the input in
# build-fuzz/artifacts/TARGET/, which is what to copy into
# tests/fuzz/regressions/TARGET/ once the bug is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
	echo "usage: $0 codec|engine|reply|submit SECONDS [LIBFUZZER_OPTION...]" >&2
	exit 2
}
[ $# -ge 2 ] || usage
target=$1 seconds=$2
shift 2
case $target in
codec) max_len=4096 ;;
engine) max_len=16384 ;;
reply) max_len=8192 ;;
submit) max_len=4096 ;;
*) usage ;;
esac
[[ $seconds =~ ^[0-9]+$ ]] || usage

build=${AIONL_FUZZ_BUILD:-build-fuzz}
mkdir -p "$build"
build=$(cd "$build" && pwd)
corpus=${AIONL_FUZZ_CORPUS:-$build/corpus}/$target
cc=clang-14
command -v "$cc" > /dev/null || cc=clang

# One build at a time, for runs started side by side.
(
	flock 9
	if [ ! -f "$build/CMakeCache.txt" ]; then
		CC=$cc cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIONL_FUZZ=ON \
			-DAIONL_KERNEL_MODULE=OFF > "$build/configure.log" 2>&1 ||
			{ cat "$build/configure.log" >&2; exit 1; }
	fi
	cmake --build "$build" -j"${AIONL_FUZZ_JOBS:-2}" --target fuzz > "$build/build.log" 2>&1 ||
		{ tail -n 50 "$build/build.log" >&2; exit 1; }
) 9> "$build/.lock"

mkdir -p "$corpus" "$build/artifacts/$target" "$build/logs"
log=$build/logs/$target.log
# A failed check aborts; UBSan's findings are fatal (-fno-sanitize-recover).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# -timeout: an input the engine takes longer than this over is a hang (a
# healthy one takes milliseconds; the targets give up on a stuck engine
# after 10 s and say why). -rss_limit_mb: the engine and aionl_submit
# targets run threads under ASan; the scratch buffer's guard is address
# space, not memory.
rc=0
"$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=2560 \
	-max_len="$max_len" -print_final_stats=1 -artifact_prefix="$build/artifacts/$target/" \
	"$@" "$corpus" "$build/fuzz-seeds/$target" "tests/fuzz/regressions/$target" \
	> "$log" 2>&1 || rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
units=$(find "$corpus" -type f | wc -l)
if [ "$rc" -ne 0 ]; then
	tail -n 60 "$log" >&2
	echo "fuzz $target: FAILED (exit $rc) after ${execs:-?} inputs; the input is in" \
		"$build/artifacts/$target/, the log in $log" >&2
	exit 1
fi
echo "fuzz $target: ${execs:-?} inputs in ${seconds} s, corpus of $units"
