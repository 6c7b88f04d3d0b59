#!/usr/bin/env bash
# Managed image "debian": Debian 12 (bookworm) minbase with python3, ca-certificates and procps
# (bash and coreutils come with minbase). The debootstrap tree is cached under
# $ASSETS/cache/debootstrap/, keyed by its parameters, so rebuilding the disk downloads nothing.
# Output $ASSETS/images/debian/{rootfs.ext4,image.json}.
# EMBER_GUEST_ARCH=arm64: debootstrap --arch=arm64 --foreign on the host, then its second stage inside an arm64
# microVM (qemu-system-aarch64, this build's arm64 kernel and initramfs; no binfmt_misc or qemu-user on the host),
# which hands the finished tree back as a tar on a second disk. Output under $EMBER_ASSETS_DIR/arm64/images/debian/.
STEP=image-debian
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=debian
VERSION=1
DISK_MIB=2048  # sparse: room for apt-get install in image builds
SUITE=bookworm
INCLUDE=python3,ca-certificates,procps
MIRROR="${EMBER_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

# bootstrap_tree: prints the cached debootstrap tree, creating it when missing.
bootstrap_tree() {
  local key tree tmp old
  local foreign_key=()   # amd64 keeps the key it always had: its cached tree stays valid
  [[ "$GUEST_ARCH" == amd64 ]] || foreign_key=("=$GUEST_ARCH" "$GUEST_DIR/build/second-stage.sh")
  key="$(inputs_hash "=debootstrap=$(pkg_version debootstrap)" "=$SUITE|minbase|$INCLUDE|$MIRROR" "${foreign_key[@]}")"
  tree="$CACHE/debootstrap/$SUITE-${key:0:16}"
  if [[ ! -d "$tree" ]]; then
    command -v debootstrap >/dev/null || die "debootstrap missing: apt-get install debootstrap"
    mkdir -p "$CACHE/debootstrap"
    tmp="$(mktemp -d "$CACHE/debootstrap/.tmp.XXXXXX")"
    log "debootstrap $SUITE $GUEST_ARCH (minbase + $INCLUDE) from $MIRROR: takes a few minutes, once"
    local foreign=()
    [[ "$GUEST_ARCH" == amd64 ]] || foreign=(--arch="$GUEST_ARCH" --foreign)
    if ! debootstrap "${foreign[@]}" --variant=minbase --include="$INCLUDE" "$SUITE" "$tmp" "$MIRROR" >"$tmp.log" 2>&1; then
      tail -n 20 "$tmp.log" >&2
      umount_below "$tmp"
      rm -rf "$tmp"
      die "debootstrap failed (full log: $tmp.log)"
    fi
    umount_below "$tmp"
    if [[ "$GUEST_ARCH" != amd64 ]]; then
      if ! bash "$GUEST_DIR/build/second-stage.sh" "$tmp" >>"$tmp.log" 2>&1; then
        tail -n 30 "$tmp.log" >&2
        rm -rf "$tmp"
        die "the $GUEST_ARCH second stage failed (full log: $tmp.log)"
      fi
    fi
    rm -f "$tmp.log"
    mv "$tmp" "$tree"
    # Trees for other parameters are stale now.
    for old in "$CACHE"/debootstrap/*; do
      [[ "$old" == "$tree" ]] || rm -rf "$old"
    done
  fi
  printf '%s\n' "$tree"
}

# debootstrap unmounts what it mounted, but not when it is killed half-way.
umount_below() {
  local mnt
  for mnt in $(awk -v d="$1" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r); do
    umount -l "$mnt" 2>/dev/null || true
  done
}

customize() {
  local root="$1"
  rm -rf "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
         "$root"/var/cache/apt/archives/partial/* "$root"/var/lib/apt/lists/* \
         "$root"/var/log/bootstrap.log "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old
  mkdir -p "$root/workspace" "$root/.ember" "$root/var/lib/apt/lists/partial"
  chmod 0755 "$root/workspace" "$root/.ember"
  # The host's resolver and name must not leak into the image.
  rm -f "$root/etc/resolv.conf"
  : >"$root/etc/resolv.conf"
  echo "$NAME" >"$root/etc/hostname"   # placeholder: the agent sets the VM's name at boot
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
  : >"$root/etc/machine-id"
  cat >"$root/etc/apt/sources.list" <<SOURCES
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb ${MIRROR%/debian}/debian-security $SUITE-security main
SOURCES
}

main() {
  local dir="$ASSETS/images/$NAME" tree hash root
  tree="$(bootstrap_tree)"
  hash="$(inputs_hash "${BASH_SOURCE[0]}" "$GUEST_DIR/build/lib.sh" "=tree=$(basename "$tree")" \
          "=e2fsprogs=$(pkg_version e2fsprogs)")"
  if stamp_fresh "$STEP" "$hash" "$dir/rootfs.ext4" "$dir/image.json"; then
    log "up to date"
    return 0
  fi

  WORK="$(mktemp -d "$ASSETS/.$STEP.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  root="$WORK/root"
  cp -a "$tree" "$root"
  customize "$root"

  local debian_version python_version
  debian_version="$(cat "$root/etc/debian_version")"
  python_version="$(ls "$root"/usr/bin/python3.* 2>/dev/null | sed -n 's|.*/python\(3\.[0-9]*\)$|\1|p' | head -n1)"
  publish_image "$root" 256 \
    "Debian $debian_version ($SUITE) minbase with bash, coreutils, python$python_version, ca-certificates and procps"
}

main "$@"
