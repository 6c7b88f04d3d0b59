#!/usr/bin/env bash
# Guest kernel: Debian's cloud kernel (linux-image-6.1.0-NN-cloud-amd64), never installed on the host.
# Output $ASSETS/kernel/: vmlinux (uncompressed ELF, boots with PVH on -M microvm), config, release,
# package, modules/*.ko (the virtio drivers the initramfs loads) and modules/load-order.
# EMBER_GUEST_ARCH=arm64: linux-image-6.1.0-NN-cloud-arm64 (dpkg --add-architecture arm64; apt-get download only),
# output $EMBER_ASSETS_DIR/arm64/kernel/ with Image (the arm64 boot Image, loaded by -kernel on -M virt) instead of vmlinux.
STEP=kernel
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Drivers the guest needs that Debian builds as modules; optional ones are taken when present.
# virtio_net (with failover, net_failover) is for the build network: /init loads it only with ember.net=.
REQUIRED_MODULES=(virtio_ring virtio virtio_mmio virtio_blk virtio_console virtio_net)
OPTIONAL_MODULES=(virtio_rng)
# Built into the cloud kernel; if another kernel has them as modules they are loaded too.
ROOT_FS_MODULES=(ext4)
META_PKG=linux-image-cloud-$GUEST_ARCH
# The file QEMU's -kernel loads: the PVH ELF on x86-64, the boot Image on arm64.
case "$GUEST_ARCH" in arm64) KERNEL_FILE=Image ;; *) KERNEL_FILE=vmlinux ;; esac

# The linux-image-* package the meta package points at now, e.g. linux-image-6.1.0-28-cloud-amd64.
wanted_package() {
  apt-cache depends "$META_PKG:$GUEST_ARCH" 2>/dev/null |
    sed -n "s/^ *Depends: \(linux-image-[0-9][^ ]*-cloud-$GUEST_ARCH\)\(:$GUEST_ARCH\)\?\$/\1/p" | head -n1
}

candidate_version() {
  apt-cache policy "$1:$GUEST_ARCH" 2>/dev/null | sed -n 's/^ *Candidate: \(.*\)$/\1/p' | grep -v '(none)' || true
}

# Every downloadable cloud kernel package, newest first (fallbacks when the wanted one is gone).
other_packages() {
  apt-cache pkgnames linux-image-6 2>/dev/null | grep -E "^linux-image-[0-9.]+-[0-9]+-cloud-$GUEST_ARCH\$" |
    sort -t- -k3,3Vr -k4,4nr || true
}

resolve_package() {
  local pkg
  pkg="$(wanted_package)"
  if [[ -z "$pkg" ]]; then
    log "apt lists do not know $META_PKG: running apt-get update"
    apt-get update -qq >&2 || true
    pkg="$(wanted_package)"
  fi
  printf '%s\n' "$pkg"
}

# download PKG: the .deb in $CACHE/debs (kept, so a rebuild needs no network); prints its path.
download() {
  local pkg="$1" ver deb_glob
  ver="$(candidate_version "$pkg")"
  [[ -n "$ver" ]] || return 1
  deb_glob="$CACHE/debs/${pkg}_${ver//:/%3a}_$GUEST_ARCH.deb"
  if [[ ! -s "$deb_glob" ]]; then
    log "downloading $pkg:$GUEST_ARCH $ver"
    (cd "$CACHE/debs" && apt-get download -q "$pkg:$GUEST_ARCH=$ver" >&2 2>/dev/null) || return 1
  fi
  [[ -s "$deb_glob" ]] && printf '%s\n' "$deb_glob"
}

find_deb() {
  local pkg="$1" deb candidate
  if [[ -n "$pkg" ]]; then
    deb="$(download "$pkg")" && { printf '%s\n' "$deb"; return; }
    log "$pkg is not downloadable; updating apt lists and retrying"
    apt-get update -qq >&2 || true
    deb="$(download "$pkg")" && { printf '%s\n' "$deb"; return; }
  fi
  for candidate in $(other_packages); do
    [[ "$candidate" == "$pkg" ]] && continue
    log "falling back to $candidate"
    deb="$(download "$candidate")" && { printf '%s\n' "$deb"; return; }
  done
  deb="$(ls -1t "$CACHE"/debs/linux-image-*-cloud-"$GUEST_ARCH"_*.deb 2>/dev/null | head -n1 || true)"
  [[ -n "$deb" ]] && { log "using cached $(basename "$deb")"; printf '%s\n' "$deb"; return; }
  [[ "$GUEST_ARCH" == amd64 ]] || dpkg --print-foreign-architectures | grep -qx "$GUEST_ARCH" ||
    die "apt does not know $GUEST_ARCH packages: dpkg --add-architecture $GUEST_ARCH && apt-get update"
  die "no linux-image-*-cloud-$GUEST_ARCH package can be downloaded (is Debian's archive reachable?)"
}

# The kernel's payload is compressed (LZ4 on Debian's cloud kernel, XZ on the generic one): find each
# known magic and keep the first offset that decompresses to an ELF file.
extract_vmlinux() {
  local vmlinuz="$1" out="$2" magic tool offset
  for pair in 'FD377A585A00:xz' '02214C18:lz4' '28B52FFD:zstd' '1F8B0800:gzip' '1F8B0808:gzip'; do
    magic="${pair%%:*}" tool="${pair##*:}"
    command -v "$tool" >/dev/null || continue
    for offset in $(LC_ALL=C grep -obUaP "$(sed 's/../\\x&/g' <<<"$magic")" "$vmlinuz" 2>/dev/null |
                    cut -d: -f1 | head -n 8); do
      tail -c "+$((offset + 1))" "$vmlinuz" | "$tool" -dc >"$out" 2>/dev/null || true
      if [[ "$(head -c 4 "$out" | od -An -tx1 | tr -d ' \n')" == 7f454c46 ]]; then
        log "vmlinux: $tool payload at offset $offset"
        return 0
      fi
    done
  done
  return 1
}

