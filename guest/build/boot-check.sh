#!/usr/bin/env bash
# Boots managed images cold under QEMU (microvm, TCG unless EMBER_ACCEL=kvm) and checks the whole
# chain: initramfs -> switch_root -> ember-agent answering HELLO on the virtio-serial port.
# Prints per-run figures and medians; exits non-zero if any boot fails. Every QEMU it starts is
# stopped by its pid.
#   guest/build/boot-check.sh [--runs N] [IMAGE...]      (default: busybox debian, 3 runs)
# EMBER_CHECK_KERNEL_ARGS replaces the default extra kernel argument "quiet" (e.g. "" for a full log).
# EMBER_GUEST_ARCH=arm64 checks the arm64 images (qemu-system-aarch64 -M virt, $EMBER_ASSETS_DIR/arm64).
STEP=boot-check
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

runs=3
images=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) images+=("$1"); shift ;;
  esac
done
[[ ${#images[@]} -gt 0 ]] || images=(busybox debian)
command -v python3 >/dev/null || die "python3 is needed for the agent handshake"
command -v "qemu-system-$(guest_machine)" >/dev/null ||
  die "qemu-system-$(guest_machine) missing: apt-get install qemu-system-$([[ $GUEST_ARCH == arm64 ]] && echo arm || echo x86)"

WORK="$(mktemp -d /tmp/ember-boot-check.XXXXXX)"
trap 'rc=$?; if [[ $rc == 0 ]]; then rm -rf "$WORK"; else log "console logs kept in $WORK"; fi' EXIT

python3 - "$ASSETS" "$WORK" "$runs" "${EMBER_ACCEL:-tcg}" "$GUEST_ARCH" "${images[@]}" <<'PY'
import json, os, socket, statistics, struct, subprocess, sys, threading, time

assets, work, runs, accel, arch, images = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6:]
# The driver's machine per architecture (docs/vmm.md, "Architectures"); an arm64 guest on this host is always TCG.
if arch == "arm64":
    MACHINE = ["qemu-system-aarch64", "-M", "virt,gic-version=3", "-cpu", "cortex-a72"]
    KERNEL, CONSOLE = "kernel/Image", "ttyAMA0"
    if os.uname().machine != "aarch64":
        accel = "tcg"
else:
    MACHINE = ["qemu-system-x86_64", "-M", "microvm,x-option-roms=off,rtc=on,isa-serial=on"]
    KERNEL, CONSOLE = "kernel/vmlinux", "ttyS0"
MARK = b"ember-init: switch_root"
kargs = os.environ.get("EMBER_CHECK_KERNEL_ARGS", "quiet")

def host_tsc_khz():
    """Under TCG the guest's TSC ticks at the host's rate. Telling the kernel that rate skips its
    PIT calibration, which fails on a loaded host (emulation is too slow for the PIT loop) and then
    hangs the boot with "tsc: Marking TSC unstable due to could not calculate TSC khz"."""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("cpu MHz"):
                return int(float(line.split(":")[1]) * 1000)
    except (OSError, ValueError):
        pass
    return 0

if arch != "arm64" and accel == "tcg" and host_tsc_khz() > 0:
    kargs += f" tsc_early_khz={host_tsc_khz()}"
HELLO = struct.pack(">IIB3x", 0, 0, 0x01)

def hello(sock_path, deadline):
    """Sends HELLO, returns the HELLO_OK fields (tag -> bytes)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    while True:
        try:
            s.connect(sock_path)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError("agent socket never accepted a connection")
            time.sleep(0.01)
    s.settimeout(max(0.1, deadline - time.monotonic()))
    s.sendall(HELLO)
    buf = b""
    while len(buf) < 12:
        chunk = s.recv(4096)
        if not chunk:
            raise EOFError("agent channel closed before HELLO_OK")
        buf += chunk
    length, stream, ftype = struct.unpack(">IIB", buf[:9])
    if ftype != 0x81 or length > 65536:
        raise ValueError(f"unexpected frame type 0x{ftype:02x} length {length}")
    while len(buf) < 12 + length:
        chunk = s.recv(4096)
        if not chunk:
            raise EOFError("agent channel closed inside HELLO_OK")
        buf += chunk
    payload, fields, i = buf[12:12 + length], {}, 0
    while i + 5 <= len(payload):
        tag, n = struct.unpack(">BI", payload[i:i + 5])
        fields[tag] = payload[i + 5:i + 5 + n]
        i += 5 + n
    s.close()
    return fields

def boot(image, run):
    meta = json.load(open(f"{assets}/images/{image}/image.json"))
    d = f"{work}/{image}-{run}"
    os.makedirs(d)
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b",
                    f"{assets}/images/{image}/rootfs.ext4", f"{d}/disk.qcow2"], check=True)
    sock = f"{d}/agent.sock"
    cmd = MACHINE + ["-accel", accel, "-m", str(meta["memoryMib"]), "-smp", str(meta["vcpus"]),
           "-nodefaults", "-no-user-config", "-nographic", "-no-reboot", "-serial", "stdio",
           "-kernel", f"{assets}/{KERNEL}", "-initrd", f"{assets}/initramfs.cpio.gz",
           "-append", f"console={CONSOLE} reboot=k panic=-1 {kargs} rdinit=/init ember.hostname=check-{image}",
           "-drive", f"id=root,file={d}/disk.qcow2,format=qcow2,if=none",
           "-device", "virtio-blk-device,drive=root",
           "-device", "virtio-serial-device",
           "-chardev", f"socket,id=agent,path={sock},server=on,wait=off",
           "-device", "virtserialport,chardev=agent,name=ember.agent"]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    console, marked = [], threading.Event()
    switch = {}
    def reader():
        for line in proc.stdout:
            console.append(line)
            if MARK in line and not marked.is_set():
                switch["t"] = time.monotonic() - t0
                switch["line"] = line.decode(errors="replace").strip()
                marked.set()
    th = threading.Thread(target=reader, daemon=True)
    th.start()
    try:
        if not marked.wait(90):
            raise TimeoutError("no switch_root on the console within 90 s")
        fields = hello(sock, time.monotonic() + 60)
        t_hello = time.monotonic() - t0
        return {"switch_root_s": switch["t"], "hello_s": t_hello,
                "uptime": switch["line"].split("uptime ")[-1].rstrip(")"),
                "agent": fields.get(13, b"").decode(), "kernel": fields.get(14, b"").decode(),
                "hostname": fields.get(15, b"").decode()}
    except Exception as e:
        sys.stderr.write(f"[boot-check] {image} run {run} FAILED: {e}\n--- console ---\n")
        sys.stderr.write(b"".join(console[-40:]).decode(errors="replace") + "\n")
        return None
    finally:
        proc.kill()       # by pid, the process we started
        proc.wait(10)
        with open(f"{d}/console.log", "wb") as f:
            f.write(b"".join(console))

failed = False
for image in images:
    results = []
    for run in range(runs):
        r = boot(image, run)
        if r is None:
            failed = True
            break
        results.append(r)
        print(f"[boot-check] {image} run {run + 1}: switch_root {r['switch_root_s']:.2f} s "
              f"(guest uptime {r['uptime']}), agent HELLO_OK {r['hello_s']:.2f} s "
              f"[{r['agent']}, kernel {r['kernel']}, hostname {r['hostname']}]", flush=True)
    if results:
        print(f"[boot-check] {image} median of {len(results)}: switch_root "
              f"{statistics.median(r['switch_root_s'] for r in results):.2f} s, agent ready "
              f"{statistics.median(r['hello_s'] for r in results):.2f} s (wall, from QEMU start, {accel})",
              flush=True)
sys.exit(1 if failed else 0)
PY
