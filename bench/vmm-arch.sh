#!/usr/bin/env bash
# arm64 against x86-64 guests in one run (docs/vmm.md, "Architectures"): cold boot, launch from a snapshot and the
# exec round trip of the busybox image, medians with min-max. Asserts nothing.
#   bench/vmm-arch.sh [BOOTS=5] [EXECS=50]      (needs both guests' assets: bin/ember setup --arch arm64)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -q -pl ember-vmm test-compile dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
"$JAVA_HOME/bin/java" -cp "ember-vmm/target/classes:ember-vmm/target/test-classes:$(cat "$cp_file")" \
  io.ember.vmm.ArchBench "${1:-5}" "${2:-50}"
