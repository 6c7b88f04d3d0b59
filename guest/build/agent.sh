#!/usr/bin/env bash
# Guest agent: builds guest/agent (its own Makefile; make rebuilds only what changed) and installs the
# static binary as $ASSETS/agent/ember-agent.
STEP=agent
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
  local src="$GUEST_DIR/agent" bin hash
  [[ -f "$src/Makefile" ]] || die "guest/agent/Makefile is missing: the agent cannot be built"
  make -s -C "$src" >&2 || die "building the agent failed (make -C guest/agent)"
  bin="$src/build/ember-agent"
  [[ -x "$bin" ]] || die "make -C guest/agent did not produce $bin"
  # A dynamic binary would die as PID 1 in a busybox root with no libc.
  is_static_elf "$bin" || die "$bin is not a statically linked x86-64 ELF"
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
