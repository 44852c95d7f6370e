#!/bin/bash
# Everything CI checks: install what is missing, build with warnings as
# errors, run every test, then run the unit and conformance tests again
# under AddressSanitizer and UndefinedBehaviorSanitizer, and last run each
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

# Each fuzz target for AIONL_FUZZ_SECONDS (30), built with clang, ASan and
# UBSan in build-fuzz: any crash, leak, failed check or hang fails.
for target in codec engine reply submit; do
	AIONL_FUZZ_JOBS=$jobs bash tools/fuzz.sh "$target" "${AIONL_FUZZ_SECONDS:-30}"
done
