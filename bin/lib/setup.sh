# shellcheck shell=bash
# Prepares a Debian 12 host for Ember (as root, idempotent): missing Debian packages, a JDK 21+,
# the Java build (ember-cli/target/ember.jar) and the guest assets in $EMBER_ASSETS_DIR.
# Each part is skipped when its inputs have not changed since it last succeeded.
#   ember_setup [--arch arm64]: also the arm64 guests' assets in $EMBER_ASSETS_DIR/arm64 (ARM_64 images), with their
#   packages (qemu-system-arm, the aarch64 cross compiler) and apt's arm64 architecture. Not by default: the first
#   build takes minutes (the arm64 Debian base's second stage runs emulated), and the quick start needs none of it.
# Sourced by bin/ember and bin/test (which call ember_setup); run directly, it runs ember_setup.

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# What Ember needs on the host. lz4: the cloud kernel's payload is LZ4-compressed; make, python3: the
# agent build and the guest boot check. iproute2, nftables: every microVM's network namespace, tap and rules
# (docs/network.md); dnsmasq-base: the tests' fake internet answers DNS with it.
EMBER_PACKAGES=(qemu-system-x86 qemu-utils busybox-static debootstrap musl-tools gcc libc6-dev cpio xz-utils lz4
                e2fsprogs make python3 maven nodejs npm iproute2 nftables dnsmasq-base)

# What arm64 guests need besides: their QEMU, and a cross compiler for the static agent.
EMBER_ARM64_PACKAGES=(qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross)

# A package counts as present when dpkg has it installed, or (nodejs, npm) when its command exists:
# NodeSource's nodejs bundles npm and conflicts with Debian's npm package.
package_present() {
  case "$1" in
    nodejs) command -v node >/dev/null 2>&1 && return 0 ;;
    npm) command -v npm >/dev/null 2>&1 && return 0 ;;
  esac
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

install_packages() {
  local missing=() p
  for p in "${EMBER_PACKAGES[@]}"; do
    package_present "$p" || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || fail "apt-get update failed"
  apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null ||
    fail "apt-get install ${missing[*]} failed"
}

# Everything Maven compiles: the poms and every module's src/ (node_modules and target/ excluded).
java_inputs_hash() {
  (cd "$EMBER_REPO" &&
     find . \( -name node_modules -o -name target -o -name .git -o -path ./guest \) -prune -o \
       -type f \( -name pom.xml -o -path './*/src/*' \) -print0 |
     LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha256sum | cut -d' ' -f1
}

build_java() {
  local stamp="$EMBER_REPO/ember-cli/target/.ember-build-stamp" hash
  hash="$(java_inputs_hash)"
  if [[ -f "$EMBER_JAR" && -f "$stamp" && "$(cat "$stamp")" == "$hash" ]]; then
    say "Java build up to date ($EMBER_JAR)"
    return 0
  fi
  command -v mvn >/dev/null || fail "mvn not found: run bin/ember setup as root"
  say "building Ember with Maven (JAVA_HOME=$JAVA_HOME)"
  # shellcheck disable=SC2086 # EMBER_MAVEN_ARGS holds several words on purpose
  (cd "$EMBER_REPO" && mvn -B -q -Dstyle.color=never -DskipTests ${EMBER_MAVEN_ARGS:-} install) ||
    fail "the Maven build failed (cd $EMBER_REPO && mvn -DskipTests install)"
  [[ -f "$EMBER_JAR" ]] || fail "the build did not produce $EMBER_JAR"
  printf '%s\n' "$hash" >"$stamp"
}

build_guest_assets() {
  local step
  mkdir -p "$EMBER_ASSETS_DIR"
  for step in kernel agent initramfs image-busybox image-debian; do
    bash "$EMBER_REPO/guest/build/$step.sh" || fail "guest asset step '$step' failed"
  done
}

# The arm64 guests' assets under $EMBER_ASSETS_DIR/arm64: the same steps for EMBER_GUEST_ARCH=arm64. Their kernel
# and busybox come from Debian's arm64 packages (apt-get download, never installed), so apt must know that architecture.
build_guest_assets_arm64() {
  local step
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    say "adding apt's arm64 architecture (for the arm64 guest kernel and busybox; nothing arm64 is installed)"
    dpkg --add-architecture arm64
    apt-get update -q >/dev/null || fail "apt-get update failed"
  fi
  EMBER_PACKAGES=("${EMBER_ARM64_PACKAGES[@]}")
  install_packages
  for step in kernel agent initramfs image-busybox image-debian; do
    EMBER_GUEST_ARCH=arm64 bash "$EMBER_REPO/guest/build/$step.sh" || fail "arm64 guest asset step '$step' failed"
  done
}

# The VMM jailer (host/jailer, C, runs as root): every QEMU starts through it (docs/jail.md).
build_jailer() {
  local src="$EMBER_REPO/host/jailer" f
  make -s -C "$src" >&2 || fail "building the VMM jailer failed (make -C host/jailer)"
  mkdir -p "$EMBER_ASSETS_DIR/bin"
  for f in ember-jailer ember-ro-ram.so; do
    if ! cmp -s "$src/build/$f" "$EMBER_ASSETS_DIR/bin/$f"; then
      install -o root -g root -m 0755 "$src/build/$f" "$EMBER_ASSETS_DIR/bin/.$f.tmp.$$"
      mv -f "$EMBER_ASSETS_DIR/bin/.$f.tmp.$$" "$EMBER_ASSETS_DIR/bin/$f"
      say "installed $EMBER_ASSETS_DIR/bin/$f"
    fi
  done
}

# Maven 3.8's bundled Guava calls sun.misc.Unsafe, which JDK 24+ warns about on every run.
quiet_maven_on_new_jdks() {
  if [[ "$(java_major "$JAVA_HOME/bin/java")" -ge 24 && "${MAVEN_OPTS:-}" != *sun-misc-unsafe* ]]; then
    export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"
  fi
}

timed() {  # timed LABEL CMD...: runs CMD, reports how long it took
  local start=$SECONDS
  "${@:2}"
  say "$1 done in $((SECONDS - start)) s"
}

ember_setup() {
  local arm64=false
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --arch) [[ "${2:-}" == arm64 || "${2:-}" == x86_64 ]] || fail "--arch takes arm64 (x86-64 guests are always built)"
              [[ "$2" == arm64 ]] && arm64=true; shift 2 ;;
      --arch=arm64) arm64=true; shift ;;
      *) fail "setup: unknown argument '$1' (setup [--arch arm64])" ;;
    esac
  done
  [[ "$(id -u)" == 0 ]] || fail "setup installs packages and writes $EMBER_ASSETS_DIR: run it as root"
  [[ -r /etc/debian_version ]] || warn "not a Debian system: package installs may fail"
  timed "packages" install_packages
  find_jdk
  quiet_maven_on_new_jdks
  say "JDK: $JAVA_HOME"
  # One setup at a time per assets dir: two would race on the same temporary names and stamps.
  mkdir -p "$EMBER_ASSETS_DIR"
  exec 9>"$EMBER_ASSETS_DIR/.setup.lock"
  flock -w 3600 9 || fail "another setup holds $EMBER_ASSETS_DIR/.setup.lock"
  timed "guest assets ($EMBER_ASSETS_DIR)" build_guest_assets
  if $arm64; then timed "arm64 guest assets ($EMBER_ASSETS_DIR/arm64)" build_guest_assets_arm64; fi
  timed "VMM jailer" build_jailer
  timed "Java build" build_java
  exec 9>&-
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  ember_setup "$@"
fi
