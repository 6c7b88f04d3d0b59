# shellcheck shell=bash
# Shared helpers for the guest build scripts (sourced, not run).
#
# Every step is skipped when its stamp ($ASSETS/.stamps/<step>) holds the hash of the step's
# inputs and its outputs exist; outputs are written under temporary names and renamed into place,
# so an interrupted build never leaves a half-written asset that a later run would trust.

set -euo pipefail

GUEST_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The guest architecture (Debian's name): amd64 (the default, assets at the top of $EMBER_ASSETS_DIR, as
# always) or arm64 (everything, stamps and caches included, under $EMBER_ASSETS_DIR/arm64).
GUEST_ARCH="${EMBER_GUEST_ARCH:-amd64}"
case "$GUEST_ARCH" in
  amd64) ASSETS="${EMBER_ASSETS_DIR:-/var/cache/ember}" ;;
  arm64) ASSETS="${EMBER_ASSETS_DIR:-/var/cache/ember}/arm64" ;;
  *) printf '[%s] error: EMBER_GUEST_ARCH=%s: only amd64 or arm64\n' "${STEP:-guest}" "$GUEST_ARCH" >&2; exit 1 ;;
esac
CACHE="$ASSETS/cache"
STAMPS="$ASSETS/.stamps"

log() { printf '[%s] %s\n' "${STEP:-guest}" "$*" >&2; }
die() { printf '[%s] error: %s\n' "${STEP:-guest}" "$*" >&2; exit 1; }

# Hash of everything given: file contents (by path, in order, directories recursively and sorted)
# and literal strings prefixed with "=" (package versions, parameters).
inputs_hash() {
  local item
  for item in "$@"; do
    case "$item" in
      =*) printf 'str %s\n' "${item#=}" ;;
      *)
        if [[ -d "$item" ]]; then
          (cd "$item" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
        elif [[ -f "$item" ]]; then
          printf 'file %s %s\n' "$(basename "$item")" "$(sha256sum <"$item" | cut -d' ' -f1)"
        else
          printf 'missing %s\n' "$item"
        fi ;;
    esac
  done | sha256sum | cut -d' ' -f1
}

pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo none; }

# stamp_fresh STEP HASH OUTPUT...: true when the step's stamp matches and all outputs exist.
stamp_fresh() {
  local step="$1" hash="$2" out
  shift 2
  [[ -f "$STAMPS/$step" && "$(cat "$STAMPS/$step")" == "$hash" ]] || return 1
  for out in "$@"; do [[ -e "$out" ]] || return 1; done
}

stamp_write() {
  mkdir -p "$STAMPS"
  printf '%s\n' "$2" >"$STAMPS/$1.tmp.$$"
  mv -f "$STAMPS/$1.tmp.$$" "$STAMPS/$1"
}

# replace_dir NEW FINAL: put directory NEW at FINAL, dropping what was there.
replace_dir() {
  local new="$1" final="$2"
  if [[ -e "$final" ]]; then
    rm -rf "$final.old.$$"
    mv "$final" "$final.old.$$"
  fi
  mv "$new" "$final"
  rm -rf "$final.old.$$"
}

# elf_machine FILE: x86_64, aarch64 or the raw e_machine number of a 64-bit ELF.
elf_machine() {
  case "$(od -An -tu2 -j18 -N2 "$1" | tr -d ' ')" in
    62) echo x86_64 ;;
    183) echo aarch64 ;;
    *) od -An -tu2 -j18 -N2 "$1" | tr -d ' ' ;;
  esac
}

# The ELF machine of $GUEST_ARCH's binaries, and the qemu-system binary that runs its guests.
guest_machine() { case "$GUEST_ARCH" in arm64) echo aarch64 ;; *) echo x86_64 ;; esac; }

# is_static_elf FILE [MACHINE]: a 64-bit little-endian ELF (of MACHINE, x86_64 or aarch64, when given) without a
# PT_INTERP program header (no loader needed).
is_static_elf() {
  local f="$1" want="${2:-any}" phoff phentsize phnum i type
  [[ "$(od -An -tx1 -N5 "$f" | tr -d ' \n')" == 7f454c4602 ]] || return 1
  [[ "$want" == any || "$(elf_machine "$f")" == "$want" ]] || return 1
  phoff=$(od -An -tu8 -j32 -N8 "$f" | tr -d ' ')
  phentsize=$(od -An -tu2 -j54 -N2 "$f" | tr -d ' ')
  phnum=$(od -An -tu2 -j56 -N2 "$f" | tr -d ' ')
  for ((i = 0; i < phnum; i++)); do
    type=$(od -An -tu4 -j$((phoff + i * phentsize)) -N4 "$f" | tr -d ' ')
    [[ "$type" == 3 ]] && return 1
  done
  return 0
}

