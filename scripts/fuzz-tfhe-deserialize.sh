#!/usr/bin/env bash
# Fuzzes the TFHE deserializers (native/tests/fuzz/tfhe_deserialize_fuzzer.cc) with libFuzzer
# under ASan + UBSan, seeded with the committed corpus of corrupted inputs.
#
#   scripts/fuzz-tfhe-deserialize.sh [seconds]     (default 60; tfhe-rs runs theirs for hours)
#
# Needs clang (Debian: apt-get install clang). Without it (or with CQ_FUZZ_WITHOUT_CLANG=1), the
# harness is built with g++ and ASan + UBSan as a plain program that replays the corpus once
# (no new inputs are explored).
# New inputs go to build/fuzz/corpus, never into test/fixtures; crashes to build/fuzz/crashes.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
out="$root/build/fuzz${CQ_FUZZ_WITHOUT_CLANG:+-gcc}"
seeds="$root/test/fixtures/tfhe-corrupted"
mkdir -p "$out/objects" "$out/corpus" "$out/crashes"

# The core library's sources (everything but the N-API addon), as sources.json lists them.
mapfile -t portable < <(node -p "require('$root/native/sources.json').portable.filter(f => !f.startsWith('native/addon/')).join('\n')")
mapfile -t avx2 < <(node -p "require('$root/native/sources.json').avx2.join('\n')")

if [[ "${CQ_FUZZ_WITHOUT_CLANG:-0}" != 1 ]] && command -v clang++ > /dev/null; then
  cxx=clang++
  sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
  harness_flags="-fsanitize=fuzzer"
  object_flags="-fsanitize=fuzzer-no-link"
  defines=""
else
  echo "No clang++ (or CQ_FUZZ_WITHOUT_CLANG=1): building a corpus replayer with g++, not a fuzzer (apt-get install clang to fuzz)." >&2
  cxx=g++
  sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
  harness_flags=""
  object_flags=""
  defines="-DCQ_FUZZ_STANDALONE_MAIN"
fi
common="-std=c++17 -O1 -g -fno-omit-frame-pointer $sanitize"

objects=()
compile() {  # source, extra flags
  local object="$out/objects/$(echo "$1" | tr '/' '_').o"
  if [[ ! -f "$object" || "$root/$1" -nt "$object" ]]; then
    # shellcheck disable=SC2086
    $cxx $common $object_flags $2 -c "$root/$1" -o "$object"
  fi
  objects+=("$object")
}
for source in "${portable[@]}"; do compile "$source" ""; done
for source in "${avx2[@]}"; do compile "$source" "-mavx2 -mfma"; done
# Headers change without touching the object files' sources: rebuild the harness every time.
# shellcheck disable=SC2086
$cxx $common $harness_flags $defines "$root/native/tests/fuzz/tfhe_deserialize_fuzzer.cc" "${objects[@]}" \
  -lpthread -o "$out/tfhe_deserialize_fuzzer"

export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0"
if [[ -n "$harness_flags" ]]; then
  # -rss_limit_mb catches any load that allocates what a header declares instead of refusing it.
  "$out/tfhe_deserialize_fuzzer" "$out/corpus" "$seeds" -max_total_time="$seconds" -rss_limit_mb=1024 \
    -max_len=131072 -artifact_prefix="$out/crashes/" -print_final_stats=1
else
  "$out/tfhe_deserialize_fuzzer" "$seeds"
fi