# Debian's arm64 vmlinuz is the boot Image itself (older ones were gzip'd): "ARM\x64" at offset 56 marks it.
extract_arm64_image() {
  local vmlinuz="$1" out="$2"
  case "$(head -c 2 "$vmlinuz" | od -An -tx1 | tr -d ' \n')" in
    1f8b) gzip -dc "$vmlinuz" >"$out" ;;
    *) cp "$vmlinuz" "$out" ;;
  esac
  [[ "$(tail -c +57 "$out" | head -c 4 | od -An -tx1 | tr -d ' \n')" == 41524d64 ]]
}

module_file() {  # module_file ROOT NAME: the .ko for a module name (file names may use - for _)
  find "$1" \( -name "$2.ko*" -o -name "${2//_/-}.ko*" \) -print -quit
}

module_depends() {
  local ko="$1"
  case "$ko" in *.xz) xz -dc "$ko" ;; *.zst) zstd -dc "$ko" ;; *) cat "$ko" ;; esac |
    LC_ALL=C grep -a -o -m1 'depends=[a-z0-9_,-]*' | head -n1 | sed 's/^depends=//; s/,/ /g; s/-/_/g'
}

# add_module ROOT NAME OUTDIR: copies NAME and, first, its dependencies; appends to load-order.
add_module() {
  local root="$1" name="$2" out="$3" ko dep
  grep -qx "$name" "$out/load-order" 2>/dev/null && return 0
  ko="$(module_file "$root" "$name")"
  [[ -n "$ko" ]] || return 1
  for dep in $(module_depends "$ko"); do
    add_module "$root" "$dep" "$out" || die "module $dep (needed by $name) is missing"
  done
  case "$ko" in
    *.xz) xz -dc "$ko" >"$out/$name.ko" ;;
    *.zst) zstd -dc "$ko" >"$out/$name.ko" ;;
    *) cp "$ko" "$out/$name.ko" ;;
  esac
  echo "$name" >>"$out/load-order"
}

builtin_or_module() {  # y, m or n for a CONFIG_ symbol
  local v
  v="$(sed -n "s/^$2=\(.*\)$/\1/p" "$1")"
  echo "${v:-n}"
}

main() {
  local pkg ver hash deb release config out
  mkdir -p "$ASSETS" "$CACHE/debs"
  pkg="$(resolve_package)"
  ver=""
  [[ -z "$pkg" ]] || ver="$(candidate_version "$pkg")"
  hash="$(inputs_hash "${BASH_SOURCE[0]}" "$GUEST_DIR/build/lib.sh" "=$pkg=$ver" \
          "=${REQUIRED_MODULES[*]}|${OPTIONAL_MODULES[*]}")"
  if stamp_fresh kernel "$hash" "$ASSETS/kernel/$KERNEL_FILE" "$ASSETS/kernel/modules/load-order"; then
    log "up to date ($(cat "$ASSETS/kernel/package"))"
    return 0
  fi

  deb="$(find_deb "$pkg")"
  WORK="$(mktemp -d "$ASSETS/.kernel.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  local work="$WORK"
  dpkg-deb -x "$deb" "$work/pkg"
  release="$(basename "$(ls -1 "$work"/pkg/boot/vmlinuz-* | head -n1)")"
  release="${release#vmlinuz-}"
  config="$work/pkg/boot/config-$release"
  [[ -f "$config" ]] || die "no config in $(basename "$deb")"
  out="$work/kernel"
  mkdir -p "$out/modules"
  if [[ "$GUEST_ARCH" == arm64 ]]; then
    extract_arm64_image "$work/pkg/boot/vmlinuz-$release" "$out/Image" ||
      die "vmlinuz-$release is not an arm64 boot Image (plain or gzip)"
  else
    [[ "$(builtin_or_module "$config" CONFIG_PVH)" == y ]] || die "$release lacks CONFIG_PVH: cannot boot on microvm"
    extract_vmlinux "$work/pkg/boot/vmlinuz-$release" "$out/vmlinux" ||
      die "could not find a compressed ELF kernel inside vmlinuz-$release"
  fi
  cp "$config" "$out/config"
  echo "$release" >"$out/release"
  basename "$deb" .deb >"$out/package"
  : >"$out/modules/load-order"

  local m mods="$work/pkg/lib/modules/$release"
  for m in "${REQUIRED_MODULES[@]}"; do
    add_module "$mods" "$m" "$out/modules" || die "module $m not found in $release"
  done
  for m in "${OPTIONAL_MODULES[@]}"; do
    add_module "$mods" "$m" "$out/modules" || log "optional module $m not in $release: skipped"
  done
  case "$(builtin_or_module "$config" CONFIG_EXT4_FS)" in
    y) ;;
    m) for m in "${ROOT_FS_MODULES[@]}"; do add_module "$mods" "$m" "$out/modules" || die "no $m module"; done ;;
    *) die "$release has no ext4" ;;
  esac

  replace_dir "$out" "$ASSETS/kernel"
  stamp_write kernel "$hash"
  log "built $release: $KERNEL_FILE $(du -h --apparent-size "$ASSETS/kernel/$KERNEL_FILE" | cut -f1), modules: $(tr '\n' ' ' <"$ASSETS/kernel/modules/load-order")"
}

main "$@"
