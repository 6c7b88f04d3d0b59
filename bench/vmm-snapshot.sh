#!/usr/bin/env bash
# Snapshot figures of the QEMU driver (docs/vmm.md, "Snapshots"): cold boot with anonymous vs file-backed RAM,
# suspend, resume, clone, bytes on disk; busybox with 256 MiB, median of N. Prints medians; asserts nothing.
#   bench/vmm-snapshot.sh [N=5]      (needs the guest assets: bin/ember setup)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -q -pl ember-vmm test-compile dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
"$JAVA_HOME/bin/java" -cp "ember-vmm/target/classes:ember-vmm/target/test-classes:$(cat "$cp_file")" \
  io.ember.vmm.SnapshotBench "${1:-5}"
