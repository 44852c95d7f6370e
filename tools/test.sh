#!/bin/bash
# Everything CI checks: install what is missing, build with warnings as
# errors, run every test, then run the unit and conformance tests again
# under AddressSanitizer and UndefinedBehaviorSanitizer, the conformance
# and events suites (ctest label conformance, both executors) under
# ThreadSanitizer (docs/testing.md, "ThreadSanitizer"), and last run each
# fuzz target with libFuzzer for a while (docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
jobs=$(nproc)

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIONL_WERROR=ON > /dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DAIONL_WERROR=ON -DAIONL_SANITIZE=ON > /dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --output-on-failure -j"$jobs" -L 'unit|conformance')

# Any report fails its test: halt_on_error stops the program at the first
# one, with TSan's exit code 66. No suppressions: docs/testing.md says why.
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIONL_WERROR=ON -DAIONL_TSAN=ON \
	-DAIONL_KERNEL_MODULE=OFF > /dev/null
cmake --build build-tsan -j"$jobs" --target conformance_suites
# conformance_open's children open contexts of their own after fork, starting
# threads after a multi-threaded fork, which ThreadSanitizer's runtime cannot
# follow ("dup thread with used id"); it runs plain and under ASan above.
(cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	ctest --output-on-failure -j"$jobs" -L conformance -E conformance_open)

# Each fuzz target for AIONL_FUZZ_SECONDS (30), built with clang, ASan and
# UBSan in build-fuzz: any crash, leak, failed check or hang fails.
for target in codec engine reply submit; do
	AIONL_FUZZ_JOBS=$jobs bash tools/fuzz.sh "$target" "${AIONL_FUZZ_SECONDS:-30}"
done