now_iso() { date -u +%Y-%m-%dT%H:%M:%SZ; }

# guest_busybox: prints the path of a static busybox for $GUEST_ARCH: the host's /bin/busybox for amd64, for
# arm64 Debian's busybox-static:arm64 unpacked (apt-get download, never installed) into $CACHE/busybox/.
guest_busybox() {
  local pkg=busybox-static ver deb dir
  if [[ "$GUEST_ARCH" == amd64 ]]; then
    [[ -x /bin/busybox ]] && is_static_elf /bin/busybox x86_64 || die "/bin/busybox is not static: apt-get install busybox-static"
    echo /bin/busybox
    return 0
  fi
  ver="$(pkg_version busybox-static)"   # the same version as the host's: its applet list is the guest's too
  dir="$CACHE/busybox/${ver//:/%3a}"
  if [[ ! -x "$dir/bin/busybox" ]]; then
    mkdir -p "$CACHE/debs"
    deb="$CACHE/debs/${pkg}_${ver//:/%3a}_$GUEST_ARCH.deb"
    if [[ ! -s "$deb" ]]; then
      log "downloading $pkg:$GUEST_ARCH $ver"
      (cd "$CACHE/debs" && apt-get download -q "$pkg:$GUEST_ARCH=$ver" >&2 2>/dev/null) ||
        die "apt-get download $pkg:$GUEST_ARCH=$ver failed (dpkg --add-architecture $GUEST_ARCH; apt-get update)"
    fi
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp" && dpkg-deb -x "$deb" "$dir.tmp"
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  is_static_elf "$dir/bin/busybox" "$(guest_machine)" || die "$dir/bin/busybox is not a static $(guest_machine) ELF"
  echo "$dir/bin/busybox"
}

# Busybox applets linked in DIR (relative links to ./busybox), so a root needs no other binary. The list comes
# from the host's busybox (same Debian version; a foreign busybox cannot run here).
link_busybox_applets() {
  local dir="$1" applet
  for applet in $(/bin/busybox --list); do
    [[ "$applet" == busybox || -e "$dir/$applet" ]] || ln -s busybox "$dir/$applet"
  done
}

# make_ext4 SRC_DIR OUT_FILE SIZE_MIB: a sparse ext4 image of SIZE_MIB holding SRC_DIR (the rest is room
# for image builds: apt-get install in a Dockerfile RUN). Only written blocks take disk space.
# Inode tables and journal are initialised now: otherwise the guest kernel zeroes them lazily in
# the background, burning emulated CPU and filling every VM's copy-on-write overlay.
make_ext4() {
  local src="$1" out="$2" size_mib="$3" used_kib need_mib
  used_kib=$(du -s -k --apparent-size "$src" | cut -f1)
  need_mib=$(( used_kib * 12 / 10 / 1024 + 64 ))
  (( need_mib <= size_mib )) || die "$src needs about ${need_mib} MiB, more than the ${size_mib} MiB disk"
  rm -f "$out"
  truncate -s "${size_mib}M" "$out"
  mkfs.ext4 -q -F -b 4096 -m 0 -L ember-root -T default \
    -E lazy_itable_init=0,lazy_journal_init=0 -d "$src" "$out" >/dev/null
}

# publish_image ROOT MEMORY_MIB DESCRIPTION: turns the tree ROOT into the read-only base disk and
# image.json of image $NAME, swaps them into place as a whole and writes the step's stamp.
# Uses the caller's $dir (the image's assets folder) and $hash (its inputs).
publish_image() {
  local root="$1" memory="$2" description="$3"
  mkdir -p "$WORK/out"
  make_ext4 "$root" "$WORK/out/rootfs.ext4" "$DISK_MIB"
  chmod 0444 "$WORK/out/rootfs.ext4"
  cat >"$WORK/out/image.json" <<JSON
{"name":"$NAME","version":"$VERSION","description":"$description","vcpus":1,"memoryMib":$memory,"createdAt":"$(now_iso)"}
JSON
  mkdir -p "$ASSETS/images"
  replace_dir "$WORK/out" "$dir"
  stamp_write "$STEP" "$hash"
  log "built $dir/rootfs.ext4 ($(du -h --apparent-size "$dir/rootfs.ext4" | cut -f1) apparent, $(du -h "$dir/rootfs.ext4" | cut -f1) on disk)"
}
