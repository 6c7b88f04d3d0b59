#!/usr/bin/env bash
# The long fuzzing run (docs/reliability.md, Fuzzing): each target in turn, one at a time, for N seconds, then a table
# of target, executions, execs/s, corpus size and findings. Findings are written next to the target's seeds
# (src/test/resources/.../<Class>Inputs/<method>/crash-*, guest/agent/fuzz/corpus/crash-*) and stay there as
# regression tests once fixed; the generated corpus goes to <module>/.cifuzz-corpus (ignored by git).
#
#   bench/fuzz/run.sh [seconds per target, default 180] [target name filter, a grep pattern]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SECONDS_PER_TARGET=${1:-180}
FILTER=${2:-.}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
LOGS=$(mktemp -d /tmp/ember-fuzz.XXXXXX)

TARGETS=(
  "ember-vmm GuestFramesFuzzTest#guestFrames"
  "ember-vmm FieldsFuzzTest#anyPayload"
  "ember-vmm FieldsFuzzTest#roundTrip"
  "ember-server HttpHeadFuzzTest#anyHead"
  "ember-server HookAnswerFuzzTest#anyAnswer"
  "ember-server SigV4FuzzTest#anyRequest"
  "ember-server SigV4FuzzTest#signedThenChanged"
  "ember-server DockerfileFuzzTest#anyDockerfile"
  "ember-server CodeZipFuzzTest#anyZip"
  "ember-server CodeZipFuzzTest#writtenByJavaUtilZip"
  "ember-server DnsQueryFuzzTest#anyQuery"
  "guest/agent fuzz_frames"
)

mvn -B -q -pl ember-server -am test-compile >"$LOGS/compile.log" 2>&1 || { cat "$LOGS/compile.log"; exit 1; }

crashes() { find "$1" -name 'crash-*' 2>/dev/null | wc -l; }

# libFuzzer's last status line: "#1234 DONE cov: 56 ft: 78 corp: 9/1234b ... exec/s: 100 rss: ..."
row() {
  local name=$1 log=$2 before=$3 after=$4 rc=$5
  local last execs secs corp
  last=$(grep -aE '^#[0-9]+' "$log" | tail -1)
  execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([0-9]+\/[0-9a-zA-Z]+).*/\1/p' <<<"$last")
  secs=$(grep -aoE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | sed -nE 's/Done [0-9]+ runs in ([0-9]+) second/\1/p')
  secs=${secs:-$SECONDS_PER_TARGET}
  local rate=$(( ${execs:-0} / (secs > 0 ? secs : 1) ))
  local found=$((after - before))
  [ "$rc" -ne 0 ] && [ "$found" -eq 0 ] && found="run failed (see $log)"
  printf '| %s | %s | %s | %s | %s |\n' "$name" "${execs:-0}" "$rate" "${corp:-?}" "$found" >>"$LOGS/table"
}

printf '| target | executions | execs/s | corpus (entries/bytes) | findings |\n|---|---|---|---|---|\n' >"$LOGS/table"
for t in "${TARGETS[@]}"; do
  read -r module test <<<"$t"
  grep -qE "$FILTER" <<<"$test" || continue
  log="$LOGS/${test//[#\/]/_}.log"
  echo "fuzzing $test for ${SECONDS_PER_TARGET}s (log: $log)" >&2
  if [ "$module" = guest/agent ]; then
    dir=guest/agent/fuzz/corpus
    before=$(crashes "$dir")
    make -s -C guest/agent fuzz >"$log" 2>&1 && (cd guest/agent/fuzz && mkdir -p generated && \
      ../build/fuzz/fuzz_frames -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 -rss_limit_mb=1024 \
        -artifact_prefix=corpus/ generated corpus) >>"$log" 2>&1
    rc=$?
  else
    class=${test%#*}
    dir=$(find "$module/src/test/resources" -type d -name "${class}Inputs")
    before=$(crashes "$dir")
    JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${SECONDS_PER_TARGET}s" mvn -B -pl "$module" -am test -Dtest="$test" \
      -Djazzer.hooks=true -Dsurefire.failIfNoSpecifiedTests=false -DargLine=-Xmx1g >"$log" 2>&1
    rc=$?
  fi
  row "$test" "$log" "$before" "$(crashes "$dir")" "$rc"
done
cat "$LOGS/table"
