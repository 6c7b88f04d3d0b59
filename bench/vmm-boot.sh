#!/usr/bin/env bash
# Boot and exec figures of the QEMU driver (docs/vmm.md): launch -> agent HELLO_OK per image
# (median of N boots) and the round trip of exec `true` (median of M). Prints medians; asserts nothing.
#   bench/vmm-boot.sh [BOOTS=5] [EXECS=50]      (needs the guest assets: bin/ember setup)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -q -pl ember-vmm test-compile dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
"$JAVA_HOME/bin/java" -cp "ember-vmm/target/classes:ember-vmm/target/test-classes:$(cat "$cp_file")" \
  io.ember.vmm.VmmBench "${1:-5}" "${2:-50}"
