#!/usr/bin/env bash
# A neighbour's console flood (docs/vmm.md, "Console bounding"): the exec round trip of `true` in one microVM, p50/p99,
# without and with another microVM running `yes > /dev/console` (phases alternating ROUNDS times), and the share of a
# core the host process and the flooder's QEMU spent. Prints figures; asserts nothing.
#   bench/console-flood.sh [EXECS=200] [ROUNDS=3]      (needs the guest assets: bin/ember setup)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -q -pl ember-vmm test-compile dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
"$JAVA_HOME/bin/java" -cp "ember-vmm/target/classes:ember-vmm/target/test-classes:$(cat "$cp_file")" \
  io.ember.vmm.ConsoleFloodBench "${1:-200}" "${2:-3}"
