#!/usr/bin/env bash
# Finishes a foreign debootstrap tree (debootstrap --foreign --arch=arm64) inside an arm64 microVM, so the host
# needs neither binfmt_misc nor qemu-user: the tree becomes an ext4 disk, the VM boots this build's arm64 kernel
# and initramfs with ember.init=/ember-second-stage, runs `debootstrap --second-stage` and writes the finished
# tree as a tar to a second, raw disk (/dev/vdb); the tar replaces the tree. Used by image-debian.sh, not run alone.
#   EMBER_GUEST_ARCH=arm64 guest/build/second-stage.sh TREE
STEP=second-stage
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TIMEOUT_S="${EMBER_SECOND_STAGE_TIMEOUT:-3600}"   # TCG on a busy 2-core host: about 10 to 20 minutes

main() {
  local tree="$1" work qemu rc=0 start=$SECONDS
  [[ "$GUEST_ARCH" == arm64 ]] || die "only for arm64 trees"
  [[ -x "$tree/debootstrap/debootstrap" ]] || die "$tree is not a foreign debootstrap tree"
  [[ -f "$ASSETS/kernel/Image" && -f "$ASSETS/initramfs.cpio.gz" ]] ||
    die "no arm64 kernel or initramfs in $ASSETS: run kernel.sh, agent.sh and initramfs.sh first"
  qemu="$(command -v qemu-system-aarch64)" || die "qemu-system-aarch64 missing: apt-get install qemu-system-arm"
  WORK="$(mktemp -d "$ASSETS/.second-stage.XXXXXX")"   # global: the EXIT trap runs after main's locals are gone
  trap 'rm -rf "$WORK"' EXIT
  work="$WORK"
  cat >"$tree/ember-second-stage" <<'STAGE'
#!/bin/sh
# PID 1 of the build VM. Its last console line says how it went; the host reads the tar from /dev/vdb.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# The output disk is the one that is not the root (on -M virt the last virtio-mmio device on QEMU's command line
# is probed first, so names follow the command line backwards).
out=/dev/vdb
grep -q '^/dev/vdb ' /proc/mounts && out=/dev/vda
if /debootstrap/debootstrap --second-stage; then
  rm -f /ember-second-stage
  if tar --numeric-owner --xattrs --acls -C / -cf "$out" \
       --exclude=./proc --exclude=./sys --exclude=./dev --exclude=./.ember --exclude=./lost+found .; then
    sync
    echo "ember-second-stage: OK"
  else
    echo "ember-second-stage: FAILED (tar)"
  fi
else
  echo "ember-second-stage: FAILED (debootstrap)"; cat /debootstrap/debootstrap.log 2>/dev/null | tail -n 30
fi
sync
echo o >/proc/sysrq-trigger
sleep 10
STAGE
  chmod 0755 "$tree/ember-second-stage"
  mkdir -p "$tree/proc" "$tree/sys" "$tree/dev" "$tree/.ember"
  make_ext4 "$tree" "$work/root.ext4" 4096
  truncate -s 2G "$work/out.tar"
  log "second stage of $(basename "$tree") in an arm64 VM (TCG is slow: expect 10-20 minutes)"
  # Two vCPUs and 1 GiB: dpkg and its maintainer scripts are most of the time.
  timeout "$TIMEOUT_S" "$qemu" -M virt,gic-version=3 -cpu cortex-a72 -accel tcg,thread=multi,tb-size=256 -m 1024 -smp 2 \
    -nodefaults -no-user-config -no-reboot -display none \
    -kernel "$ASSETS/kernel/Image" -initrd "$ASSETS/initramfs.cpio.gz" \
    -append "console=ttyAMA0 reboot=k panic=-1 quiet rdinit=/init ember.init=/ember-second-stage" \
    -drive "id=out,file=$work/out.tar,format=raw,if=none" -device virtio-blk-device,drive=out \
    -drive "id=root,file=$work/root.ext4,format=raw,if=none" -device virtio-blk-device,drive=root \
    -serial "file:$work/console.log" </dev/null >"$work/qemu.log" 2>&1 || rc=$?
  if ! grep -q 'ember-second-stage: OK' "$work/console.log"; then
    tail -n 40 "$work/console.log" "$work/qemu.log" >&2
    die "the second stage did not finish (qemu exit $rc, timeout ${TIMEOUT_S} s)"
  fi
  rm -rf "$work/tree" && mkdir "$work/tree"
  tar --numeric-owner --xattrs --acls -xpf "$work/out.tar" -C "$work/tree" || die "cannot unpack the VM's tar"
  mkdir -p "$work/tree"/{proc,sys,dev}
  chmod 0555 "$work/tree/proc" "$work/tree/sys"
  rm -rf "$tree" && mv "$work/tree" "$tree"
  log "second stage done in $((SECONDS - start)) s"
}

main "$@"
