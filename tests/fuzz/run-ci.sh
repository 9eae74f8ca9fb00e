#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (ASan + UBSan, see CMakeLists.txt here) into their own
# build directory and runs each for a bounded time over its committed corpus
# (tests/fuzz/corpus/<harness>/, which holds every hostile case the server was tried with).
# New inputs found go to a scratch directory, never into the committed corpus; a crash, leak,
# timeout or sanitizer report fails the run and leaves the input in build-fuzz/artifacts/.
#   tests/fuzz/run-ci.sh            — 60 s per harness
#   FUZZ_SECONDS=600 tests/fuzz/run-ci.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD_DIR:-build-fuzz}
cxx=$(command -v clang++ || command -v clang++-14)
cc=$(command -v clang || command -v clang-14)

CC=$cc CXX=$cxx cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTRAYBEAT_BUILD_FUZZERS=ON -DTRAYBEAT_BUILD_TESTS=OFF -DTRAYBEAT_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target fuzz_httpconnection fuzz_protocolframes

mkdir -p "$build/artifacts"
status=0
for pair in fuzz_httpconnection:http fuzz_protocolframes:frames; do
    harness=${pair%%:*}
    corpus=tests/fuzz/corpus/${pair##*:}
    scratch=$(mktemp -d)
    echo "fuzz: $harness for ${seconds}s over $corpus" >&2
    # Qt's process-wide singletons live until exit by design: leak checks judge each input
    # (libFuzzer's -detect_leaks), not the final teardown.
    if ! LSAN_OPTIONS=${LSAN_OPTIONS:-leak_check_at_exit=0} QT_QPA_PLATFORM=offscreen \
        "$build/tests/fuzz/$harness" \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$harness-" "$scratch" "$corpus"; then
        echo "fuzz: $harness FAILED (input in $build/artifacts/)" >&2
        status=1
    fi
    rm -rf "$scratch"
done
exit $status
