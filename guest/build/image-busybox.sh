#!/usr/bin/env bash
# Managed image "busybox": an ext4 root disk with busybox-static and its applets, nothing else.
# Output $ASSETS/images/busybox/{rootfs.ext4,image.json} (EMBER_GUEST_ARCH=arm64: $EMBER_ASSETS_DIR/arm64/images/...).
STEP=image-busybox
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=busybox
VERSION=1
DISK_MIB=512   # sparse: room for image builds

main() {
  local dir="$ASSETS/images/$NAME" hash root busybox
  busybox="$(guest_busybox)"
  hash="$(inputs_hash "${BASH_SOURCE[0]}" "$GUEST_DIR/build/lib.sh" "$busybox" \
          "=busybox-static=$(pkg_version busybox-static)" "=e2fsprogs=$(pkg_version e2fsprogs)")"
  if stamp_fresh "$STEP" "$hash" "$dir/rootfs.ext4" "$dir/image.json"; then
    log "up to date"
    return 0
  fi

  WORK="$(mktemp -d "$ASSETS/.$STEP.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  root="$WORK/root"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,dev,proc,sys,run,tmp,root,workspace,.ember}
  chmod 1777 "$root/tmp"
  chmod 0700 "$root/root"
  cp "$busybox" "$root/bin/busybox"
  link_busybox_applets "$root/bin"
  cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
  cat >"$root/etc/group" <<'GROUP'
root:x:0:
tty:x:5:
nogroup:x:65534:
GROUP
  echo 'root:*:0:0:99999:7:::' >"$root/etc/shadow"
  chmod 0640 "$root/etc/shadow"
  echo "$NAME" >"$root/etc/hostname"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$root/etc/hosts"
  printf 'NAME="Ember busybox"\nID=ember-busybox\nVERSION_ID=%s\nPRETTY_NAME="Ember busybox %s (BusyBox %s)"\n' \
    "$VERSION" "$VERSION" "$(pkg_version busybox-static)" >"$root/etc/os-release"

  publish_image "$root" 128 \
    "BusyBox $(pkg_version busybox-static) userland (sh and the core utilities) on Debian's cloud kernel"
}

main "$@"
