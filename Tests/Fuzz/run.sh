#!/usr/bin/env bash
# Builds belenus-fuzz with libFuzzer and AddressSanitizer and runs each target from the seed
# corpus in Tests/Fuzz/corpus/TARGET and the inputs that once crashed it
# (Tests/Fuzz/regressions/TARGET). Fails on the first crash, leak or timeout, leaving the input
# in .build/fuzz/crashes/ (replay it with `.build/fuzz/release/belenus-fuzz TARGET FILE`; then
# keep it in Tests/Fuzz/regressions/TARGET/ and make it a test).
#
#   Tests/Fuzz/run.sh --seconds N TARGET...       random, N seconds each, from the corpus the
#                                                 earlier runs grew in .build/fuzz/corpus (make fuzz)
#   Tests/Fuzz/run.sh --runs N --seed S TARGET... the same N inputs every time: seed S, a fresh
#                                                 working corpus; what CI runs (make fuzz-ci)
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=() seconds="" runs="" seed=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) break ;;
  esac
done
launch=()
if [ -n "$runs" ] && [ -n "$seed" ] && [ -z "$seconds" ]; then
  # -reload=0: libFuzzer rereads its corpus folder every second by default, so where in a run
  # that happened depended on the clock.
  mode=(-runs="$runs" -seed="$seed" -reload=0)
  describe="$runs inputs from seed $seed"
  # Without address randomization: comparisons of pointers feed libFuzzer's mutations
  # (trace-cmp), so two runs with one seed differed until the addresses were the same.
  # And with the same environment whoever runs it: the environment's strings sit at the top of
  # the stack, so their length moved every stack address (CI's and a developer's runs differed).
  launch=(env -i PATH=/usr/bin:/bin SWIFT_DETERMINISTIC_HASHING=1 setarch "$(uname -m)" -R)
elif [ -n "$seconds" ] && [ -z "$runs$seed" ]; then
  mode=(-max_total_time="$seconds")
  describe="${seconds}s"
else
  echo "usage: $0 --seconds N TARGET... | --runs N --seed S TARGET..." >&2
  exit 2
fi
[ $# -gt 0 ] || { echo "fuzz: no target named" >&2; exit 2; }

swift_bin=$(dirname "$(readlink -f "$(command -v swift)")")
runtime=$(ls "$swift_bin"/../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a | head -1)

echo "fuzz: building belenus-fuzz with libFuzzer and AddressSanitizer"
# -DBELENUS_FUZZ: main hands over to libFuzzer's driver (LLVMFuzzerRunDriver); the coverage
# options are what -sanitize=fuzzer sets, without the main that libFuzzer would bring.
# pipefail: the build's own status, not the filter's. A failed build stops here rather than
# fuzzing the binary an earlier build left.
if ! swift build -c release --build-path .build/fuzz --product belenus-fuzz \
  -Xswiftc -DBELENUS_FUZZ -Xswiftc -g -Xswiftc -sanitize=address \
  -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
  -Xcc -fsanitize=fuzzer-no-link,address \
  -Xlinker "$runtime" -Xlinker -lstdc++ 2>&1 | { grep -v "Cannot export local symbol" | grep -v "^\[" || true; }; then
  echo "fuzz: the build of belenus-fuzz failed" >&2
  exit 1
fi
binary=.build/fuzz/release/belenus-fuzz
test -x "$binary"

# Swift seeds its hashing per process, so a Dictionary's order, and with it the branches a target
# takes, would differ from run to run: with --runs, the same seed must give the same run (and
# addresses must be the same too: see `launch`).
export SWIFT_DETERMINISTIC_HASHING=1
mkdir -p .build/fuzz/crashes
fresh=""
trap '[ -n "$fresh" ] && rm -rf "$fresh"' EXIT
for target in "$@"; do
  # libFuzzer adds what it finds to the first folder: never the repository's seeds.
  if [ -n "$runs" ]; then
    fresh=$(mktemp -d /tmp/belenus-fuzz-XXXXXX)
    work=$fresh
  else
    work=.build/fuzz/corpus/$target
    mkdir -p "$work"
  fi
  echo "fuzz: $target, $describe (seeds: Tests/Fuzz/corpus/$target)"
  started=$SECONDS
  dict=()
  [ -f "Tests/Fuzz/$target.dict" ] && dict=(-dict="Tests/Fuzz/$target.dict")
  regressions=()
  [ -d "Tests/Fuzz/regressions/$target" ] && regressions=("Tests/Fuzz/regressions/$target")
  if ! "${launch[@]}" "$binary" "$target" "$work" "Tests/Fuzz/corpus/$target" "${regressions[@]}" "${dict[@]}" "${mode[@]}" \
      -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix=".build/fuzz/crashes/$target-" > ".build/fuzz/$target.log" 2>&1; then
    tail -40 ".build/fuzz/$target.log"
    echo "fuzz: $target FAILED; the input is in .build/fuzz/crashes/ (log: .build/fuzz/$target.log)"
    exit 1
  fi
  grep -E "^stat::number_of_executed_units|^stat::new_units_added" ".build/fuzz/$target.log" | tr '\n' ' '
  echo "$(grep -o "cov: [0-9]*" ".build/fuzz/$target.log" | tail -1), $((SECONDS - started)) s"
  if [ -n "$fresh" ]; then rm -rf "$fresh"; fresh=""; fi
done
echo "fuzz: $# targets, $describe each, no crash"
