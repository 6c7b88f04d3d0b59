#!/usr/bin/env bash
# Guest agent: builds guest/agent (its own Makefile; make rebuilds only what changed) and installs the
# static binary as $ASSETS/agent/ember-agent (EMBER_GUEST_ARCH=arm64: cross-compiled into guest/agent/build-arm64,
# installed as $EMBER_ASSETS_DIR/arm64/agent/ember-agent).
STEP=agent
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
  local src="$GUEST_DIR/agent" bin hash build=build cc=()
  [[ -f "$src/Makefile" ]] || die "guest/agent/Makefile is missing: the agent cannot be built"
  if [[ "$GUEST_ARCH" == arm64 ]]; then
    # Cross-compiled, static, against glibc (Debian has no musl cross toolchain): gcc-aarch64-linux-gnu.
    command -v aarch64-linux-gnu-gcc >/dev/null ||
      die "aarch64-linux-gnu-gcc missing: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
    build=build-arm64
    cc=(CC=aarch64-linux-gnu-gcc BUILD="$build")
  fi
  make -s -C "$src" "${cc[@]}" >&2 || die "building the agent failed (make -C guest/agent ${cc[*]})"
  bin="$src/$build/ember-agent"
  [[ -x "$bin" ]] || die "make -C guest/agent did not produce $bin"
  # A dynamic binary would die as PID 1 in a busybox root with no libc.
  is_static_elf "$bin" "$(guest_machine)" || die "$bin is not a statically linked $(guest_machine) ELF"
  hash="$(inputs_hash "$bin")"
  if stamp_fresh agent "$hash" "$ASSETS/agent/ember-agent"; then
    log "up to date"
    return 0
  fi
  mkdir -p "$ASSETS/agent"
  cp "$bin" "$ASSETS/agent/.ember-agent.tmp.$$"
  chmod 0755 "$ASSETS/agent/.ember-agent.tmp.$$"
  mv -f "$ASSETS/agent/.ember-agent.tmp.$$" "$ASSETS/agent/ember-agent"
  stamp_write agent "$hash"
  log "installed ember-agent ($(stat -c %s "$ASSETS/agent/ember-agent") bytes)"
}

main "$@"
