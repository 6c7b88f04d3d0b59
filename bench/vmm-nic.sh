#!/usr/bin/env bash
# NIC figures of the QEMU driver (docs/vmm.md, "Network"): tap setup (median of 20), cold launch and clone of an image
# snapshot without and with a NIC, jailed, busybox 128 MiB, median of N. Needs root (jail, namespaces). Asserts nothing.
#   bench/vmm-nic.sh [N=5]      (needs the guest assets: bin/ember setup)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -q -pl ember-vmm test-compile dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
"$JAVA_HOME/bin/java" -cp "ember-vmm/target/classes:ember-vmm/target/test-classes:$(cat "$cp_file")" \
  io.ember.vmm.NicBench "${1:-5}"
