#!/usr/bin/env bash
# Initramfs: busybox-static with its applets, the virtio modules from $ASSETS/kernel/modules, the
# agent and guest/initramfs/init, as a gzip'd newc cpio at $ASSETS/initramfs.cpio.gz.
# Needs the kernel and agent steps first.
STEP=initramfs
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
  local init="$GUEST_DIR/initramfs/init" mods="$ASSETS/kernel/modules" agent="$ASSETS/agent/ember-agent"
  local hash root out
  [[ -f "$mods/load-order" ]] || die "no kernel modules in $mods: run guest/build/kernel.sh first"
  [[ -x "$agent" ]] || die "no agent at $agent: run guest/build/agent.sh first"
  local BUSYBOX
  BUSYBOX="$(guest_busybox)"

  hash="$(inputs_hash "${BASH_SOURCE[0]}" "$GUEST_DIR/build/lib.sh" "$init" "$mods" "$agent" "$BUSYBOX" \
          "=busybox-static=$(pkg_version busybox-static)")"
  out="$ASSETS/initramfs.cpio.gz"
  if stamp_fresh initramfs "$hash" "$out"; then
    log "up to date"
    return 0
  fi

  WORK="$(mktemp -d "$ASSETS/.initramfs.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  root="$WORK/root"
  mkdir -p "$root"/{bin,dev,proc,sys,newroot,lib/modules}
  mknod -m 600 "$root/dev/console" c 5 1
  mknod -m 666 "$root/dev/null" c 1 3
  cp "$BUSYBOX" "$root/bin/busybox"
  link_busybox_applets "$root/bin"
  cp "$mods"/*.ko "$mods/load-order" "$root/lib/modules/"
  install -m 0755 "$agent" "$root/ember-agent"
  install -m 0755 "$init" "$root/init"

  (cd "$root" && find . -print0 | LC_ALL=C sort -z |
     cpio --quiet -o -0 -H newc -R 0:0 --reproducible) | gzip -9 -n >"$WORK/initramfs.cpio.gz"
  mv -f "$WORK/initramfs.cpio.gz" "$out"
  stamp_write initramfs "$hash"
  log "built initramfs.cpio.gz ($(stat -c %s "$out") bytes)"
}

main "$@"
