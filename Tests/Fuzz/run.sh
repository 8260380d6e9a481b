#!/usr/bin/env bash
# Builds belenus-fuzz with libFuzzer and AddressSanitizer and runs each target for SECONDS,
# starting from the seed corpus in Tests/Fuzz/corpus/TARGET. Fails on the first crash, leak or
# timeout, leaving the input that caused it in .build/fuzz/crashes/ (replay it with
# `.build/fuzz/release/belenus-fuzz TARGET FILE`; then keep it in Tests/Fuzz/regressions/TARGET/
# and make it a test in Tests/BelenusInputTests/FuzzRegressionTests.swift).
#   Tests/Fuzz/run.sh SECONDS TARGET...
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=$1; shift
swift_bin=$(dirname "$(readlink -f "$(command -v swift)")")
runtime=$(ls "$swift_bin"/../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a | head -1)

echo "fuzz: building belenus-fuzz with libFuzzer and AddressSanitizer"
# -DBELENUS_FUZZ: main hands over to libFuzzer's driver (LLVMFuzzerRunDriver); the coverage
# options are what -sanitize=fuzzer sets, without the main that libFuzzer would bring.
swift build -c release --build-path .build/fuzz --product belenus-fuzz \
  -Xswiftc -DBELENUS_FUZZ -Xswiftc -g -Xswiftc -sanitize=address \
  -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
  -Xcc -fsanitize=fuzzer-no-link,address \
  -Xlinker "$runtime" -Xlinker -lstdc++ 2>&1 | grep -v "Cannot export local symbol" | grep -v "^\[" || true
binary=.build/fuzz/release/belenus-fuzz
test -x "$binary"

mkdir -p .build/fuzz/crashes
for target in "$@"; do
  # The repository's seeds stay as they are; what the fuzzer finds goes to a working corpus.
  work=.build/fuzz/corpus/$target
  mkdir -p "$work"
  echo "fuzz: $target for ${seconds}s (seeds: Tests/Fuzz/corpus/$target)"
  dict=()
  [ -f "Tests/Fuzz/$target.dict" ] && dict=(-dict="Tests/Fuzz/$target.dict")
  # Inputs that once crashed a target start its run too (libFuzzer adds only to the first folder).
  regressions=()
  [ -d "Tests/Fuzz/regressions/$target" ] && regressions=("Tests/Fuzz/regressions/$target")
  if ! "$binary" "$target" "$work" "Tests/Fuzz/corpus/$target" "${regressions[@]}" "${dict[@]}" \
      -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix=".build/fuzz/crashes/$target-" > ".build/fuzz/$target.log" 2>&1; then
    tail -40 ".build/fuzz/$target.log"
    echo "fuzz: $target FAILED; the input is in .build/fuzz/crashes/ (log: .build/fuzz/$target.log)"
    exit 1
  fi
  grep -E "^stat::number_of_executed_units|^stat::new_units_added" ".build/fuzz/$target.log" | tr '\n' ' '
  grep -o "cov: [0-9]*" ".build/fuzz/$target.log" | tail -1
done
echo "fuzz: $# targets, ${seconds}s each, no crash"
